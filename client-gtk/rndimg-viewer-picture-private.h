/* SPDX-License-Identifier: MIT */
/* What the picture widget's files share: rndimg-viewer-picture.c (the
 * widget: drawing, scrolling, what it shows), -loading.c (the placeholder,
 * then the variant the shown size needs, then larger ones as it grows)
 * and -zoom.c (zoom levels, gestures, panning). */
#pragma once

#include "rndimg-viewer-picture.h"

G_BEGIN_DECLS

#define RNDIMG_VIEWER_ZOOM_MAX 20.0

struct _RndimgViewerPicture
{
  GtkWidget parent_instance;

  GtkAdjustment *hadjustment;
  GtkAdjustment *vadjustment;
  guint hscroll_policy : 1;
  guint vscroll_policy : 1;

  /* What is shown */
  RndimgClient *client;
  RndimgAnswer *answer;            /* NULL: nothing */
  GdkTexture *texture;             /* the best decoded one in hand; NULL: none yet */
  GdkTexture *placeholder;         /* its BlurHash or colour, until a texture comes */
  guint picture_width;             /* the picture's own pixels (the answer's, else the texture's) */
  guint picture_height;

  /* Loading (rndimg-viewer-picture-loading.c) */
  RndimgAnswer *loading;           /* the answer whose first texture is on its way; NULL: none */
  GTask *first_load;               /* the caller's, until that first texture */
  GCancellable *fetch_cancellable; /* the download and decode in flight */
  guint fetching_side;             /* its variant side; 0: the original; G_MAXUINT: none in flight */
  guint sharpen_id;                /* the check, a moment after the size settles */

  /* Zoom (rndimg-viewer-picture-zoom.c) */
  gboolean best_fit;
  double zoom;                     /* device pixels per picture pixel */
  gboolean has_pointer;
  double pointer_x, pointer_y;
  double gesture_start_zoom;
  double drag_x, drag_y;
};

/* rndimg-viewer-picture.c */
void     _rndimg_viewer_picture_configure      (RndimgViewerPicture *self);
void     _rndimg_viewer_picture_content_origin (RndimgViewerPicture *self,
                                                double              *x,
                                                double              *y);
gboolean _rndimg_viewer_picture_is_scrollable  (RndimgViewerPicture *self);
void     _rndimg_viewer_picture_set_shown      (RndimgViewerPicture *self,
                                                const RndimgAnswer  *answer,
                                                GdkTexture          *texture);
void     _rndimg_viewer_picture_set_texture    (RndimgViewerPicture *self,
                                                GdkTexture          *texture);
void     _rndimg_viewer_picture_notify_zoom    (RndimgViewerPicture *self);

/* rndimg-viewer-picture-loading.c */
void     _rndimg_viewer_picture_sharpen_later  (RndimgViewerPicture *self);
void     _rndimg_viewer_picture_stop_loading   (RndimgViewerPicture *self);
void     _rndimg_viewer_picture_fetch_better   (RndimgViewerPicture *self);
GdkTexture *_rndimg_viewer_picture_placeholder_for (const RndimgAnswer *answer);

/* rndimg-viewer-picture-zoom.c */
double   _rndimg_viewer_picture_best_fit_zoom  (RndimgViewerPicture *self);
double   _rndimg_viewer_picture_shown_long_side (RndimgViewerPicture *self);
double   _rndimg_viewer_picture_fit_long_side  (RndimgViewerPicture *self,
                                                guint                width,
                                                guint                height);
void     _rndimg_viewer_picture_zoom_init      (RndimgViewerPicture *self);
void     _rndimg_viewer_picture_zoom_aiming    (RndimgViewerPicture *self,
                                                double               zoom,
                                                gboolean             at_pointer,
                                                double               x,
                                                double               y);

G_END_DECLS
