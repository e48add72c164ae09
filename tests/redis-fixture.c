/* SPDX-License-Identifier: MIT */
/* Starts and stops a real redis-server for the tests, and sends it a
 * command now and then (FLUSHALL, HGET) through hiredis's blocking API. */
#include "redis-fixture.h"

#include <glib/gstdio.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>

/* A TCP port nothing listens on now, on 127.0.0.1. */
int
test_free_loopback_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
answers_ping (TestRedis *redis)
{
  g_autofree char *pong = test_redis_command (redis, "PING");

  return g_strcmp0 (pong, "PONG") == 0;
}

static void
launch (TestRedis *redis)
{
  const char *binary = g_getenv ("RNDIMG_REDIS_SERVER") ? g_getenv ("RNDIMG_REDIS_SERVER") : "redis-server";
  g_autofree char *port = g_strdup_printf ("%d", redis->port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_subprocess_launcher_set_cwd (launcher, redis->folder);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  redis->process = g_subprocess_launcher_spawn (launcher, &error, binary, "--port", port, "--bind", "127.0.0.1",
                                                "--save", "", "--appendonly", redis->append_only ? "yes" : "no",
                                                "--appendfsync", "always", "--daemonize", "no", NULL);
  g_assert_no_error (error);
  while (!answers_ping (redis))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

static TestRedis *
start (gboolean append_only)
{
  TestRedis *redis = g_new0 (TestRedis, 1);
  g_autoptr(GError) error = NULL;

  redis->append_only = append_only;
  redis->folder = g_dir_make_tmp ("rndimg-redis-XXXXXX", &error);
  g_assert_no_error (error);
  redis->port = test_free_loopback_port ();
  redis->url = g_strdup_printf ("redis://127.0.0.1:%d", redis->port);
  launch (redis);
  return redis;
}

TestRedis *
test_redis_start (void)
{
  return start (FALSE);
}

/* A Redis that writes every change to its append-only file before it
 * answers: killed, it comes back with everything it answered. */
TestRedis *
test_redis_start_append_only (void)
{
  return start (TRUE);
}

/* Stops it for good (SIGTERM, waits). */
static void
terminate (TestRedis *redis, int signal_number)
{
  if (redis->process == NULL)
    return;
  g_subprocess_send_signal (redis->process, signal_number);
  g_subprocess_wait (redis->process, NULL, NULL);
  g_clear_object (&redis->process);
}

static void
forget_data (TestRedis *redis)
{
  g_autofree char *dump = g_build_filename (redis->folder, "dump.rdb", NULL);
  g_autofree char *append_only = g_build_filename (redis->folder, "appendonlydir", NULL);
  g_autoptr(GDir) files = g_dir_open (append_only, 0, NULL);
  const char *name;

  g_remove (dump);
  while (files != NULL && (name = g_dir_read_name (files)) != NULL)
    {
      g_autofree char *path = g_build_filename (append_only, name, NULL);

      g_remove (path);
    }
  g_rmdir (append_only);
}

/* Down now. With @keep_data it saves first (and test_redis_bring_up()
 * reloads it), else it dies like a crash and comes back empty. */
void
test_redis_take_down (TestRedis *redis, gboolean keep_data)
{
  g_autofree char *saved = keep_data ? test_redis_command (redis, "SAVE") : NULL;

  if (keep_data)
    g_assert_cmpstr (saved, ==, "OK");
  terminate (redis, keep_data ? SIGTERM : SIGKILL);
  if (!keep_data)
    forget_data (redis);
}

/* Killed (SIGKILL) with its files kept: with an append-only file it
 * comes back (test_redis_bring_up()) with every write it answered. */
void
test_redis_crash (TestRedis *redis)
{
  terminate (redis, SIGKILL);
}

/* Up again on the same port after test_redis_take_down(). */
void
test_redis_bring_up (TestRedis *redis)
{
  launch (redis);
}

void
test_redis_stop (TestRedis *redis)
{
  terminate (redis, SIGTERM);
  forget_data (redis);
  g_rmdir (redis->folder);
  g_free (redis->folder);
  g_free (redis->url);
  g_free (redis);
}

/* The answer as text (integers printed, arrays as their first element),
 * NULL when Redis cannot be reached or answers nil. */
char *
test_redis_command (TestRedis *redis, const char *format, ...)
{
  struct timeval timeout = { 1, 0 };
  redisContext *context = redisConnectWithTimeout ("127.0.0.1", redis->port, timeout);
  redisReply *reply = NULL;
  char *text = NULL;
  va_list ap;

  if (context == NULL || context->err)
    {
      if (context != NULL)
        redisFree (context);
      return NULL;
    }
  va_start (ap, format);
  reply = redisvCommand (context, format, ap);
  va_end (ap);
  if (reply != NULL && (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS))
    text = g_strdup (reply->str);
  else if (reply != NULL && reply->type == REDIS_REPLY_INTEGER)
    text = g_strdup_printf ("%lld", reply->integer);
  if (reply != NULL)
    freeReplyObject (reply);
  redisFree (context);
  return text;
}
