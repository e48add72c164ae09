/* SPDX-License-Identifier: MIT */
/* Memory stays flat under requests libsoup refuses by itself, or that the
 * gate (server/http/rndimg-gate.c) refuses in its place, each with a
 * 60,000-byte target: libsoup 3.2 kept the whole target of each unknown
 * Transfer-Encoding or non-numeric Content-Length (about 60 KB a request,
 * for ever). Two measures, because one build cannot give both honestly:
 * - the server's RSS (/proc/PID/status) around thousands of requests of
 *   each kind, on the server built without sanitizers
 *   (RNDIMG_SERVER_PLAIN): ASan's allocator quarantines freed blocks and
 *   pads every one, so its RSS would say nothing;
 * - the test build's server (with ASan and LeakSanitizer in the test
 *   configuration) after the same kinds must exit 0: a leak report at
 *   exit fails it. */
#include "raw-http.h"

#include <string.h>
#include <sys/socket.h>

#define API RNDIMG_API_PREFIX
#define TARGET_BYTES 60000
#define ALLOWED_GROWTH_KIB 1024

typedef struct {
  const char *name;
  const char *request;        /* each @T@ stands for a TARGET_BYTES string */
  guint min_status, max_status;
  gboolean half_close;        /* the client ends its side after sending */
  guint count;                /* requests in the RSS loop */
} Attack;

