/* SPDX-License-Identifier: MIT */
/* The viewer's window: the picture (RndimgViewerPicture, or a status page
 * when there is none), Get, the album picker and Live in the header bar,
 * the history strip and the caption under the picture, the Properties
 * pane beside it; and what went wrong said once, in the right place: a
 * status page when there is no picture (at once when the server cannot be
 * reached at start), a banner while Live is not connected, a notice
 * otherwise. All network work is asynchronous; a newer request cancels an
 * older one, and closing the window cancels everything. Live's look is in
 * rndimg-viewer-window-live.c, the albums in -albums.c, actions in
 * -actions.c, uploads in rndimg-viewer-upload.c. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-decode.h"
#include "rndimg-viewer-i18n.h"
#include "rndimg-viewer-preferences.h"
#include "rndimg-viewer-settings.h"

#include <glib/gi18n-lib.h>

#define HISTORY_LENGTH 50
/* Names of deleted pictures kept, to drop a load of one that was on its way. */
#define DELETED_NAMES_KEPT 256
#define NARROW_WIDTH 600      /* below, Upload is in the menu only (and drag and drop, Ctrl+U) */
#define FOLDED_WIDTH 760      /* below, the Properties lie over the picture */

G_DEFINE_FINAL_TYPE (RndimgViewerWindow, rndimg_viewer_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_LIVE, PROP_ORIGINAL_SIZE, PROP_PROPERTIES_SHOWN, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
live_is_on (RndimgViewerWindow *self)
{
  return rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF;
}

/* TRUE when a picture (or a new one's placeholder) is shown. */
gboolean
_rndimg_viewer_window_has_picture (RndimgViewerWindow *self)
{
  return rndimg_viewer_picture_get_answer (self->picture) != NULL;
}

static const char *
problem_title (RndimgViewerProblem kind)
{
  switch (kind)
    {
    case PROBLEM_UNREACHABLE: return _("Cannot Reach the Server");
    case PROBLEM_REFUSED: return _("Upload Refused");
    default: return _("Unexpected Answer");
    }
}

/* The error page: the problem, when it is tried again, and what a person
 * can do (a refused upload is fixed in the preferences, not by trying
 * again). */
static void
show_error_page (RndimgViewerWindow *self, RndimgViewerProblem kind, const char *problem)
{
  g_autofree char *retry = _rndimg_viewer_window_retry_text (self);
  g_autofree char *description = retry != NULL ? g_strdup_printf ("%s\n%s", problem, retry) : g_strdup (problem);
  g_autofree char *escaped = g_markup_escape_text (description, -1);   /* it is markup */
  gboolean refused = kind == PROBLEM_REFUSED;

  adw_status_page_set_description (self->error_page, escaped);
  adw_status_page_set_title (self->error_page, problem_title (kind));
  adw_status_page_set_icon_name (self->error_page, kind == PROBLEM_UNREACHABLE ? "network-offline-symbolic"
                                                                              : "dialog-warning-symbolic");
  gtk_button_set_label (self->error_button, refused ? _("Open _Preferences") : _("_Retry"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->error_button), refused ? "win.change-server" : "win.retry");
  gtk_widget_set_visible (self->error_server_button, !refused);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/* Chooses the page: the picture when there is one; else the error page
 * when something is wrong (a request, Live, or the server at start);
 * else the empty page, which says what Live is doing. */
void
_rndimg_viewer_window_update_view (RndimgViewerWindow *self)
{
  RndimgLiveState live = rndimg_live_get_state (self->live);

  if (_rndimg_viewer_window_has_picture (self))
    gtk_stack_set_visible_child_name (self->stack, "picture");
  else if (self->problem != NULL)
    show_error_page (self, self->problem_kind, self->problem);
  else if (live == RNDIMG_LIVE_RECONNECTING && rndimg_live_get_reason (self->live) != NULL)
    show_error_page (self, PROBLEM_UNREACHABLE, rndimg_live_get_reason (self->live));
  else
    {
      adw_status_page_set_description (self->empty_page, live == RNDIMG_LIVE_CONNECTED
        ? _("Live is on: the next picture published will show here.")
        : _("Get a random picture, turn on Live to follow new ones, or drop a picture here to upload it."));
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  gtk_widget_set_visible (self->zoom_controls, _rndimg_viewer_window_has_picture (self));
  _rndimg_viewer_window_update_live (self);
}

static void
set_state (RndimgViewerWindow *self, RndimgViewerState state, const char *problem)
{
  self->state = state;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  _rndimg_viewer_window_update_view (self);
}

/* Says @message for a few seconds over the bottom of the window, in
 * place of the one said before ("Uploading…" then "Uploaded"). */
void
_rndimg_viewer_window_say (RndimgViewerWindow *self, const char *message)
{
  rndimg_viewer_notice_show (self->notice, message);
}

static RndimgViewerProblem
problem_kind (const GError *error)
{
  if (g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REFUSED) ||
      g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_TIMEOUT) ||
      g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_UNREACHABLE))
    return PROBLEM_UNREACHABLE;
  if (g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REJECTED))
    return PROBLEM_REFUSED;
  return PROBLEM_BAD_ANSWER;
}

