/* SPDX-License-Identifier: MIT */
/* The JSON endpoints of the API on the RndimgApiContext the service hands
 * them: a random picture (GET /rndimg, and the tutorial's POST /, its
 * answers kept rendered), the catalogue (GET /images), publishing a named
 * picture (POST /publish, and rndimg_api_publish_and_answer() for uploads)
 * what the server holds and has done (GET /stats), and the API's own
 * description (GET /openapi.json: docs/openapi.yaml, built in as JSON). */
#include "rndimg-api.h"
#include "rndimg-auth.h"
#include "rndimg-http.h"
#include "rndimg-image-type.h"
#include "rndimg-openapi-resources.h"

#include <string.h>

/* At most this many base URLs have their answers kept; beyond, all are
 * dropped (a client naming ever new hosts with a token cannot fill memory). */
#define MAX_ANSWER_BASES 16

/* The rendered answers to GET /rndimg are kept by base URL, then image
 * name: an answer depends on nothing else, so each is rendered once. */
void
rndimg_api_context_keep_answers (RndimgApiContext *api)
{
  api->random_answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_hash_table_unref);
  /* A name gone from the catalogue (maybe to come back as another file)
   * takes the answers with it; removals are rare, so all go. */
  g_signal_connect_swapped (api->catalogue, "image-removed",
                            G_CALLBACK (g_hash_table_remove_all), api->random_answers);
}

/* The description served by rndimg_api_description(), and its ETag:
 * both fixed for the life of the binary. */
void
rndimg_api_context_load_description (RndimgApiContext *api)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;

  api->description = g_resource_lookup_data (rndimg_openapi_get_resource (), "/io/github/rndimg/openapi.json",
                                             G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);   /* built in: missing only in a broken build */
  digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, api->description);
  api->description_etag = g_strdup_printf ("\"%.16s\"", digest);
}

void
rndimg_api_context_clear (RndimgApiContext *api)
{
  g_clear_pointer (&api->description, g_bytes_unref);
  g_clear_pointer (&api->description_etag, g_free);
  if (api->random_answers == NULL)
    return;
  g_signal_handlers_disconnect_by_data (api->catalogue, api->random_answers);
  g_clear_pointer (&api->random_answers, g_hash_table_unref);
}

static GBytes *
render_random_answer (SoupServerMessage *msg, const char *name)
{
  g_autofree char *url = rndimg_http_image_url (msg, name);
  g_autoptr(JsonNode) node = rndimg_http_success_node (url);
  char *json = rndimg_http_json_to_string (node);

  return g_bytes_new_take (json, strlen (json));
}

/* {"status":"success","message":"<base URL>/static/img/<name>"}, rendered
 * the first time and kept (borrowed). */
static GBytes *
random_answer (RndimgApiContext *api, SoupServerMessage *msg, const RndimgImage *image)
{
  const char *base_url = rndimg_http_peek_base_url (msg);
  GHashTable *answers;
  GBytes *answer;

  if (base_url == NULL || api->random_answers == NULL)
    return NULL;
  answers = g_hash_table_lookup (api->random_answers, base_url);
  if (answers == NULL)
    {
      if (g_hash_table_size (api->random_answers) >= MAX_ANSWER_BASES)
        g_hash_table_remove_all (api->random_answers);
      answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
      g_hash_table_insert (api->random_answers, g_strdup (base_url), answers);
    }
  answer = g_hash_table_lookup (answers, image->name);
  if (answer == NULL)
    {
      answer = render_random_answer (msg, image->name);
      g_hash_table_insert (answers, g_strdup (image->name), answer);
    }
  return answer;
}

/* GET /polling/api/v1.0/rndimg[?exclude=NAME] (and the tutorial's POST /):
 * {"status":"success","message":"<absolute URL of a random image>"}. */
void
rndimg_api_random (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  const char *exclude = query != NULL ? g_hash_table_lookup (query, "exclude") : NULL;
  g_autoptr(RndimgImage) image = NULL;
  g_autoptr(GBytes) rendered = NULL;
  GBytes *answer;

  if (exclude != NULL && !rndimg_image_type_name_is_allowed (exclude))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "exclude must be an image name like 023.png");
      return;
    }

  image = rndimg_catalogue_pick_random (api->catalogue, exclude);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "the image folder is empty");
      return;
    }

  answer = random_answer (api, msg, image);
  if (answer == NULL)
    answer = rendered = render_random_answer (msg, image->name);
  rndimg_http_set_no_store (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", "application/json");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), answer);
}

static void
add_image (JsonBuilder *builder, SoupServerMessage *msg, const RndimgImage *image)
{
  g_autofree char *url = rndimg_http_image_url (msg, image->name);
  g_autoptr(GDateTime) modified = g_date_time_new_from_unix_utc (image->modified_usec / G_USEC_PER_SEC);
  g_autofree char *modified_text = g_date_time_format_iso8601 (modified);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, image->name);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, image->size);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, image->content_type);
  json_builder_set_member_name (builder, "modified");
  json_builder_add_string_value (builder, modified_text);
  json_builder_end_object (builder);
}

