/* SPDX-License-Identifier: MIT */
/* dog.ceo's routes, so code written for dog.ceo works by changing only the
 * host: albums are breeds, sub-albums sub-breeds. Each route also exists
 * without the /api prefix, as on dog.ceo:
 *
 *   /api/breeds/image/random[/N]           one URL, or N different ones
 *   /api/breeds/list/all                   {"album": ["sub", ...], ...}
 *   /api/breeds/list[/random[/N]]          album names
 *   /api/breed/{album}/list                its sub-album names
 *   /api/breed/{album}[/{sub}]/images[/random[/N]]
 *
 * Answers are dog.ceo's: {"message": ..., "status": "success"}, errors
 * {"status": "error", "message": "Breed not found (...)", "code": 404}; a
 * path that is no dog.ceo route is this server's usual 404.
 * random/N gives at most 50 (dog.ceo's silent cap) and at least 1; unlike
 * dog.ceo, the N pictures are all different and every picture is equally
 * likely (dog.ceo draws a breed first). */
#include "rndimg-dogceo.h"
#include "rndimg-http.h"
#include "rndimg-picture-json.h"
#include "rndimg-pictures-api.h"

#include <string.h>

/* Ends {"message": ..., "status": "success"} and sends it. */
static void
send_dog (SoupServerMessage *msg, JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = NULL;

  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}

/* {"status":"error","message":...,"code":N}, in dog.ceo's order. */
static void
send_dog_error (SoupServerMessage *msg, guint status, const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, status, node);
}

/* A path under dog.ceo's prefixes that is none of its routes. */
static void
send_no_route (SoupServerMessage *msg)
{
  rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such endpoint: %s",
                          g_uri_get_path (soup_server_message_get_uri (msg)));
}

static JsonBuilder *
begin_message (void)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  return builder;
}

/* "random" → 1 picture as a string; "random/N" → a list of min(N, 50). */
static gboolean
parse_random_count (SoupServerMessage *msg, const char *text, guint *count)
{
  guint64 value;

  if (text == NULL)
    {
      *count = 0;
      return TRUE;
    }
  if (!rndimg_http_parse_number (text, 0, G_MAXUINT32, &value))
    {
      send_dog_error (msg, SOUP_STATUS_BAD_REQUEST, "the number of pictures must be a whole number (at most 50 are given)");
      return FALSE;
    }
  *count = (guint) CLAMP (value, 1, RNDIMG_DOGCEO_MAX_RANDOM);
  return TRUE;
}

static void
send_urls (SoupServerMessage *msg, GPtrArray *images, gboolean as_list)
{
  g_autoptr(JsonBuilder) builder = begin_message ();
  g_autofree char *base_url = rndimg_http_base_url (msg);

  if (!as_list)
    {
      g_autofree char *url = images->len > 0 ? g_strconcat (base_url, ((RndimgPicture *) g_ptr_array_index (images, 0))->url_path, NULL) : NULL;
      json_builder_add_string_value (builder, url != NULL ? url : "");
    }
  else
    {
      json_builder_begin_array (builder);
      for (guint i = 0; i < images->len; i++)
        {
          g_autofree char *url = g_strconcat (base_url, ((RndimgPicture *) g_ptr_array_index (images, i))->url_path, NULL);
          json_builder_add_string_value (builder, url);
        }
      json_builder_end_array (builder);
    }
  send_dog (msg, builder);
}

/* .../images[/random[/N]] of @album (NULL: every picture). */
static void
serve_images (SoupServerMessage *msg, RndimgPicturesApi *api, const char *album, char **rest)
{
  const char *albums[] = { album, NULL };
  g_autoptr(GPtrArray) picked = NULL;
  guint count;

  if (rest[0] == NULL && album != NULL)
    {
      send_urls (msg, rndimg_album_sorted (rndimg_catalogue_get_album (api->catalogue, album)), TRUE);
      return;
    }
  if (g_strcmp0 (rest[0], "random") != 0 || (rest[1] != NULL && rest[2] != NULL))
    {
      send_no_route (msg);
      return;
    }
  if (!parse_random_count (msg, rest[1], &count))
    return;
  picked = rndimg_catalogue_choose (api->catalogue, album != NULL ? albums : NULL, RNDIMG_ORIENTATION_ANY,
                                    NULL, NULL, MAX (count, 1), NULL);
  send_urls (msg, picked, count > 0);
}

/* Album names: top albums, or the sub-albums of @parent. */
static GPtrArray *
album_names (RndimgPicturesApi *api, const char *parent)
{
  g_autoptr(GPtrArray) albums = rndimg_catalogue_list_albums (api->catalogue);
  GPtrArray *names = g_ptr_array_new ();
  gsize length = parent != NULL ? strlen (parent) : 0;

  for (guint i = 0; i < albums->len; i++)
    {
      const char *name = ((RndimgAlbum *) g_ptr_array_index (albums, i))->name;

      if (parent == NULL && strchr (name, '/') == NULL)
        g_ptr_array_add (names, (gpointer) name);
      else if (parent != NULL && strncmp (name, parent, length) == 0 && name[length] == '/')
        g_ptr_array_add (names, (gpointer) (name + length + 1));
    }
  return names;
}

