/* SPDX-License-Identifier: MIT */
/* The counters behind GET /metrics, and their rendering in the Prometheus
 * text exposition format 0.0.4. Values this file does not own (held
 * long-polls, open streams, ...) are read through callbacks registered
 * with rndimg_metrics_add_reading(), so the push code knows nothing of
 * metrics. */
#include "rndimg-metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Upper bounds in seconds; a held long-poll may take up to 300. */
static const double request_buckets[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300 };
static const double render_buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
static const double fan_out_buckets[] = { 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5 };

typedef struct {
  const double *bounds;
  gsize n_bounds;
  guint64 counts[16];    /* per bucket, not cumulative; the last is +Inf */
  double sum;
  guint64 count;
} Histogram;

typedef struct {
  char *name;
  char *type;
  char *help;
  RndimgMetricsReadFunc read;
  gpointer user_data;
} Reading;

struct _RndimgMetrics
{
  GObject parent_instance;

  GHashTable *requests;        /* "route\tmethod\tstatus" -> guint64 * */
  GHashTable *executors;       /* "hot" or "libsoup" -> guint64 * */
  GHashTable *uploads;         /* result -> guint64 * */
  GHashTable *published;       /* source -> guint64 * */
  GHashTable *writes;          /* "action\tstatus" -> guint64 *: the audited writes */
  Histogram request_duration;
  Histogram fan_out_duration;
  Histogram render_duration;
  guint64 bytes_sent;
  gint64 open_connections;
  GPtrArray *readings;
  double started_unix;
};

G_DEFINE_FINAL_TYPE (RndimgMetrics, rndimg_metrics, G_TYPE_OBJECT)

static void
reading_free (Reading *reading)
{
  g_free (reading->name);
  g_free (reading->type);
  g_free (reading->help);
  g_free (reading);
}

static void
rndimg_metrics_finalize (GObject *object)
{
  RndimgMetrics *self = RNDIMG_METRICS (object);

  g_hash_table_unref (self->requests);
  g_hash_table_unref (self->executors);
  g_hash_table_unref (self->uploads);
  g_hash_table_unref (self->writes);
  g_hash_table_unref (self->published);
  g_ptr_array_unref (self->readings);
  G_OBJECT_CLASS (rndimg_metrics_parent_class)->finalize (object);
}

static void
rndimg_metrics_class_init (RndimgMetricsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_metrics_finalize;
}

static GHashTable *
counter_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
rndimg_metrics_init (RndimgMetrics *self)
{
  self->requests = counter_table ();
  self->executors = counter_table ();
  self->uploads = counter_table ();
  self->writes = counter_table ();
  self->published = counter_table ();
  self->request_duration.bounds = request_buckets;
  self->request_duration.n_bounds = G_N_ELEMENTS (request_buckets);
  self->fan_out_duration.bounds = fan_out_buckets;
  self->fan_out_duration.n_bounds = G_N_ELEMENTS (fan_out_buckets);
  self->render_duration.bounds = render_buckets;
  self->render_duration.n_bounds = G_N_ELEMENTS (render_buckets);
  self->readings = g_ptr_array_new_with_free_func ((GDestroyNotify) reading_free);
  self->started_unix = (double) g_get_real_time () / G_USEC_PER_SEC;
}

RndimgMetrics *
rndimg_metrics_new (void)
{
  return g_object_new (RNDIMG_TYPE_METRICS, NULL);
}

/* Adds a metric whose one value @read returns at each scrape. @type is
 * "gauge" or "counter". */
void
rndimg_metrics_add_reading (RndimgMetrics *self, const char *name, const char *type, const char *help,
                            RndimgMetricsReadFunc read, gpointer user_data)
{
  Reading *reading = g_new0 (Reading, 1);

  reading->name = g_strdup (name);
  reading->type = g_strdup (type);
  reading->help = g_strdup (help);
  reading->read = read;
  reading->user_data = user_data;
  g_ptr_array_add (self->readings, reading);
}

static void
count (GHashTable *table, const char *key)
{
  guint64 *value = g_hash_table_lookup (table, key);

  if (value == NULL)
    {
      value = g_new0 (guint64, 1);
      g_hash_table_insert (table, g_strdup (key), value);
    }
  (*value)++;
}

static void
observe (Histogram *histogram, double value)
{
  gsize bucket = 0;

  while (bucket < histogram->n_bounds && value > histogram->bounds[bucket])
    bucket++;
  histogram->counts[bucket]++;
  histogram->sum += value;
  histogram->count++;
}

void
rndimg_metrics_request_started (RndimgMetrics *self)
{
  self->open_connections++;
}

