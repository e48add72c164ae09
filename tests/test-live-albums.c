/* SPDX-License-Identifier: MIT */
/* Live per album on the memory broker, against a real server: event
 * streams, long-polls and WebSockets with ?album= get only their albums'
 * events; a resuming client gets exactly its albums' missed events, once
 * each; uploads go into an album; a publish may name an album. (Two nodes
 * on Redis: tests/test-cluster.c.) */
#include "picture-files.h"
#include "push-fixture.h"

#include <string.h>

static void
albums_set_up (Fixture *fixture, gconstpointer data)
{
  const char *extra = data;
  g_autofree char *images = NULL;

  fixture->folder = test_make_image_folder (2);
  picture_files_make_folder (fixture->folder, "dogs/puppies");
  picture_files_make_folder (fixture->folder, "cats");
  picture_files_copy_shipped (fixture->folder, "dogs/d1.png", "03.png");
  picture_files_copy_shipped (fixture->folder, "dogs/puppies/p1.png", "04.png");
  picture_files_copy_shipped (fixture->folder, "cats/c1.png", "05.png");
  picture_files_write_text (fixture->folder, "cats/info.json",
                            "{\"pictures\": {\"c1.png\": {\"alt\": \"A \\\"cat\\\"\", \"author\": \"Ada\","
                            " \"alt_by_language\": {\"fa\": \"\xda\xa9\xd8\xb1\xd9\x87\"}}}}", -1);
  images = g_strconcat ("--images=", fixture->folder, NULL);
  fixture->session = soup_session_new ();
  fixture->async_session = new_async_session ();
  fixture->server = test_server_start (images, "--interval=0", extra, NULL);
}

static JsonObject *
publish_body (Fixture *fixture, const char *json, guint expected_status)
{
  g_autofree char *url = test_server_url (fixture->server, API "/publish");
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_auto(TestResponse) response = { 0 };

  test_request (fixture->session, "POST", url, NULL, body, "application/json", &response);
  g_assert_cmpuint (response.status, ==, expected_status);
  return test_response_json (&response);
}

static void
publish_sequence (Fixture *fixture)
{
  /* ids 1..6: dogs, cats, none, puppies (a dog too), cats, dogs */
  static const char *const bodies[] = {
    "{\"name\":\"dogs/d1.png\"}", "{\"album\":\"cats\"}", "{\"name\":\"01.png\"}",
    "{\"album\":\"dogs/puppies\"}", "{\"name\":\"cats/c1.png\"}", "{\"name\":\"dogs/d1.png\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    json_object_unref (publish_body (fixture, bodies[i], 201));
}

static void
assert_ids (GPtrArray *events, const gint64 *ids, guint count)
{
  g_assert_cmpuint (events->len, ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, i), "id"), ==, ids[i]);
}

static void
test_streams_follow_their_albums (Fixture *fixture, gconstpointer data)
{
  TestEventStream *dogs = open_events (fixture, "?album=dogs", NULL);
  TestEventStream *cats = open_events (fixture, "?album=cats", NULL);
  TestEventStream *puppies = open_events (fixture, "?album=dogs/puppies,cats", NULL);
  TestEventStream *all = open_events (fixture, "", NULL);
  static const gint64 dog_ids[] = { 1, 4, 6 }, cat_ids[] = { 2, 5 }, puppy_ids[] = { 2, 4, 5 };

  assert_stat_becomes (fixture, "open_streams", 4, 3000);
  publish_sequence (fixture);
  g_assert_true (test_event_stream_wait (all, 6, 3000));
  g_assert_true (test_event_stream_wait (dogs, 3, 3000));
  g_assert_true (test_event_stream_wait (cats, 2, 3000));
  g_assert_true (test_event_stream_wait (puppies, 3, 3000));
  g_assert_false (test_event_stream_wait (dogs, 4, 300));
  assert_ids (dogs->events, dog_ids, 3);
  assert_ids (cats->events, cat_ids, 2);
  assert_ids (puppies->events, puppy_ids, 3);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (dogs->events, 1), "album"), ==, "dogs/puppies");
  g_assert_true (json_object_get_null_member (g_ptr_array_index (all->events, 2), "album"));
  test_event_stream_close (dogs);
  test_event_stream_close (cats);
  test_event_stream_close (puppies);
  test_event_stream_close (all);
}

