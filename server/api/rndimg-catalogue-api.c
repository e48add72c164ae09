/* SPDX-License-Identifier: MIT */
/* Owning the catalogue over the API: DELETE and PATCH of
 * /polling/api/v1.0/images/NAME (a picture to the trash; its text; a move
 * to another album) and POST /albums, PATCH and DELETE /albums/NAME. Each
 * needs the manage scope for the albums it touches, counts against the
 * client's share of writes, is recorded in the audit log, is made on disk
 * by the catalogue (pictures/rndimg-catalogue-writes.c), and is answered
 * with the event every follower gets (removed, changed, moved,
 * album-changed, album-removed) once the broker has it. */
#include "rndimg-catalogue-api.h"
#include "rndimg-api-prefix.h"
#include "rndimg-auth.h"
#include "rndimg-catalogue-writes.h"
#include "rndimg-http.h"
#include "rndimg-picture-json.h"
#include "rndimg-sidecar-writer.h"

#include <string.h>

#define API RNDIMG_API_PREFIX

/* The status a catalogue write's error answers. */
static guint
status_for (const GError *error)
{
  if (error->domain != G_IO_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  switch (error->code)
    {
    case G_IO_ERROR_NOT_FOUND:
      return SOUP_STATUS_NOT_FOUND;
    case G_IO_ERROR_INVALID_ARGUMENT:
      return SOUP_STATUS_BAD_REQUEST;
    case G_IO_ERROR_EXISTS:
    case G_IO_ERROR_NOT_EMPTY:
    case G_IO_ERROR_WRONG_ETAG:
    case G_IO_ERROR_PERMISSION_DENIED:
    case G_IO_ERROR_READ_ONLY:
      return SOUP_STATUS_CONFLICT;
    case G_IO_ERROR_NO_SPACE:
      return SOUP_STATUS_INSUFFICIENT_STORAGE;
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static void
send_write_error (RndimgExchange *exchange, const GError *error)
{
  guint status = status_for (error);

  if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
    g_warning ("a catalogue write failed: %s", error->message);
  rndimg_http_send_error (exchange, status, "%s", error->message);
}

/* The body: a JSON object; NULL with 400 sent. */
static JsonObject *
read_object (RndimgExchange *exchange, gboolean may_be_empty)
{
  g_autoptr(GBytes) body = g_bytes_ref (rndimg_exchange_get_request_body (exchange));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (length == 0 && may_be_empty)
    return json_object_new ();
  if (length == 0 || !g_utf8_validate_len (data, length, NULL) ||
      !json_parser_load_from_data (parser, data, (gssize) length, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "the body must be a JSON object%s%s",
                              error != NULL ? ": " : "", error != NULL ? error->message : "");
      return NULL;
    }
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* NAME after @prefix in @path, decoded; NULL with 400 sent when it is not
 * a picture (@picture) or album name. */
static char *
name_in_path (RndimgExchange *exchange, const char *path, const char *prefix, gboolean picture)
{
  /* An escaped '/' stays escaped: it is in no name. */
  g_autofree char *name = g_uri_unescape_string (path + strlen (prefix), "/");

  if (name != NULL && (picture ? rndimg_catalogue_name_is_valid (name) : rndimg_album_name_is_valid (name)))
    return g_steal_pointer (&name);
  rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, picture
                          ? "NAME must be a picture name like 023.png or dogs/001.png"
                          : "NAME must be an album name (dogs, dogs/puppies): lower-case letters, digits, '-' and '_'");
  return NULL;
}

/* The picture @name that @access may see; NULL with 404 sent (a private
 * album's picture is not found by one who may not read it). */
static RndimgPicture *
visible_picture (RndimgApiContext *api, RndimgExchange *exchange, const char *name, const RndimgAccess *access)
{
  RndimgPicture *image = rndimg_catalogue_lookup_for (api->catalogue, name, access);

  if (image == NULL)
    rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no picture called %s", name);
  return image;
}

/* ---- DELETE /images/NAME ---- */

/* DELETE /polling/api/v1.0/images/NAME: the picture goes to the trash for
 * --trash-days; followers get "removed". */
void
rndimg_catalogue_api_delete_picture (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autofree char *name = name_in_path (exchange, path, API "/images/", TRUE);
  g_autoptr(RndimgAccess) access = NULL;
  g_autoptr(RndimgPicture) image = NULL;
  g_autoptr(RndimgPicture) gone = NULL;
  g_autoptr(GError) error = NULL;
  RndimgEventChange change = { .kind = RNDIMG_EVENT_REMOVED, .source = "api" };

  if (name == NULL || (access = rndimg_api_begin_write (api, exchange, "delete", name)) == NULL ||
      (image = visible_picture (api, exchange, name, access)) == NULL ||
      !rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_MANAGE, image->album))
    return;
  if ((gone = rndimg_catalogue_delete_picture (api->catalogue, api->trash, name, &error)) == NULL)
    {
      send_write_error (exchange, error);
      return;
    }
  change.name = gone->name;
  change.is_private = gone->is_private;
  rndimg_api_publish_change_and_answer (api, exchange, &change, SOUP_STATUS_OK);
}

/* ---- PATCH /images/NAME ---- */

/* A picture's text as a change's payload: every member, null when unsaid,
 * so another node sets exactly this. */
char *
rndimg_catalogue_api_text_payload (const RndimgPicture *image)
{
  g_autoptr(JsonObject) changes = image->text != NULL ? rndimg_sidecar_text_as_changes (image->text)
                                                      : json_object_new ();
  static const char *const members[] = { "title", "alt", "alt_by_language", "author", "license", "source_url" };
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    if (!json_object_has_member (changes, members[i]))
      json_object_set_null_member (changes, members[i]);
  json_node_set_object (root, changes);
  return json_to_string (root, FALSE);
}

/* The body of a PATCH split: the text to change (possibly empty), and
 * the album to move to (NULL: stay; "": the top). FALSE with 400 sent. */
static gboolean
split_patch (RndimgExchange *exchange, JsonObject *body, JsonObject **text, char **album)
{
  g_autoptr(GList) members = json_object_get_members (body);

  *text = json_object_new ();
  *album = NULL;
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (body, l->data);

      if (g_str_equal (l->data, "album"))
        {
          if (!json_node_is_null (value) &&
              (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING ||
               (*json_node_get_string (value) != '\0' && !rndimg_album_name_is_valid (json_node_get_string (value)))))
            {
              rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                                      "album must be an album name (dogs, dogs/puppies), or null for the top");
              return FALSE;
            }
          g_free (*album);
          *album = g_strdup (json_node_is_null (value) ? "" : json_node_get_string (value));
        }
      else if (rndimg_sidecar_is_text_member (l->data))
        json_object_set_member (*text, l->data, json_node_copy (value));
      else
        {
          rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                                  "a picture's details that may change are title, alt, alt_by_language, author, "
                                  "license, source_url and album; not %s", (const char *) l->data);
          return FALSE;
        }
    }
  if (json_object_get_size (*text) == 0 && *album == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "the body changes nothing");
      return FALSE;
    }
  return TRUE;
}