/* Writes "route\tmethod\tstatus" in @buffer without a printf (it runs at
 * every request); FALSE if it does not fit. */
static gboolean
request_key (char *buffer, gsize size, const char *route, const char *method, guint status)
{
  char digits[16];
  gsize n = 0;
  char *end;

  do
    digits[n++] = (char) ('0' + status % 10);
  while ((status /= 10) > 0);
  if (g_strlcpy (buffer, route, size) >= size || g_strlcat (buffer, "\t", size) >= size ||
      g_strlcat (buffer, method, size) >= size || g_strlcat (buffer, "\t", size) + n >= size)
    return FALSE;
  end = buffer + strlen (buffer);
  while (n > 0)
    *end++ = digits[--n];
  *end = '\0';
  return TRUE;
}

/* @route is the route's pattern (few distinct values), never the raw
 * path; @executor, who read and answered it: "hot" or "libsoup". */
void
rndimg_metrics_request_finished (RndimgMetrics *self, const char *route, const char *method,
                                 guint status, guint64 bytes_sent, double seconds, const char *executor)
{
  char buffer[256];
  g_autofree char *long_key = NULL;

  self->open_connections--;
  if (request_key (buffer, sizeof buffer, route, method, status))
    count (self->requests, buffer);
  else
    {
      long_key = g_strdup_printf ("%s\t%s\t%u", route, method, status);
      count (self->requests, long_key);
    }
  observe (&self->request_duration, seconds);
  self->bytes_sent += bytes_sent;
  count (self->executors, executor);
}

void
rndimg_metrics_count_upload (RndimgMetrics *self, const char *result)
{
  count (self->uploads, result);
}

/* A write (@action: "delete", "edit", ...) was answered @status. */
void
rndimg_metrics_count_write (RndimgMetrics *self, const char *action, guint status)
{
  g_autofree char *key = g_strdup_printf ("%s\t%u", action, status);

  count (self->writes, key);
}

void
rndimg_metrics_count_publish (RndimgMetrics *self, const char *source, double fan_out_seconds)
{
  count (self->published, source);
  observe (&self->fan_out_duration, fan_out_seconds);
}

/* A picture variant was rendered in @seconds. */
void
rndimg_metrics_observe_render (RndimgMetrics *self, double seconds)
{
  observe (&self->render_duration, seconds);
}

static void
render_header (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
render_value (GString *out, const char *name, const char *labels, double value)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  /* Counts exactly; sums and times to nine significant digits. */
  g_ascii_formatd (number, sizeof number, value == (double) (gint64) value ? "%.0f" : "%.9g", value);
  g_string_append_printf (out, "%s%s %s\n", name, labels, number);
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* One sample per key of @table; @label names the key's one label. */
/* Each key of @table holds the values of @labels (NULL-terminated)
 * separated by tabs. */
static void
render_counters (GString *out, const char *name, const char *help, GHashTable *table, const char *const *labels)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (table, NULL);
  guint n = g_hash_table_size (table);

  render_header (out, name, "counter", help);
  qsort (keys, n, sizeof *keys, (int (*) (const void *, const void *)) compare_keys);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) values = g_strsplit (keys[i], "\t", g_strv_length ((char **) labels));
      g_autoptr(GString) text = g_string_new ("{");

      for (guint j = 0; labels[j] != NULL && values[j] != NULL; j++)
        g_string_append_printf (text, "%s%s=\"%s\"", j > 0 ? "," : "", labels[j], values[j]);
      g_string_append_c (text, '}');
      render_value (out, name, text->str, (double) *(guint64 *) g_hash_table_lookup (table, keys[i]));
    }
}

static void
render_histogram (GString *out, const char *name, const char *help, const Histogram *histogram)
{
  g_autofree char *bucket_name = g_strconcat (name, "_bucket", NULL);
  g_autofree char *sum_name = g_strconcat (name, "_sum", NULL);
  g_autofree char *count_name = g_strconcat (name, "_count", NULL);
  guint64 cumulative = 0;

  render_header (out, name, "histogram", help);
  for (gsize i = 0; i < histogram->n_bounds; i++)
    {
      char bound[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *labels = NULL;

      cumulative += histogram->counts[i];
      g_ascii_formatd (bound, sizeof bound, "%g", histogram->bounds[i]);
      labels = g_strdup_printf ("{le=\"%s\"}", bound);
      render_value (out, bucket_name, labels, (double) cumulative);
    }
  render_value (out, bucket_name, "{le=\"+Inf\"}", (double) histogram->count);
  render_value (out, sum_name, "", histogram->sum);
  render_value (out, count_name, "", (double) histogram->count);
}

static double
resident_memory_bytes (void)
{
  unsigned long pages = 0, resident = 0;
  FILE *statm = fopen ("/proc/self/statm", "r");

  if (statm == NULL)
    return 0;
  if (fscanf (statm, "%lu %lu", &pages, &resident) != 2)
    resident = 0;
  fclose (statm);
  return (double) resident * (double) sysconf (_SC_PAGESIZE);
}

/* RssAnon of /proc/self/status, in bytes. */
static double
anonymous_memory_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;
  guint64 kib = 0;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nRssAnon:")) == NULL)
    return 0;
  kib = g_ascii_strtoull (line + strlen ("\nRssAnon:"), NULL, 10);
  return (double) kib * 1024;
}

