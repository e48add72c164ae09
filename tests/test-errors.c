/* SPDX-License-Identifier: MIT */
/* Requests libsoup answers (or would answer) by itself, sent over plain
 * sockets: a malformed request line, an unsupported HTTP version, bad
 * percent-encoding and bytes that are not UTF-8 in the path, a missing or
 * bad Host, bad or conflicting framing, chunk framing libsoup would read
 * another way, a header with a NUL, a cut-off request. Each gets a 4xx/5xx status with the JSON error body (valid
 * UTF-8) and CORS, at once; the server logs no critical (the tests run
 * with G_DEBUG=fatal-criticals) and exits cleanly (no leak). */
#include "raw-http.h"

#include <string.h>
#include <sys/socket.h>

#define API RNDIMG_API_PREFIX
#define HOST "Host: 127.0.0.1\r\n"
#define PUBLISH "POST " API "/publish HTTP/1.1\r\n" HOST
#define CHUNKED PUBLISH "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
/* 130 bytes: with "2;" the size line is over libsoup's 128. */
#define LONG_EXTENSION "a=0123456789012345678901234567890123456789012345678901234567890123456789" \
                       "012345678901234567890123456789012345678901234567890123456789"

typedef struct {
  const char *name;
  const char *request;
  guint min_status, max_status;
  gboolean half_close;       /* the client ends its side after sending */
} BadRequest;