/* Resuming from id 0: exactly the album's events, once each, in order. */
static void
test_resume_gets_the_albums_missed_events (Fixture *fixture, gconstpointer data)
{
  TestEventStream *cats;
  static const gint64 cat_ids[] = { 2, 5 };
  g_autoptr(JsonObject) first_dog = NULL;
  g_autoptr(JsonObject) next_dog = NULL;
  g_autoptr(TestPending) waiting = NULL;

  publish_sequence (fixture);
  cats = open_events (fixture, "?album=cats", "0");
  g_assert_true (test_event_stream_wait (cats, 2, 3000));
  g_assert_false (test_event_stream_wait (cats, 3, 300));
  assert_ids (cats->events, cat_ids, 2);
  test_event_stream_close (cats);

  /* A long-poll is answered by its album's first event after since. */
  first_dog = poll_now (fixture, "?since=1&album=dogs");
  g_assert_cmpint (json_object_get_int_member (first_dog, "id"), ==, 4);
  next_dog = poll_now (fixture, "?since=4&album=dogs");
  g_assert_cmpint (json_object_get_int_member (next_dog, "id"), ==, 6);
  /* Nothing of its album after 6: it waits, and other albums do not answer it. */
  waiting = poll_async (fixture, "?since=6&album=dogs&timeout=2");
  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  json_object_unref (publish_body (fixture, "{\"album\":\"cats\"}", 201));
  test_run_for (300);
  g_assert_false (waiting->done);
  json_object_unref (publish_body (fixture, "{\"album\":\"dogs\"}", 201));
  wait_done (waiting, 3000);
  g_assert_cmpuint (waiting->status, ==, 200);
  {
    g_autoptr(JsonObject) event = test_pending_json (waiting);
    g_assert_cmpint (json_object_get_int_member (event, "id"), ==, 8);
  }
}

/* @event carries every member of @image (the picture's own page), equal. */
static void
assert_same_details (JsonObject *event, JsonObject *image)
{
  g_autoptr(GList) members = json_object_get_members (image);

  for (GList *member = members; member != NULL; member = member->next)
    {
      g_autofree char *expected = json_to_string (json_object_get_member (image, member->data), FALSE);
      g_autofree char *got = NULL;

      g_assert_true (json_object_has_member (event, member->data));
      got = json_to_string (json_object_get_member (event, member->data), FALSE);
      g_assert_cmpstr (got, ==, expected);
    }
  g_assert_cmpstr (json_object_get_string_member (event, "url"), ==, json_object_get_string_member (event, "message"));
}

static JsonObject *
picture_page (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_strconcat (API "/images/", name, NULL);
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  answer = test_response_json (&response);
  return json_object_ref (json_object_get_object_member (answer, "image"));
}

/* The publish answer, a stream, a long-poll and a replay carry the same
 * details as the picture's page: sizes, type, version, colour, BlurHash,
 * the sidecar's alt text and author (escaped), the album. */
static void
test_events_carry_picture_details (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "?album=cats", NULL);
  g_autoptr(JsonObject) image = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) polled = NULL;
  g_autoptr(JsonObject) top = NULL;
  TestEventStream *replay;

  test_server_wait_for_placeholders (fixture->server, fixture->session, 10000);
  image = picture_page (fixture, "cats/c1.png");
  g_assert_cmpstr (json_object_get_string_member (image, "alt"), ==, "A \"cat\"");
  g_assert_false (json_object_get_null_member (image, "blurhash"));
  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  answer = publish_body (fixture, "{\"name\":\"cats/c1.png\"}", 201);
  assert_same_details (answer, image);
  g_assert_true (test_event_stream_wait (stream, 1, 3000));
  assert_same_details (g_ptr_array_index (stream->events, 0), image);
  polled = poll_now (fixture, "?since=0&album=cats");
  assert_same_details (polled, image);
  replay = open_events (fixture, "?album=cats", "0");
  g_assert_true (test_event_stream_wait (replay, 1, 3000));
  assert_same_details (g_ptr_array_index (replay->events, 0), image);
  test_event_stream_close (replay);
  test_event_stream_close (stream);

  json_object_unref (publish_body (fixture, "{\"name\":\"01.png\"}", 201));
  top = poll_now (fixture, "?since=1");
  {
    g_autoptr(JsonObject) top_image = picture_page (fixture, "01.png");
    assert_same_details (top, top_image);
  }
}

