/* SPDX-License-Identifier: MIT */
#pragma once

#include <adwaita.h>

#include "rndimg-live.h"
#include "rndimg-viewer-history.h"

G_BEGIN_DECLS

/* What the window is doing, for tests and for what it shows. */
typedef enum {
  RNDIMG_VIEWER_IDLE,
  RNDIMG_VIEWER_LOADING,
  RNDIMG_VIEWER_CONNECTING,
  RNDIMG_VIEWER_LIVE,
  RNDIMG_VIEWER_RECONNECTING,
  RNDIMG_VIEWER_ERROR,
} RndimgViewerState;

#define RNDIMG_TYPE_VIEWER_WINDOW (rndimg_viewer_window_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerWindow, rndimg_viewer_window, RNDIMG, VIEWER_WINDOW, AdwApplicationWindow)

RndimgViewerWindow  *rndimg_viewer_window_new              (GtkApplication     *application,
                                                            const char         *server,
                                                            RndimgTransport     transport);
void                 rndimg_viewer_window_set_server       (RndimgViewerWindow *self,
                                                            const char         *server);
const char          *rndimg_viewer_window_get_server       (RndimgViewerWindow *self);
void                 rndimg_viewer_window_save_picture     (RndimgViewerWindow *self,
                                                            GFile              *file);
void                 rndimg_viewer_window_upload_file      (RndimgViewerWindow *self,
                                                            GFile              *file);

RndimgViewerState    rndimg_viewer_window_get_state        (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_shown_name   (RndimgViewerWindow *self);
GdkPaintable        *rndimg_viewer_window_get_paintable    (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_problem      (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_status_text  (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_page         (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_last_toast   (RndimgViewerWindow *self);
RndimgViewerHistory *rndimg_viewer_window_get_history      (RndimgViewerWindow *self);
GtkWidget           *rndimg_viewer_window_get_picture_widget (RndimgViewerWindow *self);
GtkWidget           *rndimg_viewer_window_get_album_picker  (RndimgViewerWindow *self);

G_END_DECLS
