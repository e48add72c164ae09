/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "rndimg-answer.h"

G_BEGIN_DECLS

/* One picture received in this session: what the server said, its
 * square thumbnail, and the best decoded texture in hand (NULL once the
 * history's budget took it back: it is fetched again when shown). */
#define RNDIMG_TYPE_VIEWER_ENTRY (rndimg_viewer_entry_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerEntry, rndimg_viewer_entry, RNDIMG, VIEWER_ENTRY, GObject)

const RndimgAnswer *rndimg_viewer_entry_get_answer    (RndimgViewerEntry *self);
GdkTexture         *rndimg_viewer_entry_get_texture   (RndimgViewerEntry *self);
GdkTexture         *rndimg_viewer_entry_get_thumbnail (RndimgViewerEntry *self);

#define RNDIMG_TYPE_VIEWER_HISTORY (rndimg_viewer_history_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerHistory, rndimg_viewer_history, RNDIMG, VIEWER_HISTORY, GObject)

/* Decoded textures the history keeps, in bytes (RGBA), besides the one
 * shown: past it, the oldest give theirs back. */
#define RNDIMG_VIEWER_HISTORY_TEXTURE_BUDGET (256 * 1024 * 1024)

RndimgViewerHistory *rndimg_viewer_history_new          (guint                capacity);
void                 rndimg_viewer_history_add          (RndimgViewerHistory *self,
                                                         const RndimgAnswer  *answer,
                                                         GdkTexture          *texture,
                                                         GdkTexture          *thumbnail);
void                 rndimg_viewer_history_add_unshown  (RndimgViewerHistory *self,
                                                         const RndimgAnswer  *answer);
void                 rndimg_viewer_history_set_thumbnail (RndimgViewerHistory *self,
                                                          RndimgViewerEntry   *entry,
                                                          GdkTexture          *thumbnail);
void                 rndimg_viewer_history_set_texture  (RndimgViewerHistory *self,
                                                         RndimgViewerEntry   *entry,
                                                         GdkTexture          *texture);
guint                rndimg_viewer_history_get_length   (RndimgViewerHistory *self);
int                  rndimg_viewer_history_get_position (RndimgViewerHistory *self);
gboolean             rndimg_viewer_history_set_position (RndimgViewerHistory *self,
                                                         int                  position);
RndimgViewerEntry   *rndimg_viewer_history_get          (RndimgViewerHistory *self,
                                                         guint                index);
RndimgViewerEntry   *rndimg_viewer_history_get_current  (RndimgViewerHistory *self);
RndimgViewerEntry   *rndimg_viewer_history_get_newest   (RndimgViewerHistory *self);
RndimgViewerEntry   *rndimg_viewer_history_find         (RndimgViewerHistory *self,
                                                         const char          *url);
gsize                rndimg_viewer_history_get_texture_bytes (RndimgViewerHistory *self);
gboolean             rndimg_viewer_history_remove       (RndimgViewerHistory *self,
                                                         const char          *name);
gboolean             rndimg_viewer_history_update       (RndimgViewerHistory *self,
                                                         const char          *name,
                                                         const RndimgAnswer  *answer);

G_END_DECLS
