/* SPDX-License-Identifier: MIT */
/* The REST API and the file serving of a real rndimg-server, over HTTP. */
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* tools/make-images.c --albums: landscapes 4, portraits 4, squares 4 + 2. */
#define SHIPPED_ALBUM_PICTURES 14
#define API RNDIMG_API_PREFIX
#define PNG_SIGNATURE "\x89PNG\r\n\x1a\n"

typedef struct {
  TestServer *server;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->server = test_server_start_argv (NULL);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->session);
  test_server_stop (fixture->server);
}

static void
get (Fixture *fixture, const char *path, TestResponse *response)
{
  g_autofree char *url = test_server_url (fixture->server, path);

  test_get (fixture->session, url, response);
}

/* GET /rndimg and return the message URL, checking the answer's shape. */
static char *
get_random_url (Fixture *fixture, const char *query)
{
  g_autofree char *path = g_strconcat (API "/rndimg", query, NULL);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) json = NULL;

  get (fixture, path, &response);
  test_assert_status (&response, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "application/json");
  json = test_response_json (&response);
  /* The tutorial's two members, and the picture's details beside them. */
  g_assert_cmpuint (json_object_get_size (json), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json, "status"), ==, "success");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (json, "message"),
                                   json_object_get_string_member (json_object_get_object_member (json, "image"), "name")));
  return g_strdup (json_object_get_string_member (json, "message"));
}

static void
test_random_shape (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = get_random_url (fixture, "");
  g_autofree char *prefix = test_server_url (fixture->server, "/static/img/");
  g_auto(TestResponse) response = { 0 };

  g_assert_true (g_str_has_prefix (url, prefix));
  /* A tutorial picture, or one of a shipped album. */
  g_assert_true (g_regex_match_simple ("/static/img/(0[1-9][0-9]?\\.png|[a-z]+(/small)?/[a-z-]+-[0-9]\\.(png|jpg))$",
                                       url, 0, 0));
  get (fixture, API "/rndimg", &response);
  g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, "no-store");
  g_assert_cmpstr (test_response_header (&response, "Access-Control-Allow-Origin"), ==, "*");
}

/* Whatever picture is drawn (one of the tutorial's PNGs at the top, or a
 * PNG or JPEG of a shipped album), its URL serves the shipped file byte
 * for byte, with the type its bytes are. */
static void
test_random_url_downloads_png (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = get_random_url (fixture, "");
  const char *name = strstr (url, "/static/img/") + strlen ("/static/img/");
  g_autofree char *source = test_source_image (name);
  g_autofree char *expected = NULL;
  g_auto(TestResponse) response = { 0 };
  gsize expected_length;
  const guint8 *bytes;
  gboolean png = g_str_has_suffix (name, ".png");

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==,
                   png ? "image/png" : "image/jpeg");
  g_assert_true (g_file_get_contents (source, &expected, &expected_length, NULL));
  bytes = g_bytes_get_data (response.body, NULL);
  if (png)
    g_assert_cmpmem (bytes, 8, PNG_SIGNATURE, 8);
  else
    g_assert_cmpmem (bytes, 3, "\xff\xd8\xff", 3);
  /* A tutorial picture is 400x400 (IHDR). */
  if (strchr (name, '/') == NULL)
    {
      g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (bytes + 16)), ==, 400);
      g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (bytes + 20)), ==, 400);
    }
  g_assert_cmpmem (bytes, g_bytes_get_size (response.body), expected, expected_length);
}

static void
test_random_is_varied (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 300; i++)
    g_hash_table_add (seen, get_random_url (fixture, ""));
  g_assert_cmpuint (g_hash_table_size (seen), >=, 30);
}

static void
test_random_follows_host (Fixture *fixture, gconstpointer data)
{
  const char *headers[] = { "Host", "pictures.example.org:8080", NULL };
  /* Without a token a name must be allowed (DNS rebinding): see test-origin.c. */
  TestServer *server = test_server_start ("--interval=0", "--allow-host=pictures.example.org", NULL);
  g_autofree char *url = test_server_url (server, API "/rndimg");
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) json = NULL;

  test_get_with_headers (fixture->session, url, headers, &response);
  json = test_response_json (&response);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json, "message"),
                                   "http://pictures.example.org:8080/static/img/"));
  test_server_stop (server);
}

