/* SPDX-License-Identifier: MIT */
/* The viewer's client library follows an https:// server: a real
 * rndimg-server with a certificate signed by a CA this test makes with
 * openssl, trusted through the session's TLS database (the system's CA
 * store otherwise). Get, the picture's download and Live over SSE and
 * long-poll all go over TLS; a certificate nobody vouches for is refused. */
#include "rndimg-client.h"
#include "rndimg-live.h"
#include "rndimg-test-util.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
  char *dir;
  char *ca_file;
  char *certificate;
  char *key;
} Certificates;

static void G_GNUC_PRINTF (2, 3)
run_openssl (const char *dir, const char *format, ...)
{
  va_list args;
  g_autofree char *arguments = NULL;
  g_autofree char *command = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *errors = NULL;
  g_auto(GStrv) environment = g_environ_unsetenv (g_get_environ (), "LD_PRELOAD");   /* ours, not openssl's */
  int status = 0;

  va_start (args, format);
  arguments = g_strdup_vprintf (format, args);
  va_end (args);
  command = g_strconcat ("openssl ", arguments, NULL);

  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  if (!g_spawn_sync (dir, argv, environment, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &errors, &status, &error))
    g_error ("openssl: %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s", arguments, errors);
}

static void
make_certificates (Certificates *made)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *extensions = NULL;
  const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

  made->dir = g_dir_make_tmp ("rndimg-viewer-tls-XXXXXX", &error);
  g_assert_no_error (error);
  extensions = g_build_filename (made->dir, "server.ext", NULL);
  g_assert_true (g_file_set_contents (extensions, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
                                      -1, NULL));
  run_openssl (made->dir, "req -x509 %s -days 2 -subj /CN=rndimg-test-CA -keyout ca.key -out ca.crt", ec);
  run_openssl (made->dir, "req %s -subj /CN=localhost -keyout server.key -out server.csr", ec);
  run_openssl (made->dir, "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
                          "-extfile server.ext -out server.crt");
  made->ca_file = g_build_filename (made->dir, "ca.crt", NULL);
  made->certificate = g_build_filename (made->dir, "server.crt", NULL);
  made->key = g_build_filename (made->dir, "server.key", NULL);
}

static void
certificates_clear (Certificates *made)
{
  test_remove_folder (made->dir);
  g_free (made->dir);
  g_free (made->ca_file);
  g_free (made->certificate);
  g_free (made->key);
}

static TestServer *
start_tls_server (Certificates *made)
{
  g_autofree char *certificate = g_strconcat ("--tls-certificate=", made->certificate, NULL);
  g_autofree char *key = g_strconcat ("--tls-key=", made->key, NULL);

  return test_server_start ("--interval=0", certificate, key, NULL);
}

static RndimgClient *
trusting_client (TestServer *server, const char *ca_file)
{
  RndimgClient *client = rndimg_client_new (server->url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);

  g_assert_no_error (error);
  soup_session_set_tls_database (rndimg_client_get_session (client), database);
  return client;
}

typedef struct {
  gboolean done;
  RndimgAnswer *answer;
  GBytes *bytes;
  GError *error;
} Result;

static gboolean
is_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
on_random (GObject *source, GAsyncResult *async, gpointer user_data)
{
  Result *result = user_data;

  result->answer = rndimg_client_get_random_finish (RNDIMG_CLIENT (source), async, &result->error);
  result->done = TRUE;
}

static void
on_fetched (GObject *source, GAsyncResult *async, gpointer user_data)
{
  Result *result = user_data;

  result->bytes = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), async, &result->error);
  result->done = TRUE;
}

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->answer, rndimg_answer_free);
  g_clear_pointer (&result->bytes, g_bytes_unref);
  g_clear_error (&result->error);
  result->done = FALSE;
}

