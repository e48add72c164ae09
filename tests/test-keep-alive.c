/* SPDX-License-Identifier: MIT */
/* Keep-alive on a real rndimg-server, spoken over a plain socket so the
 * test sees the connection itself: several requests on one connection,
 * pipelined requests, long-polls (answered by the server itself, then the
 * connection handed back to libsoup) among them, and a client that closes
 * an idle connection leaves no socket behind on the server (libsoup 3.2
 * alone would leave it in CLOSE_WAIT for good). */
#include "rndimg-test-util.h"

#include <string.h>

#define API RNDIMG_API_PREFIX

typedef struct {
  TestServer *server;
  GSocketConnection *connection;
  GDataInputStream *input;
  SoupSession *session;       /* another connection, to publish and read stats */
} Fixture;

/* A new raw connection to the server, in place of the fixture's. */
static void
connect_raw (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->input);
  g_clear_object (&fixture->connection);
  fixture->connection = g_socket_client_connect_to_uri (client, fixture->server->url, 0, NULL, &error);
  g_assert_no_error (error);
  fixture->input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (fixture->connection)));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->server = test_server_start ("--interval=0", NULL);
  connect_raw (fixture);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->input);
  g_clear_object (&fixture->connection);
  test_server_stop (fixture->server);
}

static void
send_text (Fixture *fixture, const char *text)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (fixture->connection));

  g_output_stream_write_all (output, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

static char *
get_request (const char *path)
{
  return g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
}

/* Reads one answer: its status, whether it says "Connection: close", and
 * exactly Content-Length bytes of body, so the next answer can follow. */
static guint read_answer_dated (Fixture *fixture, gboolean *closes, GBytes **body, char **date);

static guint
read_answer (Fixture *fixture, gboolean *closes, GBytes **body)
{
  return read_answer_dated (fixture, closes, body, NULL);
}

/* The same, and the answer's Date in @date (NULL: not wanted). */
static guint
read_answer_dated (Fixture *fixture, gboolean *closes, GBytes **body, char **date)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status_line = g_data_input_stream_read_line (fixture->input, NULL, NULL, &error);
  gsize length = 0;
  guint status;

  g_assert_no_error (error);
  g_assert_nonnull (status_line);
  g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 "));
  status = (guint) g_ascii_strtoull (status_line + 9, NULL, 10);
  *closes = FALSE;
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (fixture->input, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_strchomp (line);
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        length = (gsize) g_ascii_strtoull (line + 15, NULL, 10);
      if (g_ascii_strcasecmp (line, "Connection: close") == 0)
        *closes = TRUE;
      if (date != NULL && g_ascii_strncasecmp (line, "Date: ", 6) == 0)
        *date = g_strdup (line + 6);
    }
  {
    g_autofree guint8 *data = g_malloc (length + 1);
    gsize got = 0;

    g_input_stream_read_all (G_INPUT_STREAM (fixture->input), data, length, &got, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (got, ==, length);
    *body = g_bytes_new (data, length);
  }
  return status;
}

static void
assert_kept_alive_answer (Fixture *fixture, guint expected_status)
{
  g_autoptr(GBytes) body = NULL;
  gboolean closes;
  guint status = read_answer (fixture, &closes, &body);

  g_assert_cmpuint (status, ==, expected_status);
  g_assert_false (closes);   /* the connection stays open for the next request */
}

static void
test_many_requests_one_connection (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { API "/rndimg", "/static/img/01.png", API "/images", API "/stats", "/",
                          API "/rndimg" };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *request = get_request (paths[i]);

      send_text (fixture, request);
      assert_kept_alive_answer (fixture, 200);
    }
  /* Errors keep the connection too. */
  {
    g_autofree char *request = get_request (API "/nope");

    send_text (fixture, request);
    assert_kept_alive_answer (fixture, 404);
  }
}

static void
test_pipelined (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = get_request (API "/rndimg");
  g_autofree char *second = get_request (API "/stats");
  g_autofree char *both = g_strconcat (first, second, NULL);

  send_text (fixture, both);
  assert_kept_alive_answer (fixture, 200);
  assert_kept_alive_answer (fixture, 200);
}

static gboolean
one_poll_held (gpointer user_data)
{
  Fixture *fixture = user_data;

  return test_server_stat (fixture->server, fixture->session, "waiting_polls") == 1;
}

/* Publishes once the long-poll sent on the test's connection is held. */
static gint64
publish_when_held (Fixture *fixture)
{
  g_autoptr(JsonObject) event = NULL;

  g_assert_true (test_wait_until (one_poll_held, fixture, 3000));
  event = test_publish (fixture->server, fixture->session, "01.png");
  return json_object_get_int_member (event, "id");
}

static gint64
poll_requests_counted (Fixture *fixture, const char *status)
{
  g_autofree char *url = test_server_url (fixture->server, "/metrics");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (fixture->session, msg, NULL, NULL);
  g_autofree char *series = g_strdup_printf ("rndimg_http_requests_total{route=\"" API "/rndimg/poll\","
                                             "method=\"GET\",status=\"%s\"} ", status);
  const char *found = body != NULL ? g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), series) : NULL;

  return found != NULL ? g_ascii_strtoll (found + strlen (series), NULL, 10) : 0;
}

/* A long-poll is answered by the server itself, not libsoup: its timeout
 * (204), then events, then a plain request, all on one connection, and
 * each long-poll counted in the metrics like any request. */
