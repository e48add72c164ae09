/* SPDX-License-Identifier: MIT */
/* The window's token: looked up in the keyring for its server (at start
 * and on each change of server), sent with every request to it
 * (RndimgClient does), and saved there from the Preferences. A token
 * older versions kept in GSettings ("upload-token") is moved to the
 * keyring once, then cleared there. Without a keyring the token entered
 * is used until the window closes, and the person is told so. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-token.h"
#include "rndimg-viewer-i18n.h"

#include <glib/gi18n-lib.h>

/* The token now: what every request carries, the albums read again with
 * it (private albums come and go), and Live reconnected to carry it. */
void
rndimg_viewer_window_set_token (RndimgViewerWindow *self, const char *token)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_WINDOW (self));

  if (g_strcmp0 (rndimg_client_get_token (self->client), token != NULL && *token != '\0' ? token : NULL) == 0)
    return;
  rndimg_client_set_token (self->client, token);
  self->albums_loaded = FALSE;
  _rndimg_viewer_window_load_albums (self);
  if (rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF)
    rndimg_live_start (self->live);
}

/* The token sent to the server; NULL: none. */
const char *
rndimg_viewer_window_get_token (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return rndimg_client_get_token (self->client);
}

static void
on_legacy_token_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rndimg_viewer_token_store_finish (result, &error))
    g_settings_reset (self->settings, "upload-token");
  else
    g_debug ("the token stays in GSettings: the keyring cannot keep it (%s)", error->message);
}

static void
on_token_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = rndimg_viewer_token_lookup_finish (result, &error);
  g_autofree char *legacy = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->token_cancellable);
  if (error != NULL)
    g_debug ("no token from the keyring: %s", error->message);
  legacy = g_settings_get_string (self->settings, "upload-token");
  if (token == NULL && *legacy != '\0')
    {
      token = g_strdup (legacy);
      if (error == NULL)
        rndimg_viewer_token_store_async (rndimg_client_get_base_url (self->client), legacy, NULL,
                                         on_legacy_token_stored, g_object_ref (self));
    }
  rndimg_viewer_window_set_token (self, token);
}

/* Looks up the token kept for the window's server (none meanwhile). */
void
_rndimg_viewer_window_load_token (RndimgViewerWindow *self)
{
  if (self->token_cancellable != NULL)
    g_cancellable_cancel (self->token_cancellable);
  g_clear_object (&self->token_cancellable);
  self->token_cancellable = g_cancellable_new ();
  rndimg_viewer_token_lookup_async (rndimg_client_get_base_url (self->client), self->token_cancellable,
                                    on_token_looked_up, g_object_ref (self));
}

typedef struct {
  RndimgViewerWindow *self;
  gboolean forgotten;
} Saving;

static void
on_token_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Saving *saving = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (rndimg_viewer_token_store_finish (result, &error))
    message = g_strdup (saving->forgotten ? _("Token removed from the keyring")
                                          : _("Token saved in the keyring"));
  else
    /* Translators: why the keyring failed */
    message = g_strdup_printf (_("The keyring cannot keep the token (%s): it is used until the viewer closes"),
                               error->message);
  _rndimg_viewer_window_say (saving->self, message);
  g_object_unref (saving->self);
  g_free (saving);
}

/* A person gave @token for the window's server (NULL or "": none): used
 * at once, and kept in their keyring. */
void
rndimg_viewer_window_save_token (RndimgViewerWindow *self, const char *token)
{
  Saving *saving = g_new0 (Saving, 1);

  g_return_if_fail (RNDIMG_IS_VIEWER_WINDOW (self));

  if (self->token_cancellable != NULL)
    g_cancellable_cancel (self->token_cancellable);
  g_clear_object (&self->token_cancellable);
  rndimg_viewer_window_set_token (self, token);
  saving->self = g_object_ref (self);
  saving->forgotten = token == NULL || *token == '\0';
  rndimg_viewer_token_store_async (rndimg_client_get_base_url (self->client), token, NULL, on_token_saved, saving);
}

void
_rndimg_viewer_window_token_dispose (RndimgViewerWindow *self)
{
  if (self->token_cancellable != NULL)
    g_cancellable_cancel (self->token_cancellable);
  g_clear_object (&self->token_cancellable);
}
