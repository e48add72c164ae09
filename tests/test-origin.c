/* SPDX-License-Identifier: MIT */
/* Who may talk to the server through a browser, on a real server over
 * plain sockets (to send any Host, Origin or Sec-Fetch-Site): DNS
 * rebinding (a foreign Host without a token is 421), cross-site writes
 * (403 whatever the token, CORS for writes only to allowed origins, the
 * preflight), and --public-url for the URLs handed out. */
#include "raw-http.h"

#include <string.h>

#define API RNDIMG_API_PREFIX

/* One request with @headers (each "Name: value\r\n") and @body; the answer. */
static char *
exchange (TestServer *server, const char *method, const char *path, const char *headers, const char *body)
{
  g_autoptr(RawConnection) connection = raw_connect (server);
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host = strstr (headers, "Host:") == NULL
                            ? g_strdup_printf ("Host: 127.0.0.1:%d\r\n", g_uri_get_port (uri)) : g_strdup ("");
  g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.1\r\n%s%sContent-Length: %" G_GSIZE_FORMAT "\r\n"
                                              "Connection: close\r\n\r\n%s",
                                              method, path, host, headers, strlen (body), body);

  g_assert_true (raw_send_text (connection, request));
  return raw_read_answer (connection, 5000);
}

static char *
publish (TestServer *server, const char *headers)
{
  g_autofree char *all = g_strconcat ("Content-Type: text/plain\r\n", headers, NULL);

  return exchange (server, "POST", API "/publish", all, "{}");
}

static void
assert_status (const char *answer, guint status)
{
  g_assert_nonnull (answer);
  g_assert_cmpuint (raw_answer_status (answer), ==, status);
}

static void
test_foreign_host_refused_without_token (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  const char *served[] = { "Host: localhost\r\n", "Host: localhost:5000\r\n", "Host: 127.0.0.1\r\n",
                           "Host: [::1]:8080\r\n", "Host: LOCALHOST\r\n" };
  const char *refused[] = { "Host: evil.example\r\n", "Host: evil.example:5000\r\n",
                            "Host: 127.0.0.1.evil.example\r\n", "Host: localhost.evil.example\r\n",
                            "Host: 10.0.0.1\r\n" };

  for (gsize i = 0; i < G_N_ELEMENTS (served); i++)
    {
      g_autofree char *answer = exchange (server, "GET", API "/rndimg", served[i], "");
      g_test_message ("%s", served[i]);
      assert_status (answer, 200);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *read = exchange (server, "GET", API "/rndimg", refused[i], "");
      g_autofree char *write = publish (server, refused[i]);

      g_test_message ("%s", refused[i]);
      raw_assert_json_error (read, 421, 421);
      raw_assert_json_error (write, 421, 421);
    }
  test_server_stop (server);
}

/* A Host that is not host[:port] is 400 whatever the name, loopback
 * ones included, with or without a token: libsoup glues Host and path
 * into one URL, so "localhost#" made the path a fragment (GET served the
 * page, POST /publish ran as POST /). */
static void
assert_bad_hosts_refused (TestServer *server, const char *token_header)
{
  const char *bad[] = { "localhost#", "localhost#x", "127.0.0.1:5000?a=b", "localhost?", "localhost/x",
                        "user@localhost", "local host", "localhost:", "localhost:99999", "localhost:5x",
                        "localhost:5000:1", "[::1", "[::1]x", "[127.0.0.1]", "[]", "", "a\\b", "localhost%20" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *host = g_strdup_printf ("Host: %s\r\n%s", bad[i], token_header);
      g_autofree char *read = exchange (server, "GET", API "/rndimg", host, "");
      g_autofree char *write = publish (server, host);

      g_test_message ("Host: %s", bad[i]);
      raw_assert_json_error (read, 400, 400);
      raw_assert_json_error (write, 400, 400);
      g_assert_nonnull (strstr (raw_answer_body (read), "Host"));
    }
}

static void
test_malformed_host_refused (void)
{
  const char *env[] = { "RNDIMG_TOKEN", "sesame", NULL };
  const char *args[] = { "--interval=0", NULL };
  TestServer *server = test_server_start ("--interval=0", NULL);
  TestServer *with_token = NULL;

  assert_bad_hosts_refused (server, "");
  test_server_stop (server);
  with_token = test_server_start_full (args, env);
  assert_bad_hosts_refused (with_token, "Authorization: Bearer sesame\r\n");
  test_server_stop (with_token);
}

