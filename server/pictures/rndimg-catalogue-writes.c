/* SPDX-License-Identifier: MIT */
/* The catalogue changed on purpose (by the API, or by another node's
 * event): a picture deleted (its file to the trash), its text edited,
 * moved to another album; albums made, changed (title, privacy) and
 * deleted. Each change is made on disk first, where the folder watch and
 * a restart find it, then in the catalogue, without a signal: whoever
 * asked tells of it (an event). What a picture says is written to its
 * folder's info.json (rndimg-sidecar-writer.c); album settings to the
 * info.json of each of the album's folders. */
#include "rndimg-catalogue-writes.h"
#include "rndimg-sidecar-writer.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

static RndimgPicture *
find (RndimgCatalogue *self, const char *name, GError **error)
{
  RndimgPicture *image = rndimg_catalogue_lookup_any (self, name);

  if (image == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no picture called %s", name);
  return image;
}

/* The info.json the catalogue read in @folder_path, as expected there. */
static const RndimgSidecarStamp *
expected_stamp (RndimgCatalogue *self, const char *folder_path, RndimgSidecarStamp *stamp)
{
  return rndimg_catalogue_get_sidecar_stamp (self, folder_path, stamp) ? stamp : NULL;
}

/* ---- a picture's text ---- */

typedef struct {
  const char *file_name;
  JsonObject *changes;
} TextEdit;

static gboolean
apply_text_edit (JsonObject *root, gpointer user_data, GError **error)
{
  TextEdit *edit = user_data;

  rndimg_sidecar_apply_text_changes (root, edit->file_name, edit->changes);
  return TRUE;
}

static gboolean
remove_entry (JsonObject *root, gpointer user_data, GError **error)
{
  JsonObject *pictures = rndimg_sidecar_pictures_of (root, FALSE);

  if (pictures != NULL)
    json_object_remove_member (pictures, user_data);
  return TRUE;
}

static gboolean
edit_text (RndimgCatalogue *self, const char *folder_path, const char *file_name, JsonObject *changes,
           GError **error)
{
  RndimgSidecarStamp stamp;
  TextEdit edit = { file_name, changes };

  return rndimg_sidecar_edit (folder_path, expected_stamp (self, folder_path, &stamp), apply_text_edit, &edit, error);
}

/* Sets the members of @changes (title, alt, alt_by_language, author,
 * license, source_url; null removes one) in @name's entry of its
 * folder's info.json. Returns (transfer full) the picture as listed now. */
RndimgPicture *
rndimg_catalogue_edit_picture (RndimgCatalogue *self, const char *name, JsonObject *changes, GError **error)
{
  g_autoptr(RndimgPicture) image = find (self, name, error);
  g_autofree char *folder_path = NULL;
  g_autoptr(GPtrArray) changed = NULL;

  if (image == NULL || !rndimg_sidecar_check_text_changes (changes, error))
    return NULL;
  folder_path = g_path_get_dirname (image->path);
  if (!edit_text (self, folder_path, image->file_name, changes, error))
    return NULL;
  changed = rndimg_catalogue_reload_album (self, image->album, FALSE);
  return rndimg_catalogue_lookup_any (self, name);
}

/* ---- deleting a picture ---- */

static JsonNode *
text_as_node (const RndimgPictureText *text)
{
  JsonNode *node;

  if (text == NULL)
    return NULL;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, rndimg_sidecar_text_as_changes (text));
  return node;
}

/* Moves @name's file to @trash (with its text) and drops its entry from
 * its folder's info.json. Returns (transfer full) the picture it was. */
RndimgPicture *
rndimg_catalogue_delete_picture (RndimgCatalogue *self, RndimgTrash *trash, const char *name, GError **error)
{
  g_autoptr(RndimgPicture) image = find (self, name, error);
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(GError) sidecar_error = NULL;
  g_autofree char *folder_path = NULL;
  g_autoptr(GPtrArray) changed = NULL;

  if (image == NULL)
    return NULL;
  info = text_as_node (image->text);
  if (!rndimg_trash_put (trash, image->path, image->name, "picture", info, error))
    {
      g_prefix_error (error, "%s cannot go to the trash: ", name);
      return NULL;
    }
  rndimg_catalogue_forget (self, name);
  rndimg_catalogue_retire (self, name);
  folder_path = g_path_get_dirname (image->path);
  /* The file is gone: its text must go too, whatever else changed there. */
  if (image->text != NULL &&
      !rndimg_sidecar_edit (folder_path, NULL, remove_entry, (gpointer) image->file_name, &sidecar_error))
    g_warning ("%s: its entry stays in %s/%s: %s", name, folder_path, RNDIMG_SIDECAR_NAME, sidecar_error->message);
  changed = rndimg_catalogue_reload_album (self, image->album, FALSE);
  return g_steal_pointer (&image);
}

