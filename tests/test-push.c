/* SPDX-License-Identifier: MIT */
/* The push side of a real rndimg-server: publisher, long-poll, SSE,
 * uploads, the folder watch and write authorisation. */
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#define API "/polling/api/v1.0"

typedef struct {
  TestServer *server;
  SoupSession *session;       /* synchronous requests */
  SoupSession *async_session; /* held requests */
  char *folder;               /* a private copy of some images */
} Fixture;

static SoupSession *
new_async_session (void)
{
  return soup_session_new_with_options ("max-conns", 4000, "max-conns-per-host", 4000,
                                        "timeout", 0, NULL);
}

static void
start (Fixture *fixture, const char *const *extra_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  fixture->folder = test_make_image_folder (5);
  g_ptr_array_add (args, g_strconcat ("--images=", fixture->folder, NULL));
  g_ptr_array_add (args, g_strdup ("--interval=0"));
  for (; extra_args != NULL && *extra_args != NULL; extra_args++)
    g_ptr_array_add (args, g_strdup (*extra_args));
  g_ptr_array_add (args, NULL);
  fixture->server = test_server_start_argv ((const char *const *) args->pdata);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->session = soup_session_new ();
  fixture->async_session = new_async_session ();
  start (fixture, data);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->async_session);
  g_object_unref (fixture->session);
  if (fixture->server != NULL)
    test_server_stop (fixture->server);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

static TestPending *
poll_async (Fixture *fixture, const char *query)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/rndimg/poll", query, NULL);

  return test_request_async (fixture->async_session, "GET", url, NULL);
}

typedef struct {
  Fixture *fixture;
  const char *stat;
  gint64 value;
  gint64 last_check_usec;
} StatWait;

/* Asks the server at most every 20 ms, however busy the loop is. */
static gboolean
stat_reached (gpointer user_data)
{
  StatWait *wait = user_data;
  gint64 now = g_get_monotonic_time ();

  if (now - wait->last_check_usec < 20000)
    return FALSE;
  wait->last_check_usec = now;
  return test_server_stat (wait->fixture->server, wait->fixture->session, wait->stat) == wait->value;
}

static void
assert_stat_becomes (Fixture *fixture, const char *stat, gint64 value, guint timeout_ms)
{
  StatWait wait = { fixture, stat, value, 0 };

  g_assert_true (test_wait_until (stat_reached, &wait, timeout_ms));
}

static void
wait_done (TestPending *pending, guint timeout_ms)
{
  g_assert_true (test_wait_until (test_pending_is_done, pending, timeout_ms));
}

static void
assert_event (JsonObject *event, gint64 id, const char *source)
{
  g_assert_cmpstr (json_object_get_string_member (event, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, id);
  if (source != NULL)
    g_assert_cmpstr (json_object_get_string_member (event, "source"), ==, source);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (event, "message"),
                                   json_object_get_string_member (event, "name")));
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$",
                                       json_object_get_string_member (event, "published_at"), 0, 0));
}

static void
test_poll_released_by_publish (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestPending) poll = poll_async (fixture, "");
  g_autoptr(JsonObject) published = NULL;
  g_autoptr(JsonObject) received = NULL;

  assert_stat_becomes (fixture, "waiting_polls", 1, 5000);
  g_assert_false (poll->done);
  published = test_publish (fixture->server, fixture->session, "03.png");
  wait_done (poll, 2000);
  g_assert_cmpuint (poll->status, ==, 200);
  received = test_pending_json (poll);
  assert_event (received, json_object_get_int_member (published, "id"), "api");
  g_assert_cmpstr (json_object_get_string_member (received, "name"), ==, "03.png");
  g_assert_cmpstr (json_object_get_string_member (received, "message"), ==,
                   json_object_get_string_member (published, "message"));
  assert_stat_becomes (fixture, "waiting_polls", 0, 2000);
}