static const BadRequest bad_requests[] = {
  { "request line", "GARBAGE\r\n\r\n", 400, 400, FALSE },
  { "no version", "GET /\r\n\r\n", 400, 400, FALSE },
  { "HTTP/2.0 in text", "GET / HTTP/2.0\r\n" HOST "\r\n", 505, 505, FALSE },
  { "HTTP/9.9", "GET / HTTP/9.9\r\n" HOST "\r\n", 505, 505, FALSE },
  { "bad percent", "GET /%zz HTTP/1.1\r\n" HOST "\r\n", 400, 404, FALSE },
  { "escaped bytes not UTF-8", "GET /%ff%fe%c0 HTTP/1.1\r\n" HOST "\r\n", 400, 404, FALSE },
  { "raw bytes not UTF-8", "GET /\xff\xfe\xc0 HTTP/1.1\r\n" HOST "\r\n", 400, 404, FALSE },
  { "escaped dot dot", "GET /static/img/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" HOST "\r\n", 400, 404, FALSE },
  { "no Host", "GET / HTTP/1.1\r\n\r\n", 400, 400, FALSE },
  { "Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, 400, FALSE },
  { "Host with a quote", "GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n", 400, 400, FALSE },
  { "NUL in a header", "GET / HTTP/1.1\r\n" HOST "X-A: a\\0b\r\n\r\n", 400, 400, FALSE },
  { "chunked and Content-Length", PUBLISH "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400, 400, FALSE },
  { "negative Content-Length", PUBLISH "Content-Length: -5\r\n\r\n", 400, 400, FALSE },
  { "absurd Content-Length", PUBLISH "Content-Length: 99999999999999999999999\r\n\r\n", 400, 413, FALSE },
  { "two Content-Lengths", PUBLISH "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, 400, FALSE },
  { "unknown expectation", PUBLISH "Expect: 200-ok\r\nContent-Length: 2\r\n\r\n{}", 417, 417, FALSE },
  { "unknown transfer coding", PUBLISH "Transfer-Encoding: xchunked\r\n\r\n", 501, 501, FALSE },
  { "transfer coding list", PUBLISH "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, 501, FALSE },
  { "chunked then unknown coding", PUBLISH "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n", 501, 501, FALSE },
  { "Content-Length not a number", PUBLISH "Content-Length: abc\r\n\r\n", 400, 400, FALSE },
  { "Content-Length then not a number", PUBLISH "Content-Length: 2\r\nContent-Length: 2x\r\n\r\n{}", 400, 400, FALSE },
  { "same Content-Length twice", PUBLISH "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400, 400, FALSE },
  { "Content-Length with a plus", PUBLISH "Content-Length: +2\r\n\r\n{}", 400, 400, FALSE },
  { "fragment in the target", "GET " API "/rndimg#/x HTTP/1.1\r\n" HOST "\r\n", 400, 400, FALSE },
  { "absolute target with a bad host", "GET http://localhost#" API "/rndimg HTTP/1.1\r\n" HOST "\r\n", 400, 400, FALSE },
  { "absolute target with a user", "GET http://u@localhost" API "/rndimg HTTP/1.1\r\n" HOST "\r\n", 400, 400, FALSE },
  { "target neither path nor URL", "GET rndimg HTTP/1.1\r\n" HOST "\r\n", 400, 400, FALSE },
  { "unknown method", "BREW / HTTP/1.1\r\n" HOST "\r\n", 405, 405, FALSE },
  { "OPTIONS star", "OPTIONS * HTTP/1.1\r\n" HOST "\r\n", 400, 404, FALSE },
  { "cut off", "GET / HTTP/1.1\r\nHo", 400, 400, TRUE },
  /* Chunk framing libsoup would read otherwise, or not as we do. */
  { "chunk size not hex", CHUNKED "zz\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "chunk size 0x", CHUNKED "0x2\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "chunk size with a sign", CHUNKED "+2\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "chunk size after a blank", CHUNKED " 2\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "chunk size of 16 digits", CHUNKED "0000000000000002\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "chunk longer than its size", CHUNKED "1\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "chunk shorter than its size", CHUNKED "5\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
  { "trailer fields", CHUNKED "2\r\n{}\r\n0\r\nX-After: 1\r\n\r\n", 400, 400, FALSE },
  { "chunk size line over 127 bytes", CHUNKED "2;" LONG_EXTENSION "\r\n{}\r\n0\r\n\r\n", 400, 400, FALSE },
};

/* The body libsoup answered these with before the gate took them: the
 * same status and body now. */
static void
test_gate_answers_as_libsoup (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  const char *requests[] = { PUBLISH "Transfer-Encoding: xchunked\r\n\r\n", PUBLISH "Content-Length: abc\r\n\r\n" };
  const guint statuses[] = { 501, 400 };

  for (gsize i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(RawConnection) connection = raw_connect (server);
      g_autofree char *answer = NULL;

      g_assert_true (raw_send_text (connection, requests[i]));
      answer = raw_read_answer (connection, 3000);
      raw_assert_json_error (answer, statuses[i], statuses[i]);
      g_assert_cmpstr (raw_answer_body (answer), ==,
                       "{\"status\":\"error\",\"message\":\"the request is malformed or not supported "
                       "(HTTP/1.1 with a Host, one framing, no unknown transfer coding, headers under 64 KiB)\"}");
      g_assert_true (raw_wait_closed (connection, 3000));
    }
  test_server_stop (server);
}

/* Every request on a kept-alive connection is looked at, not only the
 * first: a good one answered, then a bad one refused, sent one by one and
 * pipelined in one write. */
static void
test_gate_keep_alive (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  const char *good = "GET " API "/rndimg HTTP/1.1\r\n" HOST "\r\n";
  const char *bad = PUBLISH "Transfer-Encoding: xchunked\r\n\r\n";
  g_autoptr(RawConnection) one_by_one = raw_connect (server);
  g_autoptr(RawConnection) pipelined = raw_connect (server);
  g_autofree char *both = g_strconcat (good, good, bad, NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *answers = NULL;
  g_autoptr(GString) all = NULL;
  const char *third;

  g_assert_true (raw_send_text (one_by_one, good));
  first = raw_read_answer (one_by_one, 3000);
  g_assert_cmpuint (raw_answer_status (first), ==, 200);
  g_assert_true (raw_send_text (one_by_one, bad));
  second = raw_read_answer (one_by_one, 3000);
  raw_assert_json_error (second, 501, 501);

  g_assert_true (raw_send_text (pipelined, both));
  all = g_string_new (NULL);
  while ((answers = raw_read_answer (pipelined, 3000)) != NULL)
    {
      g_string_append (all, answers);
      g_clear_pointer (&answers, g_free);
    }
  g_test_message ("pipelined: %s", all->str);
  g_assert_true (g_str_has_prefix (all->str, "HTTP/1.1 200 "));
  third = strstr (strstr (all->str + 1, "HTTP/1.1 200 ") + 1, "HTTP/1.1 ");
  g_assert_nonnull (third);
  raw_assert_json_error (third, 501, 501);
  test_server_stop (server);
}

/* A chunked body the gate follows: extensions and bare LFs read, the
 * connection kept alive, the request after it answered; a chunked
 * request whose framing breaks is refused and nothing after it is read
 * as a request (no smuggling). */
static void
test_chunked_keeps_alive (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  const char *next = "GET " API "/rndimg HTTP/1.1\r\n" HOST "\r\n";
  const char *bodies[] = { "2\r\n{}\r\n0\r\n\r\n", "1;ext=\"a b\"\r\n{\r\n1 ;x\r\n}\r\n0\r\n\r\n",
                           "2\n{}\n0\n\n", "2\r\n{}\r\n0;last\r\n\r\n" };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(RawConnection) connection = raw_connect (server);
      g_autofree char *request = g_strconcat (CHUNKED, bodies[i], NULL);
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;

      g_assert_true (raw_send_text (connection, request));
      first = raw_read_answer (connection, 3000);
      g_test_message ("body %" G_GSIZE_FORMAT ": %s", i, first != NULL ? first : "(no answer)");
      g_assert_cmpuint (raw_answer_status (first), ==, 201);
      g_assert_null (strstr (first, "Connection: close"));
      g_assert_true (raw_send_text (connection, next));
      second = raw_read_answer (connection, 3000);
      g_assert_nonnull (second);
      g_assert_cmpuint (raw_answer_status (second), ==, 200);
    }
  test_server_stop (server);
}

static void
test_chunked_smuggling_refused (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  g_autoptr(RawConnection) connection = raw_connect (server);
  /* libsoup alone reads "zz" as 0: the last chunk, and the bytes after
   * it as the next request. */
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, CHUNKED "zz\r\n\r\nGET " API "/rndimg HTTP/1.1\r\n" HOST "\r\n"));
  answer = raw_read_answer (connection, 3000);
  raw_assert_json_error (answer, 400, 400);
  g_assert_nonnull (strstr (raw_answer_body (answer), "chunk size"));
  g_assert_null (strstr (answer, "\"success\""));
  g_assert_true (raw_wait_closed (connection, 3000));
  test_server_stop (server);
}

static void
test_bad_request (gconstpointer data)
{
  const BadRequest *bad = data;
  TestServer *server = test_server_start ("--interval=0", NULL);
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *request = g_strdup (bad->request);
  g_autofree char *answer = NULL;
  char *nul = strstr (request, "\\0");
  gsize length = strlen (request);

  /* "\\0" in the table stands for a real NUL byte. */
  if (nul != NULL)
    {
      memmove (nul + 1, nul + 2, strlen (nul + 2) + 1);
      *nul = '\0';
      length--;
    }
  g_assert_true (raw_send (connection, request, length));
  if (bad->half_close)
    shutdown (connection->fd, SHUT_WR);
  answer = raw_read_answer (connection, 3000);
  g_test_message ("%s: %s", bad->name, answer != NULL ? answer : "(no answer)");
  raw_assert_json_error (answer, bad->min_status, bad->max_status);
  test_server_stop (server);
}

/* A JSON error quoting the path stays valid UTF-8 whatever bytes it held. */
static void
test_error_body_is_utf8 (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, "GET /polling/\xc3\x28%ff\xed\xa0\x80 HTTP/1.1\r\n" HOST "\r\n"));
  answer = raw_read_answer (connection, 3000);
  raw_assert_json_error (answer, 404, 404);
  test_server_stop (server);
}

/* Forms cut off inside a part or mid-boundary: libsoup's multipart
 * parser reads up to the NUL the server's flattened body ends with, never
 * past it (ASan would stop the server), and the answer is a clear 400. */
static void
test_multipart_cut_off (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  const char *bodies[] = {
    "--bound\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n\x89PNG",
    "--bound\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc\r\n--bou",
    "--bound\r\nContent-Disp",
    "--bo",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(RawConnection) connection = raw_connect (server);
      g_autofree char *request = g_strdup_printf ("POST " API "/images HTTP/1.1\r\n" HOST
                                                  "Content-Type: multipart/form-data; boundary=bound\r\n"
                                                  "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s",
                                                  strlen (bodies[i]), bodies[i]);
      g_autofree char *answer = NULL;

      g_assert_true (raw_send_text (connection, request));
      answer = raw_read_answer (connection, 3000);
      raw_assert_json_error (answer, 400, 400);
    }
  test_server_stop (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_requests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/errors/%s", bad_requests[i].name);

      g_strdelimit (path + 8, " /", '-');
      g_test_add_data_func (path, &bad_requests[i], test_bad_request);
    }
  g_test_add_func ("/errors/error-body-is-utf8", test_error_body_is_utf8);
  g_test_add_func ("/errors/gate-answers-as-libsoup", test_gate_answers_as_libsoup);
  g_test_add_func ("/errors/gate-keep-alive", test_gate_keep_alive);
  g_test_add_func ("/errors/chunked-keeps-alive", test_chunked_keeps_alive);
  g_test_add_func ("/errors/chunked-smuggling-refused", test_chunked_smuggling_refused);
  g_test_add_func ("/errors/multipart-cut-off", test_multipart_cut_off);
  test_add_answers_described ();
  return g_test_run ();
}