/* ---- moving a picture ---- */

static char *
name_in_album (const char *album, const char *file_name)
{
  return album[0] != '\0' ? g_strconcat (album, "/", file_name, NULL) : g_strdup (file_name);
}

/* Moves @name into @album ("" for the top), in the same folder of the
 * catalogue; its text goes with it. Returns (transfer full) the picture
 * under its new name. */
RndimgPicture *
rndimg_catalogue_move_picture (RndimgCatalogue *self, const char *name, const char *album, GError **error)
{
  g_autoptr(RndimgPicture) image = find (self, name, error);
  g_autofree char *new_name = NULL, *target_folder = NULL, *target = NULL, *source_folder = NULL;
  g_autoptr(RndimgPicture) taken = NULL;
  g_autoptr(RndimgPicture) moved = NULL;
  g_autoptr(GPtrArray) changed_source = NULL, changed_target = NULL;
  g_autoptr(GError) sidecar_error = NULL;
  const char *root;

  if (image == NULL)
    return NULL;
  if (album[0] != '\0' &&
      (!rndimg_album_name_is_valid (album) || rndimg_catalogue_get_album_any (self, album) == NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no album called %s (make it first: POST /albums)", album);
      return NULL;
    }
  new_name = name_in_album (album, image->file_name);
  if (g_str_equal (new_name, name))
    return g_steal_pointer (&image);
  root = rndimg_catalogue_root_of (self, image);
  target_folder = g_build_filename (root, album, NULL);
  target = g_build_filename (root, new_name, NULL);
  if ((taken = rndimg_catalogue_lookup_any (self, new_name)) != NULL || g_file_test (target, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "album %s has a picture called %s already", album[0] != '\0' ? album : "(top)", image->file_name);
      return NULL;
    }
  if (g_mkdir_with_parents (target_folder, 0755) != 0 || g_rename (image->path, target) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot move %s to %s: %s", name, new_name, g_strerror (errno));
      return NULL;
    }
  if (image->text != NULL)
    {
      g_autoptr(JsonObject) changes = rndimg_sidecar_text_as_changes (image->text);

      source_folder = g_path_get_dirname (image->path);
      if (!edit_text (self, target_folder, image->file_name, changes, &sidecar_error) ||
          !rndimg_sidecar_edit (source_folder, NULL, remove_entry, (gpointer) image->file_name, &sidecar_error))
        g_warning ("%s moved to %s, its text not all moved: %s", name, new_name, sidecar_error->message);
    }
  rndimg_catalogue_forget (self, name);
  rndimg_catalogue_retire (self, name);
  moved = rndimg_catalogue_refresh (self, new_name, FALSE);
  changed_source = rndimg_catalogue_reload_album (self, image->album, FALSE);
  changed_target = rndimg_catalogue_reload_album (self, album, FALSE);
  return rndimg_catalogue_lookup_any (self, new_name);
}

/* ---- albums ---- */

/* {"title": string or null, "title_by_language": {tag: string} or null,
 * "private": boolean}, each optional. */
gboolean
rndimg_catalogue_check_album_settings (JsonObject *settings, GError **error)
{
  g_autoptr(GList) members = json_object_get_members (settings);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (settings, l->data);

      if (g_str_equal (l->data, "title"))
        {
          if (!json_node_is_null (node) &&
              (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
               strlen (json_node_get_string (node)) > 2000))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "title must be a string of at most 2000 bytes, or null");
              return FALSE;
            }
        }
      else if (g_str_equal (l->data, "title_by_language"))
        {
          if (!rndimg_sidecar_check_languages ("title_by_language", node, error))
            return FALSE;
        }
      else if (g_str_equal (l->data, "private"))
        {
          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "private must be true or false");
              return FALSE;
            }
        }
      else if (!g_str_equal (l->data, "name"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "an album has name, title, title_by_language and private; not %s", (const char *) l->data);
          return FALSE;
        }
    }
  return TRUE;
}

