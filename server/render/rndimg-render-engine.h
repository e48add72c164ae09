/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-entry-points.h"

#include <glib-object.h>

G_BEGIN_DECLS

#define RNDIMG_TYPE_RENDER_ENGINE (rndimg_render_engine_get_type ())
G_DECLARE_FINAL_TYPE (RndimgRenderEngine, rndimg_render_engine, RNDIMG, RENDER_ENGINE, GObject)

char                          *rndimg_render_engine_find_module (void);
RndimgRenderEngine            *rndimg_render_engine_new         (const char          *module_path);
const RndimgRenderEntryPoints *rndimg_render_engine_get         (RndimgRenderEngine  *self,
                                                                 GError             **error);
void                           rndimg_render_engine_close       (RndimgRenderEngine  *self);
gboolean                       rndimg_render_engine_is_loaded   (RndimgRenderEngine  *self);

G_END_DECLS
