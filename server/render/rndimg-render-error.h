/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

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
  RNDIMG_RENDER_ERROR_UNAVAILABLE,     /* the render module cannot be loaded */
} RndimgRenderError;
GQuark rndimg_render_error_quark (void);

/* A render's time limit, checked by libvips between tiles. */
typedef struct {
  gint64 at;            /* monotonic microseconds */
  gboolean passed;
} RndimgRenderDeadline;

void rndimg_render_set_over_memory_error (GError **error,
                                          guint64  needed,
                                          guint64  budget);

G_END_DECLS
