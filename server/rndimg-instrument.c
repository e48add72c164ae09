/* SPDX-License-Identifier: MIT */
/* Watches every request from start to finish for the metrics and the
 * access log, times each publish's fan-out, registers the readings of the
 * push code with the metrics, and serves GET /metrics. It is given what it
 * watches; it never reaches into the service. */
#include "rndimg-instrument.h"
#include "rndimg-access-log.h"
#include "rndimg-api-prefix.h"
#include "rndimg-http.h"

#include <string.h>

/* What the request hooks and the fan-out timing need. */
struct _RndimgInstrument
{
  /* Borrowed: each outlives us */
  RndimgMetrics *metrics;
  RndimgBroker *broker;       /* NULL until _time_fan_out() */
  SoupServer *server;         /* NULL until _watch_requests() */
  RndimgRouter *router;

  /* Owned */
  gboolean access_log;
  guint wrote_body_data_id;
  gulong hook_id;             /* 0 until _watch_requests() */
  guint wrote_body_id;
  gulong body_hook_id;        /* 0 until _watch_requests() */
  gint64 fan_out_started_usec;
};

/* What is known of a request in flight, kept on its message. */
typedef struct {
  gint64 started_usec;
  guint64 bytes_sent;
  gboolean answered;          /* the whole answer written */
} RequestTrace;

/* Logged for a request whose client went away before its whole answer
 * was written (nginx's "client closed request"): libsoup 3.2 gives such a
 * message status 500, as if we had failed it. A paused request notices
 * only when its answer is written, after the client has gone. */
#define STATUS_CLIENT_CLOSED 499

static GQuark trace_quark;

/* Every body chunk libsoup writes, for every message: one emission hook
 * rather than a handler connected to each message and disconnected at
 * its end. Messages not watched (no trace) are skipped. */
static gboolean
on_wrote_body_data (GSignalInvocationHint *hint, guint n_values, const GValue *values, gpointer user_data)
{
  RequestTrace *trace = g_object_get_qdata (g_value_get_object (&values[0]), trace_quark);

  if (trace != NULL)
    trace->bytes_sent += g_value_get_uint (&values[1]);
  return TRUE;
}

static gboolean
on_wrote_body (GSignalInvocationHint *hint, guint n_values, const GValue *values, gpointer user_data)
{
  RequestTrace *trace = g_object_get_qdata (g_value_get_object (&values[0]), trace_quark);

  if (trace != NULL)
    trace->answered = TRUE;
  return TRUE;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgInstrument *watch = user_data;
  RequestTrace *trace = g_new0 (RequestTrace, 1);

  trace->started_usec = g_get_monotonic_time ();
  g_object_set_qdata_full (G_OBJECT (msg), trace_quark, trace, g_free);
  /* Resolved now, while the peer is surely there: the request log reads
   * it after held requests end, maybe on a connection already closed. */
  if (watch->access_log)
    soup_server_message_get_remote_host (msg);
  rndimg_metrics_request_started (watch->metrics);
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
    case SOUP_STATUS_UNPROCESSABLE_ENTITY: return "unreadable";
    case 0:
    case STATUS_CLIENT_CLOSED: return "aborted";
    default: return "failed";
    }
}

/* A client may send any method name: only the known ones become labels,
 * so the number of series stays bounded. */
static const char *
method_label (const char *method)
{
  static const char *const known[] = { "GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH" };

  if (method == NULL)   /* a request line libsoup could not parse */
    return "other";

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (method, known[i]))
      return known[i];
  return "other";
}

/* Once per request, answered or aborted (the client went away, or the
 * answer was a 500: libsoup reports both as aborted). */