static void
test_allowed_hosts (void)
{
  TestServer *server = test_server_start ("--interval=0", "--allow-host=pictures.lan", "--allow-host=Other.lan",
                                          "--public-url=https://pictures.example.org", NULL);
  g_autofree char *lan = exchange (server, "GET", API "/rndimg", "Host: pictures.lan:5000\r\n", "");
  g_autofree char *other = exchange (server, "GET", API "/rndimg", "Host: other.lan\r\n", "");
  g_autofree char *public = exchange (server, "GET", API "/rndimg", "Host: pictures.example.org\r\n", "");
  g_autofree char *foreign = exchange (server, "GET", API "/rndimg", "Host: evil.example\r\n", "");

  assert_status (lan, 200);
  assert_status (other, 200);
  assert_status (public, 200);
  raw_assert_json_error (foreign, 421, 421);
  test_server_stop (server);
}

/* With a token, writes need it, so any host may read. */
static void
test_any_host_with_token (void)
{
  const char *env[] = { "RNDIMG_TOKEN", "sesame", NULL };
  const char *args[] = { "--interval=0", NULL };
  TestServer *server = test_server_start_full (args, env);
  g_autofree char *answer = exchange (server, "GET", API "/rndimg", "Host: pictures.example.org\r\n", "");

  assert_status (answer, 200);
  g_assert_nonnull (strstr (raw_answer_body (answer), "http://pictures.example.org/static/img/"));
  test_server_stop (server);
}

static void
test_public_url_builds_urls (void)
{
  TestServer *server = test_server_start ("--interval=0", "--public-url=https://pictures.example.org/", NULL);
  g_autofree char *random = exchange (server, "GET", API "/rndimg", "", "");
  g_autofree char *published = publish (server, "");
  g_autofree char *polled = exchange (server, "GET", API "/rndimg/poll?since=0", "", "");

  assert_status (random, 200);
  g_assert_nonnull (strstr (raw_answer_body (random), "\"https://pictures.example.org/static/img/"));
  assert_status (published, 201);
  assert_status (polled, 200);
  g_assert_nonnull (strstr (raw_answer_body (polled), "\"https://pictures.example.org/static/img/"));
  test_server_stop (server);
}

static void
test_cross_site_writes_refused (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  const char *refused[] = { "Origin: https://evil.example\r\n", "Origin: null\r\n",
                            "Origin: http://127.0.0.1:1\r\n", "Origin: http://localhost.evil.example\r\n",
                            "Sec-Fetch-Site: cross-site\r\n", "Sec-Fetch-Site: same-site\r\n" };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *answer = publish (server, refused[i]);
      g_autofree char *upload = exchange (server, "POST", API "/images", refused[i], "not read");
      g_autofree char *cors = NULL;

      g_test_message ("%s", refused[i]);
      g_assert_nonnull (answer);
      g_assert_cmpuint (raw_answer_status (answer), ==, 403);
      g_assert_nonnull (strstr (raw_answer_body (answer), "\"status\":\"error\""));
      cors = raw_answer_header (answer, "Access-Control-Allow-Origin");
      g_assert_null (cors);
      g_assert_nonnull (upload);
      g_assert_cmpuint (raw_answer_status (upload), ==, 403);
    }
  test_server_stop (server);
}

/* The token does not stand in for the origin check: a page could send
 * neither, but a stored token must not let another site's page write. */
static void
test_cross_site_write_refused_with_token (void)
{
  const char *env[] = { "RNDIMG_TOKEN", "sesame", NULL };
  const char *args[] = { "--interval=0", NULL };
  TestServer *server = test_server_start_full (args, env);
  g_autofree char *answer = publish (server, "Authorization: Bearer sesame\r\nOrigin: https://evil.example\r\n");

  assert_status (answer, 403);
  test_server_stop (server);
}

