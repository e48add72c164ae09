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
#include "rndimg-choice-query.h"
#include "rndimg-image-type.h"
#include "rndimg-picture-json.h"
#include "rndimg-openapi-resources.h"
#include "rndimg-paused.h"
#include "rndimg-publish.h"

#include <string.h>

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
}

/* {"status":"success","message":"<URL of the first>","image":{details}},
 * and with @with_list: "count", "requested" and "images" (every one),
 * written as text (rndimg_picture_json_append()): no answer is kept, as
 * the pictures of a large catalogue rarely repeat, and writing one costs
 * less than building it with json-glib. */
static GBytes *
random_answer (RndimgApiContext *api, SoupServerMessage *msg, GPtrArray *images, guint requested,
               gboolean with_list)
{
  g_autofree char *base_url = rndimg_http_base_url (msg);
  const RndimgPicture *first = g_ptr_array_index (images, 0);
  GString *answer = g_string_sized_new (with_list ? 768 * (images->len + 1) : 1024);

  g_string_append (answer, "{\"status\":\"success\",\"message\":\"");
  g_string_append (answer, base_url);
  g_string_append (answer, first->url_path);
  g_string_append (answer, "\",\"image\":");
  rndimg_picture_json_append (answer, base_url, first, api->pictures_api.placeholders);
  if (with_list)
    {
      g_string_append_printf (answer, ",\"count\":%u,\"requested\":%u,\"images\":[", images->len, requested);
      for (guint i = 0; i < images->len; i++)
        {
          if (i > 0)
            g_string_append_c (answer, ',');
          rndimg_picture_json_append (answer, base_url, g_ptr_array_index (images, i), api->pictures_api.placeholders);
        }
      g_string_append_c (answer, ']');
    }
  g_string_append_c (answer, '}');
  return g_string_free_to_bytes (answer);
}

static void
send_answer (SoupServerMessage *msg, GBytes *answer)
{
  rndimg_http_set_no_store (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", "application/json");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), answer);
}

/* The tutorial's request: one uniformly random picture, maybe not @exclude. */
static GPtrArray *
pick_plain (RndimgApiContext *api, SoupServerMessage *msg, const char *exclude)
{
  GPtrArray *picked;
  RndimgPicture *image;

  if (exclude != NULL && !rndimg_catalogue_name_is_valid (exclude))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "exclude must be picture names separated by commas, like 023.png or dogs/001.png");
      return NULL;
    }
  image = rndimg_catalogue_pick_random (api->catalogue, exclude);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "the image folder is empty");
      return NULL;
    }
  picked = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  g_ptr_array_add (picked, image);
  return picked;
}

/* GET /polling/api/v1.0/rndimg[?album=A,B][&count=N][&seed=S]
 * [&orientation=O][&exclude=NAME,NAME] (and the tutorial's POST /):
 * {"status":"success","message":"<absolute URL of a random image>",
 * "image":{its details}}; with count, also "count", "requested" and
 * "images". */
void
rndimg_api_random (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_auto(RndimgChoiceQuery) choice = { 0 };
  g_autoptr(GPtrArray) picked = NULL;
  g_autoptr(GBytes) answer = NULL;

  if (rndimg_choice_query_is_plain (msg, query))
    {
      picked = pick_plain (api, msg, query != NULL ? g_hash_table_lookup (query, "exclude") : NULL);
      if (picked == NULL)
        return;
      answer = random_answer (api, msg, picked, 1, FALSE);
      send_answer (msg, answer);
      return;
    }
  if (!rndimg_choice_query_parse (msg, query, &choice) ||
      (picked = rndimg_choice_query_choose (msg, api->catalogue, &choice)) == NULL)
    return;
  answer = random_answer (api, msg, picked, choice.count, choice.count_given);
  send_answer (msg, answer);
}

/* GET /polling/api/v1.0/images: see rndimg_pictures_api_list(). */
void
rndimg_api_list_images (SoupServerMessage *msg, const char *path, GHashTable *query,
                        gpointer api_context)
{
  RndimgApiContext *api = api_context;

  rndimg_pictures_api_list (msg, path, query, &api->pictures_api);
}

