/* SPDX-License-Identifier: MIT */
/* --busy-poll USEC (server/http/rndimg-busy-poll.c): after a request the
 * main loop polls without sleeping for USEC, so a client that asks again
 * within that time finds the server's main thread awake (it hardly goes
 * to sleep between the requests: few voluntary context switches), and
 * once the traffic stops it sleeps again (its CPU time stands still).
 * Without the flag the main thread sleeps between every two requests. */
#include "raw-http.h"

#include <poll.h>
#include <unistd.h>

#define REQUESTS 200
#define GAP_USEC 50

/* The main thread's CPU time (user and system) in clock ticks. */
static guint64
main_thread_cpu_ticks (TestServer *server)
{
  const char *pid = g_subprocess_get_identifier (server->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/task/%s/stat", pid, pid);
  g_auto(GStrv) fields = test_read_proc_stat (path, NULL);

  g_assert_nonnull (fields);
  /* utime is field 14, stime 15 */
  g_assert_cmpuint (g_strv_length (fields), >, 12);
  return g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
}

/* @count GET /healthz on @connection, GAP_USEC apart, each answered 200. */
static void
ask_in_a_row (RawConnection *connection, guint count)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *answer = NULL;

      g_assert_true (raw_send_text (connection, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      answer = raw_read_answer (connection, 5000);
      g_assert_nonnull (answer);
      g_assert_cmpuint (raw_answer_status (answer), ==, 200);
      g_usleep (GAP_USEC);
    }
}

/* One GET /healthz on @connection, answered 200, with no pause after. */
static void
ask_at_once (RawConnection *connection)
{
  g_autofree char *answer = NULL;

  g_assert_true (raw_send_text (connection, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  answer = raw_read_answer (connection, 5000);
  g_assert_cmpuint (raw_answer_status (answer), ==, 200);
}

/* Request cycles on one kept connection, each a GAP_USEC pause, a
 * request and its answer, and the main thread's sleeps in those that
 * were quick: a loaded machine may keep this client off the CPU for
 * longer than any window, so a slow cycle says nothing either way. */
typedef struct {
  guint quick;     /* cycles within QUICK_CYCLE_USEC */
  guint64 sleeps;  /* the main thread's voluntary switches in them */
} Cycles;

#define QUICK_CYCLE_USEC 400
#define QUICK_CYCLES_WANTED 100
#define CYCLES_MOST 3000

static void
measure_cycles (TestServer *server, RawConnection *connection, Cycles *cycles)
{
  for (guint i = 0; i < CYCLES_MOST && cycles->quick < QUICK_CYCLES_WANTED; i++)
    {
      guint64 sleeps_before = raw_server_status_number (server, "voluntary_ctxt_switches:");
      gint64 started = g_get_monotonic_time ();
      guint64 sleeps;

      ask_in_a_row (connection, 1);
      if (g_get_monotonic_time () - started > QUICK_CYCLE_USEC)
        continue;
      sleeps = raw_server_status_number (server, "voluntary_ctxt_switches:") - sleeps_before;
      cycles->quick++;
      cycles->sleeps += sleeps;
    }
}

/* The quick cycles of a kept connection, once the server was done
 * starting (its placeholders made: their threads wake the main loop) and
 * warm. Too few of them on a loaded machine: the test is skipped. */
static gboolean
quick_cycles (TestServer *server, Cycles *cycles)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(RawConnection) connection = NULL;

  test_server_wait_for_placeholders (server, session, 60000);
  connection = raw_connect (server);
  ask_in_a_row (connection, 20);
  measure_cycles (server, connection, cycles);
  g_test_message ("%u quick cycles (under %d us), the main thread slept %" G_GUINT64_FORMAT " times in them",
                  cycles->quick, QUICK_CYCLE_USEC, cycles->sleeps);
  if (cycles->quick >= QUICK_CYCLES_WANTED / 5)
    return TRUE;
  g_test_skip ("the machine is too loaded for quick request cycles");
  return FALSE;
}

/* A server on a folder of two pictures (few placeholders to wait for),
 * with @busy_poll (NULL: the default). */
static TestServer *
start_server (const char *folder, const char *busy_poll)
{
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  const char *args[] = { images, "--interval=0", busy_poll, NULL };

  return test_server_start_argv (args);
}

static void
test_awake_between_requests (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  TestServer *server = start_server (folder, "--busy-poll=1000");
  Cycles cycles = { 0 };

  if (quick_cycles (server, &cycles))
    g_assert_cmpuint (cycles.sleeps, <=, cycles.quick / 10);
  test_server_stop (server);
  test_remove_folder (folder);
}

static void
test_asleep_between_requests_by_default (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  TestServer *server = start_server (folder, NULL);
  Cycles cycles = { 0 };

  if (quick_cycles (server, &cycles))
    g_assert_cmpuint (cycles.sleeps, >=, cycles.quick / 2);
  test_server_stop (server);
  test_remove_folder (folder);
}

/* Half a second after REQUESTS requests, a busy-polling server's main
 * thread spent at most a twentieth of it on the CPU (a spinning one would
 * spend all it gets). */
static void
test_asleep_after_traffic (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  TestServer *server = start_server (folder, "--busy-poll=1000");
  long ticks_per_second = sysconf (_SC_CLK_TCK);
  guint64 before;

  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(RawConnection) connection = NULL;

  test_server_wait_for_placeholders (server, session, 60000);
  connection = raw_connect (server);
  ask_in_a_row (connection, REQUESTS);
  g_usleep (50000);
  before = main_thread_cpu_ticks (server);
  g_usleep (500000);
  g_assert_cmpuint (main_thread_cpu_ticks (server) - before, <=, (guint64) ticks_per_second / 20);
  test_server_stop (server);
  test_remove_folder (folder);
}

/* Whether @connection has bytes to read now. */
static gboolean
has_bytes (RawConnection *connection)
{
  struct pollfd ready = { .fd = connection->fd, .events = POLLIN };

  return poll (&ready, 1, 0) == 1;
}

/* While a client keeps a busy-polling server's window open (asking again
 * as soon as it is answered), the main
 * loop's other sources still run between its requests: the --interval
 * timer publishes, and a held long-poll on another connection is
 * answered before that client stops, not after. (A spin that gave the
 * loop back only when the client pauses for the whole window would pass
 * too: this client's own pauses, a millisecond now and then, open it.) */
static void
test_others_served_while_busy (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  const char *args[] = { images, "--interval=1", "--busy-poll=1000", NULL };
  TestServer *server = test_server_start_argv (args);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(RawConnection) busy = NULL;
  g_autoptr(RawConnection) held = NULL;
  g_autofree char *answer = NULL;
  gint64 busy_until;

  test_server_wait_for_placeholders (server, session, 60000);
  busy = raw_connect (server);
  held = raw_connect (server);
  ask_in_a_row (busy, 20);
  g_assert_true (raw_send_text (held, "GET /polling/api/v1.0/rndimg/poll?timeout=60 HTTP/1.1\r\n"
                                      "Host: 127.0.0.1\r\n\r\n"));
  busy_until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!has_bytes (held) && g_get_monotonic_time () < busy_until)
    ask_at_once (busy);
  g_assert_true (has_bytes (held));   /* else the timer waited for the busy client to stop */
  answer = raw_read_answer (held, 5000);
  g_assert_cmpuint (raw_answer_status (answer), ==, 200);
  test_server_stop (server);
  test_remove_folder (folder);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/busy-poll/awake-between-requests", test_awake_between_requests);
  g_test_add_func ("/busy-poll/asleep-between-requests-by-default", test_asleep_between_requests_by_default);
  g_test_add_func ("/busy-poll/asleep-after-traffic", test_asleep_after_traffic);
  g_test_add_func ("/busy-poll/others-served-while-busy", test_others_served_while_busy);
  return g_test_run ();
}
