/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "rndimg-viewer-history.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_VIEWER_HISTORY_STRIP (rndimg_viewer_history_strip_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerHistoryStrip, rndimg_viewer_history_strip, RNDIMG, VIEWER_HISTORY_STRIP, GtkWidget)

GtkWidget *rndimg_viewer_history_strip_new         (void);
void       rndimg_viewer_history_strip_set_history (RndimgViewerHistoryStrip *self,
                                                    RndimgViewerHistory      *history);
GtkWidget *rndimg_viewer_history_strip_get_list    (RndimgViewerHistoryStrip *self);

G_END_DECLS