/* Something failed (@error says what kind, @message says it for a
 * person): on the error page when no picture is shown, as a notice over
 * the picture otherwise. Live's banner stays as Live is. */
void
_rndimg_viewer_window_show_problem (RndimgViewerWindow *self, const char *message, const GError *error)
{
  self->problem_kind = problem_kind (error);
  set_state (self, RNDIMG_VIEWER_ERROR, message);
  if (_rndimg_viewer_window_has_picture (self))
    _rndimg_viewer_window_say (self, message);
}

/* The server answered: from now on it is the one to start with; what
 * said it could not be reached is over; its albums come if they have not
 * yet. */
void
_rndimg_viewer_window_server_answered (RndimgViewerWindow *self)
{
  const char *server = rndimg_client_get_base_url (self->client);
  g_autofree char *saved = g_settings_get_string (self->settings, "server");

  if (g_strcmp0 (saved, server) != 0)
    g_settings_set_string (self->settings, "server", server);
  if (self->problem != NULL && self->problem_kind == PROBLEM_UNREACHABLE)
    g_clear_pointer (&self->problem, g_free);
  if (!self->albums_loaded && self->albums_cancellable == NULL)
    _rndimg_viewer_window_load_albums (self);
  _rndimg_viewer_window_update_view (self);
}

/* The caption under the picture: its alt text and "Photo by AUTHOR ·
 * LICENCE"; its name only where there is nothing else. */
static void
describe (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  g_autofree char *credit = NULL;
  g_autofree char *author = rndimg_viewer_isolate (answer->author);
  g_autofree char *license = rndimg_viewer_isolate (answer->license);

  if (answer->author != NULL && answer->license != NULL)
    /* Translators: the picture's author and its licence, under the picture */
    credit = g_strdup_printf (_("Photo by %s · %s"), author, license);
  else if (answer->author != NULL)
    /* Translators: the picture's author, under the picture */
    credit = g_strdup_printf (_("Photo by %s"), author);
  else if (answer->license != NULL)
    /* Translators: the picture's licence, under the picture */
    credit = g_strdup_printf (_("Licence: %s"), license);
  gtk_label_set_text (self->caption_title, answer->alt != NULL ? answer->alt : answer->name);
  gtk_label_set_text (self->caption_credit, credit != NULL ? credit : "");
  gtk_widget_set_visible (GTK_WIDGET (self->caption_credit), credit != NULL);
  gtk_widget_set_tooltip_text (self->caption, answer->name);
}

static void
update_properties (RndimgViewerWindow *self)
{
  const RndimgAnswer *answer = rndimg_viewer_picture_get_answer (self->picture);
  g_autofree char *album = answer != NULL && answer->album != NULL
    ? rndimg_album_full_title (rndimg_viewer_album_picker_get_albums (self->album_picker), answer->album) : NULL;

  rndimg_viewer_properties_set_answer (self->properties, answer, album);
  rndimg_viewer_properties_set_shown (self->properties, rndimg_viewer_picture_get_texture (self->picture),
                                      rndimg_viewer_picture_is_original (self->picture));
}

/* What is shown changed: the caption, the Properties and the title. */
static void
on_picture_shown (RndimgViewerWindow *self)
{
  const RndimgAnswer *answer = rndimg_viewer_picture_get_answer (self->picture);

  if (answer != NULL)
    describe (self, answer);
  gtk_widget_set_visible (self->caption, answer != NULL);
  update_properties (self);
  gtk_window_set_title (GTK_WINDOW (self), answer != NULL ? answer->name : _("rndimg Viewer"));
}

static void
show_current (RndimgViewerWindow *self)
{
  RndimgViewerEntry *entry = rndimg_viewer_history_get_current (self->history);

  if (entry == NULL)
    return;
  rndimg_viewer_picture_show (self->picture, rndimg_viewer_entry_get_answer (entry),
                              rndimg_viewer_entry_get_texture (entry));
  on_picture_shown (self);
  _rndimg_viewer_window_update_view (self);
}