/* Writes what the publish layer answered. */
static void
send_publish_answer (SoupServerMessage *msg, const RndimgPublishAnswer *answer)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  rndimg_http_set_no_store (msg);
  if (answer->location != NULL)
    soup_message_headers_replace (headers, "Location", answer->location);
  if (answer->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", answer->retry_after);
  if (answer->replayed)
    soup_message_headers_replace (headers, "Idempotent-Replayed", "true");
  soup_server_message_set_status (msg, answer->status, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), answer->body);
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgPaused *paused = user_data;
  g_autoptr(RndimgPublishAnswer) answer = rndimg_publish_finish (result);

  if (rndimg_paused_resume (paused))
    send_publish_answer (rndimg_paused_message (paused), answer);
  rndimg_paused_free (paused);
}

/* Publishes @name from @source (a static string) and answers @msg with
 * 201 and the event once the broker has it (uploads). */
void
rndimg_api_publish_and_answer (RndimgApiContext *api, SoupServerMessage *msg,
                               const char *name, const char *source)
{
  g_autofree char *base_url = rndimg_http_base_url (msg);

  rndimg_publish_picture_async (api->broker, name, source, NULL, base_url, NULL, on_answered,
                                rndimg_paused_new (msg));
}

/* POST /polling/api/v1.0/publish [{"name":"023.png"} | {"album":"dogs"}]:
 * publishes the named picture, or a random one (of the album), to every
 * subscriber, once per Idempotency-Key (rndimg-publish.c decides). */
void
rndimg_api_publish (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *base_url = NULL;
  const char *key;
  RndimgPublishRequest request;

  if (!rndimg_auth_allows_write (api->config, msg))
    return;
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  key = soup_message_headers_get_list (soup_server_message_get_request_headers (msg), "Idempotency-Key");
  base_url = rndimg_http_base_url (msg);
  request = (RndimgPublishRequest) { body, key, base_url };
  rndimg_publish_async (api->catalogue, api->broker, &request, NULL, on_answered, rndimg_paused_new (msg));
}

static void
add_count (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* What an upload may be, so a client can refuse a file before sending it. */
static void
add_upload_limits (JsonBuilder *builder, const RndimgConfig *config)
{
  g_auto(GStrv) types = rndimg_image_type_list ();

  add_count (builder, "max_upload_bytes", config->max_upload_bytes);
  json_builder_set_member_name (builder, "upload_types");
  json_builder_begin_array (builder);
  for (char **type = types; *type != NULL; type++)
    json_builder_add_string_value (builder, *type);
  json_builder_end_array (builder);
}

/* broker_up, broker_last_answer_ms (null: not a remote broker, or it
 * never answered) and broker_link_losses. */
static void
add_broker_link (JsonBuilder *builder, RndimgBroker *broker)
{
  RndimgBrokerLink link;

  rndimg_broker_get_link (broker, &link);
  json_builder_set_member_name (builder, "broker_up");
  json_builder_add_boolean_value (builder, link.up);
  json_builder_set_member_name (builder, "broker_last_answer_ms");
  if (link.last_answer_usec > 0)
    json_builder_add_int_value (builder, (g_get_monotonic_time () - link.last_answer_usec) / 1000);
  else
    json_builder_add_null_value (builder);
  add_count (builder, "broker_link_losses", (gint64) link.losses);
  add_count (builder, "publishes_pending", link.publishes_pending);
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
  add_broker_link (builder, api->broker);
  add_count (builder, "images", rndimg_catalogue_get_count (api->catalogue));
  add_count (builder, "placeholders_pending", rndimg_placeholders_get_pending (api->pictures_api.placeholders));
  add_count (builder, "requests_served", (gint64) api->requests);
  add_count (builder, "uptime_seconds", (g_get_monotonic_time () - api->started_usec) / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "writes_enabled");
  json_builder_add_boolean_value (builder, rndimg_auth_writes_enabled (api->config));
  add_upload_limits (builder, api->config);
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
