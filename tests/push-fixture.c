/* SPDX-License-Identifier: MIT */
/* The push suites' fixture and helpers (see push-fixture.h). */
#include "push-fixture.h"

#include <string.h>

SoupSession *
new_async_session (void)
{
  return soup_session_new_with_options ("max-conns", 4000, "max-conns-per-host", 4000,
                                        "timeout", 0, NULL);
}

void
fixture_start (Fixture *fixture, const char *const *extra_args)
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

void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->session = soup_session_new ();
  fixture->async_session = new_async_session ();
  fixture_start (fixture, data);
}

void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->async_session);
  g_object_unref (fixture->session);
  if (fixture->server != NULL)
    test_server_stop (fixture->server);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

TestPending *
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

void
assert_stat_becomes (Fixture *fixture, const char *stat, gint64 value, guint timeout_ms)
{
  StatWait wait = { fixture, stat, value, 0 };

  g_assert_true (test_wait_until (stat_reached, &wait, timeout_ms));
}

void
wait_done (TestPending *pending, guint timeout_ms)
{
  g_assert_true (test_wait_until (test_pending_is_done, pending, timeout_ms));
}

void
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

JsonObject *
poll_now (Fixture *fixture, const char *query)
{
  g_autoptr(TestPending) poll = poll_async (fixture, query);

  wait_done (poll, 2000);
  test_assert_status (poll, 200);
  return test_pending_json (poll);
}

TestEventStream *
open_events (Fixture *fixture, const char *query, const char *last_event_id)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/events", query, NULL);

  return test_event_stream_open (fixture->async_session, url, last_event_id);
}

guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;

  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

GBytes *
read_source_image (const char *name)
{
  g_autofree char *path = test_source_image (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);

  g_assert_no_error (error);
  return g_mapped_file_get_bytes (file);
}

/* ---- a WebSocket follower (libsoup's client) ---- */

typedef struct {
  Follower *follower;
  guint count;
} CountWait;

static void
on_message (SoupWebsocketConnection *connection, SoupWebsocketDataType type, GBytes *message,
            gpointer user_data)
{
  Follower *follower = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  json_parser_load_from_data (parser, g_bytes_get_data (message, NULL), (gssize) g_bytes_get_size (message), &error);
  g_assert_no_error (error);
  g_ptr_array_add (follower->events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
}

static void
on_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  Follower *follower = user_data;

  follower->closed = TRUE;
  follower->close_code = soup_websocket_connection_get_close_code (connection);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Follower *follower = user_data;

  follower->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &follower->error);
  if (follower->connection == NULL)
    return;
  g_signal_connect (follower->connection, "message", G_CALLBACK (on_message), follower);
  g_signal_connect (follower->connection, "closed", G_CALLBACK (on_closed), follower);
}

static gboolean
is_settled (gpointer user_data)
{
  Follower *follower = user_data;

  return follower->connection != NULL || follower->error != NULL;
}

/* A WebSocket handshake for @msg, waited for until it succeeds or fails
 * (the follower holds the connection or the error). */
Follower *
follow_message (Fixture *fixture, SoupMessage *msg)
{
  Follower *follower = g_new0 (Follower, 1);

  follower->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  soup_session_websocket_connect_async (fixture->async_session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_connected, follower);
  g_assert_true (test_wait_until (is_settled, follower, 5000));
  return follower;
}

/* A WebSocket on /ws@query, connected. */
Follower *
follow (Fixture *fixture, const char *query)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/ws", query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Follower *follower = follow_message (fixture, msg);

  g_assert_no_error (follower->error);
  return follower;
}

void
follower_free (Follower *follower)
{
  if (follower->connection != NULL)
    g_signal_handlers_disconnect_by_data (follower->connection, follower);
  g_clear_object (&follower->connection);
  g_ptr_array_unref (follower->events);
  g_clear_error (&follower->error);
  g_free (follower);
}

static gboolean
has_events (gpointer user_data)
{
  CountWait *wait = user_data;

  return wait->follower->events->len >= wait->count;
}

void
assert_events_become (Follower *follower, guint count)
{
  CountWait wait = { follower, count };

  g_assert_true (test_wait_until (has_events, &wait, 5000));
  g_assert_cmpuint (follower->events->len, ==, count);
}