/* The list changed (a picture came) or the position did: a picture
 * loading shows itself when it comes. */
static void
on_history_changed (RndimgViewerWindow *self)
{
  gtk_revealer_set_reveal_child (self->history_revealer, rndimg_viewer_history_get_length (self->history) >= 2);
  if (!self->loading)
    show_current (self);
  _rndimg_viewer_window_update_actions (self);
}

/* A person chose the picture at @index of the history (0 is the
 * newest): it is shown, even while a new one loads (that one joins the
 * history all the same). */
void
_rndimg_viewer_window_show_entry (RndimgViewerWindow *self, int index)
{
  if (index < 0 || index >= (int) rndimg_viewer_history_get_length (self->history))
    return;
  self->loading = FALSE;
  if (!rndimg_viewer_history_set_position (self->history, index) ||
      index == rndimg_viewer_history_get_position (self->history))
    show_current (self);
}

static void
on_strip_activate (RndimgViewerHistoryStrip *strip, guint index, RndimgViewerWindow *self)
{
  _rndimg_viewer_window_show_entry (self, (int) index);
}

typedef struct {
  RndimgViewerHistory *history;
  RndimgViewerEntry *entry;
} Thumbnailing;

static void
on_thumbnail_made (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Thumbnailing *thumbnailing = user_data;
  g_autoptr(GdkTexture) thumbnail = rndimg_viewer_thumbnail_finish (result, NULL);

  if (thumbnail != NULL)
    rndimg_viewer_history_set_thumbnail (thumbnailing->history, thumbnailing->entry, thumbnail);
  g_object_unref (thumbnailing->history);
  g_object_unref (thumbnailing->entry);
  g_free (thumbnailing);
}

static void
make_thumbnail (RndimgViewerWindow *self, RndimgViewerEntry *entry, GdkTexture *texture)
{
  Thumbnailing *thumbnailing = g_new0 (Thumbnailing, 1);

  thumbnailing->history = g_object_ref (self->history);
  thumbnailing->entry = g_object_ref (entry);
  rndimg_viewer_thumbnail_async (texture, RNDIMG_VIEWER_THUMBNAIL_SIDE, NULL, on_thumbnail_made, thumbnailing);
}

/* A larger texture of the shown picture came (or its first, for an entry
 * that had given its own back, or never had one): the history keeps it. */
static void
on_texture_changed (RndimgViewerWindow *self)
{
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);
  GdkTexture *texture = rndimg_viewer_picture_get_texture (self->picture);
  RndimgViewerEntry *entry = shown != NULL && texture != NULL ? rndimg_viewer_history_find (self->history, shown->url)
                                                              : NULL;

  if (entry != NULL)
    {
      rndimg_viewer_history_set_texture (self->history, entry, texture);
      if (rndimg_viewer_entry_get_thumbnail (entry) == NULL)
        make_thumbnail (self, entry, texture);
    }
  update_properties (self);
}

/* The zoom's button says the level; it goes to 100 % and back. */
static void
on_zoom_changed (RndimgViewerWindow *self)
{
  gboolean fit = rndimg_viewer_picture_get_best_fit (self->picture);
  /* Translators: a zoom level in percent */
  g_autofree char *level = g_strdup_printf (_("%.0f %%"), rndimg_viewer_picture_get_zoom (self->picture) * 100);

  gtk_button_set_label (self->zoom_level_button, level);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->zoom_level_button),
                               fit ? _("Best Fit: Show at Original Size (Ctrl+0)")
                                   : _("Show the Whole Picture (Ctrl+0)"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIGINAL_SIZE]);
  _rndimg_viewer_window_update_actions (self);
}

static RndimgViewerState
live_view_state (RndimgViewerWindow *self)
{
  switch (rndimg_live_get_state (self->live))
    {
    case RNDIMG_LIVE_CONNECTING: return RNDIMG_VIEWER_CONNECTING;
    case RNDIMG_LIVE_CONNECTED: return RNDIMG_VIEWER_LIVE;
    case RNDIMG_LIVE_RECONNECTING: return RNDIMG_VIEWER_RECONNECTING;
    default: return RNDIMG_VIEWER_IDLE;
    }
}

/* An upload's answer and the live event of the same upload are one picture. */
static gboolean
is_newest (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  RndimgViewerEntry *newest = rndimg_viewer_history_get_newest (self->history);
  const RndimgAnswer *known = newest != NULL ? rndimg_viewer_entry_get_answer (newest) : NULL;

  return known != NULL && answer->id >= 0 && known->id == answer->id && g_strcmp0 (known->url, answer->url) == 0;
}

