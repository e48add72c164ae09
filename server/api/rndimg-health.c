/* SPDX-License-Identifier: MIT */
/* For load balancers and orchestrators: GET /healthz (the process answers)
 * and GET /readyz (it can serve pictures: the catalogue holds at least
 * one; it says so when the broker cannot publish). Neither needs a token. */
#include "rndimg-health.h"
#include "rndimg-api.h"
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
  RndimgApiContext *api = user_data;
  guint images = rndimg_catalogue_get_count_all (api->catalogue);
  const char *problem = rndimg_broker_get_problem (api->broker);
  g_autofree char *message = NULL;

  if (images == 0)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "not ready: the image folder is empty");
      return;
    }
  /* Still ready without the broker: reads and open streams go on, and
   * every node shares the one Redis, so none would be left to serve. */
  message = problem != NULL ? g_strdup_printf ("ready: %u images; publishing is unavailable: %s", images, problem)
                            : g_strdup_printf ("ready: %u images", images);
  send_success (msg, message);
}