static const Attack attacks[] = {
  /* The two kinds libsoup 3.2 leaked on. */
  { "unknown transfer coding", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Transfer-Encoding: xchunked\r\n\r\n", 501, 501, FALSE, 3000 },
  { "Content-Length not a number", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Length: abc\r\n\r\n", 400, 400, FALSE, 3000 },
  /* The same path, reached otherwise. */
  { "transfer coding list", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Transfer-Encoding: gzip, chunked\r\n\r\n", 501, 501, FALSE, 1000 },
  { "chunked then unknown coding", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n", 501, 501, FALSE, 1000 },
  { "Content-Length then not a number", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Length: 2\r\nContent-Length: 2x\r\n\r\n", 400, 400, FALSE, 1000 },
  /* Every other framing or head libsoup (or the gate) refuses. */
  { "two Content-Lengths", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, 400, FALSE, 1000 },
  { "chunked and Content-Length", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400, 400, FALSE, 1000 },
  { "bad Host", "GET " API "/rndimg?@T@ HTTP/1.1\r\nHost: localhost#\r\n\r\n", 400, 400, FALSE, 1000 },
  { "no Host", "GET " API "/rndimg?@T@ HTTP/1.1\r\n\r\n", 400, 400, FALSE, 1000 },
  { "HTTP/2.0 in text", "GET " API "/rndimg?@T@ HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505, 505, FALSE, 1000 },
  { "unknown expectation", "POST " API "/publish?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Expect: 200-ok\r\nContent-Length: 2\r\n\r\n{}", 417, 417, FALSE, 1000 },
  { "bad escape in the path", "GET /%zz?@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, 404, FALSE, 1000 },
  { "no version", "GET " API "/rndimg?@T@\r\n\r\n", 400, 400, FALSE, 1000 },
  { "request line over 64 KiB", "GET " API "/rndimg?@T@@T@ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, 414, FALSE, 1000 },
  { "headers over 64 KiB", "GET " API "/rndimg HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: @T@\r\nX-B: @T@\r\n\r\n",
    431, 431, FALSE, 1000 },
  { "cut off", "GET " API "/rndimg?@T@ HTTP/1.1\r\nHo", 400, 400, TRUE, 1000 },
};

static char *
attack_request (const Attack *attack)
{
  g_autofree char *target = g_strnfill (TARGET_BYTES, 'a');

  g_auto(GStrv) parts = g_strsplit (attack->request, "@T@", -1);

  return g_strjoinv (target, parts);
}

static void
send_attack (TestServer *server, const Attack *attack, const char *request)
{
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, request));
  if (attack->half_close)
    shutdown (connection->fd, SHUT_WR);
  answer = raw_read_answer (connection, 5000);
  if (answer == NULL || raw_answer_status (answer) < attack->min_status ||
      raw_answer_status (answer) > attack->max_status)
    g_test_message ("%s: %.200s", attack->name, answer != NULL ? answer : "(no answer)");
  raw_assert_json_error (answer, attack->min_status, attack->max_status);
}

/* The placeholders' worker decodes every picture once after a start,
 * with libvips: its memory is not what the requests cost, so it is done
 * before the "before". */
static void
wait_for_placeholders (TestServer *server)
{
  g_autoptr(SoupSession) session = soup_session_new ();

  test_server_wait_for_placeholders (server, session, 60000);
}

static gsize
settled_rss_kib (TestServer *server)
{
  test_run_for (300);
  return raw_server_rss_kib (server);
}

/* Each kind, repeated, on the server without sanitizers: its RSS after is
 * within 1 MB of before (after a warm-up, so caches that fill once are in
 * the "before"). */
static void
test_rss_flat (gconstpointer data)
{
  const Attack *attack = data;
  const char *args[] = { "--interval=0", NULL };
  g_autofree char *request = attack_request (attack);
  TestServer *server = test_server_start_plain (args);
  gsize before, after;

  wait_for_placeholders (server);
  for (guint i = 0; i < 100; i++)
    send_attack (server, attack, request);
  before = settled_rss_kib (server);
  for (guint i = 0; i < attack->count; i++)
    send_attack (server, attack, request);
  after = settled_rss_kib (server);
  g_test_message ("%s: RSS %" G_GSIZE_FORMAT " KiB before %u requests, %" G_GSIZE_FORMAT " KiB after (%+"
                  G_GSSIZE_FORMAT " KiB)", attack->name, before, attack->count, after,
                  (gssize) after - (gssize) before);
  g_assert_cmpint ((gssize) after - (gssize) before, <, ALLOWED_GROWTH_KIB);
  test_server_stop (server);
}

/* Every kind on the test build's server, then it must exit 0: with
 * LeakSanitizer on (the test configuration), a leak fails the stop. */
static void
test_clean_exit_after_all (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autofree char *request = attack_request (&attacks[i]);

      for (guint n = 0; n < 100; n++)
        send_attack (server, &attacks[i], request);
    }
  test_server_stop (server);
}

/* One keep-alive request, answered, then the client closes while the
 * connection idles (what curl, a browser leaving, or any client pool
 * does). */
static void
request_then_close (TestServer *server)
{
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  answer = raw_read_answer (connection, 5000);
  g_assert_cmpuint (raw_answer_status (answer), ==, 200);
}

/* libsoup 3.2 kept every keep-alive connection its client closed between
 * requests (about 2.8 KB each, until the server stopped): 5000 such
 * connections must leave the RSS flat (issue 33, point 4). */
static void
test_rss_flat_keep_alive_closed_by_client (void)
{
  const char *args[] = { "--interval=0", NULL };
  TestServer *server = test_server_start_plain (args);
  gsize before, after;

  wait_for_placeholders (server);
  for (guint i = 0; i < 500; i++)
    request_then_close (server);
  before = settled_rss_kib (server);
  for (guint i = 0; i < 5000; i++)
    request_then_close (server);
  after = settled_rss_kib (server);
  g_test_message ("keep-alive closed by the client: RSS %" G_GSIZE_FORMAT " KiB before 5000 connections, %"
                  G_GSIZE_FORMAT " KiB after (%+" G_GSSIZE_FORMAT " KiB)", before, after,
                  (gssize) after - (gssize) before);
  g_assert_cmpint ((gssize) after - (gssize) before, <, ALLOWED_GROWTH_KIB);
  test_server_stop (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/memory/rss-flat/%s", attacks[i].name);

      g_strdelimit (path + strlen ("/memory/rss-flat/"), " /", '-');
      g_test_add_data_func (path, &attacks[i], test_rss_flat);
    }
  g_test_add_func ("/memory/rss-flat/keep-alive-closed-by-client", test_rss_flat_keep_alive_closed_by_client);
  g_test_add_func ("/memory/clean-exit-after-all", test_clean_exit_after_all);
  return g_test_run ();
}
