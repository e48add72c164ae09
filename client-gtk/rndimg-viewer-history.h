/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "rndimg-answer.h"

G_BEGIN_DECLS

/* One picture received in this session: what the server said, the bytes
 * it sent (Save As writes exactly them) and the decoded texture. */
typedef struct {
  RndimgAnswer *answer;
  GBytes *bytes;
  GdkTexture *texture;
} RndimgViewerEntry;

#define RNDIMG_TYPE_VIEWER_HISTORY (rndimg_viewer_history_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerHistory, rndimg_viewer_history, RNDIMG, VIEWER_HISTORY, GObject)

RndimgViewerHistory     *rndimg_viewer_history_new          (guint                capacity);
void                     rndimg_viewer_history_add          (RndimgViewerHistory *self,
                                                             const RndimgAnswer  *answer,
                                                             GBytes              *bytes,
                                                             GdkTexture          *texture);
guint                    rndimg_viewer_history_get_length   (RndimgViewerHistory *self);
int                      rndimg_viewer_history_get_position (RndimgViewerHistory *self);
gboolean                 rndimg_viewer_history_set_position (RndimgViewerHistory *self,
                                                             int                  position);
const RndimgViewerEntry *rndimg_viewer_history_get          (RndimgViewerHistory *self,
                                                             guint                index);
const RndimgViewerEntry *rndimg_viewer_history_get_current  (RndimgViewerHistory *self);

G_END_DECLS
