/* SPDX-License-Identifier: MIT */
/* For load balancers and orchestrators: GET /healthz (the process answers)
 * and GET /readyz (it can serve pictures: the catalogue holds at least
 * one). Neither needs a token. */
#include "rndimg-health.h"
#include "rndimg-http.h"

static void
send_status (SoupServerMessage *msg, guint status, const char *state, const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, state);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, status, node);
}

void
rndimg_health_alive (RndimgService *service, SoupServerMessage *msg,
                     const char *path, GHashTable *query)
{
  send_status (msg, SOUP_STATUS_OK, "success", "alive");
}

void
rndimg_health_ready (RndimgService *service, SoupServerMessage *msg,
                     const char *path, GHashTable *query)
{
  guint images = rndimg_catalogue_get_count (rndimg_service_get_catalogue (service));
  g_autofree char *message = g_strdup_printf ("ready: %u images", images);

  if (images == 0)
    send_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "error", "not ready: the image folder is empty");
  else
    send_status (msg, SOUP_STATUS_OK, "success", message);
}
