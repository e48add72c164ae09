/* SPDX-License-Identifier: MIT */
/* Publishing on a real rndimg-server: POST /publish, uploads (raw and
 * multipart, refused content, size limit) and write authorisation. */
#include "push-fixture.h"

#include <string.h>

static void
upload (Fixture *fixture, GBytes *body, const char *content_type, TestResponse *response)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images", NULL);

  test_post (fixture->session, url, body, content_type, response);
}

static void
test_upload_reaches_poll_and_sse (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) png = read_source_image ("042.png");
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autoptr(TestPending) poll = poll_async (fixture, "");
  g_auto(TestResponse) response = { 0 };
  g_auto(TestResponse) download = { 0 };
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) polled = NULL;
  JsonObject *streamed;

  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  upload (fixture, png, "image/png", &response);
  test_assert_status (&response, 201);
  created = test_response_json (&response);
  assert_event (created, 1, "upload");
  g_assert_cmpstr (test_response_header (&response, "Location"), ==,
                   json_object_get_string_member (created, "message"));

  wait_done (poll, 3000);
  polled = test_pending_json (poll);
  assert_event (polled, 1, "upload");
  g_assert_true (test_event_stream_wait (stream, 1, 3000));
  streamed = g_ptr_array_index (stream->events, 0);
  assert_event (streamed, 1, "upload");
  g_assert_cmpstr (json_object_get_string_member (streamed, "name"), ==,
                   json_object_get_string_member (created, "name"));

  /* The picture is served byte for byte and is in the folder. */
  test_get (fixture->session, json_object_get_string_member (created, "message"), &download);
  test_assert_status (&download, 200);
  g_assert_true (g_bytes_equal (download.body, png));
  g_assert_cmpuint (count_files (fixture->folder), ==, 6);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 6);
  /* The folder watch saw the new file too, but announced nothing more. */
  g_assert_false (test_event_stream_wait (stream, 2, 500));
  test_event_stream_close (stream);
}

static void
test_upload_multipart (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) png = read_source_image ("011.png");
  g_autoptr(SoupMultipart) form = soup_multipart_new ("multipart/form-data");
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_multipart_append_form_string (form, "caption", "eleven");
  soup_multipart_append_form_file (form, "image", "eleven.png", "image/png", png);
  msg = soup_message_new_from_multipart (url, form);
  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  g_assert_cmpuint (count_files (fixture->folder), ==, 6);
}

static void
test_upload_text_named_png (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("this is not a picture\n", 22);
  g_auto(TestResponse) raw = { 0 };
  g_auto(TestResponse) wrong_type = { 0 };

  upload (fixture, text, "image/png", &raw);
  test_assert_json_error (&raw, 415);
  upload (fixture, text, "text/plain", &wrong_type);
  test_assert_json_error (&wrong_type, 415);
  g_assert_cmpuint (count_files (fixture->folder), ==, 5);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "events_published"), ==, 0);
}

static void
test_upload_oversize (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) png = read_source_image ("01.png");   /* ~29 KB, limit 10000 */
  g_auto(TestResponse) response = { 0 };

  upload (fixture, png, "image/png", &response);
  test_assert_json_error (&response, 413);
  g_assert_cmpuint (count_files (fixture->folder), ==, 5);
}

/* /stats says what an upload may be, so the page can refuse a file
 * before sending it: the limit in force and the types the bytes may be. */
static void
test_upload_limits_in_stats (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/stats", NULL);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) stats = NULL;
  JsonArray *types;

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  stats = test_response_json (&response);
  g_assert_cmpint (json_object_get_int_member (stats, "max_upload_bytes"), ==, 10000);
  types = json_object_get_array_member (stats, "upload_types");
  g_assert_cmpuint (json_array_get_length (types), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (types, 0), ==, "image/png");
  g_assert_cmpstr (json_array_get_string_element (types, 1), ==, "image/jpeg");
  g_assert_cmpstr (json_array_get_string_element (types, 2), ==, "image/gif");
  g_assert_cmpstr (json_array_get_string_element (types, 3), ==, "image/webp");
}

static void
post_json (Fixture *fixture, const char *path, const char *json, const char *const *headers,
           TestResponse *response)
{
  g_autofree char *url = g_strconcat (fixture->server->url, path, NULL);
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  test_request (fixture->session, "POST", url, headers, body, "application/json", response);
}

static void
test_publish_errors (Fixture *fixture, gconstpointer data)
{
  const struct { const char *body; guint status; } cases[] = {
    { "{not json", 400 }, { "[1,2]", 400 }, { "{\"name\":42}", 400 },
    { "{\"name\":\"../etc/passwd\"}", 400 }, { "{\"name\":\"nope.png\"}", 404 },
  };
  g_autofree char *url = g_strconcat (fixture->server->url, API "/publish", NULL);
  g_auto(TestResponse) get = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(TestResponse) response = { 0 };

      post_json (fixture, API "/publish", cases[i].body, NULL, &response);
      test_assert_json_error (&response, cases[i].status);
    }
  test_get (fixture->session, url, &get);
  test_assert_json_error (&get, 405);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "events_published"), ==, 0);
}

