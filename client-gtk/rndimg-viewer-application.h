/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RNDIMG_VIEWER_APP_ID "io.github.rndimg.Viewer"

#define RNDIMG_TYPE_VIEWER_APPLICATION (rndimg_viewer_application_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerApplication, rndimg_viewer_application, RNDIMG, VIEWER_APPLICATION, AdwApplication)

RndimgViewerApplication *rndimg_viewer_application_new (void);

G_END_DECLS