static void
record_request (RndimgInstrument *watch, SoupServerMessage *msg, gboolean aborted)
{
  g_autofree RequestTrace *trace = g_object_steal_qdata (G_OBJECT (msg), trace_quark);
  GUri *uri = soup_server_message_get_uri (msg);    /* NULL for an unparsable request */
  const char *path = uri != NULL ? g_uri_get_path (uri) : "";
  const char *method = soup_server_message_get_method (msg);
  guint status = soup_server_message_get_status (msg);
  const char *route = rndimg_router_route_label (watch->router, path);
  double seconds;

  if (trace == NULL)
    return;
  if (aborted && !trace->answered)
    status = STATUS_CLIENT_CLOSED;
  seconds = (double) (g_get_monotonic_time () - trace->started_usec) / G_USEC_PER_SEC;
  rndimg_metrics_request_finished (watch->metrics, route, method_label (method), status,
                                   trace->bytes_sent, seconds);
  if (g_str_equal (route, RNDIMG_API_PREFIX "/images") && method == SOUP_METHOD_POST)
    rndimg_metrics_count_upload (watch->metrics, upload_result (status));
  if (watch->access_log)
    rndimg_access_log_record (msg, status, trace->bytes_sent, seconds);
}

static void
on_request_finished (SoupServer *server, SoupServerMessage *msg, gpointer watch)
{
  record_request (watch, msg, FALSE);
}

static void
on_request_aborted (SoupServer *server, SoupServerMessage *msg, gpointer watch)
{
  record_request (watch, msg, TRUE);
}

static double
read_count (gpointer subscribers)
{
  return rndimg_subscribers_get_count (subscribers);
}

static double
read_slow_readers_dropped (gpointer subscribers)
{
  return (double) rndimg_subscribers_get_slow_readers_dropped (subscribers);
}

static double
read_images (gpointer catalogue)
{
  return rndimg_catalogue_get_count (catalogue);
}

static double
read_broker_up (gpointer broker)
{
  RndimgBrokerLink link;

  rndimg_broker_get_link (broker, &link);
  return link.up ? 1 : 0;
}

static double
read_broker_losses (gpointer broker)
{
  RndimgBrokerLink link;

  rndimg_broker_get_link (broker, &link);
  return (double) link.losses;
}

static double
read_publishes_pending (gpointer broker)
{
  RndimgBrokerLink link;

  rndimg_broker_get_link (broker, &link);
  return link.publishes_pending;
}

/* Seconds since Redis last answered (0 for a broker in this process). */
static double
read_broker_answer_age (gpointer broker)
{
  RndimgBrokerLink link;

  rndimg_broker_get_link (broker, &link);
  return link.last_answer_usec > 0 ? (double) (g_get_monotonic_time () - link.last_answer_usec) / G_USEC_PER_SEC : 0;
}

/* The variant renderer's and cache's numbers, each read by its offset. */
#define CACHE_COUNT(field) \
  static double read_cache_##field (gpointer variants) \
  { return (double) rndimg_variant_cache_get_counts (rndimg_picture_variants_get_cache (variants))->field; }
#define RENDER_COUNT(field) \
  static double read_render_##field (gpointer variants) \
  { return (double) rndimg_renderer_get_counts (rndimg_picture_variants_get_renderer (variants))->field; }
CACHE_COUNT (memory_hits)
CACHE_COUNT (disk_hits)
CACHE_COUNT (misses)
CACHE_COUNT (memory_evictions)
CACHE_COUNT (disk_evictions)
RENDER_COUNT (renders)
RENDER_COUNT (failures)
RENDER_COUNT (refused_busy)
RENDER_COUNT (refused_input)
RENDER_COUNT (timeouts)
RENDER_COUNT (joined)

static double
read_variant_memory_bytes (gpointer variants)
{
  return (double) rndimg_variant_cache_get_memory_bytes (rndimg_picture_variants_get_cache (variants));
}

static double
read_variant_disk_bytes (gpointer variants)
{
  return (double) rndimg_variant_cache_get_disk_bytes (rndimg_picture_variants_get_cache (variants));
}

static double
read_render_queue (gpointer variants)
{
  return rndimg_renderer_get_queued (rndimg_picture_variants_get_renderer (variants));
}

static double
read_render_running (gpointer variants)
{
  return rndimg_renderer_get_running (rndimg_picture_variants_get_renderer (variants));
}

