/* SPDX-License-Identifier: MIT */
/* The render module's one exported symbol: the table of what it does
 * with libvips (decodes for placeholders, renders, encoder probes), read
 * by rndimg-render-engine.c when the module is loaded on first need. */
#include "rndimg-render-entry-points.h"
#include "rndimg-picture-decode.h"
#include "rndimg-render-job.h"
#include "rndimg-open-masters.h"

#include <gmodule.h>

static void
finish_thread (void)
{
  vips_error_clear ();
  vips_thread_shutdown ();
}

G_MODULE_EXPORT extern const RndimgRenderEntryPoints rndimg_render_entry_points;

const RndimgRenderEntryPoints rndimg_render_entry_points = {
  .version = RNDIMG_RENDER_ENTRY_POINTS_VERSION,
  .start = rndimg_vips_start,
  .decode_small = rndimg_picture_decode_small,
  .open_masters_new = rndimg_open_masters_new,
  .open_masters_free = rndimg_open_masters_free,
  .run_job = rndimg_render_job_run,
  .probe_encoder = rndimg_render_probe_encoder,
  .load_format = rndimg_vips_load_module,
  .finish_thread = finish_thread,
};