static void
test_random_exclude (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) bad = { 0 };

  for (int i = 0; i < 200; i++)
    {
      g_autofree char *url = get_random_url (fixture, "?exclude=01.png");
      g_assert_false (g_str_has_suffix (url, "/01.png"));
    }
  get (fixture, API "/rndimg?exclude=..%2Fetc%2Fpasswd", &bad);
  test_assert_json_error (&bad, 400);
}

static void
test_bad_host (Fixture *fixture, gconstpointer data)
{
  const char *headers[] = { "Host", "evil.example\"><script>", NULL };
  g_autofree char *url = test_server_url (fixture->server, API "/rndimg");
  g_auto(TestResponse) response = { 0 };

  test_get_with_headers (fixture->session, url, headers, &response);
  test_assert_status (&response, 400);
}

static void
test_seed_post_root (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->server, "/");
  g_autofree char *prefix = test_server_url (fixture->server, "/static/img/");
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) json = NULL;

  test_send (fixture->session, "POST", url, &response);
  test_assert_status (&response, 200);
  json = test_response_json (&response);
  g_assert_cmpstr (json_object_get_string_member (json, "status"), ==, "success");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json, "message"), prefix));
}

/* The 51 tutorial pictures stay at the top at their URLs; the shipped
 * albums (tools/make-images.c --albums) come beside them. */
static void
test_catalogue_listing (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) json = NULL;
  JsonArray *images;
  guint top = 0;

  get (fixture, API "/images", &response);
  test_assert_status (&response, 200);
  json = test_response_json (&response);
  g_assert_cmpint (json_object_get_int_member (json, "count"), ==, 51 + SHIPPED_ALBUM_PICTURES);
  images = json_object_get_array_member (json, "images");
  g_assert_cmpuint (json_array_get_length (images), ==, 51 + SHIPPED_ALBUM_PICTURES);
  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      g_autofree char *name = g_strdup_printf ("0%u.png", top + 1);
      g_autofree char *source = test_source_image (name);
      g_autofree char *url = test_server_url (fixture->server, "/static/img/");
      g_autofree char *own_url = g_strconcat (url, name, NULL);
      GStatBuf st;

      if (!json_object_get_null_member (image, "album"))
        continue;
      g_assert_cmpstr (json_object_get_string_member (image, "name"), ==, name);
      g_assert_cmpstr (json_object_get_string_member (image, "content_type"), ==, "image/png");
      g_assert_cmpstr (json_object_get_string_member (image, "url"), ==, own_url);
      g_assert_cmpint (g_stat (source, &st), ==, 0);
      g_assert_cmpint (json_object_get_int_member (image, "bytes"), ==, st.st_size);
      top++;
    }
  g_assert_cmpuint (top, ==, 51);
}

static void
test_not_found (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { API "/nothing", API "/rndimg/extra", "/polling/api/v2.0/rndimg",
                          "/static/img/999.png", "/static/img/", "/nothing.html", "/static/img/01.PNG" };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(TestResponse) response = { 0 };

      get (fixture, paths[i], &response);
      test_assert_json_error (&response, 404);
    }
}

static void
test_method_not_allowed (Fixture *fixture, gconstpointer data)
{
  const char *cases[][2] = { { "DELETE", API "/rndimg" }, { "PUT", "/static/img/01.png" },
                             { "POST", API "/rndimg" }, { "PATCH", "/" } };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = test_server_url (fixture->server, cases[i][1]);
      g_auto(TestResponse) response = { 0 };
      const char *allow;

      test_send (fixture->session, cases[i][0], url, &response);
      test_assert_json_error (&response, 405);
      allow = test_response_header (&response, "Allow");
      g_assert_nonnull (allow);
      g_assert_nonnull (strstr (allow, "GET"));
    }
}

static void
test_traversal (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = {
    "/static/img/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/img/..%2f..%2f..%2fetc%2fpasswd",
    "/static/img/%2fetc%2fpasswd",
    "/static/img/01.png%00",
    "/static/img/%2e%2e%2fmeson.build",
    "/static/img/.%2e/.%2e/meson.build",
    "/%2e%2e/%2e%2e/etc/passwd",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(TestResponse) response = { 0 };

      get (fixture, paths[i], &response);
      test_assert_json_error (&response, 404);
    }
}

static void
test_head (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->server, "/static/img/023.png");
  g_autofree char *source = test_source_image ("023.png");
  g_auto(TestResponse) response = { 0 };
  GStatBuf st;

  test_send (fixture->session, "HEAD", url, &response);
  test_assert_status (&response, 200);
  g_assert_cmpuint (g_bytes_get_size (response.body), ==, 0);
  g_assert_cmpint (g_stat (source, &st), ==, 0);
  g_assert_cmpint (soup_message_headers_get_content_length (response.headers), ==, st.st_size);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "image/png");
  g_assert_nonnull (test_response_header (&response, "ETag"));
  g_assert_nonnull (test_response_header (&response, "Last-Modified"));
}

