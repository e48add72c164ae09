/* SPDX-License-Identifier: MIT */
/* The viewer's window, as the application opens and drives it; what its
 * files share, and the getters the tests read, are in -private.h. */
#pragma once

#include <adwaita.h>

#include "rndimg-live.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_VIEWER_WINDOW (rndimg_viewer_window_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerWindow, rndimg_viewer_window, RNDIMG, VIEWER_WINDOW, AdwApplicationWindow)

RndimgViewerWindow  *rndimg_viewer_window_new              (GtkApplication     *application,
                                                            const char         *server,
                                                            RndimgTransport     transport);
void                 rndimg_viewer_window_set_server       (RndimgViewerWindow *self,
                                                            const char         *server);
const char          *rndimg_viewer_window_get_server       (RndimgViewerWindow *self);
void                 rndimg_viewer_window_set_token        (RndimgViewerWindow *self,
                                                            const char         *token);
const char          *rndimg_viewer_window_get_token        (RndimgViewerWindow *self);
void                 rndimg_viewer_window_save_token       (RndimgViewerWindow *self,
                                                            const char         *token);
void                 rndimg_viewer_window_save_picture     (RndimgViewerWindow *self,
                                                            GFile              *file);
void                 rndimg_viewer_window_upload_file      (RndimgViewerWindow *self,
                                                            GFile              *file);


G_END_DECLS
