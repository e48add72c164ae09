/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "rndimg-client.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_VIEWER_ALBUM_PICKER (rndimg_viewer_album_picker_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerAlbumPicker, rndimg_viewer_album_picker, RNDIMG, VIEWER_ALBUM_PICKER, GtkWidget)

GtkWidget  *rndimg_viewer_album_picker_new          (void);
void        rndimg_viewer_album_picker_set_subtitle (RndimgViewerAlbumPicker *self,
                                                     const char              *subtitle);
void        rndimg_viewer_album_picker_set_client   (RndimgViewerAlbumPicker *self,
                                                     RndimgClient            *client);
void        rndimg_viewer_album_picker_set_albums   (RndimgViewerAlbumPicker *self,
                                                     GPtrArray               *albums);
GPtrArray  *rndimg_viewer_album_picker_get_albums   (RndimgViewerAlbumPicker *self);
void        rndimg_viewer_album_picker_set_album    (RndimgViewerAlbumPicker *self,
                                                     const char              *album);
void        rndimg_viewer_album_picker_choose       (RndimgViewerAlbumPicker *self,
                                                     const char              *album);
const char *rndimg_viewer_album_picker_get_album    (RndimgViewerAlbumPicker *self);
char       *rndimg_viewer_album_picker_dup_title    (RndimgViewerAlbumPicker *self);
void        rndimg_viewer_album_picker_set_compact  (RndimgViewerAlbumPicker *self,
                                                     gboolean                 compact);
int         rndimg_viewer_album_picker_get_shortfall (RndimgViewerAlbumPicker *self);
gboolean    rndimg_viewer_album_picker_get_compact  (RndimgViewerAlbumPicker *self);
void        rndimg_viewer_album_picker_popup        (RndimgViewerAlbumPicker *self);
GtkWidget  *rndimg_viewer_album_picker_get_list     (RndimgViewerAlbumPicker *self);
GtkWidget  *rndimg_viewer_album_picker_get_row      (RndimgViewerAlbumPicker *self,
                                                     const char              *album);
GtkWidget  *rndimg_viewer_album_picker_get_button   (RndimgViewerAlbumPicker *self);

G_END_DECLS