static void
test_poll_timeout (Fixture *fixture, gconstpointer data)
{
  gint64 started = g_get_monotonic_time ();
  g_autoptr(TestPending) poll = poll_async (fixture, "?timeout=1");
  double elapsed;

  wait_done (poll, 5000);
  g_assert_cmpuint (poll->status, ==, 204);
  elapsed = (double) (poll->finished_usec - started) / G_USEC_PER_SEC;
  g_assert_cmpfloat (elapsed, >=, 0.9);
  g_assert_cmpfloat (elapsed, <, 3.0);
}

static JsonObject *
poll_now (Fixture *fixture, const char *query)
{
  g_autoptr(TestPending) poll = poll_async (fixture, query);

  wait_done (poll, 2000);
  g_assert_cmpuint (poll->status, ==, 200);
  return test_pending_json (poll);
}

static void
test_poll_replay (Fixture *fixture, gconstpointer data)
{
  for (int i = 0; i < 3; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));

  for (gint64 since = 0; since < 3; since++)
    {
      g_autofree char *query = g_strdup_printf ("?since=%" G_GINT64_FORMAT, since);
      g_autoptr(JsonObject) event = poll_now (fixture, query);

      assert_event (event, since + 1, "api");
      g_assert_false (json_object_has_member (event, "missed"));
    }
}

static void
test_poll_missed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) event = NULL;

  for (int i = 0; i < 5; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));
  /* --history=2 keeps events 4 and 5: 1, 2 and 3 are missed. */
  event = poll_now (fixture, "?since=0");
  assert_event (event, 4, NULL);
  g_assert_cmpint (json_object_get_int_member (event, "missed"), ==, 3);
}

static void
test_poll_since_future (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) event = NULL;

  json_object_unref (test_publish (fixture->server, fixture->session, "02.png"));
  json_object_unref (test_publish (fixture->server, fixture->session, "04.png"));
  event = poll_now (fixture, "?since=999");
  assert_event (event, 2, NULL);
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "04.png");
}

static void
test_poll_bad_parameters (Fixture *fixture, gconstpointer data)
{
  const char *queries[] = { "?since=abc", "?since=-1", "?since=1x", "?since=", "?since=%201",
                            "?since=99999999999999999999", "?timeout=0", "?timeout=301",
                            "?timeout=1.5", "?timeout=+5", "?timeout=-3", "?timeout=", "?since=1&timeout=x" };

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *url = g_strconcat (fixture->server->url, API "/rndimg/poll", queries[i], NULL);
      g_auto(TestResponse) response = { 0 };

      test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
      test_assert_json_error (&response, 400);
      g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, "no-store");
    }
}

static void
test_poll_thousand_released_together (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) polls = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *url = g_strconcat (fixture->server->url, API "/rndimg/poll?timeout=60", NULL);
  g_autoptr(JsonObject) published = NULL;

  /* libsoup's client walks its whole queue on each event: spread the
   * clients over sessions so the test measures the server, not that. */
  for (int i = 0; i < 1000; i++)
    {
      if (i % 50 == 0)
        g_ptr_array_add (sessions, new_async_session ());
      g_ptr_array_add (polls, test_request_async (g_ptr_array_index (sessions, i / 50), "GET", url, NULL));
    }
  assert_stat_becomes (fixture, "waiting_polls", 1000, 30000);

  published = test_publish (fixture->server, fixture->session, NULL);
  for (guint i = 0; i < polls->len; i++)
    {
      TestPending *poll = g_ptr_array_index (polls, i);
      g_autoptr(JsonObject) event = NULL;

      wait_done (poll, 10000);
      g_assert_cmpuint (poll->status, ==, 200);
      event = test_pending_json (poll);
      g_assert_cmpint (json_object_get_int_member (event, "id"), ==,
                       json_object_get_int_member (published, "id"));
      g_assert_cmpstr (json_object_get_string_member (event, "name"), ==,
                       json_object_get_string_member (published, "name"));
    }
  assert_stat_becomes (fixture, "waiting_polls", 0, 2000);
}

