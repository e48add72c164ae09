/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "rndimg-client.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_VIEWER_PICTURE (rndimg_viewer_picture_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerPicture, rndimg_viewer_picture, RNDIMG, VIEWER_PICTURE, GtkWidget)

/* The side of the thumbnails a first load makes, in pixels. */
#define RNDIMG_VIEWER_THUMBNAIL_SIDE 112

GtkWidget          *rndimg_viewer_picture_new          (void);
void                rndimg_viewer_picture_set_client   (RndimgViewerPicture  *self,
                                                        RndimgClient         *client);
void                rndimg_viewer_picture_load_async   (RndimgViewerPicture  *self,
                                                        const RndimgAnswer   *answer,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GdkTexture         *rndimg_viewer_picture_load_finish  (RndimgViewerPicture  *self,
                                                        GAsyncResult         *result,
                                                        GdkTexture          **thumbnail,
                                                        GError              **error);
void                rndimg_viewer_picture_show         (RndimgViewerPicture  *self,
                                                        const RndimgAnswer   *answer,
                                                        GdkTexture           *texture);
void                rndimg_viewer_picture_clear        (RndimgViewerPicture  *self);
gboolean            rndimg_viewer_picture_update_answer (RndimgViewerPicture *self,
                                                        const char          *name,
                                                        const RndimgAnswer  *answer);
const RndimgAnswer *rndimg_viewer_picture_get_answer   (RndimgViewerPicture  *self);
GdkTexture         *rndimg_viewer_picture_get_texture  (RndimgViewerPicture  *self);
GdkPaintable       *rndimg_viewer_picture_get_paintable (RndimgViewerPicture *self);
gboolean            rndimg_viewer_picture_is_original  (RndimgViewerPicture  *self);
void                rndimg_viewer_picture_get_shown_rect (RndimgViewerPicture *self,
                                                        graphene_rect_t      *rect);

double              rndimg_viewer_picture_get_zoom     (RndimgViewerPicture  *self);
gboolean            rndimg_viewer_picture_get_best_fit (RndimgViewerPicture  *self);
void                rndimg_viewer_picture_set_zoom     (RndimgViewerPicture  *self,
                                                        double                zoom);
void                rndimg_viewer_picture_best_fit     (RndimgViewerPicture  *self);
void                rndimg_viewer_picture_zoom_in      (RndimgViewerPicture  *self);
void                rndimg_viewer_picture_zoom_out     (RndimgViewerPicture  *self);
void                rndimg_viewer_picture_pan          (RndimgViewerPicture  *self,
                                                        double                x_pages,
                                                        double                y_pages);

G_END_DECLS
