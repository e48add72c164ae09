/* SPDX-License-Identifier: MIT */
/* Owning the catalogue over the API, against real servers on their own
 * folders: a DELETE reaches an event stream, a long-poll and a WebSocket
 * as "removed" and the file is in the trash with its text; a file deleted
 * by hand is the same event; a PATCH of a picture's text is written to
 * info.json (other members kept) and survives a restart; a hand edit is
 * never lost (If-Match, or the file newer than the server's view: 409);
 * a move; albums made, changed and deleted (only when empty unless
 * asked); the manage scope; the trash swept after --trash-days; the audit
 * log (who, what, from where, the status; never the token). */
#include "picture-files.h"
#include "push-fixture.h"

#include <glib/gstdio.h>
#include <string.h>

#define MANAGER_TOKEN "manager-token-0123456789"
#define CATS_TOKEN "cats-only-token-0123456789"
#define PUBLISHER_TOKEN "publisher-token-0123456789"

static void
make_catalogue (Fixture *fixture)
{
  fixture->folder = test_make_image_folder (2);
  picture_files_make_folder (fixture->folder, "dogs");
  picture_files_make_folder (fixture->folder, "cats");
  picture_files_copy_shipped (fixture->folder, "dogs/d1.png", "03.png");
  picture_files_copy_shipped (fixture->folder, "cats/c1.png", "04.png");
  picture_files_copy_shipped (fixture->folder, "cats/c2.png", "05.png");
  picture_files_write_text (fixture->folder, "cats/info.json",
                            "{\"keeper\": \"a member this server does not know\",\n"
                            " \"pictures\": {\"c1.png\": {\"alt\": \"A cat\", \"author\": \"Ada\"}}}", -1);
}

/* A server on @fixture's folder, with the tokens file written beside it
 * when @with_tokens. */
static void
start_on_folder (Fixture *fixture, gboolean with_tokens, const char *extra)
{
  g_autofree char *images = g_strconcat ("--images=", fixture->folder, NULL);
  g_autofree char *tokens_path = g_strconcat (fixture->folder, "-tokens.ini", NULL);
  g_autofree char *tokens_flag = g_strconcat ("--tokens-file=", tokens_path, NULL);
  const char *args[] = { images, "--interval=0", with_tokens ? tokens_flag : extra, with_tokens ? extra : NULL, NULL };

  if (with_tokens)
    g_assert_true (g_file_set_contents (tokens_path,
                                        "[manager]\ntoken=" MANAGER_TOKEN "\nscopes=manage publish\n"
                                        "[cat-keeper]\ntoken=" CATS_TOKEN "\nscopes=manage:cats\n"
                                        "[publisher]\ntoken=" PUBLISHER_TOKEN "\nscopes=publish\n", -1, NULL));
  fixture->session = soup_session_new ();
  fixture->async_session = new_async_session ();
  fixture->server = test_server_start_logged (args, NULL);
}

static void
writes_set_up (Fixture *fixture, gconstpointer data)
{
  make_catalogue (fixture);
  start_on_folder (fixture, data != NULL, NULL);
}

static void
writes_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *tokens = fixture->folder != NULL ? g_strconcat (fixture->folder, "-tokens.ini", NULL)
                                                    : NULL;

  if (tokens != NULL)
    g_unlink (tokens);
  fixture_tear_down (fixture, data);
}

/* @method on API @path with @json (NULL: no body) as @token (NULL: none). */
static void
send_json (Fixture *fixture, const char *method, const char *path, const char *json, const char *token,
           TestResponse *response)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_autofree char *bearer = token != NULL ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  test_request (fixture->session, method, url, token != NULL ? headers : NULL, body,
                json != NULL ? "application/json" : NULL, response);
}

static JsonObject *
send_ok (Fixture *fixture, const char *method, const char *path, const char *json, const char *token,
         guint expected)
{
  g_auto(TestResponse) response = { 0 };

  send_json (fixture, method, path, json, token, &response);
  test_assert_status (&response, expected);
  return test_response_json (&response);
}

static void
assert_refused (Fixture *fixture, const char *method, const char *path, const char *json, const char *token,
                guint expected)
{
  g_auto(TestResponse) response = { 0 };

  send_json (fixture, method, path, json, token, &response);
  test_assert_json_error (&response, expected);
}

