/* SPDX-License-Identifier: MIT */
/* What the window's files share: rndimg-viewer-window.c (showing
 * pictures, Get, Live), rndimg-viewer-window-actions.c (what people do
 * with a picture) and rndimg-viewer-upload.c. */
#pragma once

#include "rndimg-client.h"
#include "rndimg-viewer-history.h"
#include "rndimg-viewer-window.h"

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

typedef enum {
  PROBLEM_UNREACHABLE,     /* the network: refused, timeout, no route */
  PROBLEM_REFUSED,         /* the server said no to an upload */
  PROBLEM_BAD_ANSWER,      /* the server answered, but not as it should */
} RndimgViewerProblem;

struct _RndimgViewerWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwHeaderBar *header_bar;
  AdwWindowTitle *window_title;
  GtkRevealer *banner;
  GtkLabel *banner_label;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkButton *error_button;
  GtkScrolledWindow *scroller;
  GtkPicture *picture;
  GtkWidget *back_button;
  GtkWidget *forward_button;
  GtkRevealer *history_revealer;
  GtkBox *history_box;
  GtkLabel *status_label;
  GtkDropDown *album_picker;         /* made in code: rndimg-viewer-album-picker.c */

  /* Owned references */
  GSettings *settings;
  RndimgClient *client;
  RndimgLive *live;
  RndimgViewerHistory *history;
  GCancellable *get_cancellable;     /* the Get in flight */
  GCancellable *image_cancellable;   /* the picture download in flight */
  GCancellable *upload_cancellable;  /* the upload in flight */
  AdwToast *toast;                   /* the one shown, until dismissed; retitled by the next */
  char *problem;                     /* what went wrong last, for a person; NULL when all is well */
  char *last_toast;

  RndimgViewerState state;
  RndimgViewerProblem problem_kind;  /* what the error page says the problem is */
  gboolean original_size;            /* 100 % and scrolled, not fit to the window */
  gboolean filling_albums;           /* the picker's list is being replaced, not chosen from */
  gboolean placeholder_shown;        /* the picture loading is shown as its BlurHash or colour */
};

void _rndimg_viewer_window_toast              (RndimgViewerWindow *self,
                                               const char         *message);
void _rndimg_viewer_window_show_problem       (RndimgViewerWindow *self,
                                               const char         *message,
                                               const GError       *error);
void _rndimg_viewer_window_load_picture       (RndimgViewerWindow *self,
                                               RndimgAnswer       *answer);
void _rndimg_viewer_window_remember_server    (RndimgViewerWindow *self);
void _rndimg_viewer_window_update_actions     (RndimgViewerWindow *self);
void _rndimg_viewer_window_class_actions_init (GtkWidgetClass     *widget_class);
void _rndimg_viewer_window_class_upload_init  (GtkWidgetClass     *widget_class);
void _rndimg_viewer_window_actions_init       (RndimgViewerWindow *self);
void _rndimg_viewer_window_upload_init        (RndimgViewerWindow *self);
void _rndimg_viewer_window_album_picker_init  (RndimgViewerWindow *self);
void _rndimg_viewer_window_load_albums        (RndimgViewerWindow *self);

/* For tests */
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