static void
test_poll_disconnects_cleaned_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) polls = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);

  for (int i = 0; i < 200; i++)
    g_ptr_array_add (polls, poll_async (fixture, "?timeout=120"));
  assert_stat_becomes (fixture, "waiting_polls", 200, 20000);
  /* Cancelling closes each connection, as a closed browser tab would. */
  g_ptr_array_set_size (polls, 0);
  g_clear_object (&fixture->async_session);
  assert_stat_becomes (fixture, "waiting_polls", 0, 3000);
  fixture->async_session = new_async_session ();

  /* The server is still well: a new poll is answered by a publish. */
  {
    g_autoptr(TestPending) poll = poll_async (fixture, "");
    assert_stat_becomes (fixture, "waiting_polls", 1, 2000);
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));
    wait_done (poll, 2000);
    g_assert_cmpuint (poll->status, ==, 200);
  }
}

static void
test_poll_max_waiters (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestPending) first = poll_async (fixture, "");
  g_autoptr(TestPending) second = poll_async (fixture, "");
  g_autofree char *url = g_strconcat (fixture->server->url, API "/rndimg/poll", NULL);
  g_auto(TestResponse) refused = { 0 };

  assert_stat_becomes (fixture, "waiting_polls", 2, 5000);
  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &refused);
  test_assert_json_error (&refused, 503);
  g_assert_nonnull (test_response_header (&refused, "Retry-After"));
}

static TestEventStream *
open_events (Fixture *fixture, const char *query, const char *last_event_id)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/events", query, NULL);

  return test_event_stream_open (fixture->async_session, url, last_event_id);
}

static void
assert_stream_ids (TestEventStream *stream, gint64 first, guint count)
{
  g_assert_cmpuint (stream->events->len, ==, count);
  g_assert_cmpuint (stream->ids->len, ==, count);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, first + i);

      assert_event (g_ptr_array_index (stream->events, i), first + i, NULL);
      g_assert_cmpstr (g_ptr_array_index (stream->ids, i), ==, id);
    }
}

static void
test_sse_five_in_order (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);

  assert_stat_becomes (fixture, "open_streams", 1, 2000);
  for (int i = 0; i < 5; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));
  g_assert_true (test_event_stream_wait (stream, 5, 3000));
  g_assert_true (stream->first_line_is_retry);
  assert_stream_ids (stream, 1, 5);
  test_event_stream_close (stream);
  assert_stat_becomes (fixture, "open_streams", 0, 3000);
}

static void
test_sse_resume (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream;

  for (int i = 0; i < 5; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));

  /* Saw up to 2: gets exactly 3, 4, 5, then the live 6. */
  stream = open_events (fixture, "", "2");
  g_assert_true (test_event_stream_wait (stream, 3, 3000));
  json_object_unref (test_publish (fixture->server, fixture->session, NULL));
  g_assert_true (test_event_stream_wait (stream, 4, 3000));
  /* Nothing more may come: no duplicates. */
  g_assert_false (test_event_stream_wait (stream, 5, 300));
  assert_stream_ids (stream, 3, 4);
  test_event_stream_close (stream);

  /* The query form, for clients that cannot set the header. */
  stream = open_events (fixture, "?lastEventId=5", NULL);
  g_assert_true (test_event_stream_wait (stream, 1, 3000));
  assert_stream_ids (stream, 6, 1);
  test_event_stream_close (stream);
}

/* A resume over a long history is capped (older events counted as
 * missed) rather than getting the client dropped as a slow reader. */