static guint
status_of (Fixture *fixture, const char *path)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };

  test_get (fixture->session, url, &response);
  return response.status;
}

static JsonObject *
details_of (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_strconcat (API "/images/", name, NULL);
  g_autoptr(JsonObject) answer = send_ok (fixture, "GET", path, NULL, NULL, 200);

  return json_object_ref (json_object_get_object_member (answer, "image"));
}

static char *
file_text (Fixture *fixture, const char *relative)
{
  g_autofree char *path = g_build_filename (fixture->folder, relative, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The files in the server's trash, by name, with their entries' text. */
static GHashTable *
trash_contents (Fixture *fixture)
{
  g_autofree char *trash = g_build_filename (fixture->server->state_dir, "trash", NULL);
  g_autoptr(GDir) items = g_dir_open (trash, 0, NULL);
  GHashTable *found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *item;

  while (items != NULL && (item = g_dir_read_name (items)) != NULL)
    {
      g_autofree char *folder = g_build_filename (trash, item, NULL);
      g_autoptr(GDir) files = g_dir_open (folder, 0, NULL);
      g_autofree char *entry_path = g_build_filename (folder, "entry.json", NULL);
      g_autofree char *entry = NULL;
      const char *file;

      g_file_get_contents (entry_path, &entry, NULL, NULL);
      while (files != NULL && (file = g_dir_read_name (files)) != NULL)
        if (!g_str_equal (file, "entry.json"))
          g_hash_table_replace (found, g_strdup (file), g_strdup (entry != NULL ? entry : ""));
    }
  return found;
}

static const char *
event_type (JsonObject *event)
{
  return json_object_get_string_member_with_default (event, "type", NULL);
}

/* ---- deletes ---- */

static void
test_delete_reaches_every_follower (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autoptr(Follower) socket = follow (fixture, "");
  g_autoptr(TestPending) poll = poll_async (fixture, "?timeout=20");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) polled = NULL;
  g_autoptr(GHashTable) trash = NULL;
  JsonObject *streamed, *socketed;

  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  assert_stat_becomes (fixture, "open_websockets", 1, 3000);
  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  answer = send_ok (fixture, "DELETE", API "/images/cats/c1.png", NULL, NULL, 200);
  g_assert_cmpstr (event_type (answer), ==, "removed");
  g_assert_cmpstr (json_object_get_string_member (answer, "name"), ==, "cats/c1.png");
  g_assert_true (json_object_get_null_member (answer, "url"));

  g_assert_true (test_event_stream_wait (stream, 1, 5000));
  streamed = g_ptr_array_index (stream->events, 0);
  g_assert_cmpstr (event_type (streamed), ==, "removed");
  g_assert_cmpstr (json_object_get_string_member (streamed, "name"), ==, "cats/c1.png");
  assert_events_become (socket, 1);
  socketed = g_ptr_array_index (socket->events, 0);
  g_assert_cmpstr (event_type (socketed), ==, "removed");
  wait_done (poll, 5000);
  g_assert_cmpuint (poll->status, ==, 200);
  polled = test_pending_json (poll);
  g_assert_cmpstr (event_type (polled), ==, "removed");
  g_assert_cmpint (json_object_get_int_member (polled, "id"), ==, json_object_get_int_member (answer, "id"));

  /* Gone from every route, and kept in the trash with its text. */
  g_assert_cmpuint (status_of (fixture, API "/images/cats/c1.png"), ==, 404);
  g_assert_cmpuint (status_of (fixture, "/static/img/cats/c1.png"), ==, 404);
  g_assert_cmpuint (status_of (fixture, "/img/cats%2Fc1.png/10x10.png"), ==, 404);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 4);
  trash = trash_contents (fixture);
  g_assert_true (g_hash_table_contains (trash, "c1.png"));
  g_assert_nonnull (strstr (g_hash_table_lookup (trash, "c1.png"), "\"alt\" : \"A cat\""));
  g_assert_nonnull (strstr (g_hash_table_lookup (trash, "c1.png"), "\"name\" : \"cats/c1.png\""));
  /* Its text left info.json; what the server does not know stayed. */
  {
    g_autofree char *sidecar = file_text (fixture, "cats/info.json");

    g_assert_null (strstr (sidecar, "c1.png"));
    g_assert_nonnull (strstr (sidecar, "a member this server does not know"));
  }
  assert_refused (fixture, "DELETE", API "/images/cats/c1.png", NULL, NULL, 404);
  test_event_stream_close (stream);
}

