/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-variant.h"

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
} RndimgRenderError;
GQuark rndimg_render_error_quark (void);

typedef struct {
  guint workers;                /* renders at once */
  guint queue_limit;            /* renders waiting for a worker, at most */
  double time_limit_seconds;    /* per render */
  guint64 max_input_pixels;     /* width x height x pages of a source */
} RndimgRendererLimits;

/* What the renderer has done, for /metrics. */
typedef struct {
  guint64 renders;
  guint64 failures;
  guint64 refused_busy;
  guint64 refused_input;
  guint64 timeouts;
  guint64 joined;               /* requests that waited for a render already under way */
} RndimgRendererCounts;

#define RNDIMG_TYPE_RENDERER (rndimg_renderer_get_type ())
G_DECLARE_FINAL_TYPE (RndimgRenderer, rndimg_renderer, RNDIMG, RENDERER, GObject)

RndimgRenderer *rndimg_renderer_new            (const RndimgRendererLimits *limits);
gboolean        rndimg_renderer_can_encode     (RndimgRenderer             *self,
                                                RndimgFormat                format);
void            rndimg_renderer_render_async   (RndimgRenderer             *self,
                                                const char                 *key,
                                                const char                 *path,
                                                const RndimgVariantSpec    *spec,
                                                GAsyncReadyCallback         callback,
                                                gpointer                    user_data);
GBytes         *rndimg_renderer_render_finish  (RndimgRenderer             *self,
                                                GAsyncResult               *result,
                                                double                     *seconds,
                                                GError                    **error);
guint           rndimg_renderer_get_queued     (RndimgRenderer             *self);
guint           rndimg_renderer_get_running    (RndimgRenderer             *self);
const RndimgRendererCounts *rndimg_renderer_get_counts (RndimgRenderer     *self);

G_END_DECLS
