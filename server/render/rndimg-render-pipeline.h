/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-box.h"
#include "rndimg-render-memory.h"
#include "rndimg-vips.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define RNDIMG_RENDER_ERROR (rndimg_render_error_quark ())
typedef enum {
  RNDIMG_RENDER_ERROR_BUSY,            /* the queue is full: try again */
  RNDIMG_RENDER_ERROR_TIMEOUT,         /* over the time limit */
  RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE, /* the picture has too many pixels */
  RNDIMG_RENDER_ERROR_OUTPUT_TOO_LARGE,/* the variant would have too many */
  RNDIMG_RENDER_ERROR_CORRUPT,         /* the picture cannot be decoded */
  RNDIMG_RENDER_ERROR_UNSUPPORTED,     /* the format cannot be encoded here */
  RNDIMG_RENDER_ERROR_OVER_MEMORY,     /* it would need more than the whole render memory budget */
} RndimgRenderError;
GQuark rndimg_render_error_quark (void);

/* A render's time limit, checked by libvips between tiles. */
typedef struct {
  gint64 at;            /* monotonic microseconds */
  gboolean passed;
} RndimgRenderDeadline;

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
void       rndimg_render_set_over_memory_error (GError             **error,
                                                guint64              needed,
                                                guint64              budget);
void       rndimg_render_set_sink_error  (GError                    **error,
                                          const RndimgRenderDeadline *deadline,
                                          const char                 *what);
void       rndimg_render_watch_deadline  (VipsImage                  *image,
                                          RndimgRenderDeadline       *deadline);

G_END_DECLS