static void
test_deleted_by_hand_is_removed (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autofree char *path = g_build_filename (fixture->folder, "dogs", "d1.png", NULL);
  JsonObject *event;

  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (test_event_stream_wait (stream, 1, 5000));
  event = g_ptr_array_index (stream->events, 0);
  g_assert_cmpstr (event_type (event), ==, "removed");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "dogs/d1.png");
  g_assert_cmpstr (json_object_get_string_member (event, "source"), ==, "folder");
  g_assert_false (test_event_stream_wait (stream, 2, 500));
  test_event_stream_close (stream);
}

/* ---- a picture's text ---- */

static void
test_edit_survives_a_restart (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *sidecar = NULL;
  JsonObject *event;

  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  answer = send_ok (fixture, "PATCH", API "/images/cats/c1.png",
                    "{\"title\":\"Tabby\",\"alt\":\"A tabby cat asleep\",\"author\":null,"
                    "\"alt_by_language\":{\"fa\":\"\xda\xa9\xd8\xb1\xd9\x87\"},\"license\":\"CC0-1.0\"}", NULL, 200);
  g_assert_cmpstr (event_type (answer), ==, "changed");
  g_assert_cmpstr (json_object_get_string_member (answer, "alt"), ==, "A tabby cat asleep");
  g_assert_cmpstr (json_object_get_string_member (answer, "title"), ==, "Tabby");
  g_assert_true (json_object_get_null_member (answer, "author"));
  g_assert_true (test_event_stream_wait (stream, 1, 5000));
  event = g_ptr_array_index (stream->events, 0);
  g_assert_cmpstr (event_type (event), ==, "changed");
  g_assert_cmpstr (json_object_get_string_member (event, "license"), ==, "CC0-1.0");
  test_event_stream_close (stream);

  sidecar = file_text (fixture, "cats/info.json");
  g_assert_nonnull (strstr (sidecar, "A tabby cat asleep"));
  g_assert_nonnull (strstr (sidecar, "a member this server does not know"));
  g_assert_null (strstr (sidecar, "Ada"));

  test_server_stop (fixture->server);
  fixture->server = NULL;
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->async_session);
  start_on_folder (fixture, FALSE, NULL);
  after = details_of (fixture, "cats/c1.png");
  g_assert_cmpstr (json_object_get_string_member (after, "alt"), ==, "A tabby cat asleep");
  g_assert_cmpstr (json_object_get_string_member (after, "title"), ==, "Tabby");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (after, "alt_by_language"), "fa"),
                   ==, "\xda\xa9\xd8\xb1\xd9\x87");
}

static char *
etag_of (Fixture *fixture, const char *name)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images/", name, NULL);
  g_auto(TestResponse) response = { 0 };

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  return g_strdup (test_response_header (&response, "ETag"));
}

static void
patch_if_match (Fixture *fixture, const char *name, const char *json, const char *etag, TestResponse *response)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images/", name, NULL);
  const char *headers[] = { "If-Match", etag, NULL };
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  test_request (fixture->session, "PATCH", url, headers, body, "application/json", response);
}

/* A publish tells the picture's text as it is now: an event's details
 * are kept per picture (server/api/rndimg-event-details.c), and an edit
 * makes a new picture, so the next publish does not say the old text. */