static void
test_allowed_writes (void)
{
  TestServer *server = test_server_start ("--interval=0", "--allow-origin=https://app.example.org",
                                          "--allow-origin=http://localhost:8000", NULL);
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *own_origin = g_strdup_printf ("Origin: http://127.0.0.1:%d\r\n", g_uri_get_port (uri));
  const char *allowed[] = { own_origin, "Origin: https://app.example.org\r\n", "Origin: http://localhost:8000\r\n",
                            "Sec-Fetch-Site: same-origin\r\n", "Sec-Fetch-Site: none\r\n", "" };

  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autofree char *answer = publish (server, allowed[i]);
      g_autofree char *cors = NULL;

      g_test_message ("%s", allowed[i]);
      assert_status (answer, 201);
      cors = raw_answer_header (answer, "Access-Control-Allow-Origin");
      /* A write's CORS names the page's origin, never "*". */
      if (g_str_has_prefix (allowed[i], "Origin: "))
        {
          g_autofree char *vary = raw_answer_header (answer, "Vary");
          g_autofree char *expected = g_strndup (allowed[i] + 8, strlen (allowed[i]) - 10);

          g_assert_cmpstr (cors, ==, expected);
          g_assert_cmpstr (vary, ==, "Origin");
        }
    }
  test_server_stop (server);
}

/* From the environment (or the config file) a list is comma-separated. */
static void
test_allowed_origins_from_environment (void)
{
  const char *env[] = { "RNDIMG_ALLOW_ORIGIN", "https://a.example, https://b.example", NULL };
  const char *args[] = { "--interval=0", NULL };
  TestServer *server = test_server_start_full (args, env);
  g_autofree char *a = publish (server, "Origin: https://a.example\r\n");
  g_autofree char *b = publish (server, "Origin: https://b.example\r\n");
  g_autofree char *c = publish (server, "Origin: https://c.example\r\n");

  assert_status (a, 201);
  assert_status (b, 201);
  assert_status (c, 403);
  test_server_stop (server);
}

static void
test_preflight (void)
{
  TestServer *server = test_server_start ("--interval=0", "--allow-origin=https://app.example.org", NULL);
  g_autofree char *allowed = exchange (server, "OPTIONS", API "/publish",
                                       "Origin: https://app.example.org\r\nAccess-Control-Request-Method: POST\r\n"
                                       "Access-Control-Request-Headers: content-type\r\n", "");
  g_autofree char *refused = exchange (server, "OPTIONS", API "/publish",
                                       "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n", "");
  g_autofree char *read = exchange (server, "OPTIONS", API "/rndimg",
                                    "Origin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n", "");
  g_autofree char *allowed_origin = NULL, *allowed_methods = NULL, *refused_origin = NULL, *read_origin = NULL;

  assert_status (allowed, 204);
  allowed_origin = raw_answer_header (allowed, "Access-Control-Allow-Origin");
  g_assert_cmpstr (allowed_origin, ==, "https://app.example.org");
  allowed_methods = raw_answer_header (allowed, "Access-Control-Allow-Methods");
  g_assert_nonnull (strstr (allowed_methods, "POST"));
  assert_status (refused, 403);
  refused_origin = raw_answer_header (refused, "Access-Control-Allow-Origin");
  g_assert_null (refused_origin);
  assert_status (read, 204);
  read_origin = raw_answer_header (read, "Access-Control-Allow-Origin");
  g_assert_cmpstr (read_origin, ==, "*");
  test_server_stop (server);
}

/* Reads stay open to every page. */
static void
test_cross_site_reads_open (void)
{
  TestServer *server = test_server_start ("--interval=0", NULL);
  g_autofree char *answer = exchange (server, "GET", API "/rndimg", "Origin: https://evil.example\r\n"
                                      "Sec-Fetch-Site: cross-site\r\n", "");
  g_autofree char *cors = NULL;

  assert_status (answer, 200);
  cors = raw_answer_header (answer, "Access-Control-Allow-Origin");
  g_assert_cmpstr (cors, ==, "*");
  test_server_stop (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/origin/foreign-host-refused-without-token", test_foreign_host_refused_without_token);
  g_test_add_func ("/origin/malformed-host-refused", test_malformed_host_refused);
  g_test_add_func ("/origin/allowed-hosts", test_allowed_hosts);
  g_test_add_func ("/origin/any-host-with-token", test_any_host_with_token);
  g_test_add_func ("/origin/public-url-builds-urls", test_public_url_builds_urls);
  g_test_add_func ("/origin/cross-site-writes-refused", test_cross_site_writes_refused);
  g_test_add_func ("/origin/cross-site-write-refused-with-token", test_cross_site_write_refused_with_token);
  g_test_add_func ("/origin/allowed-writes", test_allowed_writes);
  g_test_add_func ("/origin/allowed-origins-from-environment", test_allowed_origins_from_environment);
  g_test_add_func ("/origin/preflight", test_preflight);
  g_test_add_func ("/origin/cross-site-reads-open", test_cross_site_reads_open);
  test_add_answers_described ();
  return g_test_run ();
}
