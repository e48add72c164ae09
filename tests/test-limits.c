/* SPDX-License-Identifier: MIT */
/* Limits on a real server, over plain sockets: a body announced larger
 * than the limit is answered 413 from the headers alone, before a byte of
 * it is sent; a chunked body is cut off at the limit with a 413; clients
 * announcing huge bodies do not grow the server's memory; headers sent
 * too slowly and idle keep-alive connections are closed, held long-polls
 * and streams are not; one address holds a bounded number of connections. */
#include "raw-http.h"

#include <string.h>

#define API RNDIMG_API_PREFIX

static char *
announce (const char *path, const char *length, const char *more_headers)
{
  return g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/octet-stream\r\n"
                          "Content-Length: %s\r\n%s\r\n", path, length, more_headers);
}

static void
assert_refused_before_body (TestServer *server, const char *path, const char *length)
{
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *request = announce (path, length, "");
  g_autofree char *answer = NULL;
  g_autofree char *closes = NULL;

  g_assert_true (raw_send_text (connection, request));
  /* Not a byte of the body is sent: the answer must come anyway. */
  answer = raw_read_answer (connection, 3000);
  g_assert_nonnull (answer);
  raw_assert_json_error (answer, 413, 413);
  closes = raw_answer_header (answer, "Connection");
  g_assert_cmpstr (closes, ==, "close");
  g_assert_true (raw_wait_closed (connection, 5000));
}

static void
test_announced_upload_refused_from_headers (void)
{
  TestServer *server = test_server_start ("--interval=0", "--max-upload=100000", NULL);

  assert_refused_before_body (server, API "/images", "50000000");
  assert_refused_before_body (server, API "/publish", "100000");
  assert_refused_before_body (server, "/", "1000000000");
  test_server_stop (server);
}

/* The size is checked before the token: a token does not shield the
 * server's memory, and the client learns the real reason. */
static void
test_announced_upload_refused_before_token (void)
{
  const char *env[] = { "RNDIMG_TOKEN", "sesame", NULL };
  const char *args[] = { "--interval=0", "--max-upload=100000", NULL };
  TestServer *server = test_server_start_full (args, env);

  assert_refused_before_body (server, API "/images", "50000000");
  test_server_stop (server);
}

static void
test_chunked_body_cut_off_with_413 (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *chunk = g_strnfill (0x4000, 'a');
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, "POST " API "/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  /* 64 KiB is the limit for /publish: 5 chunks of 16 KiB pass it. The
   * server may stop reading before the last ones are sent. */
  for (int i = 0; i < 8; i++)
    if (!raw_send_text (connection, "4000\r\n") || !raw_send_text (connection, chunk) ||
        !raw_send_text (connection, "\r\n"))
      break;
  answer = raw_read_answer (connection, 3000);
  g_assert_nonnull (answer);
  raw_assert_json_error (answer, 413, 413);
  g_assert_true (raw_wait_closed (connection, 5000));
  test_server_stop (server);
}

/* 20 clients each announce 1 GB and send 2 MB of it: the server's memory
 * stays within a few MB of idle, since nothing of those bodies is kept
 * (measured on the server without sanitizers, whose RSS says so). */
static void
test_huge_announcements_keep_memory_flat (void)
{
  const char *args[] = { "--interval=0", NULL };
  TestServer *server = test_server_start_plain (args);
  g_autofree char *request = announce (API "/images", "1000000000", "");
  g_autofree char *block = g_malloc0 (64 * 1024);
  RawConnection *clients[20];
  gsize idle_kib, busy_kib;

  test_run_for (300);
  idle_kib = raw_server_rss_kib (server);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *answer = NULL;

      clients[i] = raw_connect (server);
      g_assert_true (raw_send_text (clients[i], request));
      answer = raw_read_answer (clients[i], 3000);
      g_assert_cmpuint (raw_answer_status (answer), ==, 413);
    }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    for (guint sent = 0; sent < 32 && raw_send (clients[i], block, 64 * 1024); sent++)
      ;
  busy_kib = raw_server_rss_kib (server);
  g_test_message ("server RSS idle %" G_GSIZE_FORMAT " KiB, with 20 huge announcements %" G_GSIZE_FORMAT " KiB",
                  idle_kib, busy_kib);
  g_assert_cmpuint (busy_kib, <, idle_kib + 8 * 1024);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    raw_connection_free (clients[i]);
  test_server_stop (server);
}

/* A request line or header block over 64 KiB is answered 414 or 431
 * with the JSON error before the close, not reset; one just under the
 * limit is served. */
static void
test_oversized_heads_answered (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  g_autofree char *long_target = g_strnfill (70000, 'a');
  g_autofree char *long_header = g_strnfill (4000, 'b');
  g_autofree char *target_just_under = g_strnfill (65000, 'a');
  g_autoptr(GString) many_headers = g_string_new (NULL);
  struct { const char *name; char *request; guint status; } cases[] = {
    { "long request line", g_strdup_printf ("GET " API "/rndimg?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", long_target), 414 },
    { "long request line, POST", g_strdup_printf ("POST " API "/publish?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", long_target), 414 },
    { "many headers", NULL, 431 },
    { "one long header", g_strdup_printf ("GET " API "/rndimg HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: %s%s\r\n\r\n",
                                          long_target, long_header), 431 },
    { "just under the limit", g_strdup_printf ("GET " API "/rndimg?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                               target_just_under), 200 },
  };

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (many_headers, "X-Pad-%u: %s\r\n", i, long_header);
  cases[2].request = g_strdup_printf ("GET " API "/rndimg HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", many_headers->str);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RawConnection) connection = raw_connect (server);
      g_autofree char *answer = NULL;

      g_assert_true (raw_send_text (connection, cases[i].request));
      answer = raw_read_answer (connection, 3000);
      g_test_message ("%s: %s", cases[i].name, answer != NULL ? answer : "(no answer)");
      if (cases[i].status == 200)
        g_assert_cmpuint (raw_answer_status (answer), ==, 200);
      else
        {
          raw_assert_json_error (answer, cases[i].status, cases[i].status);
          g_assert_true (raw_wait_closed (connection, 5000));
        }
      g_free (cases[i].request);
    }
  test_server_stop (server);
}