static void
test_publish_after_edit (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) edited = NULL;
  g_autoptr(JsonObject) after = NULL;

  test_server_wait_for_placeholders (fixture->server, fixture->session, 60000);
  before = send_ok (fixture, "POST", API "/publish", "{\"name\":\"cats/c1.png\"}", NULL, 201);
  g_assert_cmpstr (json_object_get_string_member_with_default (before, "title", NULL), !=, "Tabby");
  g_assert_nonnull (json_object_get_string_member_with_default (before, "blurhash", NULL));   /* complete: kept */
  edited = send_ok (fixture, "PATCH", API "/images/cats/c1.png", "{\"title\":\"Tabby\"}", NULL, 200);
  after = send_ok (fixture, "POST", API "/publish", "{\"name\":\"cats/c1.png\"}", NULL, 201);
  g_assert_cmpstr (json_object_get_string_member_with_default (after, "title", NULL), ==, "Tabby");
}

/* A hand edit is never lost: a PATCH made on a view older than the file is
 * refused 409, whether the client says which view (If-Match) or the
 * server sees the file changed since it read it. */
static void
test_hand_edit_is_not_lost (Fixture *fixture, gconstpointer data)
{
  g_autofree char *etag = etag_of (fixture, "cats/c1.png");
  g_autofree char *sidecar = NULL;
  g_auto(TestResponse) stale = { 0 };
  g_auto(TestResponse) fresh = { 0 };
  g_auto(TestResponse) unchecked = { 0 };
  g_autoptr(JsonObject) details = NULL;

  g_assert_nonnull (etag);
  picture_files_write_text (fixture->folder, "cats/info.json",
                            "{\"pictures\": {\"c1.png\": {\"alt\": \"Edited by hand\"}}}", -1);
  /* Right away, before the server reads the file again: 409. */
  send_json (fixture, "PATCH", API "/images/cats/c1.png", "{\"author\":\"API\"}", NULL, &unchecked);
  if (unchecked.status != 409)
    {
      /* A machine slower than the server's pause: the edit was read first,
       * and the PATCH went on top of it, keeping it. */
      test_assert_status (&unchecked, 200);
      g_message ("the hand edit was read before the PATCH (a slow machine): checking it was kept");
    }
  else
    test_assert_json_error (&unchecked, 409);
  /* With the ETag read before the edit: 409 however long it takes. */
  test_run_for (600);
  patch_if_match (fixture, "cats/c1.png", "{\"author\":\"API\"}", etag, &stale);
  test_assert_json_error (&stale, 409);
  details = details_of (fixture, "cats/c1.png");
  g_assert_cmpstr (json_object_get_string_member (details, "alt"), ==, "Edited by hand");
  /* With the ETag of what is there now: done, on top of the hand edit. */
  g_free (etag);
  etag = etag_of (fixture, "cats/c1.png");
  patch_if_match (fixture, "cats/c1.png", "{\"author\":\"API\"}", etag, &fresh);
  test_assert_status (&fresh, 200);
  sidecar = file_text (fixture, "cats/info.json");
  g_assert_nonnull (strstr (sidecar, "Edited by hand"));
  g_assert_nonnull (strstr (sidecar, "\"author\" : \"API\""));
}

