/* SPDX-License-Identifier: MIT */
/* A server's albums (GET /polling/api/v1.0/albums) as the viewer shows
 * them: each with a title a person can read (the one its folder's
 * info.json gives, in the user's language when it has one; else the
 * folder's name made readable: "holiday-2024" is "Holiday 2024"), its
 * count and cover, sub-albums right after their album. */
#include "rndimg-albums.h"
#include "rndimg-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAX_TITLE_BYTES 2000

void
rndimg_album_info_free (RndimgAlbumInfo *album)
{
  g_free (album->name);
  g_free (album->parent);
  g_free (album->title);
  g_free (album->cover_url);
  g_free (album);
}

/* The last part of an album's @name ("small" of "squares/small"), with
 * '-' and '_' as spaces and its first letter upper case. */
char *
rndimg_album_title_from_name (const char *name)
{
  const char *slash = strrchr (name, '/');
  g_autofree char *spaced = g_strdelimit (g_strdup (slash != NULL ? slash + 1 : name), "-_", ' ');
  g_autofree char *first = NULL;
  const char *rest;

  if (!g_utf8_validate (spaced, -1, NULL) || *spaced == '\0')
    return g_steal_pointer (&spaced);
  rest = g_utf8_next_char (spaced);
  first = g_utf8_strup (spaced, rest - spaced);
  return g_strconcat (first, rest, NULL);
}

static guint
count_member (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "count");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return (guint) CLAMP (json_node_get_int (node), 0, G_MAXUINT);
}

static char *
title_of (JsonObject *object, const char *name)
{
  const char *title = rndimg_json_in_language (rndimg_json_object (object, "title_by_language"));

  if (title == NULL)
    title = rndimg_json_string (object, "title");
  if (title != NULL && *title != '\0' && strlen (title) <= MAX_TITLE_BYTES)
    return g_strdup (title);
  return rndimg_album_title_from_name (name);
}

/* One album of the list, or NULL when it is not one (no name, a name
 * that could not be asked for). */
static RndimgAlbumInfo *
album_of (JsonNode *node)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *name = rndimg_json_string (object, "name");
  const char *cover = rndimg_json_string (object, "cover");
  const char *slash = name != NULL ? strchr (name, '/') : NULL;
  RndimgAlbumInfo *album;

  if (name == NULL || *name == '\0' || strlen (name) > 200 || !g_utf8_validate (name, -1, NULL))
    return NULL;
  album = g_new0 (RndimgAlbumInfo, 1);
  album->name = g_strdup (name);
  album->parent = slash != NULL ? g_strndup (name, slash - name) : NULL;
  album->title = title_of (object, name);
  album->count = count_member (object);
  album->cover_url = cover != NULL && g_str_has_prefix (cover, "http") ? g_strdup (cover) : NULL;
  album->is_private = json_object_has_member (object, "private") &&
                      JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "private")) &&
                      json_object_get_boolean_member (object, "private");
  return album;
}

/* Returns (transfer full) the albums of an /albums answer (RndimgAlbumInfo *),
 * in its order, or NULL and @error when it is not one. */
GPtrArray *
rndimg_albums_parse (const char *data, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) albums = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_album_info_free);
  JsonNode *root, *list;

  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;
  root = json_parser_get_root (parser);
  list = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
         ? json_object_get_member (json_node_get_object (root), "albums") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("the server's answer has no album list"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      RndimgAlbumInfo *album = album_of (json_array_get_element (json_node_get_array (list), i));

      if (album != NULL)
        g_ptr_array_add (albums, album);
    }
  return g_steal_pointer (&albums);
}

static const RndimgAlbumInfo *
find_album (GPtrArray *albums, const char *name)
{
  for (guint i = 0; albums != NULL && i < albums->len; i++)
    {
      const RndimgAlbumInfo *album = g_ptr_array_index (albums, i);

      if (g_strcmp0 (album->name, name) == 0)
        return album;
    }
  return NULL;
}

static char *
title_in (GPtrArray *albums, const char *name)
{
  const RndimgAlbumInfo *album = find_album (albums, name);

  return album != NULL ? g_strdup (album->title) : rndimg_album_title_from_name (name);
}

/* The album @name as a person reads it outside the list: its title, a
 * sub-album's after its album's ("Squares / Small"). From the name alone
 * when @albums (the server's list) is NULL or does not have it. */
char *
rndimg_album_full_title (GPtrArray *albums, const char *name)
{
  const char *slash = strchr (name, '/');
  g_autofree char *parent = slash != NULL ? g_strndup (name, slash - name) : NULL;
  g_autofree char *title = title_in (albums, name);
  g_autofree char *parent_title = parent != NULL ? title_in (albums, parent) : NULL;

  if (parent_title == NULL)
    return g_steal_pointer (&title);
  /* Translators: an album and its sub-album, as one title */
  return g_strdup_printf (_("%s / %s"), parent_title, title);
}
