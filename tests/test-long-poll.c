/* SPDX-License-Identifier: MIT */
/* Long-poll on a real rndimg-server: release by publish, timeout, replay,
 * missed events, bad parameters, many clients, hangups and the limit. */
#include "push-fixture.h"
#include "raw-http.h"

#include <string.h>
#include <sys/socket.h>

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
  test_assert_status (poll, 200);
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
  test_assert_status (poll, 204);
  elapsed = (double) (poll->finished_usec - started) / G_USEC_PER_SEC;
  g_assert_cmpfloat (elapsed, >=, 0.9);
  g_assert_cmpfloat (elapsed, <, 3.0);
}

/* Timeouts of different lengths, held together (they share one timer in
 * the server): each ends at its own time, never early, the shortest first. */
static void
test_poll_timeouts_each_their_own (Fixture *fixture, gconstpointer data)
{
  const guint seconds[] = { 3, 1, 2 };
  gint64 started = g_get_monotonic_time ();
  TestPending *polls[G_N_ELEMENTS (seconds)];

  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    {
      g_autofree char *query = g_strdup_printf ("?timeout=%u", seconds[i]);

      polls[i] = poll_async (fixture, query);
    }
  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    {
      double elapsed;

      wait_done (polls[i], 6000);
      test_assert_status (polls[i], 204);
      elapsed = (double) (polls[i]->finished_usec - started) / G_USEC_PER_SEC;
      g_test_message ("timeout=%u ended after %.2f s", seconds[i], elapsed);
      g_assert_cmpfloat (elapsed, >=, seconds[i] - 0.1);
      g_assert_cmpfloat (elapsed, <, seconds[i] + 1.0);
      test_pending_free (polls[i]);
    }
}

/* An answer's Date is when it is sent, though the server writes held
 * requests' answers from bytes it keeps: a timeout seconds after another
 * never carries the first one's Date. */
static void
test_poll_date_is_current (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->server, API "/rndimg/poll?timeout=1");
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) second = { 0 };
  g_autoptr(GDateTime) first_date = NULL;
  g_autoptr(GDateTime) second_date = NULL;
  gint64 second_asked;

  test_get (fixture->session, url, &first);
  test_assert_status (&first, 204);
  g_usleep (1100 * 1000);
  second_asked = g_get_real_time () / G_USEC_PER_SEC;
  test_get (fixture->session, url, &second);
  test_assert_status (&second, 204);
  first_date = soup_date_time_new_from_http_string (test_response_header (&first, "Date"));
  second_date = soup_date_time_new_from_http_string (test_response_header (&second, "Date"));
  g_assert_nonnull (first_date);
  g_assert_nonnull (second_date);
  g_assert_cmpint (g_date_time_to_unix (second_date), >=, second_asked);
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

      test_get (fixture->session, url, &response);
      test_assert_json_error (&response, 400);
      g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, "no-store");
    }
}

static void
test_poll_bad_since (Fixture *fixture, gconstpointer data)
{
  raw_assert_bad_event_ids (fixture->server, API "/rndimg/poll", "since", "");
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
      test_assert_status (poll, 200);
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
    test_assert_status (poll, 200);
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
  test_get (fixture->session, url, &refused);
  test_assert_json_error (&refused, 503);
  g_assert_nonnull (test_response_header (&refused, "Retry-After"));
}

/* A held client that sends stray bytes and then hangs up: the bytes must
 * not blind the server to the hangup, and the slot is freed. */
static void
test_poll_stray_bytes_then_hangup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_uri (client, fixture->server->url, 0,
                                                                            NULL, &error);
  const char *request = "GET " API "/rndimg/poll?timeout=120 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  GOutputStream *output;

  g_assert_no_error (error);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (output, request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  /* Sent while held, so nobody reads them: they sit in the server's socket. */
  g_output_stream_write_all (output, "stray", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_usleep (200 * 1000);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  assert_stat_becomes (fixture, "waiting_polls", 0, 3000);
}

/* Clients that each send a stray byte while held and then hang up (one
 * with a reset) cannot pin --max-waiters: their slots are free at once. */
static void
test_poll_stray_bytes_do_not_pin_slots (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  const char *request = "GET " API "/rndimg/poll?timeout=300 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autofree char *url = test_server_url (fixture->server, API "/rndimg/poll?timeout=1");
  g_auto(TestResponse) held = { 0 };
  GSocketConnection *connections[2];
  struct linger reset = { .l_onoff = 1, .l_linger = 0 };

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      connections[i] = g_socket_client_connect_to_uri (client, fixture->server->url, 0, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connections[i])),
                                 request, strlen (request), NULL, NULL, &error);
      g_assert_no_error (error);
    }
  assert_stat_becomes (fixture, "waiting_polls", 2, 3000);
  for (int i = 0; i < 2; i++)
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connections[i])),
                               "x", 1, NULL, NULL, NULL);
  g_usleep (100 * 1000);
  /* A zero linger: the second close sends a reset, not a FIN. */
  g_assert_cmpint (setsockopt (g_socket_get_fd (g_socket_connection_get_socket (connections[1])),
                               SOL_SOCKET, SO_LINGER, &reset, sizeof reset), ==, 0);
  for (int i = 0; i < 2; i++)
    {
      g_io_stream_close (G_IO_STREAM (connections[i]), NULL, NULL);
      g_object_unref (connections[i]);
    }
  assert_stat_becomes (fixture, "waiting_polls", 0, 3000);
  /* Both slots of --max-waiters=2 are free again: a new poll is held, not 503. */
  test_get (fixture->session, url, &held);
  test_assert_status (&held, 204);
}

static const char *const history_2[] = { "--history=2", NULL };
static const char *const max_waiters_2[] = { "--max-waiters=2", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/poll/released-by-publish", test_poll_released_by_publish, NULL);
  ADD ("/poll/timeout", test_poll_timeout, NULL);
  ADD ("/poll/timeouts-each-their-own", test_poll_timeouts_each_their_own, NULL);
  ADD ("/poll/date-is-current", test_poll_date_is_current, NULL);
  ADD ("/poll/replay", test_poll_replay, NULL);
  ADD ("/poll/missed", test_poll_missed, history_2);
  ADD ("/poll/since-from-the-future", test_poll_since_future, NULL);
  ADD ("/poll/bad-parameters", test_poll_bad_parameters, NULL);
  ADD ("/poll/bad-since", test_poll_bad_since, NULL);
  ADD ("/poll/thousand-released-together", test_poll_thousand_released_together, NULL);
  ADD ("/poll/disconnects-cleaned-up", test_poll_disconnects_cleaned_up, NULL);
  ADD ("/poll/stray-bytes-then-hangup", test_poll_stray_bytes_then_hangup, NULL);
  ADD ("/poll/stray-bytes-do-not-pin-slots", test_poll_stray_bytes_do_not_pin_slots, max_waiters_2);
  ADD ("/poll/max-waiters", test_poll_max_waiters, max_waiters_2);

  test_add_answers_described ();
  return g_test_run ();
}
