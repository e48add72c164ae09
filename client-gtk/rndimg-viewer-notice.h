/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RNDIMG_TYPE_VIEWER_NOTICE (rndimg_viewer_notice_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerNotice, rndimg_viewer_notice, RNDIMG, VIEWER_NOTICE, GtkWidget)

GtkWidget  *rndimg_viewer_notice_new         (void);
void        rndimg_viewer_notice_show        (RndimgViewerNotice *self,
                                              const char         *message);
void        rndimg_viewer_notice_dismiss     (RndimgViewerNotice *self);
const char *rndimg_viewer_notice_get_message (RndimgViewerNotice *self);
gboolean    rndimg_viewer_notice_is_shown    (RndimgViewerNotice *self);

G_END_DECLS
