/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-viewer-window.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_VIEWER_PREFERENCES (rndimg_viewer_preferences_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerPreferences, rndimg_viewer_preferences, RNDIMG, VIEWER_PREFERENCES,
                      AdwPreferencesWindow)

RndimgViewerPreferences *rndimg_viewer_preferences_new (RndimgViewerWindow *window);

G_END_DECLS