static void
test_conditional (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->server, "/static/img/07.png");
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) by_etag = { 0 };
  g_auto(TestResponse) by_date = { 0 };
  g_auto(TestResponse) other_etag = { 0 };
  const char *etag_headers[] = { "If-None-Match", NULL, NULL };
  const char *date_headers[] = { "If-Modified-Since", NULL, NULL };
  const char *other_headers[] = { "If-None-Match", "\"something-else\"", NULL };

  test_get (fixture->session, url, &first);
  test_assert_status (&first, 200);
  etag_headers[1] = test_response_header (&first, "ETag");
  date_headers[1] = test_response_header (&first, "Last-Modified");

  test_get_with_headers (fixture->session, url, etag_headers, &by_etag);
  test_assert_status (&by_etag, 304);
  g_assert_cmpuint (g_bytes_get_size (by_etag.body), ==, 0);
  g_assert_cmpstr (test_response_header (&by_etag, "ETag"), ==, etag_headers[1]);

  test_get_with_headers (fixture->session, url, date_headers, &by_date);
  test_assert_status (&by_date, 304);

  test_get_with_headers (fixture->session, url, other_headers, &other_etag);
  test_assert_status (&other_etag, 200);
  g_assert_cmpuint (g_bytes_get_size (other_etag.body), ==, g_bytes_get_size (first.body));
}

static void
test_cors_preflight (Fixture *fixture, gconstpointer data)
{
  const char *headers[] = { "Origin", "http://other.example", "Access-Control-Request-Method", "GET",
                            "Access-Control-Request-Headers", "Content-Type", NULL };
  g_autofree char *url = test_server_url (fixture->server, API "/rndimg");
  g_auto(TestResponse) response = { 0 };

  test_send_with_headers (fixture->session, "OPTIONS", url, headers, &response);
  test_assert_status (&response, 204);
  g_assert_cmpstr (test_response_header (&response, "Access-Control-Allow-Origin"), ==, "*");
  g_assert_nonnull (strstr (test_response_header (&response, "Access-Control-Allow-Methods"), "GET"));
  g_assert_nonnull (strstr (test_response_header (&response, "Access-Control-Allow-Headers"), "Content-Type"));
}

static void
test_web_page (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) response = { 0 };

  get (fixture, "/", &response);
  test_assert_status (&response, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "text/html");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body), "<html"));
  /* A strict policy: no inline script or style, nothing from elsewhere, no framing. */
  g_assert_nonnull (strstr (test_response_header (&response, "Content-Security-Policy"), "default-src 'self'"));
  g_assert_nonnull (strstr (test_response_header (&response, "Content-Security-Policy"), "frame-ancestors 'none'"));
  g_assert_null (strstr (test_response_header (&response, "Content-Security-Policy"), "unsafe-inline"));
  g_assert_cmpstr (test_response_header (&response, "Referrer-Policy"), ==, "no-referrer");
}

/* The web folder follows no symlink out of it, a folder's or a file's,
 * as the image folder does not. */
static void
test_web_symlink_out_of_folder (void)
{
  g_autofree char *web = g_dir_make_tmp ("rndimg-web-XXXXXX", NULL);
  g_autofree char *outside = g_dir_make_tmp ("rndimg-outside-XXXXXX", NULL);
  g_autofree char *secret = g_build_filename (outside, "secret.json", NULL);
  g_autofree char *index = g_build_filename (web, "index.html", NULL);
  /* One of the page's folders, which docs/openapi.yaml names. */
  g_autofree char *sub = g_build_filename (web, "i18n", NULL);
  g_autofree char *inside = g_build_filename (sub, "inside.json", NULL);
  g_autofree char *folder_link = g_build_filename (web, "escape", NULL);
  g_autofree char *file_link = g_build_filename (web, "secret.json", NULL);
  g_autofree char *web_arg = g_strconcat ("--web=", web, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server;
  const char *refused[] = { "/escape/secret.json", "/secret.json" };

  g_assert_true (g_file_set_contents (secret, "{\"secret\":1}", -1, NULL));
  g_assert_true (g_file_set_contents (index, "<!doctype html><html></html>", -1, NULL));
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (inside, "{}", -1, NULL));
  g_assert_cmpint (symlink (outside, folder_link), ==, 0);
  g_assert_cmpint (symlink (secret, file_link), ==, 0);
  server = test_server_start ("--interval=0", web_arg, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *url = test_server_url (server, refused[i]);
      g_auto(TestResponse) response = { 0 };

      test_get (session, url, &response);
      test_assert_json_error (&response, 404);
    }
  {
    g_autofree char *url = test_server_url (server, "/i18n/inside.json");
    g_auto(TestResponse) response = { 0 };

    test_get (session, url, &response);
    test_assert_status (&response, 200);
  }
  test_server_stop (server);
  g_assert_cmpint (g_remove (folder_link), ==, 0);
  g_assert_cmpint (g_remove (file_link), ==, 0);
  g_assert_cmpint (g_remove (inside), ==, 0);
  g_assert_cmpint (g_rmdir (sub), ==, 0);
  test_remove_folder (web);
  test_remove_folder (outside);
}