static void
test_auth_token (void)
{
  Fixture fixture = { 0 };
  const char *env[] = { "RNDIMG_TOKEN", "s3cret-token", NULL };
  const char *no_token[] = { NULL };
  const char *wrong[] = { "Authorization", "Bearer guess", NULL };
  const char *right[] = { "Authorization", "Bearer s3cret-token", NULL };
  g_autoptr(GBytes) png = read_source_image ("01.png");
  g_autofree char *images_arg = NULL;
  const char *args[3];

  fixture.folder = test_make_image_folder (2);
  images_arg = g_strconcat ("--images=", fixture.folder, NULL);
  args[0] = images_arg;
  args[1] = "--interval=0";
  args[2] = NULL;
  fixture.server = test_server_start_full (args, env);
  fixture.session = soup_session_new ();
  fixture.async_session = new_async_session ();

  for (int i = 0; i < 2; i++)
    {
      g_auto(TestResponse) response = { 0 };

      post_json (&fixture, API "/publish", NULL, i == 0 ? no_token : wrong, &response);
      test_assert_json_error (&response, 401);
      g_assert_nonnull (test_response_header (&response, "WWW-Authenticate"));
    }
  {
    g_auto(TestResponse) upload_response = { 0 };
    g_autofree char *url = g_strconcat (fixture.server->url, API "/images", NULL);

    test_post (fixture.session, url, png, "image/png", &upload_response);
    test_assert_json_error (&upload_response, 401);
    g_assert_cmpuint (count_files (fixture.folder), ==, 2);
  }
  {
    g_auto(TestResponse) response = { 0 };

    post_json (&fixture, API "/publish", NULL, right, &response);
    test_assert_status (&response, 201);
  }
  fixture_tear_down (&fixture, NULL);
}

/* No token and listening beyond loopback: writes are refused. */
static void
test_auth_no_token_beyond_loopback (void)
{
  Fixture fixture = { 0 };
  const char *args[] = { "--address=0.0.0.0", NULL };
  g_auto(TestResponse) response = { 0 };

  fixture.session = soup_session_new ();
  fixture.async_session = new_async_session ();
  fixture_start (&fixture, args);
  post_json (&fixture, API "/publish", NULL, NULL, &response);
  test_assert_json_error (&response, 403);
  fixture_tear_down (&fixture, NULL);
}

static gint64
published_id (TestResponse *response)
{
  g_autoptr(JsonObject) event = test_response_json (response);

  return json_object_get_int_member (event, "id");
}

/* POST /publish with @key as its Idempotency-Key. */
static void
publish_with_key (Fixture *fixture, const char *json, const char *key, TestResponse *response)
{
  const char *headers[] = { "Idempotency-Key", key, NULL };

  post_json (fixture, API "/publish", json, headers, response);
}

/* The Idempotency-Key on one node (the memory broker): a retry is
 * answered with the first event (a random pick too) and publishes
 * nothing; another body is 422; malformed keys 400; followers see each
 * event once. */
static void
test_publish_idempotency_key (Fixture *fixture, gconstpointer data)
{
  static const char *const malformed[] = { "\"open", "\"\"", "\"a\", \"b\"", "sp ace", "\"\x01\"", NULL };
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) other_body = { 0 };
  g_auto(TestResponse) other_key = { 0 };
  g_autoptr(JsonObject) first_event = NULL;
  g_autoptr(JsonObject) again_event = NULL;

  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  publish_with_key (fixture, NULL, "\"b1d2c3e4-random\"", &first);
  test_assert_status (&first, 201);
  g_assert_null (test_response_header (&first, "Idempotent-Replayed"));
  publish_with_key (fixture, NULL, "\"b1d2c3e4-random\"", &again);
  test_assert_status (&again, 201);
  g_assert_cmpstr (test_response_header (&again, "Idempotent-Replayed"), ==, "true");
  first_event = test_response_json (&first);
  again_event = test_response_json (&again);
  g_assert_cmpint (json_object_get_int_member (again_event, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (again_event, "name"), ==,
                   json_object_get_string_member (first_event, "name"));
  g_assert_cmpstr (test_response_header (&again, "Location"), ==, test_response_header (&first, "Location"));

  publish_with_key (fixture, "{\"name\":\"01.png\"}", "\"b1d2c3e4-random\"", &other_body);
  test_assert_json_error (&other_body, 422);
  for (guint i = 0; malformed[i] != NULL; i++)
    {
      g_auto(TestResponse) response = { 0 };

      publish_with_key (fixture, NULL, malformed[i], &response);
      test_assert_json_error (&response, 400);
    }
  publish_with_key (fixture, "{\"name\":\"01.png\"}", "\"another\"", &other_key);
  test_assert_status (&other_key, 201);
  g_assert_cmpint (published_id (&other_key), ==, 2);

  g_assert_true (test_event_stream_wait (stream, 2, 3000));
  g_assert_false (test_event_stream_wait (stream, 3, 300));
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "events_published"), ==, 2);
  test_event_stream_close (stream);
}

static const char *const small_uploads[] = { "--max-upload=10000", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/upload/reaches-poll-and-sse", test_upload_reaches_poll_and_sse, NULL);
  ADD ("/upload/multipart", test_upload_multipart, NULL);
  ADD ("/upload/text-named-png", test_upload_text_named_png, NULL);
  ADD ("/upload/oversize", test_upload_oversize, small_uploads);
  ADD ("/upload/limits-in-stats", test_upload_limits_in_stats, small_uploads);
  ADD ("/publish/errors", test_publish_errors, NULL);
  ADD ("/publish/idempotency-key", test_publish_idempotency_key, NULL);
  g_test_add_func ("/auth/token", test_auth_token);
  g_test_add_func ("/auth/no-token-beyond-loopback", test_auth_no_token_beyond_loopback);

  test_add_answers_described ();
  return g_test_run ();
}
