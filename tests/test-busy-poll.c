/* SPDX-License-Identifier: MIT */
/* --busy-poll USEC (server/http/rndimg-busy-poll.c): after a request the
 * main loop polls without sleeping for USEC, so a client that asks again
 * within that time finds the server's main thread awake (it hardly goes
 * to sleep between the requests: few voluntary context switches), and
 * once the traffic stops it sleeps again (its CPU time stands still).
 * Without the flag the main thread sleeps between every two requests. */
#include "raw-http.h"

#include <string.h>
#include <unistd.h>

#define REQUESTS 200
#define GAP_USEC 50

/* The main thread's CPU time (user and system) in clock ticks. */
static guint64
main_thread_cpu_ticks (TestServer *server)
{
  const char *pid = g_subprocess_get_identifier (server->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/task/%s/stat", pid, pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  after_name = strrchr (stat, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", 0);
  /* After the name: state is field 3 of stat(5), utime 14, stime 15. */
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

/* How often the main thread went to sleep while one kept connection
 * asked REQUESTS times, GAP_USEC apart, once the server was done starting
 * (its placeholders made: their threads wake the main loop) and warm. */
static guint64
sleeps_over_requests (TestServer *server)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(RawConnection) connection = NULL;
  guint64 before;

  test_server_wait_for_placeholders (server, session, 60000);
  connection = raw_connect (server);
  ask_in_a_row (connection, 20);
  before = raw_server_status_number (server, "voluntary_ctxt_switches:");
  ask_in_a_row (connection, REQUESTS);
  return raw_server_status_number (server, "voluntary_ctxt_switches:") - before;
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
  guint64 sleeps = sleeps_over_requests (server);

  g_test_message ("--busy-poll 1000: the main thread slept %" G_GUINT64_FORMAT " times in %d requests",
                  sleeps, REQUESTS);
  g_assert_cmpuint (sleeps, <, REQUESTS / 4);
  test_server_stop (server);
  test_remove_folder (folder);
}

static void
test_asleep_between_requests_by_default (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  TestServer *server = start_server (folder, NULL);
  guint64 sleeps = sleeps_over_requests (server);

  g_test_message ("by default: the main thread slept %" G_GUINT64_FORMAT " times in %d requests", sleeps, REQUESTS);
  g_assert_cmpuint (sleeps, >=, REQUESTS / 2);
  test_server_stop (server);
  test_remove_folder (folder);
}

/* Half a second after the traffic, a busy-polling server spends no more
 * than a tenth of it on the CPU (a spinning one would spend all of it). */
static void
test_asleep_after_traffic (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  TestServer *server = start_server (folder, "--busy-poll=1000");
  long ticks_per_second = sysconf (_SC_CLK_TCK);
  guint64 before;

  sleeps_over_requests (server);
  g_usleep (50000);
  before = main_thread_cpu_ticks (server);
  g_usleep (500000);
  g_assert_cmpuint (main_thread_cpu_ticks (server) - before, <=, (guint64) ticks_per_second / 20);
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
  return g_test_run ();
}