/* A picture's details give the content hash its canonical variant URLs
 * carry: a client builds /img/NAME/VARIANT_VERSION/SIZE (an album's "/"
 * escaped in NAME) and is served at once, immutable, without a redirect;
 * the hash is the file's. */
static void
test_details_build_a_canonical_variant_url (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) image = NULL;
  g_autofree char *variant = NULL;
  g_autofree char *url = NULL;
  g_autofree char *source = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *bytes = NULL;
  gsize length;
  g_auto(TestResponse) response = { 0 };

  test_server_wait_for_placeholders (fixture->server, fixture->session, 10000);
  image = picture_page (fixture, "cats/c1.png");
  g_assert_false (json_object_get_null_member (image, "variant_version"));
  source = g_build_filename (fixture->folder, "cats", "c1.png", NULL);
  g_assert_true (g_file_get_contents (source, &bytes, &length, NULL));
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) bytes, length);
  hash[16] = '\0';
  g_assert_cmpstr (json_object_get_string_member (image, "variant_version"), ==, hash);
  variant = g_strdup_printf ("/img/cats%%2Fc1.png/%s/40x30.jpg", hash);
  url = test_server_url (fixture->server, variant);
  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, "public, max-age=31536000, immutable");
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "image/jpeg");
}

static gint64
missed_of (JsonObject *event)
{
  return json_object_get_int_member_with_default (event, "missed", 0);
}

/* With --history=1 the ring of gone events holds 8: ids 1..12 published
 * (dogs odd, cats even), 12 kept, 4..11 known gone, 1..3 forgotten. A
 * client is told how many of ITS albums' events are gone: exact within
 * the ring, and every forgotten id counted (a bound) beyond it. */
static void
test_missed_counted_per_album (Fixture *fixture, gconstpointer data)
{
  TestEventStream *cats;
  g_autoptr(JsonObject) cats_after_5 = NULL;
  g_autoptr(JsonObject) all_after_5 = NULL;
  g_autoptr(JsonObject) cats_after_11 = NULL;

  for (guint i = 1; i <= 12; i++)
    json_object_unref (publish_body (fixture, i % 2 == 1 ? "{\"album\":\"dogs\"}" : "{\"album\":\"cats\"}", 201));
  cats_after_5 = poll_now (fixture, "?since=5&album=cats");
  g_assert_cmpint (json_object_get_int_member (cats_after_5, "id"), ==, 12);
  g_assert_cmpint (missed_of (cats_after_5), ==, 3);    /* 6, 8, 10 */
  all_after_5 = poll_now (fixture, "?since=5");
  g_assert_cmpint (missed_of (all_after_5), ==, 6);     /* 6..11 */
  cats_after_11 = poll_now (fixture, "?since=11&album=cats");
  g_assert_cmpint (missed_of (cats_after_11), ==, 0);
  cats = open_events (fixture, "?album=cats", "0");
  g_assert_true (test_event_stream_wait (cats, 1, 3000));
  /* 4, 6, 8, 10 known; 1, 2, 3 forgotten: counted, whatever their album */
  g_assert_cmpint (missed_of (g_ptr_array_index (cats->events, 0)), ==, 4 + 3);
  test_event_stream_close (cats);
}