static double
read_versions_hashed (gpointer variants)
{
  return (double) rndimg_variant_versions_get_hashed (rndimg_picture_variants_get_versions (variants));
}

static void
on_rendered (RndimgPictureVariants *variants, double seconds, gpointer metrics)
{
  rndimg_metrics_observe_render (metrics, seconds);
}

static void
add_variant_readings (RndimgMetrics *metrics, RndimgPictureVariants *variants)
{
  static const struct {
    const char *name, *type, *help;
    RndimgMetricsReadFunc read;
  } readings[] = {
    { "rndimg_variant_cache_hits_total", "counter", "Variants answered from the memory cache.", read_cache_memory_hits },
    { "rndimg_variant_cache_disk_hits_total", "counter", "Variants answered from the disk cache.", read_cache_disk_hits },
    { "rndimg_variant_cache_misses_total", "counter", "Variants in neither cache (rendered or joined a render).", read_cache_misses },
    { "rndimg_variant_cache_evictions_total", "counter", "Variants dropped from memory to stay within --variant-memory.", read_cache_memory_evictions },
    { "rndimg_variant_cache_disk_evictions_total", "counter", "Variants deleted from disk to stay within --variant-disk.", read_cache_disk_evictions },
    { "rndimg_variant_cache_memory_bytes", "gauge", "Bytes of variants in memory.", read_variant_memory_bytes },
    { "rndimg_variant_cache_disk_bytes", "gauge", "Bytes of variants on disk.", read_variant_disk_bytes },
    { "rndimg_variant_renders_total", "counter", "Variants rendered.", read_render_renders },
    { "rndimg_variant_render_joins_total", "counter", "Requests that waited for a render already under way.", read_render_joined },
    { "rndimg_variant_render_failures_total", "counter", "Renders that failed (an unreadable picture, limits on output).", read_render_failures },
    { "rndimg_variant_refused_busy_total", "counter", "Renders refused with 503: the queue was full.", read_render_refused_busy },
    { "rndimg_variant_refused_input_total", "counter", "Renders refused: the picture has more than --max-input-pixels.", read_render_refused_input },
    { "rndimg_variant_render_timeouts_total", "counter", "Renders stopped at --render-timeout.", read_render_timeouts },
    { "rndimg_variant_render_queue", "gauge", "Renders waiting for a worker.", read_render_queue },
    { "rndimg_variant_renders_running", "gauge", "Renders under way.", read_render_running },
    { "rndimg_variant_versions_hashed_total", "counter", "Pictures hashed for their variant version by the variants (not the placeholders' worker).", read_versions_hashed },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (readings); i++)
    rndimg_metrics_add_reading (metrics, readings[i].name, readings[i].type, readings[i].help,
                                readings[i].read, variants);
  g_signal_connect_object (variants, "rendered", G_CALLBACK (on_rendered), metrics, 0);
}

void
rndimg_instrument_add_readings (RndimgMetrics *metrics, const RndimgInstrumentedPush *push)
{
  rndimg_metrics_add_reading (metrics, "rndimg_long_polls_held", "gauge",
                              "Long-polls held waiting for the next event.", read_count, push->long_polls);
  rndimg_metrics_add_reading (metrics, "rndimg_event_streams_open", "gauge",
                              "Server-Sent Event streams open.", read_count, push->streams);
  rndimg_metrics_add_reading (metrics, "rndimg_websockets_open", "gauge",
                              "WebSockets open.", read_count, push->sockets);
  rndimg_metrics_add_reading (metrics, "rndimg_slow_readers_dropped_total", "counter",
                              "Event streams dropped because their reader fell too far behind.",
                              read_slow_readers_dropped, push->streams);
  rndimg_metrics_add_reading (metrics, "rndimg_images", "gauge",
                              "Pictures in the catalogue.", read_images, push->catalogue);
  rndimg_metrics_add_reading (metrics, "rndimg_broker_up", "gauge",
                              "1 while the broker can publish and this node follows every event; 0 while its link "
                              "to Redis is down.", read_broker_up, push->broker);
  rndimg_metrics_add_reading (metrics, "rndimg_broker_link_losses_total", "counter",
                              "Times a link to Redis was lost after Redis had answered on it.",
                              read_broker_losses, push->broker);
  rndimg_metrics_add_reading (metrics, "rndimg_broker_last_answer_age_seconds", "gauge",
                              "Seconds since Redis last answered this node (0 with --broker memory).",
                              read_broker_answer_age, push->broker);
  rndimg_metrics_add_reading (metrics, "rndimg_publishes_pending", "gauge",
                              "Publishes sent to the broker and not answered yet.",
                              read_publishes_pending, push->broker);
  if (push->variants != NULL)
    add_variant_readings (metrics, push->variants);
}

