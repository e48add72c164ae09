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
rndimg_health_alive (SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer user_data)
{
  send_success (msg, "alive");
}

void
rndimg_health_ready (SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer user_data)
{
  guint images = rndimg_catalogue_get_count (RNDIMG_CATALOGUE (user_data));
  g_autofree char *message = g_strdup_printf ("ready: %u images", images);

  if (images == 0)
    rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "not ready: the image folder is empty");
  else
    send_success (msg, message);
}