static void
add_names (JsonBuilder *builder, GPtrArray *names)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (names, i));
  json_builder_end_array (builder);
}

static void
serve_list_all (SoupServerMessage *msg, RndimgPicturesApi *api)
{
  g_autoptr(GPtrArray) names = album_names (api, NULL);
  g_autoptr(JsonBuilder) builder = begin_message ();

  json_builder_begin_object (builder);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GPtrArray) subs = album_names (api, g_ptr_array_index (names, i));

      json_builder_set_member_name (builder, g_ptr_array_index (names, i));
      add_names (builder, subs);
    }
  json_builder_end_object (builder);
  send_dog (msg, builder);
}

/* /breeds/list[/random[/N]] */
static void
serve_list (SoupServerMessage *msg, RndimgPicturesApi *api, char **rest)
{
  g_autoptr(GPtrArray) names = album_names (api, NULL);
  g_autoptr(JsonBuilder) builder = NULL;
  guint count;

  if (rest[0] != NULL && (!g_str_equal (rest[0], "random") || (rest[1] != NULL && rest[2] != NULL)))
    {
      send_no_route (msg);
      return;
    }
  if (rest[0] == NULL)
    {
      builder = begin_message ();
      add_names (builder, names);
      send_dog (msg, builder);
      return;
    }
  if (!parse_random_count (msg, rest[1], &count))
    return;
  /* A partial shuffle: the first MAX (count, 1) names are a random pick. */
  for (guint i = 0; i < names->len && i < MAX (count, 1); i++)
    {
      guint j = (guint) g_random_int_range ((gint32) i, (gint32) names->len);
      gpointer swap = names->pdata[i];

      names->pdata[i] = names->pdata[j];
      names->pdata[j] = swap;
    }
  builder = begin_message ();
  if (count == 0)
    json_builder_add_string_value (builder, names->len > 0 ? g_ptr_array_index (names, 0) : "");
  else
    {
      g_ptr_array_set_size (names, MIN (names->len, count));
      add_names (builder, names);
    }
  send_dog (msg, builder);
}

static gboolean
album_exists (RndimgPicturesApi *api, const char *name)
{
  return rndimg_album_name_is_valid (name) && rndimg_catalogue_get_album (api->catalogue, name) != NULL;
}

/* /breed/{album}/list, /breed/{album}[/{sub}]/images... */
static void
serve_breed (SoupServerMessage *msg, RndimgPicturesApi *api, char **rest)
{
  g_autofree char *sub_album = NULL;

  if (rest[0] == NULL || rest[1] == NULL || strchr (rest[0], '/') != NULL || !album_exists (api, rest[0]))
    {
      send_dog_error (msg, SOUP_STATUS_NOT_FOUND, "Breed not found (master breed does not exist)");
      return;
    }
  if (g_str_equal (rest[1], "list") && rest[2] == NULL)
    {
      g_autoptr(GPtrArray) subs = album_names (api, rest[0]);
      g_autoptr(JsonBuilder) builder = begin_message ();

      add_names (builder, subs);
      send_dog (msg, builder);
      return;
    }
  if (g_str_equal (rest[1], "images"))
    {
      serve_images (msg, api, rest[0], rest + 2);
      return;
    }
  sub_album = g_strconcat (rest[0], "/", rest[1], NULL);
  if (!album_exists (api, sub_album))
    {
      send_dog_error (msg, SOUP_STATUS_NOT_FOUND, "Breed not found (sub breed does not exist)");
      return;
    }
  if (g_strcmp0 (rest[2], "images") == 0)
    serve_images (msg, api, sub_album, rest + 3);
  else
    send_no_route (msg);
}

/* Every dog.ceo route, with or without /api. */
void
rndimg_dogceo_serve (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer pictures_api)
{
  RndimgPicturesApi *api = pictures_api;
  const char *route = g_str_has_prefix (path, "/api/") ? path + strlen ("/api") : path;
  g_auto(GStrv) segments = g_strsplit (route + 1, "/", 8);

  if (g_strv_length (segments) >= 8)
    send_no_route (msg);
  else if (g_str_equal (segments[0], "breed"))
    serve_breed (msg, api, segments + 1);
  else if (g_strcmp0 (segments[1], "image") == 0)
    serve_images (msg, api, NULL, segments + 2);
  else if (g_strcmp0 (segments[1], "list") == 0 && g_strcmp0 (segments[2], "all") == 0 && segments[3] == NULL)
    serve_list_all (msg, api);
  else if (g_strcmp0 (segments[1], "list") == 0)
    serve_list (msg, api, segments + 2);
  else
    send_no_route (msg);
}
