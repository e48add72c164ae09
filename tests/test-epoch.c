/* SPDX-License-Identifier: MIT */
/* Ids that survive restarts: a real rndimg-server keeps its epoch, newest
 * id and history in --state-file and continues from them; a client
 * resuming with an id of another epoch is told what it missed and gets
 * the events kept, never left waiting. */
#include "rndimg-test-util.h"

#include <glib/gstdio.h>

#define API RNDIMG_API_PREFIX

typedef struct {
  char *folder;
  char *state_file;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = g_dir_make_tmp ("rndimg-epoch-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->state_file = g_build_filename (fixture->folder, "history.json", NULL);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
  g_free (fixture->state_file);
  g_object_unref (fixture->session);
}

static TestServer *
start (Fixture *fixture)
{
  g_autofree char *flag = g_strconcat ("--state-file=", fixture->state_file, NULL);

  return test_server_start ("--interval=0", flag, NULL);
}

static char *
stats_epoch (TestServer *server, SoupSession *session)
{
  g_autoptr(JsonObject) stats = test_server_stats (server, session);

  return g_strdup (json_object_get_string_member (stats, "epoch"));
}

static void
test_ids_continue_after_restart (Fixture *fixture, gconstpointer data)
{
  TestServer *server = start (fixture);
  g_autofree char *epoch = stats_epoch (server, fixture->session);
  g_autoptr(JsonObject) first = test_publish (server, fixture->session, "01.png");
  g_autoptr(JsonObject) second = test_publish (server, fixture->session, "02.png");
  g_autoptr(JsonObject) third = NULL;
  g_autofree char *epoch_after = NULL;
  g_auto(TestResponse) replay = { 0 };
  g_autofree char *url = NULL;
  g_autoptr(JsonObject) replayed = NULL;

  g_assert_cmpuint (strlen (epoch), ==, 16);
  g_assert_cmpstr (json_object_get_string_member (second, "epoch"), ==, epoch);
  g_assert_cmpint (json_object_get_int_member (second, "id"), ==, 2);
  test_server_stop (server);

  server = start (fixture);
  epoch_after = stats_epoch (server, fixture->session);
  g_assert_cmpstr (epoch_after, ==, epoch);
  g_assert_cmpint (test_server_stat (server, fixture->session, "newest_id"), ==, 2);
  third = test_publish (server, fixture->session, "03.png");
  g_assert_cmpint (json_object_get_int_member (third, "id"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (third, "epoch"), ==, epoch);
  /* The history came back too: a client behind by two gets #2 at once. */
  url = test_server_url (server, API "/rndimg/poll?since=1&timeout=1");
  test_get (fixture->session, url, &replay);
  test_assert_status (&replay, 200);
  replayed = test_response_json (&replay);
  g_assert_cmpint (json_object_get_int_member (replayed, "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (replayed, "name"), ==, "02.png");
  test_server_stop (server);
}

/* A killed server never hands out an id twice: after a restart the next
 * id is past every id it gave before, in the same epoch, and the history
 * written before the kill is still there. */
static void
test_killed_server_never_reuses_an_id (Fixture *fixture, gconstpointer data)
{
  TestServer *server = start (fixture);
  g_autofree char *epoch = stats_epoch (server, fixture->session);
  g_autofree char *epoch_after = NULL;
  g_autoptr(JsonObject) after = NULL;
  gint64 last = 0;

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) event = test_publish (server, fixture->session, "01.png");

      last = json_object_get_int_member (event, "id");
    }
  g_assert_cmpint (last, ==, 5);
  test_run_for (300);   /* the history's lazy write is done by now */
  test_server_kill (server);

  server = start (fixture);
  epoch_after = stats_epoch (server, fixture->session);
  g_assert_cmpstr (epoch_after, ==, epoch);
  after = test_publish (server, fixture->session, "02.png");
  g_test_message ("after the kill: id %" G_GINT64_FORMAT, json_object_get_int_member (after, "id"));
  g_assert_cmpint (json_object_get_int_member (after, "id"), >, last);
  g_assert_cmpint (json_object_get_int_member (after, "id"), <=, last + 1024 + 1);
  g_assert_cmpstr (json_object_get_string_member (after, "epoch"), ==, epoch);
  test_server_stop (server);
}

static void
test_lost_state_file_is_a_new_epoch (Fixture *fixture, gconstpointer data)
{
  TestServer *server = start (fixture);
  g_autofree char *epoch = stats_epoch (server, fixture->session);
  g_autofree char *epoch_after = NULL;
  g_autoptr(JsonObject) event = NULL;

  json_object_unref (test_publish (server, fixture->session, "01.png"));
  test_server_stop (server);
  g_assert_cmpint (g_remove (fixture->state_file), ==, 0);

  server = start (fixture);
  epoch_after = stats_epoch (server, fixture->session);
  g_assert_cmpstr (epoch_after, !=, epoch);
  event = test_publish (server, fixture->session, "02.png");
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, 1);
  test_server_stop (server);
}

static void
test_unreadable_state_file_is_kept_aside (Fixture *fixture, gconstpointer data)
{
  g_autofree char *aside = g_strconcat (fixture->state_file, ".bad", NULL);
  g_autoptr(GError) error = NULL;
  TestServer *server;
  g_autoptr(JsonObject) event = NULL;

  g_file_set_contents (fixture->state_file, "{\"epoch\":", -1, &error);
  g_assert_no_error (error);
  server = start (fixture);
  event = test_publish (server, fixture->session, "01.png");
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, 1);
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
  test_server_stop (server);
}