static void
test_edit_refuses_bad_bodies (Fixture *fixture, gconstpointer data)
{
  static const char *const bodies[] = {
    "", "[]", "{}", "{\"alt\": 3}", "{\"name\": \"x.png\"}", "{\"source_url\": \"javascript:alert(1)\"}",
    "{\"alt_by_language\": {\"no space\": \"x\"}}", "{\"album\": \"Not An Album\"}", "not json",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    assert_refused (fixture, "PATCH", API "/images/cats/c1.png", bodies[i][0] != '\0' ? bodies[i] : NULL, NULL, 400);
  assert_refused (fixture, "PATCH", API "/images/cats/nope.png", "{\"alt\":\"x\"}", NULL, 404);
  assert_refused (fixture, "PATCH", API "/images/cats/notes.txt", "{\"alt\":\"x\"}", NULL, 400);
}

/* ---- moves ---- */

static void
test_move_to_another_album (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "?album=dogs", NULL);
  g_autoptr(JsonObject) moved = NULL;
  g_autoptr(JsonObject) details = NULL;
  g_autofree char *dogs = NULL;
  JsonObject *event;

  assert_stat_becomes (fixture, "open_streams", 1, 3000);
  moved = send_ok (fixture, "PATCH", API "/images/cats/c1.png", "{\"album\":\"dogs\"}", NULL, 200);
  g_assert_cmpstr (event_type (moved), ==, "moved");
  g_assert_cmpstr (json_object_get_string_member (moved, "name"), ==, "dogs/c1.png");
  g_assert_cmpstr (json_object_get_string_member (moved, "from"), ==, "cats/c1.png");
  /* A follower of the target album hears of it. */
  g_assert_true (test_event_stream_wait (stream, 1, 5000));
  event = g_ptr_array_index (stream->events, 0);
  g_assert_cmpstr (event_type (event), ==, "moved");
  test_event_stream_close (stream);
  g_assert_cmpuint (status_of (fixture, API "/images/cats/c1.png"), ==, 404);
  g_assert_cmpuint (status_of (fixture, "/static/img/dogs/c1.png"), ==, 200);
  details = details_of (fixture, "dogs/c1.png");
  g_assert_cmpstr (json_object_get_string_member (details, "alt"), ==, "A cat");
  dogs = file_text (fixture, "dogs/info.json");
  g_assert_nonnull (strstr (dogs, "A cat"));
  /* Into a name taken, or an album that is not: refused. */
  picture_files_copy_shipped (fixture->folder, "dogs/c2.png", "03.png");
  test_run_for (400);
  assert_refused (fixture, "PATCH", API "/images/cats/c2.png", "{\"album\":\"dogs\"}", NULL, 409);
  assert_refused (fixture, "PATCH", API "/images/cats/c2.png", "{\"album\":\"birds\"}", NULL, 404);
  /* To the top. */
  json_object_unref (send_ok (fixture, "PATCH", API "/images/cats/c2.png", "{\"album\":null}", NULL, 200));
  g_assert_cmpuint (status_of (fixture, "/static/img/c2.png"), ==, 200);
}

/* ---- albums ---- */

static void
test_albums_made_changed_deleted (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) made = NULL, changed = NULL, one = NULL, gone = NULL;
  g_autoptr(JsonObject) removed = NULL;
  JsonObject *album;

  made = send_ok (fixture, "POST", API "/albums", "{\"name\":\"birds\",\"title\":\"Birds\"}", NULL, 201);
  g_assert_cmpstr (event_type (made), ==, "album-changed");
  g_assert_cmpstr (json_object_get_string_member (made, "album"), ==, "birds");
  g_assert_cmpstr (json_object_get_string_member (made, "title"), ==, "Birds");
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"birds\"}", NULL, 409);
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"Birds!\"}", NULL, 400);
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"fish/small\"}", NULL, 404);
  json_object_unref (send_ok (fixture, "POST", API "/albums", "{\"name\":\"birds/small\"}", NULL, 201));

  changed = send_ok (fixture, "PATCH", API "/albums/birds", "{\"title\":\"All birds\"}", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (changed, "title"), ==, "All birds");
  one = send_ok (fixture, "GET", API "/albums/birds", NULL, NULL, 200);
  album = json_object_get_object_member (one, "album");
  g_assert_cmpstr (json_object_get_string_member (album, "title"), ==, "All birds");
  g_assert_false (json_object_get_boolean_member (album, "private"));

  /* Not empty: refused unless asked. */
  assert_refused (fixture, "DELETE", API "/albums/birds", NULL, NULL, 409);
  assert_refused (fixture, "DELETE", API "/albums/cats", NULL, NULL, 409);
  json_object_unref (send_ok (fixture, "DELETE", API "/albums/birds/small", NULL, NULL, 200));
  gone = send_ok (fixture, "DELETE", API "/albums/birds", NULL, NULL, 200);
  g_assert_cmpstr (event_type (gone), ==, "album-removed");
  g_assert_cmpuint (status_of (fixture, API "/albums/birds"), ==, 404);
  removed = send_ok (fixture, "DELETE", API "/albums/cats?pictures=true", NULL, NULL, 200);
  g_assert_cmpuint (status_of (fixture, "/static/img/cats/c2.png"), ==, 404);
  g_assert_cmpuint (status_of (fixture, API "/albums/cats"), ==, 404);
  {
    g_autoptr(GHashTable) trash = trash_contents (fixture);

    g_assert_true (g_hash_table_contains (trash, "c1.png"));
    g_assert_true (g_hash_table_contains (trash, "c2.png"));
  }
}

