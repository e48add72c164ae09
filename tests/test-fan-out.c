/* SPDX-License-Identifier: MIT */
/* A fan-out's sends go out together, one system call for many (io_uring,
 * server/http/rndimg-send-batch.c): every client still gets its answer
 * whole and in order, keep-alive connections stay usable, a reader too
 * slow to take its frames at once gets the rest later, and a client gone
 * at the fan-out costs the others nothing. On real servers, over plain
 * sockets. */
#include "push-fixture.h"
#include "raw-http.h"

#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#define HELD 40
#define LONG_POLL "GET " API "/rndimg/poll?timeout=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

static double
batched_sends (Fixture *fixture)
{
  double value = 0;

  g_assert_true (test_server_metric (fixture->server, fixture->session, "rndimg_batched_sends_total", &value));
  return value;
}

/* The batch is in use: @before + @at_least sends went through it. */
static void
assert_sends_batched (Fixture *fixture, double before, double at_least)
{
  double after = batched_sends (fixture);

  if (after - before < at_least)
    g_error ("%.0f sends went out in batches, %.0f wanted: io_uring cannot be used here "
             "(kernel.io_uring_disabled, a seccomp filter?) and this suite tests it", after - before, at_least);
}

static void
hold_long_polls (Fixture *fixture, RawConnection **clients, guint count)
{
  for (guint i = 0; i < count; i++)
    g_assert_true (raw_send_text (clients[i], LONG_POLL));
  assert_stat_becomes (fixture, "waiting_polls", count, 10000);
}

/* Every client's answer: 200 with event @id, and the same body for all. */
static void
assert_all_answered (RawConnection **clients, guint count, gint64 id)
{
  g_autofree char *first_body = NULL;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *answer = raw_read_answer (clients[i], 10000);
      g_autoptr(JsonNode) node = NULL;

      g_assert_nonnull (answer);
      g_assert_cmpuint (raw_answer_status (answer), ==, 200);
      node = json_from_string (raw_answer_body (answer), NULL);
      g_assert_nonnull (node);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "id"), ==, id);
      if (first_body == NULL)
        first_body = g_strdup (raw_answer_body (answer));
      g_assert_cmpstr (raw_answer_body (answer), ==, first_body);
    }
}

/* Forty long-polls answered by one publish, then asked again on the same
 * connections and answered by the next: the batched answers were whole,
 * and each connection went back to reading requests. */
static void
test_fan_out_long_polls_together (Fixture *fixture, gconstpointer data)
{
  RawConnection *clients[HELD];
  double before = batched_sends (fixture);

  for (guint i = 0; i < HELD; i++)
    clients[i] = raw_connect (fixture->server);
  for (gint64 round = 1; round <= 2; round++)
    {
      g_autoptr(JsonObject) event = NULL;

      hold_long_polls (fixture, clients, HELD);
      event = test_publish (fixture->server, fixture->session, NULL);
      g_assert_cmpint (json_object_get_int_member (event, "id"), ==, round);
      assert_all_answered (clients, HELD, round);
      assert_stat_becomes (fixture, "waiting_polls", 0, 3000);
    }
  assert_sends_batched (fixture, before, 2 * HELD);
  for (guint i = 0; i < HELD; i++)
    raw_connection_free (clients[i]);
}

/* Reads an event stream until @count events came (FALSE at @timeout_ms):
 * their ids, in the order read, into @ids. */