/* A new picture while the window is in the background, when asked for. */
static void
notify_if_away (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;

  if (application == NULL || gtk_window_is_active (GTK_WINDOW (self)) ||
      !g_settings_get_boolean (self->settings, "notify-new-pictures"))
    return;
  notification = g_notification_new (_("New Picture"));
  g_notification_set_body (notification, answer->alt != NULL ? answer->alt : answer->name);
  /* One at a time: each replaces the one before. */
  g_application_send_notification (G_APPLICATION (application), "new-picture", notification);
}

typedef struct {
  RndimgViewerWindow *self;
  RndimgAnswer *answer;
} Load;

static void
load_free (Load *load)
{
  g_object_unref (load->self);
  rndimg_answer_free (load->answer);
  g_free (load);
}

static gboolean
add_unshown (gpointer user_data)
{
  Load *load = user_data;

  if (load->self->history != NULL && rndimg_viewer_history_find (load->self->history, load->answer->url) == NULL &&
      !g_hash_table_contains (load->self->deleted, load->answer->name))
    rndimg_viewer_history_add_unshown (load->self->history, load->answer);
  return G_SOURCE_REMOVE;
}

static void
on_picture_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Load *load = user_data;
  RndimgViewerWindow *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) thumbnail = NULL;
  g_autoptr(GdkTexture) texture = rndimg_viewer_picture_load_finish (RNDIMG_VIEWER_PICTURE (source), result,
                                                                     &thumbnail, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A newer picture is loading, or a person chose another: this one
       * joins the history all the same, in its place (not while the
       * picture widget is still in the middle of that change). */
      if (self->history != NULL && rndimg_viewer_history_find (self->history, load->answer->url) == NULL)
        g_idle_add_full (G_PRIORITY_DEFAULT, add_unshown, g_steal_pointer (&load), (GDestroyNotify) load_free);
      g_clear_pointer (&load, load_free);
      return;
    }
  self->loading = FALSE;
  if (texture == NULL)
    {
      g_autofree char *name = rndimg_viewer_isolate (load->answer->name);
      g_autofree char *message = error->domain == RNDIMG_CLIENT_ERROR ? g_strdup (error->message)
        : g_strdup_printf (_("Bad answer: %s is not a picture (%s)"), name, error->message);
      g_autoptr(GError) bad = g_error_new_literal (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER, message);

      /* Back to the picture shown before, if any. */
      if (rndimg_viewer_history_get_current (self->history) != NULL)
        show_current (self);
      else
        rndimg_viewer_picture_clear (self->picture);
      on_picture_shown (self);
      _rndimg_viewer_window_show_problem (self, message, error->domain == RNDIMG_CLIENT_ERROR ? error : bad);
      load_free (load);
      return;
    }
  if (self->state == RNDIMG_VIEWER_LOADING || self->state == RNDIMG_VIEWER_ERROR)
    set_state (self, live_view_state (self), NULL);
  if (g_hash_table_contains (self->deleted, load->answer->name))
    {
      /* Deleted on the server while it came. */
      if (rndimg_viewer_history_get_current (self->history) != NULL)
        show_current (self);
      else
        rndimg_viewer_picture_clear (self->picture);
      on_picture_shown (self);
      _rndimg_viewer_window_update_view (self);
      load_free (load);
      return;
    }
  if (!is_newest (self, load->answer))
    {
      rndimg_viewer_history_add (self->history, load->answer, texture, thumbnail);
      notify_if_away (self, load->answer);
    }
  else
    rndimg_viewer_history_set_position (self->history, 0);
  on_picture_shown (self);
  load_free (load);
}

/* Shows @answer's picture: its placeholder at once, then the picture.
 * Takes @answer. */
void
_rndimg_viewer_window_load_picture (RndimgViewerWindow *self, RndimgAnswer *answer)
{
  Load *load = g_new0 (Load, 1);
  const RndimgAnswer *shown;

  load->self = g_object_ref (self);
  load->answer = answer;
  self->loading = TRUE;
  /* Published again (uploaded anew under its old name, say). */
  g_hash_table_remove (self->deleted, answer->name);
  rndimg_viewer_picture_load_async (self->picture, answer, on_picture_loaded, load);
  shown = rndimg_viewer_picture_get_answer (self->picture);
  if (shown != NULL && g_strcmp0 (shown->url, answer->url) == 0)
    on_picture_shown (self);   /* its placeholder: its caption and properties too */
  _rndimg_viewer_window_update_view (self);
}

