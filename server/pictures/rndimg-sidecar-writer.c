/* SPDX-License-Identifier: MIT */
/* Writing a folder's info.json for the API: the file is read as JSON
 * (every member this server does not know kept as it was), changed, and
 * written back atomically: a temporary file beside it, fsync, rename,
 * fsync of the folder. A hand edit is never lost: the file on disk must
 * be the one the catalogue read last (else the caller's view is stale),
 * and must not change while the new one is written; either way the write
 * is refused with G_IO_ERROR_WRONG_ETAG and nothing is changed. */
#include "rndimg-sidecar-writer.h"
#include "rndimg-image-type.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TEXT_BYTES RNDIMG_SIDECAR_MAX_TEXT_BYTES
#define MAX_LANGUAGES RNDIMG_SIDECAR_MAX_LANGUAGES

static const char *const text_members[] = { "title", "alt", "author", "license", "source_url" };

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, GIOErrorEnum code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
is_string_or_null (JsonNode *node)
{
  return json_node_is_null (node) ||
         (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING);
}

static gboolean
check_text (const char *member_name, JsonNode *node, GError **error)
{
  const char *text;

  if (!is_string_or_null (node))
    return fail (error, G_IO_ERROR_INVALID_ARGUMENT, "%s must be a string or null", member_name);
  if (json_node_is_null (node))
    return TRUE;
  text = json_node_get_string (node);
  if (strlen (text) > MAX_TEXT_BYTES)
    return fail (error, G_IO_ERROR_INVALID_ARGUMENT, "%s must be at most %d bytes", member_name, MAX_TEXT_BYTES);
  if (g_str_equal (member_name, "source_url") && !g_str_has_prefix (text, "https://") &&
      !g_str_has_prefix (text, "http://"))
    return fail (error, G_IO_ERROR_INVALID_ARGUMENT, "source_url must be an http:// or https:// URL");
  return TRUE;
}

/* @node, the translations of member @member_name: null, or an object of
 * language tags to texts, as info.json takes them. */
gboolean
rndimg_sidecar_check_languages (const char *member_name, JsonNode *node, GError **error)
{
  g_autoptr(GList) members = NULL;

  if (json_node_is_null (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, G_IO_ERROR_INVALID_ARGUMENT, "%s must be an object of language tags, or null", member_name);
  members = json_object_get_members (json_node_get_object (node));
  if (g_list_length (members) > MAX_LANGUAGES)
    return fail (error, G_IO_ERROR_INVALID_ARGUMENT, "%s takes at most %d languages", member_name, MAX_LANGUAGES);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *text = json_object_get_member (json_node_get_object (node), l->data);

      if (!rndimg_sidecar_language_tag_is_valid (l->data))
        return fail (error, G_IO_ERROR_INVALID_ARGUMENT,
                     "%s: \"%s\" is not a language tag (letters, digits and '-', at most 16)",
                     member_name, (const char *) l->data);
      if (!JSON_NODE_HOLDS_VALUE (text) || json_node_get_value_type (text) != G_TYPE_STRING ||
          strlen (json_node_get_string (text)) > MAX_TEXT_BYTES)
        return fail (error, G_IO_ERROR_INVALID_ARGUMENT,
                     "%s: each text must be a string of at most %d bytes", member_name, MAX_TEXT_BYTES);
    }
  return TRUE;
}

/* Whether @member_name is a picture's text a client may change. */
gboolean
rndimg_sidecar_is_text_member (const char *member_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (text_members); i++)
    if (g_str_equal (member_name, text_members[i]))
      return TRUE;
  return g_str_equal (member_name, "alt_by_language");
}

/* Checks @changes (member -> new text, null to remove) as info.json takes
 * them; FALSE with G_IO_ERROR_INVALID_ARGUMENT naming the member. */