/* If-Match, when sent, must be the picture's details' ETag (GET
 * /images/NAME): else someone changed them since (by hand, or another
 * client), and the change is refused with 409. */
static gboolean
check_if_match (RndimgExchange *exchange, const RndimgPicture *image)
{
  const char *wanted = soup_message_headers_get_one (rndimg_exchange_get_request_headers (exchange), "If-Match");
  g_autofree char *etag = NULL;

  if (wanted == NULL || g_str_equal (wanted, "*"))
    return TRUE;
  etag = rndimg_picture_json_etag (image);
  if (rndimg_http_etag_listed (wanted, etag))
    return TRUE;
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "ETag", etag);
  rndimg_http_send_error (exchange, SOUP_STATUS_CONFLICT,
                          "%s changed since you read it (its ETag is now %s): read it again and retry", image->name,
                          etag);
  return FALSE;
}

/* PATCH /polling/api/v1.0/images/NAME {"alt": "...", "author": null,
 * ..., "album": "dogs"}: the text is written to info.json (null removes
 * a member), then the picture moves; followers get "changed", then
 * "moved"; the answer is the last event. */
void
rndimg_catalogue_api_edit_picture (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autofree char *name = name_in_path (exchange, path, API "/images/", TRUE);
  g_autoptr(RndimgAccess) access = NULL;
  g_autoptr(JsonObject) body = NULL, text = NULL;
  g_autoptr(RndimgPicture) image = NULL, edited = NULL, moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *album = NULL, *payload = NULL;
  RndimgEventChange change = { .source = "api" };

  if (name == NULL || (access = rndimg_api_begin_write (api, exchange, "edit", name)) == NULL ||
      (image = visible_picture (api, exchange, name, access)) == NULL ||
      !rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_MANAGE, image->album) ||
      (body = read_object (exchange, FALSE)) == NULL || !split_patch (exchange, body, &text, &album) ||
      (album != NULL && !g_str_equal (album, image->album) &&
       !rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_MANAGE, album)) ||
      !check_if_match (exchange, image))
    return;
  if (json_object_get_size (text) > 0)
    {
      if ((edited = rndimg_catalogue_edit_picture (api->catalogue, name, text, &error)) == NULL)
        {
          send_write_error (exchange, error);
          return;
        }
      payload = rndimg_catalogue_api_text_payload (edited);
      change = (RndimgEventChange) { .kind = RNDIMG_EVENT_CHANGED, .name = edited->name, .source = "api",
                                     .is_private = edited->is_private, .payload = payload };
    }
  if (album != NULL && !g_str_equal (album, image->album))
    {
      if ((moved = rndimg_catalogue_move_picture (api->catalogue, name, album, &error)) == NULL)
        {
          send_write_error (exchange, error);
          return;
        }
      /* The change is told before the move, and the move answered. */
      if (change.kind == RNDIMG_EVENT_CHANGED)
        rndimg_broker_publish_change_async (api->broker, &change, NULL, NULL, NULL);
      change = (RndimgEventChange) { .kind = RNDIMG_EVENT_MOVED, .name = moved->name, .from = name,
                                     .source = "api", .is_private = moved->is_private,
                                     .from_private = image->is_private };
    }
  if (change.kind != RNDIMG_EVENT_CHANGED && change.kind != RNDIMG_EVENT_MOVED)
    {
      /* Moved to where it was: nothing changed, nothing to tell. */
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "the body changes nothing");
      return;
    }
  rndimg_api_publish_change_and_answer (api, exchange, &change, SOUP_STATUS_OK);
}

