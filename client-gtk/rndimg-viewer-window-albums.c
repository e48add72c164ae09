/* SPDX-License-Identifier: MIT */
/* The server's albums, as the window follows them. The list is asked for
 * when the server is set (at start too), again after the first request
 * that succeeds if it could not be had, and on every Live reconnect; while
 * the server cannot be reached it is asked again with a growing pause, and
 * the error page says so at once when no picture is shown. The album in
 * force (GSettings "album") is what Get and Live follow; the picker shows
 * it whenever there is one, even before the list comes, so a filter is
 * never in force unseen; an album the server no longer has gives way to
 * all pictures, and the window says so. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-i18n.h"

#include <glib/gi18n-lib.h>

/* The picker is the header bar's title when there is something to choose
 * or a filter in force; the app's name otherwise. */
static void
update_picker_visibility (RndimgViewerWindow *self)
{
  GPtrArray *albums = rndimg_viewer_album_picker_get_albums (self->album_picker);
  const char *album = rndimg_viewer_album_picker_get_album (self->album_picker);
  gboolean shown = (albums != NULL && albums->len > 0) || album[0] != '\0';

  gtk_widget_set_visible (GTK_WIDGET (self->album_picker), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->window_title), !shown);
}

static gboolean
has_album (GPtrArray *albums, const char *name)
{
  for (guint i = 0; i < albums->len; i++)
    if (g_strcmp0 (((RndimgAlbumInfo *) g_ptr_array_index (albums, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* Get and Live follow @album from now on ("" for all). */
static void
follow_album (RndimgViewerWindow *self, const char *album)
{
  g_settings_set_string (self->settings, "album", album);
  rndimg_client_set_album (self->client, album);
  if (rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF)
    rndimg_live_start (self->live);   /* starts over on the new album */
}

static void
on_album_chosen (RndimgViewerAlbumPicker *picker, GParamSpec *pspec, RndimgViewerWindow *self)
{
  follow_album (self, rndimg_viewer_album_picker_get_album (picker));
  update_picker_visibility (self);
}

static gboolean
on_retry_due (gpointer user_data)
{
  RndimgViewerWindow *self = user_data;

  self->albums_retry_id = 0;
  self->albums_retry_usec = 0;
  _rndimg_viewer_window_load_albums (self);
  return G_SOURCE_REMOVE;
}

/* The server could not be reached: said on the error page when nothing
 * else is, and asked again after a pause. */
static void
albums_unreachable (RndimgViewerWindow *self, const GError *error)
{
  guint delay = rndimg_backoff_next (&self->albums_backoff);

  self->albums_unreachable = TRUE;
  self->albums_retry_usec = g_get_monotonic_time () + (gint64) delay * 1000;
  self->albums_retry_id = g_timeout_add (delay, on_retry_due, self);
  if (self->problem == NULL && !_rndimg_viewer_window_has_picture (self))
    {
      self->problem_kind = PROBLEM_UNREACHABLE;
      self->problem = g_strdup (error->message);
    }
  _rndimg_viewer_window_update_view (self);
}

/* The album in force is not on this server (any more): all pictures. */
static void
forget_missing_album (RndimgViewerWindow *self, GPtrArray *albums)
{
  const char *album = rndimg_viewer_album_picker_get_album (self->album_picker);
  g_autofree char *full = NULL, *title = NULL, *message = NULL;

  if (album[0] == '\0' || has_album (albums, album))
    return;
  full = rndimg_album_full_title (NULL, album);
  title = rndimg_viewer_isolate (full);
  /* Translators: an album's title */
  message = g_strdup_printf (_("This server has no album “%s”: showing all pictures"), title);
  rndimg_viewer_album_picker_choose (self->album_picker, "");
  _rndimg_viewer_window_say (self, message);
}

static void
on_albums (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = rndimg_client_list_albums_finish (RNDIMG_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->history == NULL)
    return;
  g_clear_object (&self->albums_cancellable);
  if (albums == NULL && !g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER))
    {
      albums_unreachable (self, error);
      return;
    }
  /* An answer, even one without albums (an older server): it is there. */
  if (albums == NULL)
    albums = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_album_info_free);
  self->albums_loaded = TRUE;
  self->albums_unreachable = FALSE;
  rndimg_backoff_reset (&self->albums_backoff);
  rndimg_viewer_album_picker_set_albums (self->album_picker, albums);
  forget_missing_album (self, albums);
  update_picker_visibility (self);
  _rndimg_viewer_window_server_answered (self);
}

/* Asks the server for its albums now (in place of a request in flight or
 * a try that waits). */
void
_rndimg_viewer_window_load_albums (RndimgViewerWindow *self)
{
  if (self->albums_cancellable != NULL)
    g_cancellable_cancel (self->albums_cancellable);
  g_clear_object (&self->albums_cancellable);
  g_clear_handle_id (&self->albums_retry_id, g_source_remove);
  self->albums_retry_usec = 0;
  self->albums_cancellable = g_cancellable_new ();
  rndimg_client_list_albums_async (self->client, self->albums_cancellable, on_albums, g_object_ref (self));
}

void
_rndimg_viewer_window_albums_init (RndimgViewerWindow *self)
{
  g_autofree char *album = g_settings_get_string (self->settings, "album");

  rndimg_viewer_album_picker_set_client (self->album_picker, self->client);
  rndimg_viewer_album_picker_set_album (self->album_picker, album);
  rndimg_client_set_album (self->client, album);
  update_picker_visibility (self);
  g_signal_connect (self->album_picker, "notify::album", G_CALLBACK (on_album_chosen), self);
}

void
_rndimg_viewer_window_albums_dispose (RndimgViewerWindow *self)
{
  if (self->albums_cancellable != NULL)
    g_cancellable_cancel (self->albums_cancellable);
  g_clear_object (&self->albums_cancellable);
  g_clear_handle_id (&self->albums_retry_id, g_source_remove);
  if (self->album_picker != NULL)
    g_signal_handlers_disconnect_by_data (self->album_picker, self);
}