/* GET /polling/api/v1.0/images: the whole catalogue, in name order. */
void
rndimg_api_list_images (SoupServerMessage *msg, const char *path, GHashTable *query,
                        gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(GPtrArray) images = rndimg_catalogue_list (api->catalogue);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, images->len);
  json_builder_set_member_name (builder, "images");
  json_builder_begin_array (builder);
  for (guint i = 0; i < images->len; i++)
    add_image (builder, msg, g_ptr_array_index (images, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}

static gboolean
read_publish_name (SoupServerMessage *msg, char **name)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  JsonNode *root, *member;

  *name = NULL;
  if (length == 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, data, (gssize) length, &error))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "the body is not JSON: %s", error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "the body must be a JSON object like {\"name\":\"023.png\"}");
      return FALSE;
    }
  member = json_object_get_member (json_node_get_object (root), "name");
  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "name must be a string like \"023.png\"");
      return FALSE;
    }
  *name = g_strdup (json_node_get_string (member));
  return TRUE;
}

/* Answers 201 with the event, and Location: the picture's URL. */
static void
send_event (SoupServerMessage *msg, const RndimgEvent *event)
{
  g_autofree char *base_url = rndimg_http_base_url (msg);
  g_autofree char *location = rndimg_http_image_url (msg, event->name);
  g_autoptr(GBytes) json = rndimg_event_to_json_bytes (event, base_url, 0);   /* the fan-out's, usually */
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  rndimg_http_set_no_store (msg);
  soup_message_headers_replace (headers, "Location", location);
  soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), json);
}

static void
on_gone (SoupServerMessage *msg, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

typedef struct {
  SoupServerMessage *msg;
  gulong disconnected_id;
  gboolean gone;
} PendingAnswer;

static void
on_published (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingAnswer *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgEvent) event = rndimg_broker_publish_finish (RNDIMG_BROKER (source), result, &error);

  g_signal_handler_disconnect (pending->msg, pending->disconnected_id);
  /* libsoup 3.2 objects to unpausing a message whose client is gone. */
  if (!pending->gone)
    {
      if (event != NULL)
        send_event (pending->msg, event);
      else
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (pending->msg),
                                        "Retry-After", "1");
          rndimg_http_send_error (pending->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  "the picture could not be published: %s", error->message);
        }
      soup_server_message_unpause (pending->msg);
    }
  g_object_unref (pending->msg);
  g_free (pending);
}

/* Publishes @name from @source (a static string) and answers @msg with
 * 201 and the event once the broker has it. */
void
rndimg_api_publish_and_answer (RndimgApiContext *api, SoupServerMessage *msg,
                               const char *name, const char *source)
{
  PendingAnswer *pending = g_new0 (PendingAnswer, 1);

  pending->msg = g_object_ref (msg);
  pending->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_gone), &pending->gone);
  soup_server_message_pause (msg);
  rndimg_broker_publish_async (api->broker, name, source, NULL, on_published, pending);
}

/* POST /polling/api/v1.0/publish [{"name":"023.png"}]: publishes the named
 * picture, or a random one, to every subscriber. */
void
rndimg_api_publish (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(RndimgImage) image = NULL;
  g_autofree char *name = NULL;

  if (!rndimg_auth_allows_write (api->config, msg) || !read_publish_name (msg, &name))
    return;
  if (name != NULL && !rndimg_image_type_name_is_allowed (name))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "name must be an image name like 023.png");
      return;
    }
  image = name != NULL ? rndimg_catalogue_lookup (api->catalogue, name)
                       : rndimg_catalogue_pick_random (api->catalogue, NULL);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no image called %s", name ? name : "(any)");
      return;
    }
  rndimg_api_publish_and_answer (api, msg, image->name, "api");
}

static void
add_count (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* GET /polling/api/v1.0/stats: what the server holds and has done. */
void
rndimg_api_stats (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  gint64 newest_id = rndimg_broker_get_newest_id (api->broker);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  add_count (builder, "waiting_polls", rndimg_subscribers_get_count (api->long_polls));
  add_count (builder, "open_streams", rndimg_subscribers_get_count (api->streams));
  add_count (builder, "open_websockets", rndimg_subscribers_get_count (api->sockets));
  add_count (builder, "events_published", newest_id);
  add_count (builder, "newest_id", newest_id);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_string_value (builder, rndimg_broker_get_epoch (api->broker));
  json_builder_set_member_name (builder, "broker");
  json_builder_add_string_value (builder, api->config->broker != NULL ? api->config->broker : "memory");
  json_builder_set_member_name (builder, "broker_problem");
  if (rndimg_broker_get_problem (api->broker) != NULL)
    json_builder_add_string_value (builder, rndimg_broker_get_problem (api->broker));
  else
    json_builder_add_null_value (builder);
  add_count (builder, "images", rndimg_catalogue_get_count (api->catalogue));
  add_count (builder, "requests_served", (gint64) api->requests);
  add_count (builder, "uptime_seconds", (g_get_monotonic_time () - api->started_usec) / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "writes_enabled");
  json_builder_add_boolean_value (builder, rndimg_auth_writes_enabled (api->config));
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}

/* GET /polling/api/v1.0/openapi.json: the OpenAPI description of every
 * route, revalidated by its ETag like the page's files. */
void
rndimg_api_description (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "ETag", api->description_etag);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  if (rndimg_http_if_none_match (msg, api->description_etag))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), api->description);
}
