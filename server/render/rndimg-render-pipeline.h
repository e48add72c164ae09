/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-box.h"
#include "rndimg-render-error.h"
#include "rndimg-render-memory.h"
#include "rndimg-vips.h"

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean   rndimg_render_read_facts      (const char                 *path,
                                          guint64                     max_input_pixels,
                                          RndimgSourceFacts          *facts,
                                          GError                    **error);
VipsImage *rndimg_render_resize_original (const char                 *path,
                                          guint                       width,
                                          guint                       height,
                                          GError                    **error);
VipsImage *rndimg_render_resize_image    (VipsImage                  *image,
                                          guint                       width,
                                          guint                       height,
                                          GError                    **error);
GBytes    *rndimg_render_encode          (VipsImage                  *resized,
                                          const RndimgRenderBox      *box,
                                          const RndimgVariantSpec    *spec,
                                          RndimgRenderDeadline       *deadline,
                                          GError                    **error);
VipsImage *rndimg_render_compute_here    (VipsImage                  *image,
                                          RndimgRenderDeadline       *deadline);
gboolean   rndimg_render_probe_encoder   (RndimgFormat                format);
void       rndimg_render_set_vips_error  (GError                    **error,
                                          RndimgRenderError           code,
                                          const char                 *what);
void       rndimg_render_set_sink_error  (GError                    **error,
                                          const RndimgRenderDeadline *deadline,
                                          const char                 *what);
void       rndimg_render_watch_deadline  (VipsImage                  *image,
                                          RndimgRenderDeadline       *deadline);

G_END_DECLS
