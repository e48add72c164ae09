/* SPDX-License-Identifier: MIT */
/* WebSocket subscribers on a real rndimg-server, followed with libsoup's
 * WebSocket client: live events, resume with ?since= (no duplicates),
 * errors before the upgrade, the limit, hangups and shutdown. */
#include "push-fixture.h"
#include "raw-http.h"

static gint64
event_id (Follower *follower, guint index)
{
  return json_object_get_int_member (g_ptr_array_index (follower->events, index), "id");
}

static void
test_receives_published (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Follower) follower = follow (fixture, "");
  g_autoptr(JsonObject) published = NULL;

  assert_stat_becomes (fixture, "open_websockets", 1, 3000);
  published = test_publish (fixture->server, fixture->session, "03.png");
  assert_events_become (follower, 1);
  assert_event (g_ptr_array_index (follower->events, 0), json_object_get_int_member (published, "id"), "api");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (follower->events, 0), "name"), ==, "03.png");
}

/* ?since=1 after three events: 2 and 3 replayed, then 4 live, each once. */
static void
test_resume_since (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Follower) follower = NULL;

  for (int i = 0; i < 3; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));
  follower = follow (fixture, "?since=1");
  assert_events_become (follower, 2);
  json_object_unref (test_publish (fixture->server, fixture->session, NULL));
  assert_events_become (follower, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (event_id (follower, i), ==, 2 + i);
  g_assert_false (json_object_has_member (g_ptr_array_index (follower->events, 0), "missed"));
}

static void
test_resume_counts_missed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Follower) follower = NULL;

  for (int i = 0; i < 5; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, NULL));
  /* --history=2 keeps 4 and 5. */
  follower = follow (fixture, "?since=0");
  assert_events_become (follower, 2);
  g_assert_cmpint (event_id (follower, 0), ==, 4);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (follower->events, 0), "missed"), ==, 3);
  g_assert_cmpint (event_id (follower, 1), ==, 5);
}

static void
test_errors_before_upgrade (Fixture *fixture, gconstpointer data)
{
  const char *queries[] = { "?since=abc", "?since=-1", "" };

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *url = g_strconcat (fixture->server->url, API "/ws", queries[i], NULL);
      g_auto(TestResponse) response = { 0 };

      /* A plain GET: not a handshake, and for the first two a bad id too. */
      test_get (fixture->session, url, &response);
      test_assert_json_error (&response, 400);
    }
}

/* With a real handshake, so only the id is wrong. */
static void
test_bad_since (Fixture *fixture, gconstpointer data)
{
  raw_assert_bad_event_ids (fixture->server, API "/ws", "since",
                            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
}

static void
test_max_websockets (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Follower) first = follow (fixture, "");
  g_autofree char *url = g_strconcat (fixture->server->url, API "/ws", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(Follower) refused = NULL;

  assert_stat_becomes (fixture, "open_websockets", 1, 3000);
  refused = follow_message (fixture, msg);
  g_assert_null (refused->connection);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 503);
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
}

static void
test_hangup_cleaned_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) followers = g_ptr_array_new_with_free_func ((GDestroyNotify) follower_free);

  for (int i = 0; i < 20; i++)
    g_ptr_array_add (followers, follow (fixture, ""));
  assert_stat_becomes (fixture, "open_websockets", 20, 5000);
  /* Gone without a close frame, as a killed tab. */
  for (guint i = 0; i < followers->len; i++)
    g_io_stream_close (soup_websocket_connection_get_io_stream (((Follower *) g_ptr_array_index (followers, i))->connection),
                       NULL, NULL);
  assert_stat_becomes (fixture, "open_websockets", 0, 5000);
}

static gboolean
is_closed (gpointer user_data)
{
  return ((Follower *) user_data)->closed;
}

static void
test_shutdown_closes_going_away (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Follower) follower = follow (fixture, "");

  assert_stat_becomes (fixture, "open_websockets", 1, 3000);
  test_server_stop (g_steal_pointer (&fixture->server));   /* asserts exit 0 */
  g_assert_true (test_wait_until (is_closed, follower, 3000));
  g_assert_cmpuint (follower->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static const char *const history_2[] = { "--history=2", NULL };
static const char *const max_websockets_1[] = { "--max-websockets=1", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/ws/receives-published", test_receives_published, NULL);
  ADD ("/ws/resume-since", test_resume_since, NULL);
  ADD ("/ws/resume-counts-missed", test_resume_counts_missed, history_2);
  ADD ("/ws/errors-before-upgrade", test_errors_before_upgrade, NULL);
  ADD ("/ws/bad-since", test_bad_since, NULL);
  ADD ("/ws/max-websockets", test_max_websockets, max_websockets_1);
  ADD ("/ws/hangup-cleaned-up", test_hangup_cleaned_up, NULL);
  ADD ("/ws/shutdown-closes-going-away", test_shutdown_closes_going_away, NULL);

  test_add_answers_described ();
  return g_test_run ();
}