static gboolean
read_stream_ids (RawConnection *reader, guint count, guint timeout_ms, GArray *ids)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gsize parsed = 0;

  while (ids->len < count)
    {
      struct pollfd ready = { reader->fd, POLLIN, 0 };
      char buffer[16384];
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      gssize got;
      const char *frame_end;

      if (left <= 0 || poll (&ready, 1, (int) left) <= 0 || (got = recv (reader->fd, buffer, sizeof buffer, 0)) <= 0)
        return FALSE;
      g_string_append_len (text, buffer, got);
      /* Whole frames only: "id: N\n...\n\n". */
      while ((frame_end = strstr (text->str + parsed, "\n\n")) != NULL)
        {
          const char *id_line = g_strstr_len (text->str + parsed, frame_end - (text->str + parsed), "id: ");
          gint64 id;

          if (id_line != NULL)
            {
              id = g_ascii_strtoll (id_line + 4, NULL, 10);
              g_array_append_val (ids, id);
            }
          parsed = (gsize) (frame_end + 2 - text->str);
        }
    }
  return TRUE;
}

/* A reader that takes nothing for a while, beside three that read: its
 * kernel buffers fill, a batched send to it finds the socket full, and the
 * rest waits in its queue (under the 256 KiB bound). When it reads at
 * last it gets every event, whole and in order; the others got them all
 * the while. */
static void
test_fan_out_slow_reader_gets_every_event (Fixture *fixture, gconstpointer data)
{
  enum { EVENTS = 300, READERS = 3 };
  g_autoptr(RawConnection) slow = raw_connect (fixture->server);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  TestEventStream *readers[READERS];
  int small = 4096;
  double before = batched_sends (fixture), dropped = -1;

  g_assert_cmpint (setsockopt (slow->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), ==, 0);
  g_assert_true (raw_send_text (slow, "GET " API "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  for (guint i = 0; i < READERS; i++)
    readers[i] = open_events (fixture, "", NULL);
  assert_stat_becomes (fixture, "open_streams", READERS + 1, 5000);
  /* Some 750 bytes a frame: 220 KB, past the kernel's buffers. */
  for (guint i = 0; i < EVENTS; i++)
    json_object_unref (test_publish (fixture->server, fixture->session, "01.png"));
  for (guint i = 0; i < READERS; i++)
    {
      g_assert_true (test_event_stream_wait (readers[i], EVENTS, 10000));
      test_event_stream_close (readers[i]);
    }

  g_assert_true (read_stream_ids (slow, EVENTS, 10000, ids));
  g_assert_cmpuint (ids->len, ==, EVENTS);
  for (guint i = 0; i < EVENTS; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, (gint64) i + 1);
  g_assert_true (test_server_metric (fixture->server, fixture->session, "rndimg_slow_readers_dropped_total",
                                     &dropped));
  g_assert_cmpfloat (dropped, ==, 0);
  assert_sends_batched (fixture, before, EVENTS);
}

/* A client that resets its connection just before the publish: whether
 * the server saw it go first or its batched send fails, the others get
 * their answers, and nothing is left held. */
static void
test_fan_out_client_gone_among_many (Fixture *fixture, gconstpointer data)
{
  RawConnection *clients[HELD];
  struct linger reset = { 1, 0 };
  g_autoptr(JsonObject) event = NULL;

  for (guint i = 0; i < HELD; i++)
    clients[i] = raw_connect (fixture->server);
  hold_long_polls (fixture, clients, HELD);
  g_assert_cmpint (setsockopt (clients[0]->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset), ==, 0);
  raw_connection_free (clients[0]);
  event = test_publish (fixture->server, fixture->session, NULL);
  assert_all_answered (clients + 1, HELD - 1, json_object_get_int_member (event, "id"));
  assert_stat_becomes (fixture, "waiting_polls", 0, 3000);
  /* The server still serves. */
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "waiting_polls"), ==, 0);
  for (guint i = 1; i < HELD; i++)
    raw_connection_free (clients[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/fan-out/long-polls-together", test_fan_out_long_polls_together, NULL);
  ADD ("/fan-out/slow-reader-gets-every-event", test_fan_out_slow_reader_gets_every_event, NULL);
  ADD ("/fan-out/client-gone-among-many", test_fan_out_client_gone_among_many, NULL);

  test_add_answers_described ();
  return g_test_run ();
}