static void
test_get_and_download (void)
{
  Certificates made = { 0 };
  TestServer *server;
  g_autoptr(RndimgClient) client = NULL;
  Result result = { 0 };
  g_autofree char *expected_prefix = NULL;

  make_certificates (&made);
  server = start_tls_server (&made);
  g_assert_true (g_str_has_prefix (server->url, "https://"));
  client = trusting_client (server, made.ca_file);
  rndimg_client_get_random_async (client, NULL, NULL, on_random, &result);
  g_assert_true (test_wait_until (is_done, &result, 5000));
  g_assert_no_error (result.error);
  expected_prefix = g_strconcat (server->url, "/static/img/", NULL);
  g_assert_true (g_str_has_prefix (result.answer->url, expected_prefix));
  {
    g_autofree char *picture = g_strdup (result.answer->url);
    /* The random pick may be any shipped picture, a PNG or an album's JPEG:
     * what came over TLS must be that file's bytes. */
    g_autofree char *name = g_uri_unescape_string (picture + strlen (expected_prefix), "/");
    g_autofree char *path = g_build_filename (g_getenv ("RNDIMG_IMAGES"), name, NULL);
    g_autofree char *expected = NULL;
    gsize expected_length = 0;

    g_assert_true (g_file_get_contents (path, &expected, &expected_length, NULL));
    result_clear (&result);
    rndimg_client_fetch_async (client, picture, NULL, on_fetched, &result);
    g_assert_true (test_wait_until (is_done, &result, 5000));
    g_assert_no_error (result.error);
    g_assert_cmpmem (g_bytes_get_data (result.bytes, NULL), g_bytes_get_size (result.bytes),
                     expected, expected_length);
  }
  result_clear (&result);
  test_server_stop (server);
  certificates_clear (&made);
}

static void
test_untrusted_refused (void)
{
  Certificates made = { 0 };
  TestServer *server;
  g_autoptr(RndimgClient) client = NULL;
  Result result = { 0 };

  make_certificates (&made);
  server = start_tls_server (&made);
  client = rndimg_client_new (server->url);   /* the system's CAs: this CA is not one */
  rndimg_client_get_random_async (client, NULL, NULL, on_random, &result);
  g_assert_true (test_wait_until (is_done, &result, 5000));
  g_assert_nonnull (result.error);
  g_test_message ("untrusted: %s", result.error->message);
  result_clear (&result);
  test_server_stop (server);
  certificates_clear (&made);
}

static void
on_live_event (RndimgLive *live, RndimgAnswer *answer, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (answer->url));
}

static gboolean
has_event (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

static gboolean
is_live (gpointer data)
{
  return rndimg_live_get_state (data) == RNDIMG_LIVE_CONNECTED;
}

static void
follow_over (RndimgTransport transport)
{
  Certificates made = { 0 };
  TestServer *server;
  g_autoptr(RndimgClient) client = NULL;
  g_autoptr(RndimgLive) live = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(JsonObject) event = NULL;

  make_certificates (&made);
  server = start_tls_server (&made);
  client = trusting_client (server, made.ca_file);
  live = rndimg_live_new (client, transport);
  g_signal_connect (live, "event", G_CALLBACK (on_live_event), urls);
  rndimg_live_start (live);
  if (!test_wait_until (is_live, live, 5000))
    g_error ("Live never connected over TLS: %s", rndimg_live_get_reason (live));
  session = g_object_ref (rndimg_client_get_session (client));
  event = test_publish (server, session, "023.png");
  if (!test_wait_until (has_event, urls, 5000))
    g_error ("no event over TLS (%s)", rndimg_live_get_reason (live));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (urls, 0), "https://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (urls, 0), "/023.png"));
  rndimg_live_stop (live);
  test_server_stop (server);
  certificates_clear (&made);
}

static void
test_live_sse (void)
{
  follow_over (RNDIMG_TRANSPORT_SSE);
}

static void
test_live_long_poll (void)
{
  follow_over (RNDIMG_TRANSPORT_LONG_POLL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/viewer-tls/get-and-download", test_get_and_download);
  g_test_add_func ("/viewer-tls/untrusted-refused", test_untrusted_refused);
  g_test_add_func ("/viewer-tls/live-sse", test_live_sse);
  g_test_add_func ("/viewer-tls/live-long-poll", test_live_long_poll);
  return g_test_run ();
}
