/* SPDX-License-Identifier: MIT */
/* What an operator relies on: --version and the exit codes, /healthz and
 * /readyz, /metrics in the Prometheus text format (checked line by line
 * by a strict parser) and --no-metrics, and SIGHUP reloading the token
 * file and the image folder. */
#include "rndimg-test-util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define API RNDIMG_API_PREFIX

/* ---- running the program to its end ---- */

typedef struct {
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the server with @args (NULL-terminated) until it exits by itself. */
static void
run_server (Run *run, const char *first_arg, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) test_server_binary ());
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

static void
test_version (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *soup = g_strdup_printf ("\nlibsoup %u.%u.%u\n", soup_get_major_version (),
                                           soup_get_minor_version (), soup_get_micro_version ());
  g_autofree char *glib = g_strdup_printf ("\nGLib %u.%u.%u\n", glib_major_version,
                                           glib_minor_version, glib_micro_version);

  run_server (&run, "--version", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "rndimg-server " EXPECTED_VERSION "\n"));
  g_assert_nonnull (strstr (run.out, soup));
  g_assert_nonnull (strstr (run.out, glib));
}

static void
test_exit_codes_usage (void)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) address = { 0 };
  g_auto(Run) port = { 0 };
  g_auto(Run) extra = { 0 };

  run_server (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--version"));
  run_server (&unknown, "--no-such-flag", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "--no-such-flag"));
  run_server (&address, "--port=0", "--address=1.2.3.999", NULL);
  g_assert_cmpint (address.status, ==, 2);
  g_assert_nonnull (strstr (address.err, "1.2.3.999 is not an IPv4 or IPv6 address"));
  run_server (&port, "--port=abc", NULL);
  g_assert_cmpint (port.status, ==, 2);
  run_server (&extra, "--port=0", "stray", NULL);
  g_assert_cmpint (extra.status, ==, 2);
  g_assert_nonnull (strstr (extra.err, "unexpected argument stray"));
}

static void
test_exit_codes_runtime (void)
{
  g_autoptr(GSocketListener) holder = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *port_arg = NULL;
  g_auto(Run) busy = { 0 };
  g_auto(Run) missing = { 0 };
  g_auto(Run) token = { 0 };
  guint16 port = g_socket_listener_add_any_inet_port (holder, NULL, &error);

  g_assert_no_error (error);
  port_arg = g_strdup_printf ("--port=%u", port);
  run_server (&busy, port_arg, "--address=0.0.0.0", NULL);
  g_assert_cmpint (busy.status, ==, 1);
  g_assert_nonnull (strstr (busy.err, "already in use"));
  run_server (&missing, "--port=0", "--images=/nonexistent/rndimg", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "/nonexistent/rndimg"));
  /* An unreadable token file is a bad option, found before anything starts. */
  run_server (&token, "--port=0", "--token-file=/nonexistent/token", NULL);
  g_assert_cmpint (token.status, ==, 2);
}

/* ---- a running server ---- */

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  const char *const *extra = data;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  fixture->folder = test_make_image_folder (3);
  g_ptr_array_add (args, g_strconcat ("--images=", fixture->folder, NULL));
  g_ptr_array_add (args, g_strdup ("--interval=0"));
  for (; extra != NULL && *extra != NULL; extra++)
    g_ptr_array_add (args, g_strdup (*extra));
  g_ptr_array_add (args, NULL);
  fixture->server = test_server_start_argv ((const char *const *) args->pdata);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_server_stop (fixture->server);
  g_object_unref (fixture->session);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

static void
get (Fixture *fixture, const char *path, TestResponse *response)
{
  g_autofree char *url = test_server_url (fixture->server, path);

  test_get (fixture->session, url, response);
}

static void
test_healthz (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) response = { 0 };
  JsonObject *json;

  get (fixture, "/healthz", &response);
  test_assert_status (&response, 200);
  json = test_response_json (&response);
  g_assert_cmpstr (json_object_get_string_member (json, "status"), ==, "success");
  g_assert_cmpstr (json_object_get_string_member (json, "message"), ==, "alive");
  json_object_unref (json);
}

typedef struct {
  Fixture *fixture;
  const char *name;
  gint64 value;
} StatWait;

static gboolean
stat_reaches (gpointer data)
{
  StatWait *wait = data;

  return test_server_stat (wait->fixture->server, wait->fixture->session, wait->name) == wait->value;
}

static void
test_readyz (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) ready = { 0 };
  g_auto(TestResponse) not_ready = { 0 };
  StatWait wait = { fixture, "images", 0 };

  get (fixture, "/readyz", &ready);
  test_assert_status (&ready, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (ready.body, NULL), "ready: 3 images"));

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("0%u.png", i);
      g_autofree char *path = g_build_filename (fixture->folder, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_true (test_wait_until (stat_reaches, &wait, 5000));
  get (fixture, "/readyz", &not_ready);
  test_assert_json_error (&not_ready, 503);
}