/* Removing the title removes its translations. */
static gboolean
apply_album_settings (JsonObject *root, gpointer user_data, GError **error)
{
  JsonObject *settings = user_data;
  JsonNode *title = json_object_get_member (settings, "title");
  JsonNode *languages = json_object_get_member (settings, "title_by_language");
  JsonNode *private = json_object_get_member (settings, "private");

  if (title != NULL && json_node_is_null (title))
    {
      json_object_remove_member (root, "title");
      json_object_remove_member (root, "title_by_language");
    }
  else if (title != NULL)
    json_object_set_member (root, "title", json_node_copy (title));
  if (languages != NULL && json_node_is_null (languages))
    json_object_remove_member (root, "title_by_language");
  else if (languages != NULL)
    json_object_set_member (root, "title_by_language", json_node_copy (languages));
  if (private != NULL && json_node_get_boolean (private))
    json_object_set_boolean_member (root, "private", TRUE);
  else if (private != NULL)
    json_object_remove_member (root, "private");
  return TRUE;
}

/* Translations without a title would be read as none (rndimg-sidecar.c):
 * @settings may give them only to an album that will have a title. */
static gboolean
check_title_translated (JsonObject *settings, const char *current_title, GError **error)
{
  JsonNode *title = json_object_get_member (settings, "title");
  JsonNode *languages = json_object_get_member (settings, "title_by_language");
  gboolean titled = title != NULL ? !json_node_is_null (title) : current_title != NULL;

  if (languages == NULL || json_node_is_null (languages) || titled)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "title_by_language translates the album's title: give a title too");
  return FALSE;
}

static gboolean
settings_say_something (JsonObject *settings)
{
  return json_object_has_member (settings, "title") || json_object_has_member (settings, "title_by_language") ||
         json_object_has_member (settings, "private");
}

/* Makes album @name (a sub-album's parent must exist) in the uploads
 * folder, with @settings (title and its translations, private) in its
 * info.json. */
gboolean
rndimg_catalogue_create_album (RndimgCatalogue *self, const char *name, JsonObject *settings, GError **error)
{
  const char *slash = strchr (name, '/');
  g_autofree char *parent = slash != NULL ? g_strndup (name, (gsize) (slash - name)) : NULL;
  g_autofree char *folder = g_build_filename (rndimg_catalogue_get_uploads_folder (self), name, NULL);
  RndimgAlbum *known = rndimg_catalogue_get_album_any (self, name);

  if (!rndimg_album_name_is_valid (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s is not an album name", name);
      return FALSE;
    }
  if (!rndimg_catalogue_check_album_settings (settings, error) ||
      !check_title_translated (settings, NULL, error))
    return FALSE;
  if (known != NULL && known->has_folder)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "album %s exists already", name);
      return FALSE;
    }
  if (rndimg_catalogue_is_own_folder (self, folder))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s cannot be an album: the uploads folder's %s is where the server keeps its own files", name, name);
      return FALSE;
    }
  if (parent != NULL && rndimg_catalogue_get_album_any (self, parent) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no album called %s to make %s in", parent, name);
      return FALSE;
    }
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot make %s: %s", folder, g_strerror (errno));
      return FALSE;
    }
  if (settings_say_something (settings) && !rndimg_sidecar_edit (folder, NULL, apply_album_settings, settings, error))
    return FALSE;
  rndimg_catalogue_add_album_folder (self, name);
  return TRUE;
}

/* Writes @settings (title and its translations, private) to the
 * info.json of every folder of album @name (made in the uploads folder
 * when it has none yet). */
gboolean
rndimg_catalogue_edit_album (RndimgCatalogue *self, const char *name, JsonObject *settings, GError **error)
{
  GPtrArray *folders = rndimg_catalogue_get_folders (self);
  g_autoptr(GPtrArray) changed = NULL;
  gboolean written = FALSE;

  RndimgAlbum *album = rndimg_catalogue_get_album_any (self, name);

  if (album == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no album called %s", name);
      return FALSE;
    }
  if (!rndimg_catalogue_check_album_settings (settings, error) ||
      !check_title_translated (settings, album->title, error))
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    {
      g_autofree char *folder = g_build_filename (g_ptr_array_index (folders, i), name, NULL);
      RndimgSidecarStamp stamp;

      if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
        continue;
      if (!rndimg_sidecar_edit (folder, expected_stamp (self, folder, &stamp), apply_album_settings, settings, error))
        return FALSE;
      written = TRUE;
    }
  if (!written)
    {
      g_autofree char *folder = g_build_filename (rndimg_catalogue_get_uploads_folder (self), name, NULL);

      if (g_mkdir_with_parents (folder, 0755) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "cannot make %s: %s", folder, g_strerror (errno));
          return FALSE;
        }
      if (!rndimg_sidecar_edit (folder, NULL, apply_album_settings, settings, error))
        return FALSE;
      rndimg_catalogue_add_album_folder (self, name);
    }
  changed = rndimg_catalogue_reload_album (self, name, FALSE);
  return TRUE;
}