static double
open_fds (void)
{
  DIR *folder = opendir ("/proc/self/fd");
  double total = 0;

  if (folder == NULL)
    return 0;
  while (readdir (folder) != NULL)
    total++;
  closedir (folder);
  return total - 3;   /* ".", ".." and the folder's own descriptor */
}

static double
max_fds (void)
{
  struct rlimit limit;

  return getrlimit (RLIMIT_NOFILE, &limit) == 0 ? (double) limit.rlim_cur : 0;
}

static void
render_process (GString *out, double started_unix)
{
  render_header (out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  render_value (out, "process_resident_memory_bytes", "", resident_memory_bytes ());
  render_header (out, "process_resident_anonymous_memory_bytes", "gauge",
                 "The server's own resident memory (heap, stacks) in bytes: RSS without the pages of "
                 "shared libraries it has touched.");
  render_value (out, "process_resident_anonymous_memory_bytes", "", anonymous_memory_bytes ());
  render_header (out, "process_open_fds", "gauge", "Number of open file descriptors.");
  render_value (out, "process_open_fds", "", open_fds ());
  render_header (out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
  render_value (out, "process_max_fds", "", max_fds ());
  render_header (out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  render_value (out, "process_start_time_seconds", "", started_unix);
}

/* The whole exposition, as served with Content-Type
 * text/plain; version=0.0.4. */
char *
rndimg_metrics_render (RndimgMetrics *self)
{
  static const char *const request_labels[] = { "route", "method", "status", NULL };
  static const char *const source_labels[] = { "source", NULL };
  static const char *const result_labels[] = { "result", NULL };
  static const char *const write_labels[] = { "action", "status", NULL };
  static const char *const executor_labels[] = { "executor", NULL };
  GString *out = g_string_new (NULL);

  render_counters (out, "rndimg_http_requests_total", "HTTP requests answered, by route, method and status.",
                   self->requests, request_labels);
  render_histogram (out, "rndimg_http_request_duration_seconds",
                    "Time from the request's start to its last byte sent (held long-polls and streams included).",
                    &self->request_duration);
  render_counters (out, "rndimg_http_requests_by_executor_total",
                   "HTTP requests answered, by who read and answered them: the hot path, or libsoup.",
                   self->executors, executor_labels);
  render_header (out, "rndimg_http_response_bytes_total", "counter", "Bytes of response bodies sent.");
  render_value (out, "rndimg_http_response_bytes_total", "", (double) self->bytes_sent);
  render_header (out, "rndimg_open_connections", "gauge",
                 "Connections with a request under way (one request per connection).");
  render_value (out, "rndimg_open_connections", "", (double) self->open_connections);
  render_counters (out, "rndimg_events_published_total", "Events published, by source.",
                   self->published, source_labels);
  render_histogram (out, "rndimg_fan_out_duration_seconds",
                    "Time from a publish until the last long-poll and stream was written.",
                    &self->fan_out_duration);
  render_counters (out, "rndimg_uploads_total", "Uploads, by result (accepted or the reason for refusal).",
                   self->uploads, result_labels);
  render_counters (out, "rndimg_audited_writes_total",
                   "Writes the audit log recorded (publish, upload, delete, edit, move, albums), by action and status.",
                   self->writes, write_labels);
  render_histogram (out, "rndimg_variant_render_seconds",
                    "Time a picture variant's render took on its worker (decode, resize, encode).",
                    &self->render_duration);
  for (guint i = 0; i < self->readings->len; i++)
    {
      Reading *reading = g_ptr_array_index (self->readings, i);

      render_header (out, reading->name, reading->type, reading->help);
      render_value (out, reading->name, "", reading->read (reading->user_data));
    }
  render_process (out, self->started_unix);
  return g_string_free (out, FALSE);
}
