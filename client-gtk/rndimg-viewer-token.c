/* SPDX-License-Identifier: MIT */
/* The token a person gives for a server, kept in their keyring (the
 * Secret Service, through libsecret), one per server URL: never in
 * GSettings, where any program of the session reads it in plain text.
 * Every call is async: the keyring may ask to be unlocked. */
#include "rndimg-viewer-token.h"
#include "rndimg-client.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "io.github.rndimg.Viewer.Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "NULL", 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) secret_password_free);
}

/* The token kept for @server; NULL (no error) when there is none. */
void
rndimg_viewer_token_lookup_async (const char *server, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_viewer_token_lookup_async));
  secret_password_lookup (token_schema (), cancellable, on_looked_up, task, "server", server, NULL);
}

/* Returns (transfer full) the token, or NULL: none kept, or @error (no
 * keyring, or it stayed locked). Free it with g_free(). */
char *
rndimg_viewer_token_lookup_finish (GAsyncResult *result, GError **error)
{
  g_autofree char *kept = NULL;
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  token = g_task_propagate_pointer (G_TASK (result), error);
  if (token == NULL)
    return NULL;
  /* libsecret's copy is wiped when freed; ours is a plain string. */
  kept = g_strdup (token);
  secret_password_free (token);
  return g_steal_pointer (&kept);
}

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* Clearing what was not there is no failure: only an error is. */
  if (g_task_get_task_data (task) != NULL)
    secret_password_store_finish (result, &error);
  else
    secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Keeps @token for @server (NULL or "": forgets it). */
void
rndimg_viewer_token_store_async (const char *server, const char *token, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *label = NULL;

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_viewer_token_store_async));
  if (token == NULL || *token == '\0')
    {
      secret_password_clear (token_schema (), cancellable, on_stored, task, "server", server, NULL);
      return;
    }
  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  /* Translators: the keyring's name for the token; %s is the server's URL */
  label = g_strdup_printf (_("rndimg Viewer token for %s"), server);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, cancellable, on_stored, task,
                         "server", server, NULL);
}

gboolean
rndimg_viewer_token_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
