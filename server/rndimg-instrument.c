/* SPDX-License-Identifier: MIT */
/* Watches every request from start to finish for the metrics and the
 * access log, registers the readings of the push code with the metrics,
 * and serves GET /metrics. */
#include "rndimg-instrument.h"
#include "rndimg-access-log.h"
#include "rndimg-http.h"
#include "rndimg-longpoll.h"
#include "rndimg-sse.h"

#include <string.h>

#define API "/polling/api/v1.0"

/* What is known of a request in flight, kept on its message. */
typedef struct {
  gint64 started_usec;
  guint64 bytes_sent;
} RequestTrace;

static void
on_wrote_body_data (SoupServerMessage *msg, guint chunk_size, gpointer user_data)
{
  RequestTrace *trace = user_data;

  trace->bytes_sent += chunk_size;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgService *service = user_data;
  RequestTrace *trace = g_new0 (RequestTrace, 1);

  trace->started_usec = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "rndimg-trace", trace, g_free);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), trace);
  rndimg_metrics_request_started (rndimg_service_get_metrics (service));
}

/* Why an upload was refused, from its status. */
static const char *
upload_result (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_CREATED: return "accepted";
    case SOUP_STATUS_BAD_REQUEST: return "malformed";
    case SOUP_STATUS_UNAUTHORIZED: return "unauthorized";
    case SOUP_STATUS_FORBIDDEN: return "forbidden";
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE: return "too_large";
    case SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE: return "not_an_image";
    case 0: return "aborted";
    default: return "failed";
    }
}

/* A client may send any method name: only the known ones become labels,
 * so the number of series stays bounded. */
static const char *
method_label (const char *method)
{
  static const char *const known[] = { "GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH" };

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (method, known[i]))
      return known[i];
  return "other";
}

/* Runs once per request, answered or aborted (the client went away). */
static void
on_request_done (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgService *service = user_data;
  RequestTrace *trace = g_object_get_data (G_OBJECT (msg), "rndimg-trace");
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *method = soup_server_message_get_method (msg);
  guint status = soup_server_message_get_status (msg);
  const char *route = rndimg_router_route_label (path);
  double seconds;

  if (trace == NULL)
    return;
  seconds = (double) (g_get_monotonic_time () - trace->started_usec) / G_USEC_PER_SEC;
  rndimg_metrics_request_finished (rndimg_service_get_metrics (service), route, method_label (method), status,
                                   trace->bytes_sent, seconds);
  if (g_str_equal (route, API "/images") && method == SOUP_METHOD_POST)
    rndimg_metrics_count_upload (rndimg_service_get_metrics (service), upload_result (status));
  if (rndimg_service_get_config (service)->access_log)
    rndimg_access_log_record (msg, trace->bytes_sent, seconds);
  g_signal_handlers_disconnect_by_data (msg, trace);
  g_object_set_data (G_OBJECT (msg), "rndimg-trace", NULL);
}

static double
read_held_long_polls (gpointer service)
{
  return rndimg_long_poll_get_waiting (rndimg_service_get_long_poll (service));
}

static double
read_open_streams (gpointer service)
{
  return rndimg_sse_get_open (rndimg_service_get_sse (service));
}

static double
read_slow_readers_dropped (gpointer service)
{
  return (double) rndimg_sse_get_slow_readers_dropped (rndimg_service_get_sse (service));
}

static double
read_images (gpointer service)
{
  return rndimg_catalogue_get_count (rndimg_service_get_catalogue (service));
}

static void
add_readings (RndimgService *service)
{
  RndimgMetrics *metrics = rndimg_service_get_metrics (service);

  rndimg_metrics_add_reading (metrics, "rndimg_long_polls_held", "gauge",
                              "Long-polls held waiting for the next event.", read_held_long_polls, service);
  rndimg_metrics_add_reading (metrics, "rndimg_event_streams_open", "gauge",
                              "Server-Sent Event streams open.", read_open_streams, service);
  rndimg_metrics_add_reading (metrics, "rndimg_slow_readers_dropped_total", "counter",
                              "Event streams dropped because their reader fell too far behind.",
                              read_slow_readers_dropped, service);
  rndimg_metrics_add_reading (metrics, "rndimg_images", "gauge",
                              "Pictures in the catalogue.", read_images, service);
}

void
rndimg_instrument_attach (RndimgService *service, SoupServer *server)
{
  add_readings (service);
  g_signal_connect_object (server, "request-started", G_CALLBACK (on_request_started), service, 0);
  g_signal_connect_object (server, "request-finished", G_CALLBACK (on_request_done), service, 0);
  g_signal_connect_object (server, "request-aborted", G_CALLBACK (on_request_done), service, 0);
}

/* GET /metrics: the Prometheus text format; 404 with --no-metrics. */
void
rndimg_instrument_serve_metrics (RndimgService *service, SoupServerMessage *msg,
                                 const char *path, GHashTable *query)
{
  char *text;

  if (rndimg_service_get_config (service)->no_metrics)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "metrics are turned off (--no-metrics)");
      return;
    }
  text = rndimg_metrics_render (rndimg_service_get_metrics (service));
  rndimg_http_set_no_store (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}