/* Instruments that feed @metrics (borrowed: it must outlive the result). */
RndimgInstrument *
rndimg_instrument_new (RndimgMetrics *metrics)
{
  RndimgInstrument *self = g_new0 (RndimgInstrument, 1);

  self->metrics = metrics;
  return self;
}

/* Watches every request of @server (routes labelled by @router) until
 * freed; both are borrowed. */
void
rndimg_instrument_watch_requests (RndimgInstrument *self, SoupServer *server, RndimgRouter *router,
                                  gboolean access_log)
{
  g_autoptr(GTypeClass) message_class = g_type_class_ref (SOUP_TYPE_SERVER_MESSAGE);

  trace_quark = g_quark_from_static_string ("rndimg-trace");
  self->server = server;
  self->router = router;
  self->access_log = access_log;
  self->wrote_body_data_id = g_signal_lookup ("wrote-body-data", SOUP_TYPE_SERVER_MESSAGE);
  self->hook_id = g_signal_add_emission_hook (self->wrote_body_data_id, 0, on_wrote_body_data, NULL, NULL);
  self->wrote_body_id = g_signal_lookup ("wrote-body", SOUP_TYPE_SERVER_MESSAGE);
  self->body_hook_id = g_signal_add_emission_hook (self->wrote_body_id, 0, on_wrote_body, NULL, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (on_request_aborted), self);
}

/* A publish's fan-out: from the first "published" handler (connected
 * before any subscriber registry) to the last (connected after). */
static void
on_fan_out_started (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  RndimgInstrument *self = user_data;

  self->fan_out_started_usec = g_get_monotonic_time ();
}

static void
on_fan_out_done (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  RndimgInstrument *self = user_data;

  rndimg_metrics_count_publish (self->metrics, event->source,
                                (double) (g_get_monotonic_time () - self->fan_out_started_usec) / G_USEC_PER_SEC);
}

/* Times each fan-out of @broker (borrowed) until freed. Call before any
 * subscriber registry follows @broker. */
void
rndimg_instrument_time_fan_out (RndimgInstrument *self, RndimgBroker *broker)
{
  self->broker = broker;
  g_signal_connect (broker, "published", G_CALLBACK (on_fan_out_started), self);
  g_signal_connect_after (broker, "published", G_CALLBACK (on_fan_out_done), self);
}

void
rndimg_instrument_free (RndimgInstrument *self)
{
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  if (self->broker != NULL)
    g_signal_handlers_disconnect_by_data (self->broker, self);
  if (self->hook_id != 0)
    g_signal_remove_emission_hook (self->wrote_body_data_id, self->hook_id);
  if (self->body_hook_id != 0)
    g_signal_remove_emission_hook (self->wrote_body_id, self->body_hook_id);
  g_free (self);
}

/* GET /metrics: the Prometheus text format; 404 with --no-metrics. */
void
rndimg_instrument_serve_metrics (SoupServerMessage *msg, const char *path,
                                 GHashTable *query, gpointer user_data)
{
  RndimgMetrics *metrics = user_data;
  char *text;

  if (metrics == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "metrics are turned off (--no-metrics)");
      return;
    }
  text = rndimg_metrics_render (metrics);
  rndimg_http_set_no_store (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}