/* A long-poll with an id of another epoch is answered at once with the
 * oldest kept event and how many it missed, though its id is "newer". */
static void
test_poll_with_foreign_epoch_is_answered (Fixture *fixture, gconstpointer data)
{
  TestServer *server = start (fixture);
  g_autofree char *url = test_server_url (server, API "/rndimg/poll?since=5&epoch=0123456789abcdef&timeout=2");
  g_autofree char *same_url = NULL;
  g_autofree char *epoch = stats_epoch (server, fixture->session);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(TestPending) same = NULL;

  for (int i = 0; i < 3; i++)
    json_object_unref (test_publish (server, fixture->session, "01.png"));
  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  event = test_response_json (&response);
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (event, "epoch"), ==, epoch);

  /* The same id with this epoch is up to date: it waits (204 at timeout). */
  same_url = g_strdup_printf ("%s%s?since=3&epoch=%s&timeout=1", server->url, API "/rndimg/poll", epoch);
  same = test_request_async (fixture->session, "GET", same_url, NULL);
  g_assert_true (test_wait_until (test_pending_is_done, same, 5000));
  test_assert_status (same, 204);
  test_server_stop (server);
}

/* An event stream resuming from another epoch, with an id "newer" than
 * any here, gets every kept event of this epoch, in order. */
static void
test_stream_with_foreign_epoch_gets_newest_and_missed (Fixture *fixture, gconstpointer data)
{
  TestServer *server = start (fixture);
  g_autofree char *url = test_server_url (server, API "/events?epoch=0123456789abcdef");
  TestEventStream *stream;
  JsonObject *event;

  for (int i = 0; i < 4; i++)
    json_object_unref (test_publish (server, fixture->session, "01.png"));
  stream = test_event_stream_open (fixture->session, url, "9");
  g_assert_true (test_event_stream_wait (stream, 4, 3000));
  for (guint i = 0; i < 4; i++)
    {
      event = g_ptr_array_index (stream->events, i);
      g_assert_cmpint (json_object_get_int_member (event, "id"), ==, i + 1);
    }
  test_event_stream_close (stream);
  test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/epoch/ids-continue-after-restart", test_ids_continue_after_restart);
  ADD ("/epoch/killed-server-never-reuses-an-id", test_killed_server_never_reuses_an_id);
  ADD ("/epoch/lost-state-file-is-a-new-epoch", test_lost_state_file_is_a_new_epoch);
  ADD ("/epoch/unreadable-state-file-is-kept-aside", test_unreadable_state_file_is_kept_aside);
  ADD ("/epoch/poll-with-foreign-epoch-is-answered", test_poll_with_foreign_epoch_is_answered);
  ADD ("/epoch/stream-with-foreign-epoch-gets-newest-and-missed", test_stream_with_foreign_epoch_gets_newest_and_missed);
  test_add_answers_described ();
  return g_test_run ();
}
