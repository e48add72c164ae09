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
#include "rndimg-request-access.h"

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
random_answer (RndimgApiContext *api, RndimgExchange *exchange, GPtrArray *images, guint requested,
               gboolean with_list)
{
  g_autofree char *base_url = rndimg_http_base_url (exchange);
  const RndimgPicture *first = g_ptr_array_index (images, 0);
  GString *answer = g_string_sized_new (with_list ? 768 * (images->len + 1) : 1024);

  RndimgUrlSigner *signer = api->pictures_api.signer;
  g_autofree char *signature = rndimg_picture_json_signature (first, signer);

  g_string_append (answer, "{\"status\":\"success\",\"message\":\"");
  g_string_append (answer, base_url);
  g_string_append (answer, first->url_path);
  if (signature != NULL)
    g_string_append_printf (answer, "?%s", signature);
  g_string_append (answer, "\",\"image\":");
  rndimg_picture_json_append_signed (answer, base_url, first, api->pictures_api.placeholders, signer);
  if (with_list)
    {
      g_string_append_printf (answer, ",\"count\":%u,\"requested\":%u,\"images\":[", images->len, requested);
      for (guint i = 0; i < images->len; i++)
        {
          if (i > 0)
            g_string_append_c (answer, ',');
          rndimg_picture_json_append_signed (answer, base_url, g_ptr_array_index (images, i),
                                             api->pictures_api.placeholders, signer);
        }
      g_string_append_c (answer, ']');
    }
  g_string_append_c (answer, '}');
  return g_string_free_to_bytes (answer);
}

static void
send_answer (RndimgExchange *exchange, GBytes *answer)
{
  rndimg_http_set_no_store (exchange);
  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Content-Type", "application/json");
  rndimg_exchange_set_body (exchange, answer);
}

/* The tutorial's request: one uniformly random picture, maybe not @exclude. */
static GPtrArray *
pick_plain (RndimgApiContext *api, RndimgExchange *exchange, const char *exclude)
{
  GPtrArray *picked;
  RndimgPicture *image;

  if (exclude != NULL && !rndimg_catalogue_name_is_valid (exclude))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "exclude must be picture names separated by commas, like 023.png or dogs/001.png");
      return NULL;
    }
  image = rndimg_catalogue_pick_random (api->catalogue, exclude);
  if (image == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_SERVICE_UNAVAILABLE, "the image folder is empty");
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
rndimg_api_random (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_auto(RndimgChoiceQuery) choice = { 0 };
  g_autoptr(GPtrArray) picked = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(RndimgAccess) access = rndimg_request_access (api->credentials, exchange, FALSE);

  if (access == NULL)
    return;
  if (rndimg_choice_query_is_plain (exchange, query))
    {
      picked = pick_plain (api, exchange, query != NULL ? g_hash_table_lookup (query, "exclude") : NULL);
      if (picked == NULL)
        return;
      answer = random_answer (api, exchange, picked, 1, FALSE);
      send_answer (exchange, answer);
      return;
    }
  if (!rndimg_choice_query_parse (exchange, query, &choice) ||
      (picked = rndimg_choice_query_choose_for (exchange, api->catalogue, access, &choice)) == NULL)
    return;
  answer = random_answer (api, exchange, picked, choice.count, choice.count_given);
  send_answer (exchange, answer);
}

/* GET /polling/api/v1.0/images: see rndimg_pictures_api_list(). */
void
rndimg_api_list_images (RndimgExchange *exchange, const char *path, GHashTable *query,
                        gpointer api_context)
{
  RndimgApiContext *api = api_context;

  rndimg_pictures_api_list (exchange, path, query, &api->pictures_api);
}

/* Writes what the publish layer answered. */
static void
send_publish_answer (RndimgExchange *exchange, const RndimgPublishAnswer *answer)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  rndimg_http_set_no_store (exchange);
  if (answer->location != NULL)
    soup_message_headers_replace (headers, "Location", answer->location);
  if (answer->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", answer->retry_after);
  if (answer->replayed)
    soup_message_headers_replace (headers, "Idempotent-Replayed", "true");
  rndimg_exchange_set_status (exchange, answer->status);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  rndimg_exchange_set_body (exchange, answer->body);
}

/* The body of a publish: FALSE with its 400 sent when it is not one. */
static gboolean
read_publish_body (RndimgExchange *exchange, char **name, char **album)
{
  g_autoptr(GError) error = NULL;

  if (rndimg_publish_read_body (rndimg_exchange_get_request_body (exchange), name, album, &error))
    return TRUE;
  rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
  return FALSE;
}

/* A publish or a change being published: answered when the broker has it. */
typedef struct {
  RndimgPaused *paused;
  RndimgUrlSigner *signer;
  guint status;           /* 201 for a publish, 200 for a change */
} Publishing;

/* Answers @status with the event, and (a picture's) Location. */
static void
send_event (RndimgExchange *exchange, const RndimgEvent *event, RndimgUrlSigner *signer, guint status)
{
  g_autofree char *base_url = rndimg_http_base_url (exchange);
  g_autofree char *url_path = event->name[0] != '\0' ? rndimg_picture_url_path (event->name) : NULL;
  g_autofree char *signature = event->is_private && signer != NULL && event->name[0] != '\0'
                               ? rndimg_url_signer_query (signer, event->name, g_get_real_time () / G_USEC_PER_SEC)
                               : NULL;
  g_autofree char *location = url_path != NULL ? g_strconcat (base_url, url_path, signature != NULL ? "?" : NULL,
                                                              signature, NULL) : NULL;
  g_autofree char *json = rndimg_event_to_json_viewed (event, base_url, 0, RNDIMG_EVENT_VIEW_WHOLE, signature);
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  gsize length;

  rndimg_http_set_no_store (exchange);
  if (location != NULL && event->kind != RNDIMG_EVENT_REMOVED)
    soup_message_headers_replace (headers, "Location", location);
  rndimg_exchange_set_status (exchange, status);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  length = strlen (json);
  rndimg_exchange_set_body (exchange, g_bytes_new_take (g_steal_pointer (&json), length));
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgPaused *paused = user_data;
  g_autoptr(RndimgPublishAnswer) answer = rndimg_publish_finish (result);

  if (rndimg_paused_resume (paused))
    send_publish_answer (rndimg_paused_exchange (paused), answer);
  rndimg_paused_free (paused);
}

