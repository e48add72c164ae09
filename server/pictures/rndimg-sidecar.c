/* SPDX-License-Identifier: MIT */
/* A folder's info.json: what the folder's owner says of it and of its
 * pictures.
 *
 *   { "title": "Family holidays", "title_by_language": { "fa": "..." },
 *     "album": { "name": "Hounds", "info": "..." },
 *     "pictures": { "001.png": { "alt": "A red square",
 *                                "alt_by_language": { "fa": "..." },
 *                                "author": "...", "license": "CC0-1.0",
 *                                "source_url": "https://..." } } }
 *
 * The folder's title (an album's) is kept beside its pictures' texts
 * under RNDIMG_SIDECAR_FOLDER, which no picture can be called: that
 * entry's alt is the title, its alt_by_language the title's translations.
 * "album" says what the folder's album is (dog.ceo's breed information).
 * Any of "pictures", "title" and "album" may be missing, not all three.
 *
 * The file is untrusted: over RNDIMG_SIDECAR_MAX_BYTES, not UTF-8, nested
 * deeper than MAX_DEPTH or not this shape, it is refused whole with a
 * warning; a field of the wrong type is left out. Nothing is kept but
 * bounded strings. */
#include "rndimg-sidecar.h"
#include "rndimg-image-type.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 4
#define MAX_TEXT_BYTES 2000
#define MAX_LANGUAGES 32