/* ---- albums ---- */

/* An album's translations as JSON: an object, or null without any. */
static JsonNode *
languages_node (GHashTable *title_by_language)
{
  JsonNode *node;
  JsonObject *languages;
  GHashTableIter iter;
  gpointer tag, text;

  if (title_by_language == NULL || g_hash_table_size (title_by_language) == 0)
    return json_node_new (JSON_NODE_NULL);
  languages = json_object_new ();
  g_hash_table_iter_init (&iter, title_by_language);
  while (g_hash_table_iter_next (&iter, &tag, &text))
    json_object_set_string_member (languages, tag, text);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, languages);
  return node;
}

/* An album's settings as a change's payload:
 * {"title":...,"title_by_language":...,"private":...}. */
char *
rndimg_catalogue_api_album_payload (RndimgCatalogue *catalogue, const char *name)
{
  RndimgAlbum *album = rndimg_catalogue_get_album_any (catalogue, name);
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  if (album != NULL && album->title != NULL)
    json_object_set_string_member (settings, "title", album->title);
  else
    json_object_set_null_member (settings, "title");
  json_object_set_member (settings, "title_by_language", languages_node (album != NULL ? album->title_by_language : NULL));
  json_object_set_boolean_member (settings, "private", album != NULL && album->marked_private);
  json_node_set_object (root, settings);
  return json_to_string (root, FALSE);
}

static void
publish_album (RndimgApiContext *api, RndimgExchange *exchange, const char *name, RndimgEventKind kind,
               gboolean was_private, guint status)
{
  g_autofree char *payload = kind == RNDIMG_EVENT_ALBUM_CHANGED ? rndimg_catalogue_api_album_payload (api->catalogue, name)
                                                              : NULL;
  RndimgEventChange change = {
    .kind = kind, .album = name, .source = "api", .payload = payload,
    .is_private = was_private || rndimg_catalogue_album_is_private (api->catalogue, name),
  };

  rndimg_api_publish_change_and_answer (api, exchange, &change, status);
}

/* POST /polling/api/v1.0/albums {"name":"dogs","title":"Dogs","private":true}:
 * the album is made (in the uploads folder); followers get "album-changed". */