static void
test_sse_long_replay_is_bounded (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream;
  JsonObject *first, *last;
  gint64 missed, first_id;

  for (int i = 0; i < 1500; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, "01.png"));
  stream = open_events (fixture, "", "0");
  g_assert_true (test_event_stream_wait (stream, 100, 5000));
  g_assert_false (stream->ended);
  /* Wait until the replay stops growing. */
  while (test_event_stream_wait (stream, stream->events->len + 1, 300))
    ;
  first = g_ptr_array_index (stream->events, 0);
  last = g_ptr_array_index (stream->events, stream->events->len - 1);
  first_id = json_object_get_int_member (first, "id");
  missed = json_object_get_int_member (first, "missed");
  g_assert_cmpint (json_object_get_int_member (last, "id"), ==, 1500);
  g_assert_cmpint (missed, ==, first_id - 1);
  g_assert_cmpint (first_id - 1 + stream->events->len, ==, 1500);
  assert_stat_becomes (fixture, "open_streams", 1, 2000);
  test_event_stream_close (stream);
}

static void
test_sse_heartbeat (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  while (stream->comments == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (stream->comments, >, 0);
  test_event_stream_close (stream);
}

static void
test_sse_bad_last_event_id (Fixture *fixture, gconstpointer data)
{
  const char *headers[] = { "Last-Event-ID", "twelve", NULL };
  g_autofree char *url = g_strconcat (fixture->server->url, API "/events", NULL);
  g_auto(TestResponse) response = { 0 };

  test_request (fixture->session, "GET", url, headers, NULL, NULL, &response);
  test_assert_json_error (&response, 400);
}

static void
test_sse_max_streams (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autofree char *url = g_strconcat (fixture->server->url, API "/events", NULL);
  g_auto(TestResponse) refused = { 0 };

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &refused);
  test_assert_json_error (&refused, 503);
  g_assert_nonnull (test_response_header (&refused, "Retry-After"));
  test_event_stream_close (stream);
}

static void
test_sse_disconnects_cleaned_up (Fixture *fixture, gconstpointer data)
{
  TestEventStream *streams[20];

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    streams[i] = open_events (fixture, "", NULL);
  assert_stat_becomes (fixture, "open_streams", 20, 3000);
  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    test_event_stream_close (streams[i]);
  g_clear_object (&fixture->async_session);
  assert_stat_becomes (fixture, "open_streams", 0, 3000);
  fixture->async_session = new_async_session ();
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;

  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static void
upload (Fixture *fixture, GBytes *body, const char *content_type, TestResponse *response)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images", NULL);

  test_request (fixture->session, "POST", url, NULL, body, content_type, response);
}

static GBytes *
read_source_image (const char *name)
{
  g_autofree char *path = test_source_image (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);

  g_assert_no_error (error);
  return g_mapped_file_get_bytes (file);
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
  g_assert_cmpuint (response.status, ==, 201);
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
  test_request (fixture->session, "GET", json_object_get_string_member (created, "message"),
                NULL, NULL, NULL, &download);
  g_assert_cmpuint (download.status, ==, 200);
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

static void
copy_into (const char *folder, const char *name, const char *as)
{
  g_autofree char *from_path = test_source_image (name);
  g_autofree char *to_path = g_build_filename (folder, as, NULL);
  g_autoptr(GFile) from = g_file_new_for_path (from_path);
  g_autoptr(GFile) to = g_file_new_for_path (to_path);
  g_autoptr(GError) error = NULL;

  g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_folder_new_file_published (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestPending) poll = poll_async (fixture, "");
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *path = g_build_filename (fixture->folder, "dropped-in.png", NULL);

  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  copy_into (fixture->folder, "030.png", "dropped-in.png");
  wait_done (poll, 2000);
  event = test_pending_json (poll);
  assert_event (event, 1, "folder");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "dropped-in.png");
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 6);

  /* A deleted file leaves the catalogue. */
  g_assert_cmpint (g_remove (path), ==, 0);
  assert_stat_becomes (fixture, "images", 5, 2000);
}