/* ---- the Prometheus text format, version 0.0.4 ---- */

typedef struct {
  GHashTable *samples;   /* "name{labels}" -> double * */
  GHashTable *types;     /* family -> type */
} Exposition;

static void
exposition_clear (Exposition *exposition)
{
  g_clear_pointer (&exposition->samples, g_hash_table_unref);
  g_clear_pointer (&exposition->types, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exposition, exposition_clear)

#define NAME "[a-zA-Z_:][a-zA-Z0-9_:]*"
#define LABEL "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
#define VALUE "(?:[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN)"

/* The family a sample belongs to: histograms add _bucket, _sum, _count. */
static const char *
family_of (Exposition *exposition, const char *sample_name, char **owned)
{
  static const char *const suffixes[] = { "_bucket", "_sum", "_count" };

  if (g_hash_table_contains (exposition->types, sample_name))
    return sample_name;
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (sample_name, suffixes[i]))
      {
        *owned = g_strndup (sample_name, strlen (sample_name) - strlen (suffixes[i]));
        if (g_strcmp0 (g_hash_table_lookup (exposition->types, *owned), "histogram") == 0)
          return *owned;
        g_clear_pointer (owned, g_free);
      }
  return NULL;
}

static void
parse_comment (Exposition *exposition, const char *line)
{
  g_auto(GStrv) parts = g_strsplit (line, " ", 4);

  g_assert_cmpuint (g_strv_length (parts), >=, 3);
  g_assert_true (g_regex_match_simple ("^" NAME "$", parts[2], 0, 0));
  if (g_str_equal (parts[1], "TYPE"))
    {
      g_assert_true (g_regex_match_simple ("^(counter|gauge|histogram|summary|untyped)$", parts[3], 0, 0));
      g_assert_false (g_hash_table_contains (exposition->types, parts[2]));   /* once per family */
      if (g_str_equal (parts[3], "counter"))
        g_assert_true (g_str_has_suffix (parts[2], "_total"));
      g_hash_table_insert (exposition->types, g_strdup (parts[2]), g_strdup (parts[3]));
    }
  else
    g_assert_cmpstr (parts[1], ==, "HELP");
}

static void
parse_sample (Exposition *exposition, const char *line)
{
  g_autoptr(GRegex) sample = g_regex_new ("^(" NAME ")(\\{(?:" LABEL "(?:," LABEL ")*)?\\})? (" VALUE ")$",
                                          0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *name = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *value = NULL;
  g_autofree char *owned = NULL;
  double *number = g_new (double, 1);

  if (!g_regex_match (sample, line, 0, &match))
    g_error ("not a sample line of the text format: \"%s\"", line);
  name = g_match_info_fetch (match, 1);
  labels = g_match_info_fetch (match, 2);
  value = g_match_info_fetch (match, 3);
  if (family_of (exposition, name, &owned) == NULL)
    g_error ("sample %s comes before (or without) its # TYPE line", name);
  *number = g_ascii_strtod (value, NULL);
  g_hash_table_insert (exposition->samples, g_strconcat (name, labels, NULL), number);
}

static void
parse_exposition (Exposition *exposition, const char *text)
{
  g_auto(GStrv) lines = NULL;

  exposition->samples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  exposition->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  for (gsize i = 0; lines[i + 1] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "#"))
        parse_comment (exposition, lines[i]);
      else
        parse_sample (exposition, lines[i]);
    }
}

/* Missing samples read as 0: a counter not yet counted has no line. */
static double
sample (Exposition *exposition, const char *key)
{
  double *value = g_hash_table_lookup (exposition->samples, key);

  return value != NULL ? *value : 0;
}

static void
scrape (Fixture *fixture, Exposition *exposition)
{
  g_auto(TestResponse) response = { 0 };
  g_autofree char *text = NULL;

  get (fixture, "/metrics", &response);
  test_assert_status (&response, 200);
  g_assert_cmpstr (test_response_header (&response, "Content-Type"), ==,
                   "text/plain; version=0.0.4; charset=utf-8");
  text = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  parse_exposition (exposition, text);
}

