/* SPDX-License-Identifier: MIT */
/* What the window's files share: rndimg-viewer-window.c (showing
 * pictures, Get, the pages), rndimg-viewer-window-live.c (Live: its
 * button, its banner), rndimg-viewer-window-albums.c (the server's albums
 * and the one in force), rndimg-viewer-window-actions.c (what people do
 * with a picture), rndimg-viewer-window-token.c (the token, in the
 * keyring) and rndimg-viewer-upload.c. */
#pragma once

#include <adwaita.h>

#include "rndimg-backoff.h"
#include "rndimg-client.h"
#include "rndimg-live.h"
#include "rndimg-viewer-album-picker.h"
#include "rndimg-viewer-history.h"
#include "rndimg-viewer-history-strip.h"
#include "rndimg-viewer-notice.h"
#include "rndimg-viewer-picture.h"
#include "rndimg-viewer-properties.h"
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
  AdwHeaderBar *header_bar;
  AdwWindowTitle *window_title;
  GtkWidget *upload_button;
  GtkWidget *live_button;
  GtkImage *live_icon;
  GtkWidget *properties_button;
  RndimgViewerAlbumPicker *album_picker;
  GtkRevealer *banner;
  GtkImage *banner_icon;
  GtkLabel *banner_label;
  GtkWidget *banner_retry_button;
  GtkWidget *banner_server_button;
  AdwFlap *flap;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  AdwStatusPage *error_page;
  GtkButton *error_button;
  GtkWidget *error_server_button;
  GtkScrolledWindow *scroller;
  RndimgViewerPicture *picture;
  GtkWidget *newer_button;
  GtkWidget *older_button;
  GtkWidget *zoom_controls;
  GtkButton *zoom_level_button;
  GtkRevealer *history_revealer;
  RndimgViewerHistoryStrip *history_strip;
  GtkWidget *caption;
  GtkLabel *caption_title;
  GtkLabel *caption_credit;
  RndimgViewerProperties *properties;
  RndimgViewerNotice *notice;

  /* Owned references */
  GSettings *settings;
  RndimgClient *client;
  RndimgLive *live;
  RndimgViewerHistory *history;
  GHashTable *deleted;            /* names of pictures deleted on the server (a set, bounded) */
  GCancellable *get_cancellable;     /* the Get in flight */
  GCancellable *upload_cancellable;  /* the upload in flight */
  GCancellable *albums_cancellable;  /* the album list in flight */
  GCancellable *token_cancellable;   /* the keyring's lookup in flight */
  char *problem;                     /* what went wrong last, for a person; NULL when all is well */

  RndimgViewerState state;
  RndimgViewerProblem problem_kind;  /* what the error page says the problem is */
  gboolean loading;                  /* a new picture's first texture is on its way */

  /* The server's albums (rndimg-viewer-window-albums.c) */
  gboolean albums_loaded;            /* the list came, since the server was set */
  gboolean albums_unreachable;       /* the last try could not reach the server */
  RndimgBackoff albums_backoff;
  guint albums_retry_id;
  gint64 albums_retry_usec;          /* when the list is asked for again (monotonic); 0: not */

  /* Live's look (rndimg-viewer-window-live.c) */
  guint countdown_id;                /* once a second while a next try's time is shown */
  guint connecting_id;               /* "Connecting…" said only when it takes a while */
  gboolean connecting_slowly;
  RndimgLiveState last_live_state;

  /* The layout for the window's width */
  guint layout_id;
  gboolean narrow;                   /* no Upload button */
  gboolean folded;                   /* the Properties over the picture, not beside it */
  int picker_whole_width;            /* the width from which the album's title fits on its button */
  int picker_shortfall;              /* what it lacked at the last allocation, in pixels */
};

void _rndimg_viewer_window_say                (RndimgViewerWindow *self,
                                               const char         *message);
void _rndimg_viewer_window_show_problem       (RndimgViewerWindow *self,
                                               const char         *message,
                                               const GError       *error);
void _rndimg_viewer_window_load_picture       (RndimgViewerWindow *self,
                                               RndimgAnswer       *answer);
void _rndimg_viewer_window_server_answered    (RndimgViewerWindow *self);
void _rndimg_viewer_window_update_view        (RndimgViewerWindow *self);
void _rndimg_viewer_window_update_actions     (RndimgViewerWindow *self);
void _rndimg_viewer_window_show_entry         (RndimgViewerWindow *self,
                                               int                 index);
gboolean _rndimg_viewer_window_has_picture    (RndimgViewerWindow *self);
void _rndimg_viewer_window_class_actions_init (GtkWidgetClass     *widget_class);
void _rndimg_viewer_window_class_upload_init  (GtkWidgetClass     *widget_class);
void _rndimg_viewer_window_actions_init       (RndimgViewerWindow *self);
void _rndimg_viewer_window_upload_init        (RndimgViewerWindow *self);

/* rndimg-viewer-window-albums.c */
void _rndimg_viewer_window_albums_init        (RndimgViewerWindow *self);
void _rndimg_viewer_window_load_albums        (RndimgViewerWindow *self);
void _rndimg_viewer_window_albums_dispose     (RndimgViewerWindow *self);

/* rndimg-viewer-window-live.c */
void _rndimg_viewer_window_live_init          (RndimgViewerWindow *self);
void _rndimg_viewer_window_update_live        (RndimgViewerWindow *self);
void _rndimg_viewer_window_live_dispose       (RndimgViewerWindow *self);
char *_rndimg_viewer_window_retry_text        (RndimgViewerWindow *self);

/* rndimg-viewer-window-token.c */
void _rndimg_viewer_window_load_token         (RndimgViewerWindow *self);
void _rndimg_viewer_window_token_dispose      (RndimgViewerWindow *self);

/* For tests */
RndimgViewerState    rndimg_viewer_window_get_state        (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_shown_name   (RndimgViewerWindow *self);
GdkPaintable        *rndimg_viewer_window_get_paintable    (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_problem      (RndimgViewerWindow *self);
char                *rndimg_viewer_window_dup_caption      (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_page         (RndimgViewerWindow *self);
const char          *rndimg_viewer_window_get_last_notice  (RndimgViewerWindow *self);
RndimgViewerHistory *rndimg_viewer_window_get_history      (RndimgViewerWindow *self);
GtkWidget           *rndimg_viewer_window_get_picture_widget (RndimgViewerWindow *self);
GtkWidget           *rndimg_viewer_window_get_album_picker  (RndimgViewerWindow *self);

G_END_DECLS