static void
on_published (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Publishing *publishing = user_data;
  RndimgExchange *exchange = rndimg_paused_exchange (publishing->paused);
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgEvent) event = rndimg_broker_publish_finish (RNDIMG_BROKER (source), result, NULL, &error);

  if (rndimg_paused_resume (publishing->paused))
    {
      if (event != NULL)
        send_event (exchange, event, publishing->signer, publishing->status);
      else
        {
          soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Retry-After", "1");
          rndimg_http_send_error (exchange, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  "the event could not be published: %s", error->message);
        }
    }
  rndimg_paused_free (publishing->paused);
  g_free (publishing);
}

/* Publishes @change and answers @exchange with @status and the event once the
 * broker has it (503 with Retry-After when it cannot). */
void
rndimg_api_publish_change_and_answer (RndimgApiContext *api, RndimgExchange *exchange, const RndimgEventChange *change,
                                      guint status)
{
  Publishing *publishing = g_new0 (Publishing, 1);

  publishing->paused = rndimg_paused_new (exchange);
  publishing->signer = api->pictures_api.signer;
  publishing->status = status;
  rndimg_broker_publish_change_async (api->broker, change, NULL, on_published, publishing);
}

/* Publishes @image from @source (a static string) and answers @exchange
 * with 201 and the event once the broker has it (uploads). */
void
rndimg_api_publish_and_answer (RndimgApiContext *api, RndimgExchange *exchange, const RndimgPicture *image,
                               const char *source)
{
  g_autofree char *base_url = rndimg_http_base_url (exchange);

  rndimg_publish_picture_async (api->broker, image, source, NULL, base_url, api->pictures_api.signer, NULL,
                                on_answered, rndimg_paused_new (exchange));
}

/* The start of every write: @exchange's access (NULL with 401 sent when its
 * credential is refused), the audit record of @action on @target made
 * when it is answered, and its credential's share of writes (NULL with
 * 429 sent when spent). A write without a credential is taken only on a
 * loopback server without credentials (this machine's own): it is not
 * limited, and one without rights is refused by its scope check. */
RndimgAccess *
rndimg_api_begin_write (RndimgApiContext *api, RndimgExchange *exchange, const char *action, const char *target)
{
  g_autoptr(RndimgAccess) access = rndimg_request_access (api->credentials, exchange, FALSE);

  rndimg_audit_watch (api->audit, exchange, access, action, target);
  if (access == NULL || (!access->anonymous && !rndimg_request_take (api->writes, exchange, access)))
    return NULL;
  return g_steal_pointer (&access);
}

/* POST /polling/api/v1.0/publish [{"name":"023.png"} | {"album":"dogs"}]:
 * publishes the named picture, or a random one (of the album), to every
 * subscriber, once per Idempotency-Key (rndimg-publish.c decides). */
void
rndimg_api_publish (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  g_autoptr(RndimgAccess) access = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *name = NULL;
  g_autofree char *album = NULL;
  const char *key;
  RndimgPublishRequest request;
  g_autoptr(RndimgPublishAnswer) answer = NULL;

  if (!read_publish_body (exchange, &name, &album) ||
      (access = rndimg_api_begin_write (api, exchange, "publish", name != NULL ? name : album)) == NULL ||
      (!rndimg_access_holds (access, RNDIMG_SCOPE_PUBLISH) &&
       !rndimg_auth_require (api->credentials, exchange, access, RNDIMG_SCOPE_PUBLISH, album)))
    return;
  body = g_bytes_ref (rndimg_exchange_get_request_body (exchange));
  key = soup_message_headers_get_list (rndimg_exchange_get_request_headers (exchange), "Idempotency-Key");
  base_url = rndimg_http_base_url (exchange);
  request = (RndimgPublishRequest) { body, name, album, key, base_url, access, api->pictures_api.signer };
  answer = rndimg_publish_now (api->catalogue, api->broker, &request);
  if (answer != NULL)
    send_publish_answer (exchange, answer);
  else
    rndimg_publish_async (api->catalogue, api->broker, &request, NULL, on_answered, rndimg_paused_new (exchange));
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
rndimg_api_stats (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
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
  json_builder_add_boolean_value (builder, rndimg_auth_writes_enabled (api->credentials));
  add_upload_limits (builder, api->config);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (exchange);
  rndimg_http_send_json (exchange, SOUP_STATUS_OK, node);
}

/* GET /polling/api/v1.0/openapi.json: the OpenAPI description of every
 * route, revalidated by its ETag like the page's files. */
void
rndimg_api_description (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer api_context)
{
  RndimgApiContext *api = api_context;
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  soup_message_headers_replace (headers, "ETag", api->description_etag);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  if (rndimg_http_if_none_match (exchange, api->description_etag))
    {
      rndimg_exchange_set_status (exchange, SOUP_STATUS_NOT_MODIFIED);
      return;
    }
  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  rndimg_exchange_set_body (exchange, api->description);
}
