/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/albums, /albums/NAME, /images/NAME and the paged
 * /images: what anyone may see, and the private albums the request's
 * credential may read (their pictures' URLs signed). */
#include "rndimg-pictures-api.h"
#include "rndimg-api-prefix.h"
#include "rndimg-choice-query.h"
#include "rndimg-http.h"
#include "rndimg-picture-json.h"
#include "rndimg-request-access.h"

#include <string.h>

#define API RNDIMG_API_PREFIX

static void
begin_success (JsonBuilder *builder)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
}

static void
send_built (RndimgExchange *exchange, JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = NULL;

  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (exchange);
  rndimg_http_send_json (exchange, SOUP_STATUS_OK, node);
}

/* 200 with @answer (JSON written as text), never stored by a cache. */
static void
send_text (RndimgExchange *exchange, GString *answer)
{
  rndimg_http_set_no_store (exchange);
  rndimg_http_send_json_text (exchange, SOUP_STATUS_OK, answer);
}

/* The album's title from its info.json, and its translations; null both
 * when it has none. */
static void
add_album_title (JsonBuilder *builder, const RndimgAlbum *album)
{
  GHashTableIter iter;
  gpointer tag, text;

  json_builder_set_member_name (builder, "title");
  if (album->title != NULL)
    json_builder_add_string_value (builder, album->title);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "title_by_language");
  if (album->title_by_language == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, album->title_by_language);
  while (g_hash_table_iter_next (&iter, &tag, &text))
    {
      json_builder_set_member_name (builder, tag);
      json_builder_add_string_value (builder, text);
    }
  json_builder_end_object (builder);
}

static void
add_album (JsonBuilder *builder, RndimgPicturesApi *api, const char *base_url, RndimgAlbum *album, GPtrArray *all)
{
  GPtrArray *sorted = rndimg_album_sorted (album);
  const char *slash = strchr (album->name, '/');
  g_autofree char *parent = slash != NULL ? g_strndup (album->name, (gsize) (slash - album->name)) : NULL;
  gsize length = strlen (album->name);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, album->name);
  json_builder_set_member_name (builder, "parent");
  if (parent != NULL)
    json_builder_add_string_value (builder, parent);
  else
    json_builder_add_null_value (builder);
  add_album_title (builder, album);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, sorted->len);
  json_builder_set_member_name (builder, "sub_albums");
  json_builder_begin_array (builder);
  for (guint i = 0; slash == NULL && i < all->len; i++)
    {
      RndimgAlbum *other = g_ptr_array_index (all, i);

      if (strncmp (other->name, album->name, length) == 0 && other->name[length] == '/')
        json_builder_add_string_value (builder, other->name + length + 1);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "cover");
  if (sorted->len > 0)
    {
      RndimgPicture *first = g_ptr_array_index (sorted, 0);
      g_autofree char *signature = rndimg_picture_json_signature (first, api->signer);
      g_autofree char *cover = g_strconcat (base_url, first->url_path, signature != NULL ? "?" : NULL, signature, NULL);

      json_builder_add_string_value (builder, cover);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "private");
  json_builder_add_boolean_value (builder, album->is_private);
  json_builder_end_object (builder);
}

/* GET /polling/api/v1.0/albums: every album and sub-album by name, with
 * its count (a parent's includes its sub-albums') and a cover picture. */
void
rndimg_pictures_api_albums (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer pictures_api)
{
  RndimgPicturesApi *api = pictures_api;
  g_autoptr(RndimgAccess) access = rndimg_request_access (api->credentials, exchange, FALSE);
  g_autoptr(GPtrArray) albums = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *base_url = rndimg_http_base_url (exchange);

  if (access == NULL)
    return;
  albums = rndimg_catalogue_list_albums_for (api->catalogue, access);
  begin_success (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, albums->len);
  json_builder_set_member_name (builder, "albums");
  json_builder_begin_array (builder);
  for (guint i = 0; i < albums->len; i++)
    add_album (builder, api, base_url, g_ptr_array_index (albums, i), albums);
  json_builder_end_array (builder);
  send_built (exchange, builder);
}

/* GET /polling/api/v1.0/albums/NAME: one album, as the list gives it. */
void
rndimg_pictures_api_album (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer pictures_api)
{
  RndimgPicturesApi *api = pictures_api;
  g_autofree char *name = g_uri_unescape_string (path + strlen (API "/albums/"), NULL);
  g_autoptr(RndimgAccess) access = rndimg_request_access (api->credentials, exchange, FALSE);
  g_autoptr(GPtrArray) albums = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *base_url = rndimg_http_base_url (exchange);
  RndimgAlbum *album;

  if (access == NULL)
    return;
  if (name == NULL || !rndimg_album_name_is_valid (name))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "NAME must be an album name (dogs, dogs/puppies): lower-case letters, digits, '-' and '_'");
      return;
    }
  if ((album = rndimg_catalogue_get_album_for (api->catalogue, name, access)) == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no album called %s", name);
      return;
    }
  albums = rndimg_catalogue_list_albums_for (api->catalogue, access);
  begin_success (builder);
  json_builder_set_member_name (builder, "album");
  add_album (builder, api, base_url, album, albums);
  send_built (exchange, builder);
}