static gboolean
no_close_wait (gpointer server)
{
  return test_server_close_wait_count (server) == 0;
}

/* Clients that hang up after their answers leave no half-closed sockets
 * behind (libsoup 3.2 would keep idle keep-alive connections forever). */
static void
test_connections_closed (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { API "/rndimg", "/static/img/01.png", API "/images", "/", API "/nope" };

  for (int round = 0; round < 4; round++)
    for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_auto(TestResponse) response = { 0 };
        get (fixture, paths[i], &response);
      }
  soup_session_abort (fixture->session);
  g_assert_true (test_wait_until (no_close_wait, fixture->server, 3000));
}

typedef struct {
  SoupSession *session;
  const char *url;
  const char *old_etag;
} ChangeWait;

static gboolean
etag_changed (gpointer user_data)
{
  ChangeWait *wait = user_data;
  g_auto(TestResponse) response = { 0 };

  test_get (wait->session, wait->url, &response);
  return response.status == 200 && g_strcmp0 (test_response_header (&response, "ETag"), wait->old_etag) != 0;
}

/* Images are sent from memory, yet a file replaced in the folder is sent
 * anew, with a new ETag, once the folder watch has seen the change. */
static void
test_replaced_image_served_fresh (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  g_autofree char *path = g_build_filename (folder, "01.png", NULL);
  g_autofree char *other = test_source_image ("042.png");
  g_autofree char *images_arg = g_strconcat ("--images=", folder, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) replaced = { 0 };
  g_autofree char *old_etag = NULL;
  g_autofree char *new_bytes = NULL;
  g_autofree char *url = NULL;
  gsize new_length;
  TestServer *server = test_server_start (images_arg, NULL);
  ChangeWait wait = { session, NULL, NULL };

  url = test_server_url (server, "/static/img/01.png");
  test_get (session, url, &first);
  test_get (session, url, &again);
  test_assert_status (&first, 200);
  old_etag = g_strdup (test_response_header (&first, "ETag"));
  g_assert_cmpstr (test_response_header (&again, "ETag"), ==, old_etag);
  g_assert_true (g_bytes_equal (first.body, again.body));

  g_assert_true (g_file_get_contents (other, &new_bytes, &new_length, NULL));
  g_assert_true (g_file_set_contents (path, new_bytes, (gssize) new_length, NULL));
  wait.url = url;
  wait.old_etag = old_etag;
  g_assert_true (test_wait_until (etag_changed, &wait, 5000));
  test_get (session, url, &replaced);
  g_assert_cmpuint (g_bytes_get_size (replaced.body), ==, new_length);
  g_assert_cmpmem (g_bytes_get_data (replaced.body, NULL), new_length, new_bytes, new_length);

  test_server_stop (server);
  test_remove_folder (folder);
}

/* A symlink in the folder pointing at a picture outside it is not served. */
static void
test_symlink_out_of_folder (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  g_autofree char *outside = test_source_image ("050.png");
  g_autofree char *link = g_build_filename (folder, "050.png", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) image = { 0 };
  g_auto(TestResponse) listing = { 0 };
  g_autoptr(JsonObject) json = NULL;
  g_autofree char *images_arg = NULL;
  g_autofree char *image_url = NULL;
  g_autofree char *listing_url = NULL;
  TestServer *server;

  g_assert_cmpint (symlink (outside, link), ==, 0);
  images_arg = g_strconcat ("--images=", folder, NULL);
  server = test_server_start (images_arg, NULL);
  image_url = test_server_url (server, "/static/img/050.png");
  listing_url = test_server_url (server, API "/images");

  test_get (session, image_url, &image);
  test_assert_json_error (&image, 404);
  test_get (session, listing_url, &listing);
  json = test_response_json (&listing);
  g_assert_cmpint (json_object_get_int_member (json, "count"), ==, 2);

  test_server_stop (server);
  test_remove_folder (folder);
}

