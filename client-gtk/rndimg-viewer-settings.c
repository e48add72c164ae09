/* SPDX-License-Identifier: MIT */
/* The viewer's GSettings (schema io.github.rndimg.Viewer). Installed, the
 * schema is found as usual; run from the build tree, the one compiled
 * there is used, so `build/client-gtk/rndimg-viewer` works without an
 * install. The old key file (~/.config/rndimg/viewer.ini) is read once. */
#include "rndimg-viewer-settings.h"

#define OLD_KEY_FILE_GROUP "viewer"

static GSettingsSchema *
installed_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  return source != NULL ? g_settings_schema_source_lookup (source, RNDIMG_VIEWER_SCHEMA_ID, TRUE) : NULL;
}

/* Whether this program is one built in the build tree (the viewer or a
 * test), not an installed one. */
gboolean
rndimg_viewer_running_uninstalled (void)
{
  g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);

  return program != NULL && g_str_has_prefix (program, RNDIMG_VIEWER_BUILD_ROOT "/");
}

GSettings *
rndimg_viewer_settings_new (void)
{
  g_autoptr(GSettingsSchema) schema = installed_schema ();
  g_autoptr(GSettingsSchemaSource) build_source = NULL;
  g_autoptr(GError) error = NULL;

  if (schema == NULL)
    {
      build_source = g_settings_schema_source_new_from_directory (RNDIMG_VIEWER_BUILD_SCHEMA_DIR,
                                                                  g_settings_schema_source_get_default (),
                                                                  FALSE, &error);
      if (build_source == NULL)
        g_error ("the settings schema %s is neither installed nor in %s: %s",
                 RNDIMG_VIEWER_SCHEMA_ID, RNDIMG_VIEWER_BUILD_SCHEMA_DIR, error->message);
      schema = g_settings_schema_source_lookup (build_source, RNDIMG_VIEWER_SCHEMA_ID, FALSE);
      if (schema == NULL)
        g_error ("the settings schema %s is not installed", RNDIMG_VIEWER_SCHEMA_ID);
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* Copies the server from the key file of versions before GSettings, once. */
void
rndimg_viewer_settings_migrate (GSettings *settings)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "rndimg", "viewer.ini", NULL);
  g_autofree char *server = NULL;

  if (g_settings_get_boolean (settings, "key-file-migrated"))
    return;
  if (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL) &&
      (server = g_key_file_get_string (file, OLD_KEY_FILE_GROUP, "server", NULL)) != NULL)
    g_settings_set_string (settings, "server", server);
  g_settings_set_boolean (settings, "key-file-migrated", TRUE);
}