static void
assert_histogram (Exposition *exposition, const char *family)
{
  g_autofree char *count_key = g_strconcat (family, "_count", NULL);
  g_autofree char *inf_key = g_strconcat (family, "_bucket{le=\"+Inf\"}", NULL);
  GHashTableIter iter;
  gpointer key, value;
  double previous = 0;
  g_autofree char *prefix = g_strconcat (family, "_bucket{le=\"", NULL);

  g_assert_cmpstr (g_hash_table_lookup (exposition->types, family), ==, "histogram");
  g_assert_cmpfloat (sample (exposition, inf_key), ==, sample (exposition, count_key));
  /* Buckets are cumulative: a larger bound never counts fewer. */
  g_hash_table_iter_init (&iter, exposition->samples);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, prefix) && !g_str_equal (key, inf_key))
      {
        g_assert_cmpfloat (*(double *) value, <=, sample (exposition, inf_key));
        previous = MAX (previous, *(double *) value);
      }
  g_assert_cmpfloat (previous, <=, sample (exposition, inf_key));
}

static void
test_metrics_format (Fixture *fixture, gconstpointer data)
{
  static const char *const families[] = {
    "rndimg_http_requests_total", "rndimg_http_request_duration_seconds", "rndimg_http_response_bytes_total",
    "rndimg_open_connections", "rndimg_long_polls_held", "rndimg_event_streams_open",
    "rndimg_events_published_total", "rndimg_fan_out_duration_seconds", "rndimg_slow_readers_dropped_total",
    "rndimg_batched_sends_total",
    "rndimg_uploads_total", "process_resident_memory_bytes", "process_open_fds",
  };
  g_auto(TestResponse) warm_up = { 0 };
  g_auto(Exposition) exposition = { 0 };
  g_autoptr(JsonObject) event = NULL;

  get (fixture, API "/rndimg", &warm_up);
  event = test_publish (fixture->server, fixture->session, NULL);
  scrape (fixture, &exposition);
  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (!g_hash_table_contains (exposition.types, families[i]))
      g_error ("/metrics has no # TYPE line for %s", families[i]);
  assert_histogram (&exposition, "rndimg_http_request_duration_seconds");
  assert_histogram (&exposition, "rndimg_fan_out_duration_seconds");
  g_assert_cmpfloat (sample (&exposition, "rndimg_fan_out_duration_seconds_count"), ==, 1);
  g_assert_cmpfloat (sample (&exposition, "process_resident_memory_bytes"), >, 1e6);
  g_assert_cmpfloat (sample (&exposition, "process_open_fds"), >=, 3);
  g_assert_cmpfloat (sample (&exposition, "rndimg_http_response_bytes_total"), >, 0);
}

#define REQUESTS(route, status) \
  "rndimg_http_requests_total{route=\"" route "\",method=\"GET\",status=\"" status "\"}"

static void
upload_text (Fixture *fixture)
{
  g_autofree char *url = test_server_url (fixture->server, API "/images");
  g_autoptr(GBytes) text = g_bytes_new_static ("not a picture", 13);
  g_auto(TestResponse) response = { 0 };

  test_post (fixture->session, url, text, "image/png", &response);
  test_assert_status (&response, 415);
}

static void
test_metrics_count (Fixture *fixture, gconstpointer data)
{
  g_auto(Exposition) before = { 0 };
  g_auto(Exposition) after = { 0 };
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) second = { 0 };
  g_auto(TestResponse) missing = { 0 };
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *poll_url = test_server_url (fixture->server, API "/rndimg/poll?timeout=30");
  g_autoptr(TestPending) held = NULL;
  StatWait one_held = { fixture, "waiting_polls", 1 };

  scrape (fixture, &before);
  g_assert_cmpfloat (sample (&before, REQUESTS ("/healthz", "200")), ==, 0);
  g_assert_cmpfloat (sample (&before, "rndimg_long_polls_held"), ==, 0);

  get (fixture, "/healthz", &first);
  get (fixture, "/healthz", &second);
  get (fixture, "/static/img/nope.png", &missing);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *method = g_strdup_printf ("INVENTED%u", i);
      g_autofree char *url = test_server_url (fixture->server, "/healthz");
      g_auto(TestResponse) invented = { 0 };

      test_send (fixture->session, method, url, &invented);
      test_assert_status (&invented, 405);
    }
  upload_text (fixture);
  held = test_request_async (fixture->session, "GET", poll_url, NULL);
  g_assert_true (test_wait_until (stat_reaches, &one_held, 5000));

  scrape (fixture, &after);
  g_assert_cmpfloat (sample (&after, REQUESTS ("/healthz", "200")), ==, 2);
  g_assert_cmpfloat (sample (&after, REQUESTS ("/static/img/", "404")), ==, 1);
  /* Any method a client invents is counted as "other", not as a new series. */
  g_assert_cmpfloat (sample (&after, "rndimg_http_requests_total{route=\"/healthz\",method=\"other\",status=\"405\"}"), ==, 3);
  g_assert_cmpfloat (sample (&after, "rndimg_uploads_total{result=\"not_an_image\"}"), ==, 1);
  g_assert_cmpfloat (sample (&after, "rndimg_long_polls_held"), ==, 1);
  g_assert_cmpfloat (sample (&after, "rndimg_open_connections"), >=, 2);  /* the poll and the scrape */
  g_assert_cmpfloat (sample (&after, "rndimg_events_published_total{source=\"api\"}"), ==, 0);

  event = test_publish (fixture->server, fixture->session, NULL);
  g_assert_true (test_wait_until (test_pending_is_done, held, 5000));
  exposition_clear (&after);
  scrape (fixture, &after);
  g_assert_cmpfloat (sample (&after, "rndimg_events_published_total{source=\"api\"}"), ==, 1);
  g_assert_cmpfloat (sample (&after, "rndimg_long_polls_held"), ==, 0);
  g_assert_cmpfloat (sample (&after, "rndimg_http_request_duration_seconds_count"), >,
                     sample (&before, "rndimg_http_request_duration_seconds_count") + 4);
}