static void
on_random_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RndimgAnswer *answer = rndimg_client_get_random_finish (RNDIMG_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->get_cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.get", TRUE);
  if (answer == NULL)
    {
      _rndimg_viewer_window_show_problem (self, error->message, error);
      return;
    }
  _rndimg_viewer_window_server_answered (self);
  _rndimg_viewer_window_load_picture (self, answer);
}

static void
get_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);

  if (self->get_cancellable != NULL)
    return;
  self->get_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (widget, "win.get", FALSE);
  if (self->state != RNDIMG_VIEWER_LIVE)
    set_state (self, RNDIMG_VIEWER_LOADING, NULL);
  rndimg_client_get_random_async (self->client, shown != NULL ? shown->name : NULL, self->get_cancellable,
                                  on_random_answer, g_object_ref (self));
}

/* Tries again what failed: Live at once, the album list, and a Get when
 * a Get failed with no Live to wait for. */
static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  gboolean get = self->state == RNDIMG_VIEWER_ERROR && !live_is_on (self);

  if (!self->albums_loaded)
    _rndimg_viewer_window_load_albums (self);
  if (rndimg_live_get_state (self->live) == RNDIMG_LIVE_RECONNECTING)
    rndimg_live_retry_now (self->live);
  if (get || (!self->albums_unreachable && !live_is_on (self) && !_rndimg_viewer_window_has_picture (self)))
    gtk_widget_activate_action (widget, "win.get", NULL);
}

/* The preferences, where the server is changed. */
static void
change_server_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_window_present (GTK_WINDOW (rndimg_viewer_preferences_new (RNDIMG_VIEWER_WINDOW (widget))));
}

/* The picture @name was deleted on the server: it leaves the stage and
 * the history (the next in the history is shown, else nothing). */
static void
forget_picture (RndimgViewerWindow *self, const char *name)
{
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);
  gboolean was_shown = shown != NULL && g_strcmp0 (shown->name, name) == 0;
  g_autofree char *isolated = rndimg_viewer_isolate (name);
  g_autofree char *message = NULL;

  /* Bounded: the names matter only while a load of them may be on its way. */
  if (g_hash_table_size (self->deleted) >= DELETED_NAMES_KEPT)
    g_hash_table_remove_all (self->deleted);
  g_hash_table_add (self->deleted, g_strdup (name));
  rndimg_viewer_history_remove (self->history, name);
  if (!was_shown)
    return;
  self->loading = FALSE;
  if (rndimg_viewer_history_get_current (self->history) != NULL)
    show_current (self);
  else
    {
      rndimg_viewer_picture_clear (self->picture);
      on_picture_shown (self);
      _rndimg_viewer_window_update_view (self);
    }
  /* Translators: a picture's name */
  message = g_strdup_printf (_("%s was deleted on the server"), isolated);
  _rndimg_viewer_window_say (self, message);
}

/* The picture @name changed its text, or moved (@answer names it now):
 * wherever it is shown, its credits follow. */
static void
update_picture (RndimgViewerWindow *self, const char *name, const RndimgAnswer *answer)
{
  rndimg_viewer_history_update (self->history, name, answer);
  if (rndimg_viewer_picture_update_answer (self->picture, name, answer))
    on_picture_shown (self);
}

