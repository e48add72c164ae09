/* SPDX-License-Identifier: MIT */
/* Server-Sent Events on a real rndimg-server: order, resume, heartbeat,
 * the replay bound, bad ids, the limit and hangups. */
#include "push-fixture.h"
#include "raw-http.h"

#include <string.h>
#include <sys/socket.h>

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

/* Publishes that arrive together (read in one pass of the server's loop,
 * under load) may reach a stream in one write: every event still comes
 * once, whole, in id order, and a stream resuming in the middle gets
 * exactly the rest. */
static void
test_sse_publishes_together_in_order (Fixture *fixture, gconstpointer data)
{
  static const char publish[] = "POST /polling/api/v1.0/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  TestEventStream *stream = open_events (fixture, "", NULL);
  TestEventStream *resumed;
  RawConnection *publishers[12];

  assert_stat_becomes (fixture, "open_streams", 1, 2000);
  for (guint i = 0; i < G_N_ELEMENTS (publishers); i++)
    publishers[i] = raw_connect (fixture->server);
  for (guint i = 0; i < G_N_ELEMENTS (publishers); i++)
    g_assert_true (raw_send_text (publishers[i], publish));
  for (guint i = 0; i < G_N_ELEMENTS (publishers); i++)
    {
      g_autofree char *answer = raw_read_answer (publishers[i], 5000);

      g_assert_cmpuint (raw_answer_status (answer), ==, 201);
      raw_connection_free (publishers[i]);
    }
  g_assert_true (test_event_stream_wait (stream, G_N_ELEMENTS (publishers), 5000));
  g_assert_false (test_event_stream_wait (stream, G_N_ELEMENTS (publishers) + 1, 300));
  assert_stream_ids (stream, 1, G_N_ELEMENTS (publishers));
  test_event_stream_close (stream);

  resumed = open_events (fixture, "", "5");
  g_assert_true (test_event_stream_wait (resumed, G_N_ELEMENTS (publishers) - 5, 3000));
  g_assert_false (test_event_stream_wait (resumed, G_N_ELEMENTS (publishers) - 4, 300));
  assert_stream_ids (resumed, 6, G_N_ELEMENTS (publishers) - 5);
  test_event_stream_close (resumed);
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

  test_get_with_headers (fixture->session, url, headers, &response);
  test_assert_json_error (&response, 400);
}

static void
test_sse_bad_last_event_id_query (Fixture *fixture, gconstpointer data)
{
  raw_assert_bad_event_ids (fixture->server, API "/events", "lastEventId", "");
}

static void
test_sse_max_streams (Fixture *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (fixture, "", NULL);
  g_autofree char *url = g_strconcat (fixture->server->url, API "/events", NULL);
  g_auto(TestResponse) refused = { 0 };

  test_get (fixture->session, url, &refused);
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

/* A reader that never reads: once its frames fill the kernel's buffers and
 * the server's 256 KiB queue, the server cuts it off rather than grow. */
static void
test_sse_slow_reader_cut_off (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  const char *request = "GET " API "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  guint published = 0;
  gsize frame_bytes = 0;

  g_assert_no_error (error);
  /* A small receive window keeps the kernel from buffering much for us. */
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, (guint16) g_ascii_strtoull (strrchr (fixture->server->url, ':') + 1, NULL, 10));
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  assert_stat_becomes (fixture, "open_streams", 1, 3000);

  /* Each event is a frame of its JSON (with the picture's details, some
   * 700 bytes) and about 40 more: 256 KiB is a few hundred. */
  while (published < 5000 && test_server_stat (fixture->server, fixture->session, "open_streams") == 1)
    for (guint i = 0; i < 100; i++, published++)
      {
        g_autoptr(JsonObject) event = test_publish (fixture->server, fixture->session, "01.png");
        g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), event);
        g_autofree char *text = json_to_string (node, FALSE);

        frame_bytes = strlen (text) + 40;
      }
  g_test_message ("cut off after %u events of %" G_GSIZE_FORMAT " bytes", published, frame_bytes);
  g_assert_cmpuint (test_server_stat (fixture->server, fixture->session, "open_streams"), ==, 0);
  g_assert_cmpuint (published * frame_bytes, >=, 256 * 1024);   /* not before the bound */
}

static const char *const long_history[] = { "--history=5000", NULL };
static const char *const max_streams_1[] = { "--max-streams=1", NULL };
static const char *const heartbeat_fast[] = { "--heartbeat=0.2", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/sse/five-in-order", test_sse_five_in_order, NULL);
  ADD ("/sse/resume", test_sse_resume, NULL);
  ADD ("/sse/publishes-together-in-order", test_sse_publishes_together_in_order, NULL);
  ADD ("/sse/heartbeat", test_sse_heartbeat, heartbeat_fast);
  ADD ("/sse/long-replay-is-bounded", test_sse_long_replay_is_bounded, long_history);
  ADD ("/sse/bad-last-event-id", test_sse_bad_last_event_id, NULL);
  ADD ("/sse/bad-last-event-id-query", test_sse_bad_last_event_id_query, NULL);
  ADD ("/sse/max-streams", test_sse_max_streams, max_streams_1);
  ADD ("/sse/disconnects-cleaned-up", test_sse_disconnects_cleaned_up, NULL);
  ADD ("/sse/slow-reader-cut-off", test_sse_slow_reader_cut_off, NULL);

  test_add_answers_described ();
  return g_test_run ();
}
