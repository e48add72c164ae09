/* SPDX-License-Identifier: MIT */
/* The server URL is remembered between runs in a key file,
 * $XDG_CONFIG_HOME/rndimg/viewer.ini: no schema to install, so the viewer
 * runs the same from a build tree. */
#include "rndimg-viewer-settings.h"

#include <errno.h>
#include <glib/gstdio.h>

#define GROUP "viewer"
#define KEY_SERVER "server"

static char *
settings_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "rndimg", "viewer.ini", NULL);
}

char *
rndimg_viewer_settings_load_server (void)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = settings_path ();
  char *server;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return g_strdup (RNDIMG_DEFAULT_SERVER);
  server = g_key_file_get_string (file, GROUP, KEY_SERVER, NULL);
  return server != NULL ? server : g_strdup (RNDIMG_DEFAULT_SERVER);
}

gboolean
rndimg_viewer_settings_save_server (const char *server, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = settings_path ();
  g_autofree char *folder = g_path_get_dirname (path);

  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_string (file, GROUP, KEY_SERVER, server);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create %s: %s", folder, g_strerror (errno));
      return FALSE;
    }
  return g_key_file_save_to_file (file, path, error);
}
