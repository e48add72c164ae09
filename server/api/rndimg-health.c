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

/* ?broker=required: not ready while the broker cannot publish, for a
 * balancer that would rather send a node's clients elsewhere; without it
 * still ready (reads and open streams go on, and when the one Redis is
 * down for every node, none would be left to serve). */
static gboolean
read_broker_required (SoupServerMessage *msg, GHashTable *query, gboolean *required)
{
  const char *broker = query != NULL ? g_hash_table_lookup (query, "broker") : NULL;

  *required = g_strcmp0 (broker, "required") == 0;
  if (broker == NULL || *required)
    return TRUE;
  rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "broker must be \"required\" (or left out)");
  return FALSE;
}

void
rndimg_health_ready (SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer user_data)
{
  RndimgApiContext *api = user_data;
  guint images = rndimg_catalogue_get_count (api->catalogue);
  const char *problem = rndimg_broker_get_problem (api->broker);
  g_autofree char *message = NULL;
  gboolean broker_required;

  if (!read_broker_required (msg, query, &broker_required))
    return;
  if (images == 0)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "not ready: the image folder is empty");
      return;
    }
  if (problem != NULL && broker_required)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "not ready: publishing is unavailable: %s",
                              problem);
      return;
    }
  message = problem != NULL ? g_strdup_printf ("ready: %u images; publishing is unavailable: %s", images, problem)
                            : g_strdup_printf ("ready: %u images", images);
  send_success (msg, message);
}