/* The title's translation of @album_answer in @language, or NULL. */
static const char *
title_in (JsonObject *album_answer, const char *language)
{
  JsonNode *languages = json_object_get_member (album_answer, "title_by_language");

  if (languages == NULL || !JSON_NODE_HOLDS_OBJECT (languages))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (languages), language, NULL);
}

/* An album's title is given in other languages over the API as in its
 * info.json: the event and /albums carry the translations; they need a
 * title, and removing the title removes them. */
static void
test_album_title_translated (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) made = NULL, changed = NULL, one = NULL, cleared = NULL, again = NULL;

  made = send_ok (fixture, "POST", API "/albums",
                  "{\"name\":\"birds\",\"title\":\"Birds\",\"title_by_language\":{\"fa\":\"پرنده‌ها\"}}", NULL, 201);
  g_assert_cmpstr (title_in (made, "fa"), ==, "پرنده‌ها");
  changed = send_ok (fixture, "PATCH", API "/albums/birds", "{\"title_by_language\":{\"fa\":\"همه‌ی پرنده‌ها\",\"de\":\"Vögel\"}}",
                     NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (changed, "title"), ==, "Birds");
  g_assert_cmpstr (title_in (changed, "de"), ==, "Vögel");
  one = send_ok (fixture, "GET", API "/albums/birds", NULL, NULL, 200);
  g_assert_cmpstr (title_in (json_object_get_object_member (one, "album"), "fa"), ==, "همه‌ی پرنده‌ها");

  assert_refused (fixture, "PATCH", API "/albums/birds", "{\"title_by_language\":{\"f a\":\"x\"}}", NULL, 400);
  assert_refused (fixture, "PATCH", API "/albums/birds", "{\"title_by_language\":{\"fa\":7}}", NULL, 400);
  assert_refused (fixture, "PATCH", API "/albums/birds", "{\"title_by_language\":\"fa\"}", NULL, 400);
  assert_refused (fixture, "PATCH", API "/albums/birds", "{\"title\":null,\"title_by_language\":{\"fa\":\"x\"}}",
                  NULL, 400);
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"fish\",\"title_by_language\":{\"fa\":\"x\"}}", NULL, 400);
  g_assert_cmpuint (status_of (fixture, API "/albums/fish"), ==, 404);

  cleared = send_ok (fixture, "PATCH", API "/albums/birds", "{\"title\":null}", NULL, 200);
  g_assert_true (json_object_get_null_member (cleared, "title_by_language"));
  again = send_ok (fixture, "GET", API "/albums/birds", NULL, NULL, 200);
  g_assert_true (json_object_get_null_member (json_object_get_object_member (again, "album"), "title_by_language"));
}

/* Whether /albums lists @name. */
static gboolean
albums_list (Fixture *fixture, const char *name)
{
  g_autoptr(JsonObject) answer = send_ok (fixture, "GET", API "/albums", NULL, NULL, 200);
  JsonArray *albums = json_object_get_array_member (answer, "albums");

  for (guint i = 0; i < json_array_get_length (albums); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (albums, i), "name"), name))
      return TRUE;
  return FALSE;
}

static void
restart_on_folder (Fixture *fixture, const char *extra)
{
  test_server_stop (fixture->server);
  fixture->server = NULL;
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->async_session);
  start_on_folder (fixture, FALSE, extra);
}

/* With the state folder in the uploads folder (systemd's StateDirectory=
 * is both), the server's own folders (the variants' cache, the trash) are
 * never albums, and no album may be made there. */
static void
test_own_folders_are_no_albums (Fixture *fixture, gconstpointer data)
{
  g_autofree char *state = g_strconcat ("--state-file=", fixture->folder, "/history.json", NULL);
  g_autofree char *variants = g_build_filename (fixture->folder, "variants", NULL);
  g_autofree char *trash = g_build_filename (fixture->folder, "trash", NULL);
  g_autofree char *sidecar_in_variants = g_build_filename (variants, "info.json", NULL);

  restart_on_folder (fixture, state);
  g_assert_cmpuint (status_of (fixture, "/200/150.jpg"), ==, 200);
  json_object_unref (send_ok (fixture, "DELETE", API "/images/cats/c1.png", NULL, NULL, 200));
  g_assert_true (g_file_test (variants, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (trash, G_FILE_TEST_IS_DIR));

  restart_on_folder (fixture, state);
  g_assert_true (albums_list (fixture, "cats"));
  g_assert_false (albums_list (fixture, "variants"));
  g_assert_false (albums_list (fixture, "trash"));
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"variants\"}", NULL, 409);
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"trash\"}", NULL, 409);
  g_assert_false (g_file_test (sidecar_in_variants, G_FILE_TEST_EXISTS));
}