/* GET /polling/api/v1.0/images/NAME (NAME may carry its album). */
void
rndimg_pictures_api_picture (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer pictures_api)
{
  RndimgPicturesApi *api = pictures_api;
  /* NULL for an escaped '/' or NUL: such a name is in no catalogue. */
  g_autofree char *name = g_uri_unescape_string (path + strlen (API "/images/"), "/");
  g_autoptr(RndimgPicture) image = NULL;
  g_autoptr(RndimgAccess) access = rndimg_request_access (api->credentials, exchange, FALSE);
  g_autofree char *base_url = rndimg_http_base_url (exchange);
  g_autofree char *etag = NULL;
  GString *answer;

  if (access == NULL)
    return;
  if (name == NULL || !rndimg_catalogue_name_is_valid (name))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "NAME must be a picture name like 023.png or dogs/001.png");
      return;
    }
  image = rndimg_catalogue_lookup_for (api->catalogue, name, access);
  if (image == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no picture called %s", name);
      return;
    }
  etag = rndimg_picture_json_etag (image);
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "ETag", etag);
  answer = g_string_new ("{\"status\":\"success\",\"image\":");
  rndimg_picture_json_append_signed (answer, base_url, image, api->placeholders, api->signer);
  g_string_append_c (answer, '}');
  send_text (exchange, answer);
}

/* The index of the first picture of @sorted after @after in name order
 * (@after need not be listed any more). */
static guint
position_after (GPtrArray *sorted, const char *after)
{
  g_autofree char *key = g_utf8_collate_key_for_filename (after, -1);
  guint low = 0, high = sorted->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      const RndimgPicture *image = g_ptr_array_index (sorted, middle);
      int order = strcmp (image->sort_key, key);

      if (order < 0 || (order == 0 && strcmp (image->name, after) <= 0))
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

static void
add_next_link (RndimgExchange *exchange, const char *base_url, const char *album, guint limit, const char *next)
{
  g_autofree char *escaped_next = g_uri_escape_string (next, "/", FALSE);
  g_autofree char *link = NULL;

  link = g_strdup_printf ("<%s" API "/images?%s%s%slimit=%u&after=%s>; rel=\"next\"", base_url,
                          album != NULL ? "album=" : "", album != NULL ? album : "", album != NULL ? "&" : "",
                          limit, escaped_next);
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Link", link);
}

typedef struct {
  const char *album;    /* NULL: all */
  guint64 limit;
  const char *after;    /* NULL: from the start */
} ListQuery;

static const char *const list_parameters[] = { "album", "limit", "after" };

static gboolean
parse_list_query (RndimgExchange *exchange, GHashTable *query, ListQuery *list)
{
  const char *limit = query != NULL ? g_hash_table_lookup (query, "limit") : NULL;

  list->album = query != NULL ? g_hash_table_lookup (query, "album") : NULL;
  list->after = query != NULL ? g_hash_table_lookup (query, "after") : NULL;
  list->limit = RNDIMG_LIST_MAX_LIMIT;
  for (gsize i = 0; i < G_N_ELEMENTS (list_parameters); i++)
    if (rndimg_http_query_value_has_nul (exchange, list_parameters[i]))
      {
        rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "%s must not contain NUL (%%00)", list_parameters[i]);
        return FALSE;
      }
  if (list->album != NULL && !rndimg_album_name_is_valid (list->album))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "album must be an album name (dogs, dogs/puppies): lower-case letters, digits, "
                              "'-' and '_', at most 64 bytes a segment");
      return FALSE;
    }
  if (limit != NULL && !rndimg_http_parse_number (limit, 1, RNDIMG_LIST_MAX_LIMIT, &list->limit))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "limit must be a whole number from 1 to %d",
                              RNDIMG_LIST_MAX_LIMIT);
      return FALSE;
    }
  if (list->after != NULL && !rndimg_catalogue_name_is_valid (list->after))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "after must be a picture name like 023.png or dogs/001.png (the last one of the page before)");
      return FALSE;
    }
  return TRUE;
}

/* GET /polling/api/v1.0/images[?album=A][&limit=N][&after=NAME]: pictures
 * in natural name order, a page at a time; count is the album's total,
 * next (and Link: rel="next") the cursor of the next page, or null. */
void
rndimg_pictures_api_list (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer pictures_api)
{
  RndimgPicturesApi *api = pictures_api;
  g_autofree char *base_url = rndimg_http_base_url (exchange);
  g_autoptr(RndimgAccess) access = rndimg_request_access (api->credentials, exchange, FALSE);
  GString *answer;
  ListQuery list;
  RndimgAlbum *album;
  GPtrArray *sorted;
  guint first, end;

  if (access == NULL || !parse_list_query (exchange, query, &list))
    return;
  album = rndimg_catalogue_get_album_for (api->catalogue, list.album != NULL ? list.album : "", access);
  if (album == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no album called %s", list.album);
      return;
    }
  sorted = rndimg_album_sorted (album);
  first = list.after != NULL ? position_after (sorted, list.after) : 0;
  end = (guint) MIN ((guint64) sorted->len, first + list.limit);

  answer = g_string_sized_new (768 * (end - first + 1));
  g_string_append_printf (answer, "{\"status\":\"success\",\"count\":%u,\"images\":[", sorted->len);
  for (guint i = first; i < end; i++)
    {
      if (i > first)
        g_string_append_c (answer, ',');
      rndimg_picture_json_append_signed (answer, base_url, g_ptr_array_index (sorted, i), api->placeholders,
                                         api->signer);
    }
  g_string_append (answer, "],\"next\":");
  if (end < sorted->len)
    {
      const char *next = ((RndimgPicture *) g_ptr_array_index (sorted, end - 1))->name;

      rndimg_json_text_append_string (answer, next);
      add_next_link (exchange, base_url, list.album, (guint) list.limit, next);
    }
  else
    g_string_append (answer, "null");
  g_string_append_c (answer, '}');
  send_text (exchange, answer);
}