static char *
get_request (const char *path)
{
  return g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
}

/* A client trickling its request's headers is closed after --header-timeout. */
static void
test_slow_headers_cut (void)
{
  TestServer *server = test_server_start ("--interval=0", "--header-timeout=1", NULL);
  g_autoptr(RawConnection) trickler = raw_connect (server);
  g_autoptr(RawConnection) silent = raw_connect (server);
  const char *header = "GET " API "/rndimg HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaa";
  gint64 start = g_get_monotonic_time ();
  gboolean cut = FALSE;

  g_assert_true (raw_send (silent, "G", 1));
  for (const char *p = header; *p != '\0' && !cut; p++)
    {
      cut = !raw_send (trickler, p, 1) || raw_wait_closed (trickler, 200);
    }
  g_assert_true (cut || raw_wait_closed (trickler, 3000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_true (raw_wait_closed (silent, 3000));
  test_server_stop (server);
}

/* A keep-alive connection without a request is closed after --idle-timeout. */
static void
test_idle_keep_alive_closed (void)
{
  TestServer *server = test_server_start ("--interval=0", "--idle-timeout=1", NULL);
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *request = get_request (API "/rndimg");
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, request));
  answer = raw_read_answer (connection, 3000);
  g_assert_cmpuint (raw_answer_status (answer), ==, 200);
  g_assert_true (raw_wait_closed (connection, 4000));
  test_server_stop (server);
}

/* Held requests are not idle: a long-poll and an event stream outlive both timeouts. */
static void
test_held_requests_not_cut (void)
{
  TestServer *server = test_server_start ("--interval=0", "--header-timeout=1", "--idle-timeout=1", NULL);
  g_autoptr(RawConnection) poll = raw_connect (server);
  g_autoptr(RawConnection) stream = raw_connect (server);
  g_autofree char *poll_request = get_request (API "/rndimg/poll?timeout=4");
  g_autofree char *stream_request = get_request (API "/events");
  g_autofree char *poll_answer = NULL;
  g_autofree char *stream_start = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonObject) published = NULL;
  g_autofree char *event = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (raw_send_text (poll, poll_request));
  g_assert_true (raw_send_text (stream, stream_request));
  stream_start = raw_read_answer (stream, 2000);
  g_assert_cmpuint (raw_answer_status (stream_start), ==, 200);
  poll_answer = raw_read_answer (poll, 8000);
  /* Held to its own timeout (4 s), then answered 204. */
  g_assert_cmpuint (raw_answer_status (poll_answer), ==, 204);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3 * G_USEC_PER_SEC);
  published = test_publish (server, session, "02.png");
  event = raw_read_answer (stream, 3000);
  g_assert_nonnull (event);
  g_assert_nonnull (strstr (event, "02.png"));
  test_server_stop (server);
}

/* Beyond --max-connections-per-address, 503 JSON; a closed one frees its place. */
static void
test_connections_per_address (void)
{
  TestServer *server = test_server_start ("--interval=0", "--max-connections-per-address=3", NULL);
  RawConnection *held[3];
  g_autoptr(RawConnection) extra = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *request = get_request (API "/rndimg");
  gboolean admitted = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = raw_connect (server);
  test_run_for (200);
  extra = raw_connect (server);
  refused = raw_read_answer (extra, 3000);
  raw_assert_json_error (refused, 503, 503);
  g_assert_true (raw_wait_closed (extra, 3000));

  raw_connection_free (held[0]);
  for (guint attempt = 0; attempt < 30 && !admitted; attempt++)
    {
      g_autoptr(RawConnection) again = raw_connect (server);
      g_autofree char *answer = NULL;

      raw_send_text (again, request);
      answer = raw_read_answer (again, 2000);
      admitted = raw_answer_status (answer) == 200;
      if (!admitted)
        test_run_for (200);
    }
  g_assert_true (admitted);
  raw_connection_free (held[1]);
  raw_connection_free (held[2]);
  test_server_stop (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limits/announced-body-refused-from-headers", test_announced_upload_refused_from_headers);
  g_test_add_func ("/limits/announced-body-refused-before-token", test_announced_upload_refused_before_token);
  g_test_add_func ("/limits/chunked-body-cut-off-with-413", test_chunked_body_cut_off_with_413);
  g_test_add_func ("/limits/huge-announcements-keep-memory-flat", test_huge_announcements_keep_memory_flat);
  g_test_add_func ("/limits/oversized-heads-answered", test_oversized_heads_answered);
  g_test_add_func ("/limits/slow-headers-cut", test_slow_headers_cut);
  g_test_add_func ("/limits/idle-keep-alive-closed", test_idle_keep_alive_closed);
  g_test_add_func ("/limits/held-requests-not-cut", test_held_requests_not_cut);
  g_test_add_func ("/limits/connections-per-address", test_connections_per_address);
  test_add_answers_described ();
  return g_test_run ();
}