static void
test_websocket_follows_its_album (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Follower) follower = NULL;
  static const gint64 cat_ids[] = { 2, 5 };

  test_server_wait_for_placeholders (fixture->server, fixture->session, 10000);
  publish_sequence (fixture);
  follower = follow (fixture, "?album=cats&since=0");
  assert_events_become (follower, 2);
  test_run_for (300);
  assert_ids (follower->events, cat_ids, 2);
  {
    g_autoptr(JsonObject) image = picture_page (fixture, "cats/c1.png");
    assert_same_details (g_ptr_array_index (follower->events, 1), image);
  }
}

static void
test_bad_album_parameters (Fixture *fixture, gconstpointer data)
{
  static const char *const paths[] = {
    API "/events?album=..", API "/rndimg/poll?album=Dogs", API "/ws?album=a/b/c", API "/events?album=",
    API "/events?album=dogs%00x", API "/images?album=dogs%00x", API "/images?after=01.png%00",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = test_server_url (fixture->server, paths[i]);
      g_auto(TestResponse) response = { 0 };

      test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
      test_assert_json_error (&response, 400);
    }
  json_object_unref (publish_body (fixture, "{\"album\":\"birds\"}", 404));
  json_object_unref (publish_body (fixture, "{\"album\":\"../x\"}", 400));
  json_object_unref (publish_body (fixture, "{\"album\":7}", 400));
}

static TestResponse *
upload (Fixture *fixture, const char *query, TestResponse *response)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images", query, NULL);
  g_autoptr(GBytes) png = read_source_image ("042.png");

  test_request (fixture->session, "POST", url, NULL, png, "image/png", response);
  return response;
}

static void
test_upload_into_album (Fixture *fixture, gconstpointer data)
{
  TestEventStream *dogs = open_events (fixture, "?album=dogs", NULL);
  g_auto(TestResponse) created = { 0 };
  g_auto(TestResponse) unknown = { 0 };
  g_auto(TestResponse) bad = { 0 };
  g_autoptr(JsonObject) event = NULL;
  const char *name;

  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  upload (fixture, "?album=dogs", &created);
  g_assert_cmpuint (created.status, ==, 201);
  event = test_response_json (&created);
  name = json_object_get_string_member (event, "name");
  g_assert_true (g_str_has_prefix (name, "dogs/upload-"));
  g_assert_cmpstr (json_object_get_string_member (event, "album"), ==, "dogs");
  g_assert_true (test_event_stream_wait (dogs, 1, 3000));
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (dogs->events, 0), "name"), ==, name);
  test_event_stream_close (dogs);
  test_assert_json_error (upload (fixture, "?album=birds", &unknown), 404);
  test_assert_json_error (upload (fixture, "?album=..", &bad), 400);
}

static void
test_upload_new_album_allowed (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) created = { 0 };
  g_autoptr(JsonObject) event = NULL;

  upload (fixture, "?album=birds/owls", &created);
  g_assert_cmpuint (created.status, ==, 201);
  event = test_response_json (&created);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (event, "name"), "birds/owls/upload-"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

#define ADD_ALBUMS(path, func, arg) g_test_add (path, Fixture, arg, albums_set_up, func, fixture_tear_down)
  ADD_ALBUMS ("/live-albums/streams-follow-their-albums", test_streams_follow_their_albums, NULL);
  ADD_ALBUMS ("/live-albums/resume-gets-the-albums-missed-events", test_resume_gets_the_albums_missed_events, NULL);
  ADD_ALBUMS ("/live-albums/events-carry-picture-details", test_events_carry_picture_details, NULL);
  ADD_ALBUMS ("/live-albums/details-build-a-canonical-variant-url", test_details_build_a_canonical_variant_url, NULL);
  ADD_ALBUMS ("/live-albums/missed-counted-per-album", test_missed_counted_per_album, "--history=1");
  ADD_ALBUMS ("/live-albums/websocket-follows-its-album", test_websocket_follows_its_album, NULL);
  ADD_ALBUMS ("/live-albums/bad-album-parameters", test_bad_album_parameters, NULL);
  ADD_ALBUMS ("/live-albums/upload-into-album", test_upload_into_album, NULL);
  ADD_ALBUMS ("/live-albums/upload-new-album-allowed", test_upload_new_album_allowed, "--allow-new-albums");
  test_add_answers_described ();
  return g_test_run ();
}
