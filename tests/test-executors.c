/* SPDX-License-Identifier: MIT */
/* One table of routes, two executors: the same requests sent as the same
 * bytes to a server with the hot path (the default) and to one without
 * it (--no-hot-path: libsoup reads and answers everything) must get the
 * same bytes back, the Date header and what is new at every run (a
 * publish's time and the history's epoch) aside. The cases cover what the
 * hot path answers itself (the API's small answers, pictures, variants,
 * Picsum and dog.ceo, the page's files, publishes, 304s, HEAD, CORS and
 * preflights, 404 and 405, refusals from the head) and what it hands to
 * libsoup on a connection it was reading (Range, HTTP/1.0, chunked
 * bodies, an escaped dot segment). The hot path's metrics say it did
 * answer most of them, and the other server's that it did not. */
#include "raw-http.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define API RNDIMG_API_PREFIX
#define HOST "Host: 127.0.0.1\r\n"
#define CLOSE "Connection: close\r\n"

typedef struct {
  TestServer *hot;
  TestServer *libsoup;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->hot = test_server_start ("--interval", "0", NULL);
  fixture->libsoup = test_server_start ("--interval", "0", "--no-hot-path", NULL);
  fixture->session = soup_session_new ();
  test_server_wait_for_placeholders (fixture->hot, fixture->session, 180000);
  test_server_wait_for_placeholders (fixture->libsoup, fixture->session, 180000);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->session);
  test_server_stop (fixture->hot);
  test_server_stop (fixture->libsoup);
}

/* Everything @server sends back for @request (bytes, sent at once) until
 * it closes the connection, or until it has sent @until (NULL: never),
 * or 10 s pass. */
static GBytes *
exchange_bytes_until (TestServer *server, const char *request, gsize length, const char *until)
{
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_true (raw_send (connection, request, length));
  for (;;)
    {
      struct pollfd ready = { .fd = connection->fd, .events = POLLIN };
      int left_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);
      guint8 buffer[16384];
      ssize_t got;

      if (left_ms <= 0 || poll (&ready, 1, left_ms) <= 0)
        g_error ("the server did not close the connection after: %.*s", (int) MIN (length, 200), request);
      got = recv (connection->fd, buffer, sizeof buffer, 0);
      if (got <= 0)
        break;
      g_byte_array_append (answer, buffer, (guint) got);
      if (until != NULL && g_strstr_len ((const char *) answer->data, answer->len, until) != NULL)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&answer));
}


/* @text with every "@prefix...@end" made "@prefix-": a value new at each
 * run (a date, a time, an epoch). */
static void
blank_values (GString *text, const char *prefix, char end)
{
  gsize at = 0;
  const char *found;

  while ((found = strstr (text->str + at, prefix)) != NULL)
    {
      gsize start = (gsize) (found - text->str) + strlen (prefix);
      const char *stop = strchr (text->str + start, end);
      gsize length = stop != NULL ? (gsize) (stop - (text->str + start)) : 0;

      g_string_erase (text, (gssize) start, (gssize) length);
      g_string_insert (text, (gssize) start, "-");
      at = start + 1;
    }
}

/* What must be equal of an answer: all its bytes, with the Date header,
 * a publish's time and the epoch blanked. Binary bodies go as they are
 * (the prefixes never occur in them by chance in these cases). */
static GString *
comparable (GBytes *answer)
{
  gsize size;
  const char *data = g_bytes_get_data (answer, &size);
  GString *text = g_string_new_len (data, (gssize) size);

  blank_values (text, "Date: ", '\r');
  blank_values (text, "\"published_at\":\"", '"');
  blank_values (text, "\"epoch\":\"", '"');
  return text;
}

/* Where @a and @b part, backed up to the start of that line so that a
 * failure shows the header or body line that differs. */
static gsize
first_difference (const GString *a, const GString *b)
{
  gsize at = 0;

  while (at < a->len && at < b->len && a->str[at] == b->str[at])
    at++;
  while (at > 0 && a->str[at - 1] != '\n')
    at--;
  return at;
}

static void
assert_same_bytes_until (Fixture *fixture, const char *request, const char *until)
{
  g_autoptr(GBytes) from_hot = exchange_bytes_until (fixture->hot, request, strlen (request), until);
  g_autoptr(GBytes) from_libsoup = exchange_bytes_until (fixture->libsoup, request, strlen (request), until);
  g_autoptr(GString) hot = comparable (from_hot);
  g_autoptr(GString) libsoup = comparable (from_libsoup);

  g_assert_cmpuint (hot->len, >, 0);
  if (hot->len != libsoup->len || memcmp (hot->str, libsoup->str, hot->len) != 0)
    {
      gsize from = first_difference (hot, libsoup);

      g_error ("the executors answer differently to:\n%s\n--- hot path (%" G_GSIZE_FORMAT " bytes), from byte %"
               G_GSIZE_FORMAT ":\n%.*s\n--- libsoup (%" G_GSIZE_FORMAT " bytes), from byte %" G_GSIZE_FORMAT ":\n%.*s",
               request, hot->len, from, (int) MIN (hot->len - from, 1500), hot->str + from, libsoup->len, from,
               (int) MIN (libsoup->len - from, 1500), libsoup->str + from);
    }
}

