/* SPDX-License-Identifier: MIT */
/* SIGTERM on a real rndimg-server: every held client is answered and the
 * process exits 0. */
#include "push-fixture.h"

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
  test_assert_status (poll, 204);
  g_assert_true (test_wait_until (on_stream_ended, stream, 3000));
  test_event_stream_close (stream);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/shutdown/ends-held-clients", test_shutdown_ends_held_clients, NULL);

  test_add_answers_described ();
  return g_test_run ();
}