static void
on_live_event (RndimgLive *live, RndimgAnswer *answer, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;

  switch (answer->kind)
    {
    case RNDIMG_ANSWER_PUBLISHED:
      _rndimg_viewer_window_load_picture (self, rndimg_answer_copy (answer));
      break;
    case RNDIMG_ANSWER_REMOVED:
      forget_picture (self, answer->name);
      break;
    case RNDIMG_ANSWER_CHANGED:
      update_picture (self, answer->name, answer);
      break;
    case RNDIMG_ANSWER_MOVED:
      update_picture (self, answer->from, answer);
      break;
    case RNDIMG_ANSWER_ALBUM:
      _rndimg_viewer_window_load_albums (self);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_live_state (RndimgLive *live, GParamSpec *pspec, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;
  RndimgLiveState state = rndimg_live_get_state (live);
  gboolean reconnected = state == RNDIMG_LIVE_CONNECTED && self->last_live_state == RNDIMG_LIVE_RECONNECTING;

  self->last_live_state = state;
  if (state == RNDIMG_LIVE_RECONNECTING)
    self->problem_kind = PROBLEM_UNREACHABLE;
  set_state (self, live_view_state (self), NULL);
  if (state == RNDIMG_LIVE_CONNECTED)
    {
      _rndimg_viewer_window_server_answered (self);
      /* The server may have come back with other albums. */
      if (reconnected)
        _rndimg_viewer_window_load_albums (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

static void
set_live (RndimgViewerWindow *self, gboolean on)
{
  if (on == live_is_on (self))
    return;
  if (on)
    rndimg_live_start (self->live);
  else
    rndimg_live_stop (self->live);
}

/* 100 %, one pixel of the picture on one of the screen (the original
 * file is fetched for it), or back to best fit. */
static void
set_original_size (RndimgViewerWindow *self, gboolean original)
{
  if (original)
    rndimg_viewer_picture_set_zoom (self->picture, 1.0);
  else
    rndimg_viewer_picture_best_fit (self->picture);
}

static gboolean
is_original_size (RndimgViewerWindow *self)
{
  return !rndimg_viewer_picture_get_best_fit (self->picture) &&
         G_APPROX_VALUE (rndimg_viewer_picture_get_zoom (self->picture), 1.0, 0.001);
}

static void
set_properties_shown (RndimgViewerWindow *self, gboolean shown)
{
  adw_flap_set_reveal_flap (self->flap, shown);
}

/* Opened by the button or the keys, closed by them or (folded) by a
 * click beside it. */
static void
on_flap_revealed (RndimgViewerWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROPERTIES_SHOWN]);
}

void
rndimg_viewer_window_set_server (RndimgViewerWindow *self, const char *server)
{
  g_autofree char *host = NULL;

  g_return_if_fail (RNDIMG_IS_VIEWER_WINDOW (self));
  g_return_if_fail (server != NULL);

  rndimg_client_set_base_url (self->client, server);
  _rndimg_viewer_window_load_token (self);
  host = rndimg_client_display_host (rndimg_client_get_base_url (self->client));
  adw_window_title_set_subtitle (self->window_title, host);
  rndimg_viewer_album_picker_set_subtitle (self->album_picker, host);
  self->albums_loaded = FALSE;
  if (self->problem != NULL && self->problem_kind == PROBLEM_UNREACHABLE)
    g_clear_pointer (&self->problem, g_free);
  _rndimg_viewer_window_load_albums (self);
  if (live_is_on (self))
    rndimg_live_start (self->live);
  _rndimg_viewer_window_update_view (self);
}

static void
on_transport_changed (GSettings *settings, const char *key, RndimgViewerWindow *self)
{
  rndimg_live_set_transport (self->live, g_settings_get_enum (settings, "transport"));
}

/* The header bar and the Properties for the window's width: below
 * NARROW_WIDTH no Upload button (it is in the menu); the album picker is
 * an icon once its title would not be shown whole, and its title again
 * once the window has grown by what it lacked. */
static gboolean
apply_layout (gpointer user_data)
{
  RndimgViewerWindow *self = user_data;
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  self->layout_id = 0;
  self->folded = width < FOLDED_WIDTH;
  adw_flap_set_fold_policy (self->flap, self->folded ? ADW_FLAP_FOLD_POLICY_ALWAYS : ADW_FLAP_FOLD_POLICY_NEVER);
  if ((width < NARROW_WIDTH) != self->narrow)
    {
      /* The room Upload leaves may be what the title needs: the next
       * allocation says. */
      self->narrow = width < NARROW_WIDTH;
      gtk_widget_set_visible (self->upload_button, !self->narrow);
      return G_SOURCE_REMOVE;
    }
  if (self->picker_shortfall > 0)
    {
      self->picker_whole_width = width + self->picker_shortfall + 2;
      rndimg_viewer_album_picker_set_compact (self->album_picker, TRUE);
    }
  else if (rndimg_viewer_album_picker_get_compact (self->album_picker) && width >= self->picker_whole_width)
    rndimg_viewer_album_picker_set_compact (self->album_picker, FALSE);
  return G_SOURCE_REMOVE;
}

/* A width that changes the layout changes it after this allocation, not
 * during it; whether the album's title is cut is read here, from this
 * allocation. */
static void
rndimg_viewer_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);

  GTK_WIDGET_CLASS (rndimg_viewer_window_parent_class)->size_allocate (widget, width, height, baseline);
  self->picker_shortfall = rndimg_viewer_album_picker_get_shortfall (self->album_picker);
  if (((width < NARROW_WIDTH) != self->narrow || (width < FOLDED_WIDTH) != self->folded ||
       self->picker_shortfall > 0 ||
       (rndimg_viewer_album_picker_get_compact (self->album_picker) && width >= self->picker_whole_width)) &&
      self->layout_id == 0)
    self->layout_id = g_idle_add (apply_layout, self);
}

static gboolean
rndimg_viewer_window_close_request (GtkWindow *window)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (rndimg_viewer_window_parent_class)->close_request (window);
}