/* Checked before parsing: json-glib's parser recurses once per level. */
static gboolean
depth_is_at_most (const char *data, gsize length, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* A string member of at most MAX_TEXT_BYTES, else NULL. */
static char *
text_member (JsonObject *object, const char *member_name)
{
  JsonNode *node = json_object_get_member (object, member_name);
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (node);
  return strlen (text) <= MAX_TEXT_BYTES ? g_strdup (text) : NULL;
}

static gboolean
language_tag_is_valid (const char *tag)
{
  gsize length = strlen (tag);

  if (length == 0 || length > 16)
    return FALSE;
  for (const char *p = tag; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static GHashTable *
languages_member (JsonObject *object, const char *member_name)
{
  JsonNode *node = json_object_get_member (object, member_name);
  g_autoptr(GList) members = NULL;
  GHashTable *languages;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  languages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (json_node_get_object (node));
  for (GList *l = members; l != NULL && g_hash_table_size (languages) < MAX_LANGUAGES; l = l->next)
    {
      char *text = text_member (json_node_get_object (node), l->data);

      if (text != NULL && language_tag_is_valid (l->data))
        g_hash_table_replace (languages, g_strdup (l->data), text);
      else
        g_free (text);
    }
  return languages;
}

static RndimgPictureText *
picture_text (JsonObject *object)
{
  RndimgPictureText *text = g_rc_box_new0 (RndimgPictureText);
  const char *source_scheme;

  text->alt = text_member (object, "alt");
  text->alt_by_language = languages_member (object, "alt_by_language");
  text->author = text_member (object, "author");
  text->license = text_member (object, "license");
  text->source_url = text_member (object, "source_url");
  /* A link the page will show: http(s) only, never javascript: and kin. */
  source_scheme = text->source_url != NULL ? text->source_url : "https:";
  if (!g_str_has_prefix (source_scheme, "https://") && !g_str_has_prefix (source_scheme, "http://") &&
      text->source_url != NULL)
    g_clear_pointer (&text->source_url, g_free);
  return text;
}

/* The folder's title, when the document gives one. */
static RndimgPictureText *
folder_text (JsonObject *root)
{
  char *title = text_member (root, "title");
  RndimgPictureText *text;

  if (title == NULL)
    return NULL;
  text = g_rc_box_new0 (RndimgPictureText);
  text->alt = title;
  text->alt_by_language = languages_member (root, "title_by_language");
  return text;
}

/* The document's root object, parsed within the bounds; NULL with @error. */
static JsonObject *
parse_root (const char *data, gsize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *problem = length > RNDIMG_SIDECAR_MAX_BYTES ? "it is too large"
                        : !g_utf8_validate_len (data, length, NULL) ? "it is not UTF-8"
                        : !depth_is_at_most (data, length, MAX_DEPTH) ? "it is nested too deep" : NULL;

  if (problem != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s (at most %d bytes of UTF-8, %d levels)",
                   problem, RNDIMG_SIDECAR_MAX_BYTES, MAX_DEPTH);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
object_member (JsonObject *object, const char *member_name)
{
  JsonNode *node = json_object_get_member (object, member_name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Returns (transfer full) file name -> RndimgPictureText (the folder's
 * own under RNDIMG_SIDECAR_FOLDER), or NULL with @error when the document
 * is refused. */
GHashTable *
rndimg_sidecar_parse (const char *data, gsize length, GError **error)
{
  g_autoptr(JsonObject) root = parse_root (data, length, error);
  g_autoptr(GList) members = NULL;
  GHashTable *texts;
  JsonObject *pictures;
  RndimgPictureText *folder;

  if (root == NULL)
    return NULL;
  pictures = object_member (root, "pictures");
  folder = folder_text (root);
  if (pictures == NULL && folder == NULL && object_member (root, "album") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not an object with a \"pictures\" or \"album\" object or a \"title\"");
      return NULL;
    }
  texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) rndimg_picture_text_unref);
  if (folder != NULL)
    g_hash_table_replace (texts, g_strdup (RNDIMG_SIDECAR_FOLDER), folder);
  members = pictures != NULL ? json_object_get_members (pictures) : NULL;
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *entry = json_object_get_member (pictures, l->data);

      if (rndimg_image_type_name_is_allowed (l->data) && JSON_NODE_HOLDS_OBJECT (entry))
        g_hash_table_replace (texts, g_strdup (l->data), picture_text (json_node_get_object (entry)));
    }
  return texts;
}

static char *
read_bounded (int fd, gsize *length)
{
  struct stat st;
  g_autofree char *data = NULL;
  gsize done = 0;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > RNDIMG_SIDECAR_MAX_BYTES)
    return NULL;
  data = g_malloc ((gsize) st.st_size + 1);
  while (done < (gsize) st.st_size)
    {
      ssize_t got = read (fd, data + done, (gsize) st.st_size - done);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return NULL;
      done += (gsize) got;
    }
  data[done] = '\0';
  *length = done;
  return g_steal_pointer (&data);
}

/* The info.json of the folder open as @folder_fd: NULL when there is none
 * or it is refused (with a warning naming @folder_path). */
GHashTable *
rndimg_sidecar_load (int folder_fd, const char *folder_path)
{
  int fd = openat (folder_fd, RNDIMG_SIDECAR_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  GHashTable *texts;
  gsize length = 0;

  if (fd < 0)
    return NULL;
  data = read_bounded (fd, &length);
  close (fd);
  if (data == NULL)
    {
      g_warning ("%s/%s refused: not a regular file of at most %d bytes", folder_path,
                 RNDIMG_SIDECAR_NAME, RNDIMG_SIDECAR_MAX_BYTES);
      return NULL;
    }
  texts = rndimg_sidecar_parse (data, length, &error);
  if (texts == NULL)
    g_warning ("%s/%s refused: %s", folder_path, RNDIMG_SIDECAR_NAME, error->message);
  return texts;
}

void
rndimg_album_text_free (RndimgAlbumText *text)
{
  g_free (text->name);
  g_free (text->info);
  g_free (text);
}

/* The "album" member of an info.json: NULL when it has none (or no name
 * and no info), or the document is refused (@error). */
RndimgAlbumText *
rndimg_sidecar_parse_album (const char *data, gsize length, GError **error)
{
  g_autoptr(JsonObject) root = parse_root (data, length, error);
  JsonObject *album = root != NULL ? object_member (root, "album") : NULL;
  RndimgAlbumText *text;

  if (album == NULL)
    return NULL;
  text = g_new0 (RndimgAlbumText, 1);
  text->name = text_member (album, "name");
  text->info = text_member (album, "info");
  if (text->name == NULL && text->info == NULL)
    g_clear_pointer (&text, rndimg_album_text_free);
  return text;
}

/* What @album's folder below @root says of it (its info.json's "album"),
 * read now, never through a symlink; NULL when it says nothing. */
RndimgAlbumText *
rndimg_sidecar_load_album (const char *root, const char *album)
{
  g_auto(GStrv) segments = g_strsplit (album, "/", 3);
  g_autofree char *data = NULL;
  int folder = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gsize length = 0;
  int fd;

  for (guint i = 0; folder >= 0 && segments[i] != NULL; i++)
    {
      int next = openat (folder, segments[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      close (folder);
      folder = next;
    }
  if (folder < 0)
    return NULL;
  fd = openat (folder, RNDIMG_SIDECAR_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  close (folder);
  if (fd < 0)
    return NULL;
  data = read_bounded (fd, &length);
  close (fd);
  return data != NULL ? rndimg_sidecar_parse_album (data, length, NULL) : NULL;
}
