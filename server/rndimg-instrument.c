/* SPDX-License-Identifier: MIT */
/* Sees every request from start to finish for the metrics and the access
 * log (whichever executor answered it: the service hands both
 * executors a request watch that calls here), times each publish's
 * fan-out, registers the readings of the push code with the metrics, and
 * serves GET /metrics. It is given what it watches; it never reaches into
 * the service. */
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
  RndimgRouter *router;       /* NULL until _watch_requests() */

  /* Owned */
  gboolean access_log;
  gint64 fan_out_started_usec;
};

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
    case RNDIMG_STATUS_CLIENT_CLOSED: return "aborted";
    default: return "failed";
    }
}

/* A client may send any method name: only the known ones become labels,
 * so the number of series stays bounded. */
static const char *
method_label (const char *method)
{
  static const char *const known[] = { "GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH" };

  if (method == NULL)   /* a request line that could not be parsed */
    return "other";

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (method, known[i]))
      return known[i];
  return "other";
}

/* A request began (its first byte, or its head, was read). */
void
rndimg_instrument_request_started (RndimgInstrument *self)
{
  rndimg_metrics_request_started (self->metrics);
}

/* Once per request, answered or aborted. */
void
rndimg_instrument_request_finished (RndimgInstrument *self, const RndimgFinishedRequest *request)
{
  const char *route = rndimg_router_route_label (self->router, request->path != NULL ? request->path : "");

  rndimg_metrics_request_finished (self->metrics, route, method_label (request->method), request->status,
                                   request->bytes_sent, request->seconds, request->executor);
  if (g_str_equal (route, RNDIMG_API_PREFIX "/images") && g_strcmp0 (request->method, "POST") == 0)
    rndimg_metrics_count_upload (self->metrics, upload_result (request->status));
  if (self->access_log)
    rndimg_access_log_record (request);
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
read_batched_sends (gpointer connections)
{
  return (double) rndimg_connections_get_batched_sends (connections);
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

static double
read_rate_limited (gpointer limiter)
{
  return (double) rndimg_rate_limiter_get_refused (limiter);
}

static double
read_limited_clients (gpointer limiter)
{
  return rndimg_rate_limiter_get_clients (limiter);
}

static double
read_trashed (gpointer trash)
{
  return (double) rndimg_trash_get_count (trash);
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
RENDER_COUNT (refused_memory)
RENDER_COUNT (waited_memory)
RENDER_COUNT (background)
#define MASTERS_COUNT(field) \
  static double read_masters_##field (gpointer variants) \
  { return (double) rndimg_masters_get_counts (rndimg_picture_variants_get_masters (variants))->field; }
MASTERS_COUNT (made)
MASTERS_COUNT (renders_from_master)
MASTERS_COUNT (renders_from_original)

static double
read_master_bytes (gpointer variants)
{
  return (double) rndimg_variant_cache_get_master_bytes (rndimg_picture_variants_get_cache (variants));
}

static double
read_render_memory (gpointer variants)
{
  return (double) rndimg_renderer_get_memory (rndimg_picture_variants_get_renderer (variants));
}

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
    { "rndimg_variant_cache_disk_bytes", "gauge", "Bytes of variants and masters on disk.", read_variant_disk_bytes },
    { "rndimg_variant_masters_bytes", "gauge", "Bytes of the pictures' reduced masters on disk (within --variant-disk).", read_master_bytes },
    { "rndimg_variant_masters_made_total", "counter", "Reduced masters written.", read_masters_made },
    { "rndimg_variant_renders_from_master_total", "counter", "Renders made from a reduced master.", read_masters_renders_from_master },
    { "rndimg_variant_renders_from_original_total", "counter", "Renders made from the original (a small picture, or a box larger than its masters).", read_masters_renders_from_original },
    { "rndimg_variant_renders_total", "counter", "Variants rendered.", read_render_renders },
    { "rndimg_variant_render_joins_total", "counter", "Requests that waited for a render already under way.", read_render_joined },
    { "rndimg_variant_render_failures_total", "counter", "Renders that failed (an unreadable picture, limits on output).", read_render_failures },
    { "rndimg_variant_refused_busy_total", "counter", "Renders refused with 503: the queue was full.", read_render_refused_busy },
    { "rndimg_variant_refused_input_total", "counter", "Renders refused: the picture has more than --max-input-pixels.", read_render_refused_input },
    { "rndimg_variant_render_timeouts_total", "counter", "Renders stopped at --render-timeout.", read_render_timeouts },
    { "rndimg_variant_render_queue", "gauge", "Renders waiting for a worker.", read_render_queue },
    { "rndimg_variant_renders_running", "gauge", "Renders under way.", read_render_running },
    { "rndimg_variant_render_memory_bytes", "gauge", "Memory the renders under way hold, by their estimates (within --render-memory).", read_render_memory },
    { "rndimg_variant_refused_memory_total", "counter", "Renders refused with 422: they need more than the whole --render-memory.", read_render_refused_memory },
    { "rndimg_variant_render_memory_waits_total", "counter", "Times a render waited for memory before it started.", read_render_waited_memory },
    { "rndimg_variant_background_renders_total", "counter", "Renders asked for ahead of need (AVIF for the next asker).", read_render_background },
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
  rndimg_metrics_add_reading (metrics, "rndimg_batched_sends_total", "counter",
                              "Answers and frames of fan-outs handed to the kernel together, one system call for "
                              "many (io_uring); 0 where io_uring cannot be used.",
                              read_batched_sends, push->connections);
  rndimg_metrics_add_reading (metrics, "rndimg_images", "gauge",
                              "Pictures in the catalogue anyone may see (private albums' not counted).",
                              read_images, push->catalogue);
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
  if (push->writes != NULL)
    {
      rndimg_metrics_add_reading (metrics, "rndimg_rate_limited_writes_total", "counter",
                                  "Writes refused 429: the client had spent its share (--write-rate, --write-burst).",
                                  read_rate_limited, push->writes);
      rndimg_metrics_add_reading (metrics, "rndimg_rate_limited_renders_total", "counter",
                                  "Variant renders refused 429: the client had spent its share (--render-rate, "
                                  "--render-burst).", read_rate_limited, push->renders);
      rndimg_metrics_add_reading (metrics, "rndimg_rate_limit_clients", "gauge",
                                  "Clients with a render bucket not yet full again.", read_limited_clients,
                                  push->renders);
      rndimg_metrics_add_reading (metrics, "rndimg_pictures_trashed_total", "counter",
                                  "Pictures moved to the trash by this process.", read_trashed, push->trash);
    }
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

/* Requests are labelled by their route in @router (borrowed), and
 * logged one line each with @access_log. */
void
rndimg_instrument_watch_requests (RndimgInstrument *self, RndimgRouter *router, gboolean access_log)
{
  self->router = router;
  self->access_log = access_log;
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
  if (self->broker != NULL)
    g_signal_handlers_disconnect_by_data (self->broker, self);
  g_free (self);
}

/* GET /metrics: the Prometheus text format; 404 with --no-metrics. */
void
rndimg_instrument_serve_metrics (RndimgExchange *exchange, const char *path,
                                 GHashTable *query, gpointer user_data)
{
  RndimgMetrics *metrics = user_data;
  char *text;
  g_autoptr(GBytes) body = NULL;

  if (metrics == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "metrics are turned off (--no-metrics)");
      return;
    }
  text = rndimg_metrics_render (metrics);
  body = g_bytes_new_take (text, strlen (text));
  rndimg_http_set_no_store (exchange);
  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  rndimg_exchange_set_response (exchange, "text/plain; version=0.0.4; charset=utf-8", body);
}