static void
rndimg_viewer_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LIVE:
      g_value_set_boolean (value, self->live != NULL && live_is_on (self));
      break;
    case PROP_ORIGINAL_SIZE:
      g_value_set_boolean (value, self->picture != NULL && is_original_size (self));
      break;
    case PROP_PROPERTIES_SHOWN:
      g_value_set_boolean (value, self->flap != NULL && adw_flap_get_reveal_flap (self->flap));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LIVE:
      set_live (self, g_value_get_boolean (value));
      break;
    case PROP_ORIGINAL_SIZE:
      set_original_size (self, g_value_get_boolean (value));
      break;
    case PROP_PROPERTIES_SHOWN:
      set_properties_shown (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_window_dispose (GObject *object)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  g_cancellable_cancel (self->get_cancellable);
  g_cancellable_cancel (self->upload_cancellable);
  g_clear_object (&self->get_cancellable);
  g_clear_object (&self->upload_cancellable);
  g_clear_handle_id (&self->layout_id, g_source_remove);
  _rndimg_viewer_window_albums_dispose (self);
  _rndimg_viewer_window_live_dispose (self);
  _rndimg_viewer_window_token_dispose (self);
  if (self->live != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->live, self);
      rndimg_live_stop (self->live);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->picture != NULL)
    g_signal_handlers_disconnect_by_data (self->picture, self);
  g_clear_object (&self->live);
  g_clear_object (&self->history);
  g_clear_pointer (&self->deleted, g_hash_table_unref);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), RNDIMG_TYPE_VIEWER_WINDOW);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (rndimg_viewer_window_parent_class)->dispose (object);
}

static void
rndimg_viewer_window_finalize (GObject *object)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  g_free (self->problem);
  rndimg_backoff_clear (&self->albums_backoff);
  G_OBJECT_CLASS (rndimg_viewer_window_parent_class)->finalize (object);
}

static void
bind_template_children (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, upload_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, live_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, live_icon);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, properties_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, album_picker);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner_icon);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner_retry_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner_server_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, error_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, error_server_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, picture);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, newer_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, older_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, zoom_controls);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, zoom_level_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, history_revealer);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, history_strip);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, caption);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, caption_title);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, caption_credit);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, properties);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, notice);
}

static void
rndimg_viewer_window_class_init (RndimgViewerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rndimg_viewer_window_dispose;
  object_class->finalize = rndimg_viewer_window_finalize;
  object_class->get_property = rndimg_viewer_window_get_property;
  object_class->set_property = rndimg_viewer_window_set_property;
  widget_class->size_allocate = rndimg_viewer_window_size_allocate;
  GTK_WINDOW_CLASS (klass)->close_request = rndimg_viewer_window_close_request;

  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORIGINAL_SIZE] = g_param_spec_boolean ("original-size", NULL, NULL, FALSE,
                                                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROPERTIES_SHOWN] = g_param_spec_boolean ("properties-shown", NULL, NULL, FALSE,
                                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                            G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RNDIMG_TYPE_VIEWER_ALBUM_PICKER);
  g_type_ensure (RNDIMG_TYPE_VIEWER_HISTORY_STRIP);
  g_type_ensure (RNDIMG_TYPE_VIEWER_NOTICE);
  g_type_ensure (RNDIMG_TYPE_VIEWER_PICTURE);
  g_type_ensure (RNDIMG_TYPE_VIEWER_PROPERTIES);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/rndimg/Viewer/rndimg-viewer-window.ui");
  bind_template_children (widget_class);

  gtk_widget_class_install_action (widget_class, "win.get", NULL, get_activated);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "win.change-server", NULL, change_server_activated);
  gtk_widget_class_install_property_action (widget_class, "win.live", "live");
  gtk_widget_class_install_property_action (widget_class, "win.original-size", "original-size");
  gtk_widget_class_install_property_action (widget_class, "win.properties", "properties-shown");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.get", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.get", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.live", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.original-size", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "win.original-size", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK, "win.properties", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.properties", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  _rndimg_viewer_window_class_actions_init (widget_class);
  _rndimg_viewer_window_class_upload_init (widget_class);
}

