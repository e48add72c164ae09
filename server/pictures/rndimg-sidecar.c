/* SPDX-License-Identifier: MIT */
/* A folder's info.json: what the folder's owner says of the album (the
 * folder) and of its pictures.
 *
 *   { "title": "Dogs", "title_by_language": { "fa": "..." }, "private": false,
 *     "album": { "name": "Hounds", "info": "..." },
 *     "pictures": { "001.png": { "title": "Red", "alt": "A red square",
 *                                "alt_by_language": { "fa": "..." },
 *                                "author": "...", "license": "CC0-1.0",
 *                                "source_url": "https://..." } } }
 *
 * Every member is optional. A private album ("private": true) is seen
 * only by holders of read for it (and a sub-album of a private album is
 * private too). "album" says what the folder's album is (dog.ceo's breed
 * information).
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
#define MAX_TEXT_BYTES RNDIMG_SIDECAR_MAX_TEXT_BYTES
#define MAX_LANGUAGES RNDIMG_SIDECAR_MAX_LANGUAGES

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

/* A language tag as info.json takes one: letters, digits and '-', at
 * most 16 bytes ("fa", "pt-BR"). */
gboolean
rndimg_sidecar_language_tag_is_valid (const char *tag)
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

      if (text != NULL && rndimg_sidecar_language_tag_is_valid (l->data))
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

  text->title = text_member (object, "title");
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

static gboolean
boolean_member (JsonObject *object, const char *member_name)
{
  JsonNode *node = json_object_get_member (object, member_name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
}

static void
sidecar_clear (RndimgSidecar *sidecar)
{
  g_clear_pointer (&sidecar->texts, g_hash_table_unref);
  g_clear_pointer (&sidecar->title, g_free);
  g_clear_pointer (&sidecar->title_by_language, g_hash_table_unref);
  sidecar->is_private = FALSE;
}

static GHashTable *
texts_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) rndimg_picture_text_unref);
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

/* Reads @data into @sidecar (its stamp left alone); FALSE with @error
 * when the document is refused, @sidecar then empty. */
gboolean
rndimg_sidecar_parse_into (const char *data, gsize length, RndimgSidecar *sidecar, GError **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GList) members = NULL;
  JsonNode *pictures_node;
  JsonObject *pictures;

  sidecar_clear (sidecar);
  sidecar->texts = texts_new ();
  root = parse_root (data, length, error);
  if (root == NULL)
    return FALSE;
  pictures_node = json_object_get_member (root, "pictures");
  pictures = object_member (root, "pictures");
  if (pictures_node != NULL && pictures == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "\"pictures\" is not an object");
      return FALSE;
    }
  sidecar->title = text_member (root, "title");
  sidecar->title_by_language = sidecar->title != NULL ? languages_member (root, "title_by_language") : NULL;
  sidecar->is_private = boolean_member (root, "private");
  members = pictures != NULL ? json_object_get_members (pictures) : NULL;
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *entry = json_object_get_member (pictures, l->data);

      if (rndimg_image_type_name_is_allowed (l->data) && JSON_NODE_HOLDS_OBJECT (entry))
        g_hash_table_replace (sidecar->texts, g_strdup (l->data), picture_text (json_node_get_object (entry)));
    }
  return TRUE;
}

/* Returns (transfer full) file name -> RndimgPictureText, or NULL with
 * @error when the document is refused. */
GHashTable *
rndimg_sidecar_parse (const char *data, gsize length, GError **error)
{
  RndimgSidecar sidecar = { 0 };
  GHashTable *texts;

  if (!rndimg_sidecar_parse_into (data, length, &sidecar, error))
    {
      sidecar_clear (&sidecar);
      return NULL;
    }
  texts = g_steal_pointer (&sidecar.texts);
  sidecar_clear (&sidecar);
  return texts;
}

void
rndimg_sidecar_free (RndimgSidecar *sidecar)
{
  sidecar_clear (sidecar);
  g_free (sidecar);
}

gboolean
rndimg_sidecar_stamp_equal (const RndimgSidecarStamp *a, const RndimgSidecarStamp *b)
{
  return a->modified_nsec == b->modified_nsec && a->size == b->size && a->inode == b->inode;
}

static void
stamp_from_stat (const struct stat *st, RndimgSidecarStamp *stamp)
{
  stamp->modified_nsec = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  stamp->size = st->st_size;
  stamp->inode = st->st_ino;
}

/* The stamp of the info.json in the folder open as @folder_fd now (all
 * zero when there is none); FALSE when it cannot be looked at. */
gboolean
rndimg_sidecar_stamp_of (int folder_fd, RndimgSidecarStamp *stamp)
{
  struct stat st;

  *stamp = (RndimgSidecarStamp) { 0 };
  if (fstatat (folder_fd, RNDIMG_SIDECAR_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT;
  stamp_from_stat (&st, stamp);
  return TRUE;
}

/* Whether two language tag -> text tables (either may be NULL) say the
 * same. */
gboolean
rndimg_sidecar_languages_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (a == NULL || b == NULL)
    return a == b;
  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, g_hash_table_lookup (b, key)) != 0)
      return FALSE;
  return TRUE;
}

/* Whether two texts say the same (NULL: nothing said). */
gboolean
rndimg_picture_text_equal (const RndimgPictureText *a, const RndimgPictureText *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strcmp0 (a->title, b->title) == 0 && g_strcmp0 (a->alt, b->alt) == 0 &&
         rndimg_sidecar_languages_equal (a->alt_by_language, b->alt_by_language) && g_strcmp0 (a->author, b->author) == 0 &&
         g_strcmp0 (a->license, b->license) == 0 && g_strcmp0 (a->source_url, b->source_url) == 0;
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

/* The info.json of the folder open as @folder_fd, never NULL: empty when
 * there is none or it is refused (with a warning naming @folder_path). */
RndimgSidecar *
rndimg_sidecar_read (int folder_fd, const char *folder_path)
{
  RndimgSidecar *sidecar = g_new0 (RndimgSidecar, 1);
  int fd = openat (folder_fd, RNDIMG_SIDECAR_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  struct stat st;
  gsize length = 0;

  sidecar->texts = texts_new ();
  if (fd < 0)
    return sidecar;
  if (fstat (fd, &st) == 0)
    stamp_from_stat (&st, &sidecar->stamp);
  data = read_bounded (fd, &length);
  close (fd);
  if (data == NULL)
    {
      g_warning ("%s/%s refused: not a regular file of at most %d bytes", folder_path,
                 RNDIMG_SIDECAR_NAME, RNDIMG_SIDECAR_MAX_BYTES);
      return sidecar;
    }
  if (!rndimg_sidecar_parse_into (data, length, sidecar, &error))
    g_warning ("%s/%s refused: %s", folder_path, RNDIMG_SIDECAR_NAME, error->message);
  return sidecar;
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