/* ---- Lorem Picsum's numbers ---- */

/* The Picsum id of @name (GET /id/NAME/info). */
static char *
picsum_number (Fixture *fixture, const char *name)
{
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/id/%s/info", escaped);
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) info = NULL;

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  info = test_response_json (&response);
  return g_strdup (json_object_get_string_member (info, "id"));
}

/* A picture deleted (or moved to another name) over the API gives up its
 * number for good: its old id is 404, and the same name coming back gets
 * a new number. */
static void
test_deleted_number_never_reused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *deleted = picsum_number (fixture, "cats/c1.png");
  g_autofree char *moved = picsum_number (fixture, "cats/c2.png");
  g_autofree char *deleted_path = g_strdup_printf ("/id/%s/info", deleted);
  g_autofree char *moved_path = g_strdup_printf ("/id/%s/info", moved);
  g_autofree char *again = NULL, *after_move = NULL;

  json_object_unref (send_ok (fixture, "DELETE", API "/images/cats/c1.png", NULL, NULL, 200));
  json_object_unref (send_ok (fixture, "PATCH", API "/images/cats/c2.png", "{\"album\":\"dogs\"}", NULL, 200));
  g_assert_cmpuint (status_of (fixture, deleted_path), ==, 404);
  g_assert_cmpuint (status_of (fixture, moved_path), ==, 404);
  after_move = picsum_number (fixture, "dogs/c2.png");
  g_assert_cmpstr (after_move, !=, moved);

  /* The same name back (a new upload by hand): a new number. */
  picture_files_copy_shipped (fixture->folder, "cats/c1.png", "04.png");
  assert_stat_becomes (fixture, "images", 5, 5000);
  again = picsum_number (fixture, "cats/c1.png");
  g_assert_cmpstr (again, !=, deleted);
  g_assert_cmpuint (g_ascii_strtoull (again, NULL, 10), >, g_ascii_strtoull (after_move, NULL, 10));
  g_assert_cmpuint (status_of (fixture, deleted_path), ==, 404);
}

/* ---- scopes, the audit log ---- */

static void
test_manage_scope_needed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log = NULL;
  g_autoptr(JsonObject) deleted = NULL;

  assert_refused (fixture, "DELETE", API "/images/cats/c1.png", NULL, NULL, 401);
  assert_refused (fixture, "DELETE", API "/images/cats/c1.png", NULL, "not-a-token", 401);
  assert_refused (fixture, "DELETE", API "/images/cats/c1.png", NULL, PUBLISHER_TOKEN, 403);
  assert_refused (fixture, "DELETE", API "/images/dogs/d1.png", NULL, CATS_TOKEN, 403);
  assert_refused (fixture, "PATCH", API "/images/cats/c1.png", "{\"album\":\"dogs\"}", CATS_TOKEN, 403);
  assert_refused (fixture, "POST", API "/albums", "{\"name\":\"birds\"}", CATS_TOKEN, 403);
  deleted = send_ok (fixture, "DELETE", API "/images/cats/c1.png", NULL, CATS_TOKEN, 200);
  json_object_unref (send_ok (fixture, "PATCH", API "/images/dogs/d1.png", "{\"alt\":\"A dog\"}", MANAGER_TOKEN,
                              200));

  /* One audit record per write, refused ones too: who, what, from where,
   * its status; never a token. */
  log = test_server_wait_log (fixture->server, "audit: token:manager edit dogs/d1.png", 5000);
  g_assert_nonnull (strstr (log, "audit: token:cat-keeper delete cats/c1.png from 127.0.0.1"));
  g_assert_nonnull (strstr (log, ": 200"));
  g_assert_nonnull (strstr (log, "audit: token:publisher delete cats/c1.png from 127.0.0.1"));
  g_assert_nonnull (strstr (log, "audit: anonymous delete cats/c1.png"));
  g_assert_nonnull (strstr (log, "audit: refused-credential delete cats/c1.png"));
  g_assert_nonnull (strstr (log, "audit: token:manager edit dogs/d1.png"));
  g_assert_null (strstr (log, CATS_TOKEN));
  g_assert_null (strstr (log, MANAGER_TOKEN));
  g_assert_null (strstr (log, "not-a-token"));
}