static void
assert_same_bytes (Fixture *fixture, const char *request)
{
  assert_same_bytes_until (fixture, request, NULL);
}

/* Requests the hot path answers itself. */
static const char *const hot_requests[] = {
  "GET " API "/rndimg?seed=executors HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/rndimg?seed=executors&count=3&album=portraits HTTP/1.1\r\nHost: localhost:8080\r\n" CLOSE "\r\n",
  "HEAD " API "/rndimg?seed=executors HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/rndimg?count=0 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/rndimg?album=no-such-album HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/images?limit=3 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/images/023.png HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/albums HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/openapi.json HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /healthz HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /readyz HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /static/img/023.png HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "HEAD /static/img/023.png HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /static/img/023.png HTTP/1.1\r\n" HOST "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n" CLOSE "\r\n",
  "GET /static/img/portraits%2Fportraits-4.jpg HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /static/img/no-such.png HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET / HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /js/app.js HTTP/1.1\r\n" HOST CLOSE "\r\n",
  /* The web folder's prepared encodings, as browsers ask for them. */
  "GET / HTTP/1.1\r\n" HOST "Accept-Encoding: gzip, deflate, br\r\n" CLOSE "\r\n",
  "GET /js/app.js HTTP/1.1\r\n" HOST "Accept-Encoding: gzip\r\n" CLOSE "\r\n",
  "HEAD /js/app.js HTTP/1.1\r\n" HOST "Accept-Encoding: br;q=1, gzip;q=0.5\r\n" CLOSE "\r\n",
  "GET /js/app.js HTTP/1.1\r\n" HOST "Accept-Encoding: identity, *;q=0\r\n" CLOSE "\r\n",
  "GET /img/023.png/200x150.jpg HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /img/023.png/0x0 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /id/023.png/info HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /id/023.png/300/200 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /seed/executors/300/200.webp?grayscale HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /v2/list?page=2&limit=3 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /list HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /id/1/info/ HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /id/1/200/300.jpg?blur HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /id/999999/200 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /api/breeds/list/all HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /api/breeds/list/all/ HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /api/breed/portraits HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /api/breed/no-such/images/random HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /breeds/no-such/x.jpg HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /api/breed/portraits/list HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /api/breed/no-such/images HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /no/such/page HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /polling/no-such HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "DELETE /healthz HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "POST /healthz HTTP/1.1\r\n" HOST "Content-Length: 0\r\n" CLOSE "\r\n",
  "OPTIONS " API "/publish HTTP/1.1\r\n" HOST "Origin: http://127.0.0.1\r\nAccess-Control-Request-Method: POST\r\n" CLOSE "\r\n",
  "OPTIONS " API "/publish HTTP/1.1\r\n" HOST "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n" CLOSE "\r\n",
  "OPTIONS " API "/rndimg HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /healthz HTTP/1.1\r\nHost: rebinding.example\r\n" CLOSE "\r\n",
  "POST " API "/publish HTTP/1.1\r\n" HOST "Content-Type: application/json\r\nContent-Length: 18\r\n" CLOSE "\r\n{\"name\":\"023.png\"}",
  "POST " API "/publish HTTP/1.1\r\n" HOST "Content-Length: 7\r\n" CLOSE "\r\n{\"name\"",
  "POST " API "/publish HTTP/1.1\r\n" HOST "Content-Length: 21\r\n" CLOSE "\r\n{\"name\":\"nothing.png\"}",
  "POST " API "/publish HTTP/1.1\r\n" HOST "Origin: http://evil.example\r\nContent-Length: 2\r\n" CLOSE "\r\n{}",
  "POST " API "/publish HTTP/1.1\r\n" HOST "Content-Length: 99999999\r\n" CLOSE "\r\n",
  "GET " API "/rndimg/poll?timeout=1 HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET " API "/rndimg/poll?since=x HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "HEAD " API "/events HTTP/1.1\r\n" HOST "\r\n",
  "GET " API "/events HTTP/1.1\r\n" HOST "Last-Event-ID: x\r\n" CLOSE "\r\n",
  /* Keep-alive and pipelining: three answers on one connection. */
  "GET /healthz HTTP/1.1\r\n" HOST "\r\nGET /static/img/023.png HTTP/1.1\r\n" HOST "\r\n"
  "GET " API "/rndimg?seed=x HTTP/1.1\r\n" HOST CLOSE "\r\n",
};