static void
test_metrics_off (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) response = { 0 };

  get (fixture, "/metrics", &response);
  test_assert_json_error (&response, 404);
}

/* ---- SIGHUP ---- */

static guint
publish_status (Fixture *fixture, const char *token)
{
  g_autofree char *url = test_server_url (fixture->server, API "/publish");
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", authorization, NULL };
  g_auto(TestResponse) response = { 0 };

  test_send_with_headers (fixture->session, "POST", url, headers, &response);
  return response.status;
}

typedef struct {
  Fixture *fixture;
  const char *token;
  guint status;
} PublishWait;

static gboolean
publish_gets (gpointer data)
{
  PublishWait *wait = data;

  return publish_status (wait->fixture, wait->token) == wait->status;
}

static void
hang_up (Fixture *fixture)
{
  g_subprocess_send_signal (fixture->server->process, SIGHUP);
}

static void
test_reload_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token_file = g_build_filename (g_get_tmp_dir (), "rndimg-ops-token-XXXXXX", NULL);
  g_autofree char *token_arg = NULL;
  const char *extra[] = { NULL, NULL };
  Fixture fixture = { 0 };
  PublishWait wait = { &fixture, "second-token", 201 };
  int fd = g_mkstemp (token_file);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_file_set_contents (token_file, "first-token\n", -1, &error);
  g_assert_no_error (error);
  token_arg = g_strconcat ("--token-file=", token_file, NULL);
  extra[0] = token_arg;
  fixture_set_up (&fixture, extra);

  g_assert_cmpuint (publish_status (&fixture, "first-token"), ==, 201);
  g_file_set_contents (token_file, "second-token\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (publish_status (&fixture, "second-token"), ==, 401);   /* not before the reload */
  hang_up (&fixture);
  g_assert_true (test_wait_until (publish_gets, &wait, 5000));
  g_assert_cmpuint (publish_status (&fixture, "first-token"), ==, 401);

  /* A token file that became unreadable keeps the last good token. */
  g_assert_cmpint (g_remove (token_file), ==, 0);
  hang_up (&fixture);
  g_usleep (300 * 1000);
  g_assert_cmpuint (publish_status (&fixture, "second-token"), ==, 201);
  fixture_tear_down (&fixture, NULL);
}

/* A picture written through a descriptor still open has had no "changes
 * done" yet, so the folder watch leaves it out (GLib only guesses it done
 * after 2 s of quiet); a reload lists it at once. */
static void
test_reload_rescans (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = test_source_image ("010.png");
  g_autofree char *target = g_build_filename (fixture->folder, "new.png", NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(GError) error = NULL;
  StatWait wait = { fixture, "images", 4 };
  gsize length;
  int fd;

  g_file_get_contents (source, &bytes, &length, &error);
  g_assert_no_error (error);
  fd = open (target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, bytes, length), ==, (gssize) length);
  g_usleep (300 * 1000);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 3);

  hang_up (fixture);
  g_assert_true (test_wait_until (stat_reaches, &wait, 1000));
  close (fd);
}

static const char *const no_metrics[] = { "--no-metrics", NULL };

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ops/version", test_version);
  g_test_add_func ("/ops/exit-codes/usage", test_exit_codes_usage);
  g_test_add_func ("/ops/exit-codes/runtime", test_exit_codes_runtime);
  ADD ("/ops/healthz", test_healthz, NULL);
  ADD ("/ops/readyz", test_readyz, NULL);
  ADD ("/ops/metrics/format", test_metrics_format, NULL);
  ADD ("/ops/metrics/count", test_metrics_count, NULL);
  ADD ("/ops/metrics/off", test_metrics_off, no_metrics);
  g_test_add_func ("/ops/reload/token", test_reload_token);
  ADD ("/ops/reload/rescans", test_reload_rescans, NULL);

  test_add_answers_described ();
  return g_test_run ();
}
