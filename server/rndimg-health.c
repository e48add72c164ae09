/* SPDX-License-Identifier: MIT */
/* For load balancers and orchestrators: GET /healthz (the process answers)
 * and GET /readyz (it can serve pictures: the catalogue holds at least
 * one). Neither needs a token. */
#include "rndimg-health.h"
#include "rndimg-http.h"

static void
send_success (SoupServerMessage *msg, const char *message)
{
  g_autoptr(JsonNode) node = rndimg_http_success_node (message);

  rndimg_http_set_no_store (msg);
  rndimg_http_send_json (msg, SOUP_STATUS_OK, node);
}

void
rndimg_health_alive (RndimgService *service, SoupServerMessage *msg,
                     const char *path, GHashTable *query)
{
  send_success (msg, "alive");
}

void
rndimg_health_ready (RndimgService *service, SoupServerMessage *msg,
                     const char *path, GHashTable *query)
{
  guint images = rndimg_catalogue_get_count (rndimg_service_get_catalogue (service));
  g_autofree char *message = g_strdup_printf ("ready: %u images", images);

  if (images == 0)
    rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "not ready: the image folder is empty");
  else
    send_success (msg, message);
}