static gboolean
in_album_tree (const char *album, const char *name)
{
  gsize length = strlen (name);

  return strncmp (album, name, length) == 0 && (album[length] == '\0' || album[length] == '/');
}

/* The folders of album @name in every folder of the catalogue, deepest
 * first (sub-albums' before the album's); @sub_albums: how many of them
 * are sub-albums'. */
static GPtrArray *
album_folders (RndimgCatalogue *self, const char *name, guint *sub_albums)
{
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *roots = rndimg_catalogue_get_folders (self);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < roots->len; i++)
    {
      g_autofree char *top = g_build_filename (g_ptr_array_index (roots, i), name, NULL);
      g_autoptr(GDir) dir = g_dir_open (top, 0, NULL);
      const char *child;

      while (dir != NULL && strchr (name, '/') == NULL && (child = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (top, child, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            {
              *sub_albums += child[0] != '.';
              g_ptr_array_add (folders, g_steal_pointer (&path));
            }
        }
      if (g_file_test (top, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_steal_pointer (&top));
    }
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (folders, g_strdup (g_ptr_array_index (names, i)));
  return folders;
}

/* Deletes album @name: its pictures go to the trash (only when
 * @with_pictures: else an album holding any, or a sub-album, is refused),
 * each folder's info.json too, and its empty folders go. Returns
 * (transfer full) the pictures deleted. */
GPtrArray *
rndimg_catalogue_delete_album (RndimgCatalogue *self, RndimgTrash *trash, const char *name, gboolean with_pictures,
                               GError **error)
{
  g_autoptr(GPtrArray) all = rndimg_catalogue_list_all (self);
  g_autoptr(GPtrArray) deleted = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  g_autoptr(GPtrArray) folders = NULL;
  guint inside = 0, sub_albums = 0;

  if (rndimg_catalogue_get_album_any (self, name) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no album called %s", name);
      return NULL;
    }
  for (guint i = 0; i < all->len; i++)
    inside += in_album_tree (((RndimgPicture *) g_ptr_array_index (all, i))->album, name);
  folders = album_folders (self, name, &sub_albums);
  if (!with_pictures && (inside > 0 || sub_albums > 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_EMPTY,
                   "album %s holds %u picture%s and %u sub-album%s; delete it with ?pictures=true to send them "
                   "to the trash too", name, inside, inside == 1 ? "" : "s",
                   sub_albums, sub_albums == 1 ? "" : "s");
      return NULL;
    }
  for (guint i = 0; i < all->len; i++)
    {
      RndimgPicture *image = g_ptr_array_index (all, i);
      RndimgPicture *gone;

      if (!in_album_tree (image->album, name))
        continue;
      if ((gone = rndimg_catalogue_delete_picture (self, trash, image->name, error)) == NULL)
        return NULL;
      g_ptr_array_add (deleted, gone);
    }
  for (guint i = 0; i < folders->len; i++)
    {
      const char *folder = g_ptr_array_index (folders, i);
      g_autofree char *sidecar = g_build_filename (folder, RNDIMG_SIDECAR_NAME, NULL);
      g_autoptr(GError) trash_error = NULL;

      if (g_file_test (sidecar, G_FILE_TEST_IS_REGULAR) &&
          !rndimg_trash_put (trash, sidecar, name, "album", NULL, &trash_error))
        g_warning ("album %s: %s stays: %s", name, sidecar, trash_error->message);
      if (g_rmdir (folder) != 0)
        g_warning ("album %s: folder %s stays (%s): it holds files that are not pictures", name, folder,
                   g_strerror (errno));
    }
  rndimg_catalogue_drop_album_folders (self, name);
  return g_steal_pointer (&deleted);
}