/* Once per display, whoever opens the first window (the app or a test):
 * our style sheet and our icons. */
static void
load_style (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) css = NULL;

  if (g_object_get_data (G_OBJECT (display), "rndimg-style") != NULL)
    return;
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/rndimg/Viewer/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display), "/io/github/rndimg/Viewer/icons");
  g_object_set_data (G_OBJECT (display), "rndimg-style", GINT_TO_POINTER (TRUE));
}

static void
rndimg_viewer_window_init (RndimgViewerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rndimg_backoff_init (&self->albums_backoff, 1000, 30000, 0);
  load_style (gtk_widget_get_display (GTK_WIDGET (self)));
  self->history = rndimg_viewer_history_new (HISTORY_LENGTH);
  self->deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect_swapped (self->history, "changed", G_CALLBACK (on_history_changed), self);
  rndimg_viewer_history_strip_set_history (self->history_strip, self->history);
  g_signal_connect_swapped (self->picture, "notify::texture", G_CALLBACK (on_texture_changed), self);
  g_signal_connect_swapped (self->picture, "notify::zoom", G_CALLBACK (on_zoom_changed), self);
  g_signal_connect_swapped (self->picture, "notify::best-fit", G_CALLBACK (on_zoom_changed), self);
  g_signal_connect_swapped (self->flap, "notify::reveal-flap", G_CALLBACK (on_flap_revealed), self);
  g_signal_connect (self->history_strip, "activate", G_CALLBACK (on_strip_activate), self);
  self->settings = rndimg_viewer_settings_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_signal_connect (self->settings, "changed::transport", G_CALLBACK (on_transport_changed), self);
  gtk_widget_set_visible (self->caption, FALSE);
  on_zoom_changed (self);
  _rndimg_viewer_window_actions_init (self);
  _rndimg_viewer_window_upload_init (self);
}

RndimgViewerWindow *
rndimg_viewer_window_new (GtkApplication *application, const char *server, RndimgTransport transport)
{
  RndimgViewerWindow *self = g_object_new (RNDIMG_TYPE_VIEWER_WINDOW, "application", application, NULL);

  self->client = rndimg_client_new (server);
  self->live = rndimg_live_new (self->client, transport);
  rndimg_viewer_picture_set_client (self->picture, self->client);
  _rndimg_viewer_window_albums_init (self);
  _rndimg_viewer_window_live_init (self);
  g_signal_connect (self->live, "event", G_CALLBACK (on_live_event), self);
  g_signal_connect (self->live, "notify::state", G_CALLBACK (on_live_state), self);
  rndimg_viewer_window_set_server (self, server);
  _rndimg_viewer_window_update_actions (self);
  return self;
}

const char *
rndimg_viewer_window_get_server (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return rndimg_client_get_base_url (self->client);
}

RndimgViewerState
rndimg_viewer_window_get_state (RndimgViewerWindow *self)
{
  return self->state;
}

/* The name of the picture in the history shown, NULL while none. */
const char *
rndimg_viewer_window_get_shown_name (RndimgViewerWindow *self)
{
  RndimgViewerEntry *entry;

  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);
  entry = rndimg_viewer_history_get_current (self->history);
  return entry != NULL && !self->loading ? rndimg_viewer_entry_get_answer (entry)->name : NULL;
}

GdkPaintable *
rndimg_viewer_window_get_paintable (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return rndimg_viewer_picture_get_paintable (self->picture);
}

/* What went wrong, as the window says it; NULL when all is well. */
const char *
rndimg_viewer_window_get_problem (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  if (self->problem == NULL && rndimg_live_get_state (self->live) == RNDIMG_LIVE_RECONNECTING)
    return rndimg_live_get_reason (self->live);
  return self->problem;
}

/* The caption under the picture, both its lines. */
char *
rndimg_viewer_window_dup_caption (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return g_strconcat (gtk_label_get_text (self->caption_title), "\n", gtk_label_get_text (self->caption_credit), NULL);
}

/* "empty", "error" or "picture". */
const char *
rndimg_viewer_window_get_page (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
rndimg_viewer_window_get_last_notice (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return rndimg_viewer_notice_get_message (self->notice);
}

RndimgViewerHistory *
rndimg_viewer_window_get_history (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return self->history;
}

GtkWidget *
rndimg_viewer_window_get_picture_widget (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return GTK_WIDGET (self->picture);
}

GtkWidget *
rndimg_viewer_window_get_album_picker (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return GTK_WIDGET (self->album_picker);
}