gboolean
rndimg_sidecar_check_text_changes (JsonObject *changes, GError **error)
{
  g_autoptr(GList) members = json_object_get_members (changes);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (changes, l->data);

      if (g_str_equal (l->data, "alt_by_language") ? !rndimg_sidecar_check_languages (l->data, node, error)
                                                    : !check_text (l->data, node, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- reading and writing the document ---- */

static JsonNode *
read_document (int folder_fd, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *data = NULL;
  struct stat st;
  gsize done = 0;
  int fd = openat (folder_fd, RNDIMG_SIDECAR_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

  if (fd < 0 && errno == ENOENT)
    {
      JsonNode *empty = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (empty, json_object_new ());
      return empty;
    }
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > RNDIMG_SIDECAR_MAX_BYTES)
    {
      if (fd >= 0)
        close (fd);
      fail (error, G_IO_ERROR_INVALID_DATA, "%s is not a regular file of at most %d bytes", RNDIMG_SIDECAR_NAME,
            RNDIMG_SIDECAR_MAX_BYTES);
      return NULL;
    }
  data = g_malloc ((gsize) st.st_size + 1);
  while (done < (gsize) st.st_size)
    {
      ssize_t got = read (fd, data + done, (gsize) st.st_size - done);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        break;
      done += (gsize) got;
    }
  close (fd);
  if (!json_parser_load_from_data (parser, data, (gssize) done, error))
    {
      g_prefix_error (error, "%s cannot be read as JSON: ", RNDIMG_SIDECAR_NAME);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (error, G_IO_ERROR_INVALID_DATA, "%s is not a JSON object", RNDIMG_SIDECAR_NAME);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t wrote = write (fd, data, length);

      if (wrote < 0 && errno == EINTR)
        continue;
      if (wrote <= 0)
        return FALSE;
      data += wrote;
      length -= (gsize) wrote;
    }
  return TRUE;
}

static gboolean
unchanged (int folder_fd, const RndimgSidecarStamp *expected)
{
  RndimgSidecarStamp now;

  return expected == NULL || (rndimg_sidecar_stamp_of (folder_fd, &now) && rndimg_sidecar_stamp_equal (&now, expected));
}

/* Writes @text as @folder_path's info.json: a temporary file, fsync, a
 * last look that the file is still @expected, rename, fsync the folder. */
static gboolean
replace_document (int folder_fd, const char *folder_path, const char *text, const RndimgSidecarStamp *expected,
                  GError **error)
{
  g_autofree char *temporary = g_strdup_printf (".%s.%08x", RNDIMG_SIDECAR_NAME, g_random_int ());
  int fd = openat (folder_fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  int saved_errno;

  if (fd < 0)
    return fail (error, g_io_error_from_errno (errno), "cannot write in %s: %s", folder_path, g_strerror (errno));
  if (!write_all (fd, text, strlen (text)) || fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      unlinkat (folder_fd, temporary, 0);
      return fail (error, g_io_error_from_errno (saved_errno), "cannot write %s/%s: %s", folder_path,
                   RNDIMG_SIDECAR_NAME, g_strerror (saved_errno));
    }
  close (fd);
  if (!unchanged (folder_fd, expected))
    {
      unlinkat (folder_fd, temporary, 0);
      return fail (error, G_IO_ERROR_WRONG_ETAG, "%s/%s changed while it was being written; nothing was changed",
                   folder_path, RNDIMG_SIDECAR_NAME);
    }
  if (renameat (folder_fd, temporary, folder_fd, RNDIMG_SIDECAR_NAME) != 0)
    {
      saved_errno = errno;
      unlinkat (folder_fd, temporary, 0);
      return fail (error, g_io_error_from_errno (saved_errno), "cannot replace %s/%s: %s", folder_path,
                   RNDIMG_SIDECAR_NAME, g_strerror (saved_errno));
    }
  fsync (folder_fd);
  return TRUE;
}

/* Opens @folder_path's info.json as a JSON document, has @edit change it
 * and writes it back as said at the top. @expected: the stamp the
 * catalogue read (NULL: whatever is there now); the file must not change
 * between this read and the rename either. */
gboolean
rndimg_sidecar_edit (const char *folder_path, const RndimgSidecarStamp *expected, RndimgSidecarEditFunc edit,
                     gpointer user_data, GError **error)
{
  int folder_fd = open (folder_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  RndimgSidecarStamp at_read;
  gboolean ok = FALSE;

  if (folder_fd < 0)
    return fail (error, g_io_error_from_errno (errno), "cannot open %s: %s", folder_path, g_strerror (errno));
  if (!unchanged (folder_fd, expected) || !rndimg_sidecar_stamp_of (folder_fd, &at_read))
    fail (error, G_IO_ERROR_WRONG_ETAG, "%s/%s was changed since the server read it (by hand?); the server reads "
          "it again: look at the picture again and retry", folder_path, RNDIMG_SIDECAR_NAME);
  else if ((document = read_document (folder_fd, error)) != NULL && edit (json_node_get_object (document), user_data, error))
    {
      generator = json_generator_new ();
      json_generator_set_root (generator, document);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      if (strlen (text) + 1 > RNDIMG_SIDECAR_MAX_BYTES)
        fail (error, G_IO_ERROR_NO_SPACE, "%s/%s would be larger than %d bytes", folder_path, RNDIMG_SIDECAR_NAME,
              RNDIMG_SIDECAR_MAX_BYTES);
      else
        {
          g_autofree char *with_newline = g_strconcat (text, "\n", NULL);

          ok = replace_document (folder_fd, folder_path, with_newline, &at_read, error);
        }
    }
  close (folder_fd);
  return ok;
}

/* ---- edits ---- */

/* The "pictures" object of @root, made when @create and missing. */
JsonObject *
rndimg_sidecar_pictures_of (JsonObject *root, gboolean create)
{
  JsonNode *pictures = json_object_get_member (root, "pictures");

  if (pictures != NULL && JSON_NODE_HOLDS_OBJECT (pictures))
    return json_node_get_object (pictures);
  if (!create)
    return NULL;
  json_object_set_object_member (root, "pictures", json_object_new ());
  return json_object_get_object_member (root, "pictures");
}

/* Applies @changes to the entry of @file_name in @root: a member set to
 * null goes, any other is set; an entry left empty goes. */
void
rndimg_sidecar_apply_text_changes (JsonObject *root, const char *file_name, JsonObject *changes)
{
  JsonObject *pictures = rndimg_sidecar_pictures_of (root, TRUE);
  JsonNode *entry_node = json_object_get_member (pictures, file_name);
  g_autoptr(GList) members = json_object_get_members (changes);
  JsonObject *entry;

  if (entry_node == NULL || !JSON_NODE_HOLDS_OBJECT (entry_node))
    json_object_set_object_member (pictures, file_name, json_object_new ());
  entry = json_object_get_object_member (pictures, file_name);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (changes, l->data);

      if (json_node_is_null (value))
        json_object_remove_member (entry, l->data);
      else
        json_object_set_member (entry, l->data, json_node_copy (value));
    }
  if (json_object_get_size (entry) == 0)
    json_object_remove_member (pictures, file_name);
}

/* @text as the members of a change that sets each (for a moved entry). */
JsonObject *
rndimg_sidecar_text_as_changes (const RndimgPictureText *text)
{
  JsonObject *changes = json_object_new ();
  const char *values[] = { text->title, text->alt, text->author, text->license, text->source_url };
  GHashTableIter iter;
  gpointer tag, value;

  for (gsize i = 0; i < G_N_ELEMENTS (text_members); i++)
    if (values[i] != NULL)
      json_object_set_string_member (changes, text_members[i], values[i]);
  if (text->alt_by_language != NULL)
    {
      JsonObject *languages = json_object_new ();

      g_hash_table_iter_init (&iter, text->alt_by_language);
      while (g_hash_table_iter_next (&iter, &tag, &value))
        json_object_set_string_member (languages, tag, value);
      json_object_set_object_member (changes, "alt_by_language", languages);
    }
  return changes;
}