/* Requests the hot path hands to libsoup, alone or after one of its own
 * on the same connection. */
static const char *const soup_requests[] = {
  "GET /static/img/023.png HTTP/1.1\r\n" HOST "Range: bytes=0-9\r\n" CLOSE "\r\n",
  "GET /healthz HTTP/1.1\r\n" HOST "\r\nGET /static/img/023.png HTTP/1.1\r\n" HOST "Range: bytes=-5\r\n" CLOSE "\r\n",
  "GET /healthz HTTP/1.0\r\n" HOST "\r\n",
  "GET /healthz HTTP/1.1\r\n" HOST "\r\nGET /readyz HTTP/1.0\r\n" HOST "\r\n",
  "POST " API "/publish HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n" CLOSE "\r\n12\r\n{\"name\":\"023.png\"}\r\n0\r\n\r\n",
  "GET /static/img/%2e%2e/x HTTP/1.1\r\n" HOST CLOSE "\r\n",
  "GET /healthz HTTP/1.1\r\nHost: bad#host\r\n" CLOSE "\r\n",
  "GET /healthz HTTP/1.1\r\n" HOST "Content-Length: 1\r\nContent-Length: 2\r\n" CLOSE "\r\n",
  "GET /healthz HTTP/1.1\n" "Host: 127.0.0.1\n" "Connection: close\n\n",
};

static void
test_hot_answers (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hot_requests); i++)
    assert_same_bytes (fixture, hot_requests[i]);
  /* An event stream's head and first bytes, up to its preamble. */
  assert_same_bytes_until (fixture, "GET " API "/events HTTP/1.1\r\n" HOST "\r\n", "retry: 3000\n\n");
  /* Once rendered (or hashed), the second asks are answered from memory. */
  assert_same_bytes (fixture, "GET /img/023.png/200x150.jpg HTTP/1.1\r\n" HOST CLOSE "\r\n");
}

static void
test_soup_answers (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (soup_requests); i++)
    assert_same_bytes (fixture, soup_requests[i]);
}

/* A canonical variant, as the page asks for it: rendered, then cached. */
static void
test_variant_answers (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->hot, "/img/023.png/120x90.webp");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  const char *location;
  g_autofree char *request = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (fixture->session, msg, NULL, NULL);
  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, fixture->hot->url));
  request = g_strdup_printf ("GET %s HTTP/1.1\r\n" HOST CLOSE "\r\n", location + strlen (fixture->hot->url));
  assert_same_bytes (fixture, request);
  assert_same_bytes (fixture, request);
}

/* rndimg_http_requests_by_executor_total for @executor on @server. */
static gint64
answered_by (Fixture *fixture, TestServer *server, const char *executor)
{
  g_autofree char *url = test_server_url (server, "/metrics");
  g_autofree char *line = g_strdup_printf ("rndimg_http_requests_by_executor_total{executor=\"%s\"} ", executor);
  g_auto(TestResponse) response = { 0 };
  const char *text, *found;

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  text = g_bytes_get_data (response.body, NULL);
  found = g_strstr_len (text, (gssize) g_bytes_get_size (response.body), line);
  return found != NULL ? (gint64) g_ascii_strtoull (found + strlen (line), NULL, 10) : 0;
}

/* The hot path did answer: the comparison is between two executors. */
static void
test_hot_path_answered (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hot_requests); i++)
    assert_same_bytes (fixture, hot_requests[i]);
  g_assert_cmpint (answered_by (fixture, fixture->hot, "hot"), >=, (gint64) G_N_ELEMENTS (hot_requests) - 4);
  g_assert_cmpint (answered_by (fixture, fixture->libsoup, "hot"), ==, 0);
  g_assert_cmpint (answered_by (fixture, fixture->libsoup, "libsoup"), >=, (gint64) G_N_ELEMENTS (hot_requests) - 4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/executors/hot-answers", Fixture, NULL, fixture_set_up, test_hot_answers, fixture_tear_down);
  g_test_add ("/executors/libsoup-answers", Fixture, NULL, fixture_set_up, test_soup_answers, fixture_tear_down);
  g_test_add ("/executors/variants", Fixture, NULL, fixture_set_up, test_variant_answers, fixture_tear_down);
  g_test_add ("/executors/hot-path-answered", Fixture, NULL, fixture_set_up, test_hot_path_answered,
              fixture_tear_down);
  return g_test_run ();
}