static void
test_trash_swept (Fixture *fixture, gconstpointer data)
{
  g_autofree char *state = NULL;
  g_autofree char *state_flag = NULL;
  g_autofree char *images = g_strconcat ("--images=", fixture->folder, NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;

  json_object_unref (send_ok (fixture, "DELETE", API "/images/cats/c1.png", NULL, NULL, 200));
  before = trash_contents (fixture);
  g_assert_cmpuint (g_hash_table_size (before), ==, 1);
  /* Kept while it is younger than --trash-days... */
  state = g_build_filename (fixture->server->state_dir, "history.json", NULL);
  state_flag = g_strconcat ("--state-file=", state, NULL);
  {
    const char *args[] = { images, "--interval=0", state_flag, "--trash-days=1", NULL };
    TestServer *again = test_server_start_logged (args, NULL);

    after = trash_contents (fixture);
    g_assert_cmpuint (g_hash_table_size (after), ==, 1);
    test_server_stop (again);
  }
  /* ... and removed for good at the start of a server keeping none. */
  {
    const char *args[] = { images, "--interval=0", state_flag, "--trash-days=0", NULL };
    TestServer *again = test_server_start_logged (args, NULL);

    g_clear_pointer (&after, g_hash_table_unref);
    after = trash_contents (fixture);
    g_assert_cmpuint (g_hash_table_size (after), ==, 0);
    test_server_stop (again);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/catalogue/delete-reaches-every-follower", Fixture, NULL, writes_set_up,
              test_delete_reaches_every_follower, writes_tear_down);
  g_test_add ("/catalogue/deleted-by-hand-is-removed", Fixture, NULL, writes_set_up,
              test_deleted_by_hand_is_removed, writes_tear_down);
  g_test_add ("/catalogue/edit-survives-a-restart", Fixture, NULL, writes_set_up, test_edit_survives_a_restart,
              writes_tear_down);
  g_test_add ("/catalogue/publish-after-edit", Fixture, NULL, writes_set_up, test_publish_after_edit,
              writes_tear_down);
  g_test_add ("/catalogue/hand-edit-is-not-lost", Fixture, NULL, writes_set_up, test_hand_edit_is_not_lost,
              writes_tear_down);
  g_test_add ("/catalogue/edit-refuses-bad-bodies", Fixture, NULL, writes_set_up, test_edit_refuses_bad_bodies,
              writes_tear_down);
  g_test_add ("/catalogue/move-to-another-album", Fixture, NULL, writes_set_up, test_move_to_another_album,
              writes_tear_down);
  g_test_add ("/catalogue/albums-made-changed-deleted", Fixture, NULL, writes_set_up,
              test_albums_made_changed_deleted, writes_tear_down);
  g_test_add ("/catalogue/album-title-translated", Fixture, NULL, writes_set_up, test_album_title_translated,
              writes_tear_down);
  g_test_add ("/catalogue/own-folders-are-no-albums", Fixture, NULL, writes_set_up, test_own_folders_are_no_albums,
              writes_tear_down);
  g_test_add ("/catalogue/deleted-number-never-reused", Fixture, NULL, writes_set_up,
              test_deleted_number_never_reused, writes_tear_down);
  g_test_add ("/catalogue/manage-scope-needed", Fixture, "tokens", writes_set_up, test_manage_scope_needed,
              writes_tear_down);
  g_test_add ("/catalogue/trash-swept", Fixture, NULL, writes_set_up, test_trash_swept, writes_tear_down);
  test_add_answers_described ();
  return g_test_run ();
}
