/* SPDX-License-Identifier: MIT */
/* The JSON endpoints that read the catalogue. */
#include "rndimg-api.h"
#include "rndimg-auth.h"
#include "rndimg-http.h"
#include "rndimg-image-type.h"
#include "rndimg-longpoll.h"
#include "rndimg-sse.h"

#include <string.h>

/* GET /polling/api/v1.0/rndimg[?exclude=NAME] (and the tutorial's POST /):
 * {"status":"success","message":"<absolute URL of a random image>"}. */
void
rndimg_api_random (RndimgService *service, SoupServerMessage *msg,
                   const char *path, GHashTable *query)
{
  const char *exclude = query != NULL ? g_hash_table_lookup (query, "exclude") : NULL;
  g_autoptr(RndimgImage) image = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *url = NULL;

  if (exclude != NULL && !rndimg_image_type_name_is_allowed (exclude))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "exclude must be an image name like 023.png");
      return;
    }

  image = rndimg_catalogue_pick_random (rndimg_service_get_catalogue (service), exclude);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "the image folder is empty");
      return;
    }

  url = rndimg_http_image_url (msg, image->name);
  node = rndimg_http_success_node (url);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
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
rndimg_api_list_images (RndimgService *service, SoupServerMessage *msg,
                        const char *path, GHashTable *query)
{
  g_autoptr(GPtrArray) images = rndimg_catalogue_list (rndimg_service_get_catalogue (service));
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
void
rndimg_api_send_event (SoupServerMessage *msg, const RndimgEvent *event)
{
  g_autofree char *base_url = rndimg_http_base_url (msg);
  g_autofree char *location = rndimg_http_image_url (msg, event->name);
  char *json = rndimg_event_to_json (event, base_url, 0);

  rndimg_http_set_no_store (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
  soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
}

/* POST /polling/api/v1.0/publish [{"name":"023.png"}]: publishes the named
 * picture, or a random one, to every long-poll and event stream. */
void
rndimg_api_publish (RndimgService *service, SoupServerMessage *msg,
                    const char *path, GHashTable *query)
{
  RndimgCatalogue *catalogue = rndimg_service_get_catalogue (service);
  g_autoptr(RndimgImage) image = NULL;
  g_autofree char *name = NULL;

  if (!rndimg_auth_allows_write (service, msg) || !read_publish_name (msg, &name))
    return;
  if (name != NULL && !rndimg_image_type_name_is_allowed (name))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "name must be an image name like 023.png");
      return;
    }
  image = name != NULL ? rndimg_catalogue_lookup (catalogue, name)
                       : rndimg_catalogue_pick_random (catalogue, NULL);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no image called %s", name ? name : "(any)");
      return;
    }
  rndimg_api_send_event (msg, rndimg_service_publish (service, image->name, "api"));
}

static void
add_count (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* GET /polling/api/v1.0/stats: what the server holds and has done. */
void
rndimg_api_stats (RndimgService *service, SoupServerMessage *msg,
                  const char *path, GHashTable *query)
{
  RndimgPublisher *publisher = rndimg_service_get_publisher (service);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  add_count (builder, "waiting_polls", rndimg_long_poll_get_waiting (rndimg_service_get_long_poll (service)));
  add_count (builder, "open_streams", rndimg_sse_get_open (rndimg_service_get_sse (service)));
  add_count (builder, "events_published", (gint64) rndimg_publisher_get_published (publisher));
  add_count (builder, "newest_id", rndimg_publisher_get_newest_id (publisher));
  add_count (builder, "images", rndimg_catalogue_get_count (rndimg_service_get_catalogue (service)));
  add_count (builder, "requests_served", (gint64) rndimg_service_get_requests (service));
  add_count (builder, "uptime_seconds", (gint64) rndimg_service_get_uptime (service));
  json_builder_set_member_name (builder, "writes_enabled");
  json_builder_add_boolean_value (builder, rndimg_auth_writes_enabled (rndimg_service_get_config (service)));
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}