static void
test_timer_publishes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestPending) poll = poll_async (fixture, "");
  g_autoptr(JsonObject) event = NULL;

  wait_done (poll, 3000);
  event = test_pending_json (poll);
  assert_event (event, 1, "timer");
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
  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &get);
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

    test_request (fixture.session, "POST", url, NULL, png, "image/png", &upload_response);
    test_assert_json_error (&upload_response, 401);
    g_assert_cmpuint (count_files (fixture.folder), ==, 2);
  }
  {
    g_auto(TestResponse) response = { 0 };

    post_json (&fixture, API "/publish", NULL, right, &response);
    g_assert_cmpuint (response.status, ==, 201);
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
  start (&fixture, args);
  post_json (&fixture, API "/publish", NULL, NULL, &response);
  test_assert_json_error (&response, 403);
  fixture_tear_down (&fixture, NULL);
}

static gboolean
on_stream_ended (gpointer user_data)
{
  return ((TestEventStream *) user_data)->ended;
}

static void
test_shutdown_ends_held_clients (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autoptr(TestPending) poll = poll_async (fixture, "");

  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  test_server_stop (g_steal_pointer (&fixture->server));   /* asserts exit 0 */
  wait_done (poll, 3000);
  g_assert_cmpuint (poll->status, ==, 204);
  g_assert_true (test_wait_until (on_stream_ended, stream, 3000));
  test_event_stream_close (stream);
}

#define ADD(path, func, args) \
  g_test_add (path, Fixture, (const char *const *) args, fixture_set_up, func, fixture_tear_down)

static const char *const history_2[] = { "--history=2", NULL };
static const char *const long_history[] = { "--history=5000", NULL };
static const char *const max_waiters_2[] = { "--max-waiters=2", NULL };
static const char *const max_streams_1[] = { "--max-streams=1", NULL };
static const char *const heartbeat_fast[] = { "--heartbeat=0.2", NULL };
static const char *const small_uploads[] = { "--max-upload=10000", NULL };
static const char *const fast_timer[] = { "--interval=0.3", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/poll/released-by-publish", test_poll_released_by_publish, NULL);
  ADD ("/poll/timeout", test_poll_timeout, NULL);
  ADD ("/poll/replay", test_poll_replay, NULL);
  ADD ("/poll/missed", test_poll_missed, history_2);
  ADD ("/poll/since-from-the-future", test_poll_since_future, NULL);
  ADD ("/poll/bad-parameters", test_poll_bad_parameters, NULL);
  ADD ("/poll/thousand-released-together", test_poll_thousand_released_together, NULL);
  ADD ("/poll/disconnects-cleaned-up", test_poll_disconnects_cleaned_up, NULL);
  ADD ("/poll/max-waiters", test_poll_max_waiters, max_waiters_2);
  ADD ("/sse/five-in-order", test_sse_five_in_order, NULL);
  ADD ("/sse/resume", test_sse_resume, NULL);
  ADD ("/sse/heartbeat", test_sse_heartbeat, heartbeat_fast);
  ADD ("/sse/long-replay-is-bounded", test_sse_long_replay_is_bounded, long_history);
  ADD ("/sse/bad-last-event-id", test_sse_bad_last_event_id, NULL);
  ADD ("/sse/max-streams", test_sse_max_streams, max_streams_1);
  ADD ("/sse/disconnects-cleaned-up", test_sse_disconnects_cleaned_up, NULL);
  ADD ("/upload/reaches-poll-and-sse", test_upload_reaches_poll_and_sse, NULL);
  ADD ("/upload/multipart", test_upload_multipart, NULL);
  ADD ("/upload/text-named-png", test_upload_text_named_png, NULL);
  ADD ("/upload/oversize", test_upload_oversize, small_uploads);
  ADD ("/folder/new-file-published", test_folder_new_file_published, NULL);
  ADD ("/timer/publishes", test_timer_publishes, fast_timer);
  ADD ("/publish/errors", test_publish_errors, NULL);
  g_test_add_func ("/auth/token", test_auth_token);
  g_test_add_func ("/auth/no-token-beyond-loopback", test_auth_no_token_beyond_loopback);
  ADD ("/shutdown/ends-held-clients", test_shutdown_ends_held_clients, NULL);

  return g_test_run ();
}