static void
test_long_polls_one_connection (Fixture *fixture, gconstpointer data)
{
  g_autofree char *timing_out = get_request (API "/rndimg/poll?timeout=1");
  g_autofree char *plain = get_request (API "/rndimg");
  gint64 since = 0;

  send_text (fixture, timing_out);
  assert_kept_alive_answer (fixture, 204);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf (API "/rndimg/poll?since=%" G_GINT64_FORMAT "&timeout=10", since);
      g_autofree char *request = get_request (path);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      gboolean closes;
      gint64 published;

      send_text (fixture, request);
      published = publish_when_held (fixture);
      g_assert_cmpuint (read_answer (fixture, &closes, &body), ==, 200);
      g_assert_false (closes);
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                                 (gssize) g_bytes_get_size (body), NULL));
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "id"),
                       ==, published);
      since = published;
    }
  send_text (fixture, plain);
  assert_kept_alive_answer (fixture, 200);
  g_assert_cmpint (poll_requests_counted (fixture, "200"), ==, 3);
  g_assert_cmpint (poll_requests_counted (fixture, "204"), ==, 1);
}

/* A request pipelined behind a held long-poll waits its turn: answered
 * after the long-poll, on the same connection. */
static void
test_pipelined_behind_long_poll (Fixture *fixture, gconstpointer data)
{
  g_autofree char *poll = get_request (API "/rndimg/poll?timeout=10");
  g_autofree char *stats = get_request (API "/stats");
  g_autofree char *both = g_strconcat (poll, stats, NULL);
  g_autoptr(GBytes) body = NULL;
  gboolean closes;

  send_text (fixture, both);
  publish_when_held (fixture);
  assert_kept_alive_answer (fixture, 200);
  g_assert_cmpuint (read_answer (fixture, &closes, &body), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), "\"waiting_polls\""));
}

/* HTTP/1.0 without keep-alive: the long-poll's answer closes the connection. */
static void
test_long_poll_http_1_0 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status_line = NULL;
  g_autofree char *rest = NULL;
  gsize length;

  send_text (fixture, "GET " API "/rndimg/poll?timeout=1 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  status_line = g_data_input_stream_read_line (fixture->input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status_line, ==, "HTTP/1.0 204 No Content\r");
  rest = g_data_input_stream_read_upto (fixture->input, "", 0, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (rest, "Connection: close\r\n"));
  /* Then the end of the stream: the server closed. */
  g_assert_null (g_data_input_stream_read_line (fixture->input, NULL, NULL, &error));
  g_assert_no_error (error);
}

typedef struct {
  TestServer *server;
  guint fds;
} FdWait;

static gboolean
nothing_left (gpointer user_data)
{
  FdWait *wait = user_data;
  guint close_wait = test_server_close_wait_count (wait->server);
  guint established = test_server_socket_count (wait->server, "01");
  guint fds = test_server_fd_count (wait->server);

  g_test_message ("server: %u CLOSE_WAIT, %u ESTABLISHED, %u descriptors (want 0, 0, <= %u)",
                  close_wait, established, fds, wait->fds);
  return close_wait == 0 && established == 0 && fds <= wait->fds;
}

/* The client closes its idle keep-alive connection: the server closes its
 * end at once, and holds no more descriptors than before the connection. */
static void
test_idle_closed_by_client (Fixture *fixture, gconstpointer data)
{
  g_autofree char *request = get_request (API "/rndimg");
  g_autoptr(SoupSession) probe = soup_session_new ();
  FdWait wait = { fixture->server, 0 };

  /* The placeholders' worker loads the render module (and with it
   * libvips' descriptors) at a moment of its own: before the count, on a
   * connection made after it (the first one may have timed out idle). */
  test_server_wait_for_placeholders (fixture->server, probe, 60000);
  soup_session_abort (probe);
  connect_raw (fixture);
  send_text (fixture, request);
  assert_kept_alive_answer (fixture, 200);
  wait.fds = test_server_fd_count (fixture->server) - 1;   /* all but this connection */
  g_assert_cmpuint (test_server_socket_count (fixture->server, "01"), ==, 1);

  g_io_stream_close (G_IO_STREAM (fixture->connection), NULL, NULL);
  g_assert_true (test_wait_until (nothing_left, &wait, 3000));
}

/* The answer's Date on a kept connection (the hot path prepares the next
 * answer's headers when one is out) is its own second's, not that of
 * the answer before. */
static gint64
answer_date (Fixture *fixture)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *date = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  gboolean closes;

  send_text (fixture, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  g_assert_cmpuint (read_answer_dated (fixture, &closes, &body, &date), ==, 200);
  g_assert_nonnull (date);
  parsed = soup_date_time_new_from_http_string (date);
  g_assert_nonnull (parsed);
  return g_date_time_to_unix (parsed);
}

static void
test_date_of_each_answer (Fixture *fixture, gconstpointer data)
{
  gint64 first = answer_date (fixture);
  gint64 second;

  g_usleep (1500 * 1000);
  second = answer_date (fixture);
  g_assert_cmpint (second, >=, first + 1);
  g_assert_cmpint (ABS (second - g_get_real_time () / G_USEC_PER_SEC), <=, 1);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/keep-alive/many-requests-one-connection", test_many_requests_one_connection);
  ADD ("/keep-alive/pipelined", test_pipelined);
  ADD ("/keep-alive/idle-closed-by-client", test_idle_closed_by_client);
  ADD ("/keep-alive/long-polls-one-connection", test_long_polls_one_connection);
  ADD ("/keep-alive/pipelined-behind-long-poll", test_pipelined_behind_long_poll);
  ADD ("/keep-alive/long-poll-http-1.0", test_long_poll_http_1_0);
  ADD ("/keep-alive/date-of-each-answer", test_date_of_each_answer);

  test_add_answers_described ();
  return g_test_run ();
}
