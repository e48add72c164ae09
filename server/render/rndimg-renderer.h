/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-encoders.h"
#include "rndimg-masters.h"
#include "rndimg-render-engine.h"
#include "rndimg-variant.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint workers;                /* renders at once */
  guint queue_limit;            /* renders waiting for a worker, at most */
  double time_limit_seconds;    /* per render */
  guint64 max_input_pixels;     /* width x height x pages of a source */
  guint64 memory_budget;        /* bytes the renders under way may hold, by their estimates */
} RndimgRendererLimits;

/* What the renderer has done, for /metrics. */
typedef struct {
  guint64 renders;
  guint64 failures;
  guint64 refused_busy;
  guint64 refused_input;
  guint64 refused_memory;       /* a render that needs more than the whole budget */
  guint64 timeouts;
  guint64 joined;               /* requests that waited for a render already under way */
  guint64 waited_memory;        /* renders that waited for memory before they started */
  guint64 background;           /* renders made ahead for the next asker */
} RndimgRendererCounts;

#define RNDIMG_TYPE_RENDERER (rndimg_renderer_get_type ())
G_DECLARE_FINAL_TYPE (RndimgRenderer, rndimg_renderer, RNDIMG, RENDERER, GObject)

RndimgRenderer *rndimg_renderer_new            (const RndimgRendererLimits *limits,
                                                RndimgMasters              *masters,
                                                RndimgRenderEngine         *engine);
RndimgEncoders *rndimg_renderer_get_encoders   (RndimgRenderer             *self);
void            rndimg_renderer_render_async   (RndimgRenderer             *self,
                                                const char                 *key,
                                                RndimgPicture              *picture,
                                                const RndimgVariantSpec    *spec,
                                                gboolean                    background,
                                                GAsyncReadyCallback         callback,
                                                gpointer                    user_data);
GBytes         *rndimg_renderer_render_finish  (RndimgRenderer             *self,
                                                GAsyncResult               *result,
                                                double                     *seconds,
                                                GError                    **error);
gboolean        rndimg_renderer_is_rendering   (RndimgRenderer             *self,
                                                const char                 *key);
guint           rndimg_renderer_get_queued     (RndimgRenderer             *self);
guint           rndimg_renderer_get_running    (RndimgRenderer             *self);
guint64         rndimg_renderer_get_memory     (RndimgRenderer             *self);
const RndimgRendererCounts *rndimg_renderer_get_counts (RndimgRenderer     *self);

G_END_DECLS