void
rndimg_catalogue_api_create_album (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(JsonObject) body = read_object (exchange, FALSE);
  g_autoptr(RndimgAccess) access = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = body != NULL ? json_object_get_string_member_with_default (body, "name", NULL) : NULL;

  if (body == NULL)
    return;
  if ((access = rndimg_api_begin_write (api, exchange, "create-album", name)) == NULL)
    return;
  if (name == NULL || !rndimg_album_name_is_valid (name))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "name must be an album name (dogs, dogs/puppies): lower-case letters, digits, '-' and '_'");
      return;
    }
  if (!rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_MANAGE, name))
    return;
  if (!rndimg_catalogue_create_album (api->catalogue, name, body, &error))
    {
      /* A private album's name is not told to one who may not read it. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) &&
          rndimg_catalogue_get_album_for (api->catalogue, name, access) == NULL)
        rndimg_http_send_error (exchange, SOUP_STATUS_CONFLICT, "that album cannot be made");
      else
        send_write_error (exchange, error);
      return;
    }
  publish_album (api, exchange, name, RNDIMG_EVENT_ALBUM_CHANGED, FALSE, SOUP_STATUS_CREATED);
}

static char *
visible_album (RndimgApiContext *api, RndimgExchange *exchange, const char *path, const RndimgAccess *access)
{
  g_autofree char *name = name_in_path (exchange, path, API "/albums/", FALSE);

  if (name == NULL)
    return NULL;
  if (rndimg_catalogue_get_album_for (api->catalogue, name, access) == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no album called %s", name);
      return NULL;
    }
  return g_steal_pointer (&name);
}

/* PATCH /polling/api/v1.0/albums/NAME {"title": ..., "private": ...}:
 * written to each of its folders' info.json; followers get "album-changed". */
void
rndimg_catalogue_api_edit_album (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(RndimgAccess) access = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean was_private;

  if ((access = rndimg_api_begin_write (api, exchange, "edit-album", path + strlen (API "/albums/"))) == NULL ||
      (name = visible_album (api, exchange, path, access)) == NULL ||
      !rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_MANAGE, name) ||
      (body = read_object (exchange, FALSE)) == NULL)
    return;
  if (json_object_has_member (body, "name"))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "an album's name does not change; move its pictures");
      return;
    }
  was_private = rndimg_catalogue_album_is_private (api->catalogue, name);
  if (!rndimg_catalogue_edit_album (api->catalogue, name, body, &error))
    {
      send_write_error (exchange, error);
      return;
    }
  publish_album (api, exchange, name, RNDIMG_EVENT_ALBUM_CHANGED, was_private, SOUP_STATUS_OK);
}

/* DELETE /polling/api/v1.0/albums/NAME[?pictures=true]: an empty album
 * goes; with pictures=true its pictures go to the trash first (each a
 * "removed"); followers get "album-removed". */
void
rndimg_catalogue_api_delete_album (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  const char *with = query != NULL ? g_hash_table_lookup (query, "pictures") : NULL;
  g_autoptr(RndimgAccess) access = NULL;
  g_autoptr(GPtrArray) deleted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean was_private;

  if ((access = rndimg_api_begin_write (api, exchange, "delete-album", path + strlen (API "/albums/"))) == NULL ||
      (name = visible_album (api, exchange, path, access)) == NULL ||
      !rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_MANAGE, name))
    return;
  if (with != NULL && !g_str_equal (with, "true") && !g_str_equal (with, "false"))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "pictures must be true or false");
      return;
    }
  was_private = rndimg_catalogue_album_is_private (api->catalogue, name);
  deleted = rndimg_catalogue_delete_album (api->catalogue, api->trash, name, g_strcmp0 (with, "true") == 0, &error);
  if (deleted == NULL)
    {
      send_write_error (exchange, error);
      return;
    }
  for (guint i = 0; i < deleted->len; i++)
    {
      RndimgPicture *gone = g_ptr_array_index (deleted, i);
      RndimgEventChange change = { .kind = RNDIMG_EVENT_REMOVED, .name = gone->name, .source = "api",
                                   .is_private = gone->is_private };

      rndimg_broker_publish_change_async (api->broker, &change, NULL, NULL, NULL);
    }
  publish_album (api, exchange, name, RNDIMG_EVENT_ALBUM_REMOVED, was_private, SOUP_STATUS_OK);
}