static void
assert_startup_fails (const char *const *argv, const char *expected_in_message, int expected_status)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, expected_status);
  g_assert_nonnull (strstr (err, expected_in_message));
}

static void
test_startup_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = g_dir_make_tmp ("rndimg-empty-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (empty, "missing", NULL);
  g_autofree char *empty_arg = g_strconcat ("--images=", empty, NULL);
  g_autofree char *missing_arg = g_strconcat ("--images=", missing, NULL);
  const char *empty_argv[] = { test_server_binary (), "--port=0", empty_arg, NULL };
  const char *missing_argv[] = { test_server_binary (), "--port=0", missing_arg, NULL };
  const char *port_argv[] = { test_server_binary (), "--port=70000", NULL };
  const char *address_argv[] = { test_server_binary (), "--port=0", "--address=not-an-ip", NULL };
  const char *scheme_argv[] = { test_server_binary (), "--port=0", "--broker=ftp://127.0.0.1", NULL };
  const char *database_argv[] = { test_server_binary (), "--port=0", "--broker=redis://127.0.0.1:1/99", NULL };

  g_assert_no_error (error);
  assert_startup_fails (empty_argv, empty, 1);
  assert_startup_fails (missing_argv, missing, 1);
  assert_startup_fails (port_argv, "70000", 2);
  assert_startup_fails (address_argv, "not-an-ip", 2);
  assert_startup_fails (scheme_argv, "ftp://127.0.0.1", 2);
  assert_startup_fails (database_argv, "redis://127.0.0.1:1/99", 2);
  g_assert_cmpint (g_rmdir (empty), ==, 0);
}

/* The API's own description: OpenAPI 3.1 JSON, revalidated by its ETag. */
static void
test_openapi_document (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->server, API "/openapi.json");
  g_auto(TestResponse) response = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_autoptr(JsonObject) json = NULL;
  const char *etag;

  get (fixture, API "/openapi.json", &response);
  test_assert_status (&response, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "application/json");
  g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, "no-cache");
  json = test_response_json (&response);
  g_assert_cmpstr (json_object_get_string_member (json, "openapi"), ==, "3.1.0");
  g_assert_true (json_object_has_member (json_object_get_object_member (json, "paths"), API "/openapi.json"));
  etag = test_response_header (&response, "ETag");
  g_assert_nonnull (etag);
  test_get_with_headers (fixture->session, url, (const char *[]) { "If-None-Match", etag, NULL }, &again);
  test_assert_status (&again, 304);
  g_assert_cmpuint (g_bytes_get_size (again.body), ==, 0);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/api/rndimg/shape", test_random_shape);
  ADD ("/api/rndimg/url-downloads-png", test_random_url_downloads_png);
  ADD ("/api/rndimg/varied", test_random_is_varied);
  ADD ("/api/rndimg/follows-host", test_random_follows_host);
  ADD ("/api/rndimg/exclude", test_random_exclude);
  ADD ("/api/bad-host", test_bad_host);
  ADD ("/api/seed-post-root", test_seed_post_root);
  ADD ("/api/images", test_catalogue_listing);
  ADD ("/api/openapi-document", test_openapi_document);
  ADD ("/errors/not-found", test_not_found);
  ADD ("/errors/method-not-allowed", test_method_not_allowed);
  ADD ("/static/traversal", test_traversal);
  ADD ("/static/head", test_head);
  ADD ("/static/conditional", test_conditional);
  ADD ("/cors/preflight", test_cors_preflight);
  ADD ("/web/index", test_web_page);
  ADD ("/connections/closed-after-hang-up", test_connections_closed);
  g_test_add_func ("/static/replaced-image-served-fresh", test_replaced_image_served_fresh);
  g_test_add_func ("/static/symlink-out-of-folder", test_symlink_out_of_folder);
  g_test_add_func ("/web/symlink-out-of-folder", test_web_symlink_out_of_folder);
  g_test_add_func ("/startup/errors", test_startup_errors);

  test_add_answers_described ();
  return g_test_run ();
}
