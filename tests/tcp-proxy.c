/* SPDX-License-Identifier: MIT */
/* The fault suites' TCP proxy (tcp-proxy.h): one thread, poll() over the
 * listening socket, a control pipe and each pair of connections; bytes
 * are copied through a bounded buffer per direction. The test's calls
 * write one command byte to the pipe and wait until the thread has
 * carried it out, so that "paused" is true when test_proxy_pause()
 * returns. */
#include "tcp-proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_BYTES (64 * 1024)

typedef struct {
  int fd[2];                    /* 0: the client's, 1: the target's */
  GByteArray *pending[2];       /* read from fd[i], to be written to fd[1 - i] */
  gboolean ended[2];            /* fd[i] said it sends no more */
  gboolean passed_on[2];        /* ...and fd[1 - i] was told, once pending[i] was out */
} Pair;

struct _TestProxy
{
  int target_port;
  int listen_fd;
  int port;
  int control[2];               /* the test writes commands to [1] */
  GThread *thread;
  GPtrArray *pairs;             /* Pair, the thread's own */
  gboolean paused;              /* the thread's own */
  GMutex lock;
  GCond done;
  guint commands_done;          /* under lock */
  guint connections;            /* under lock: pairs open now */
};

static void
set_nonblocking (int fd)
{
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
}

/* A reset rather than a FIN: the peer sees the link die. */
static void
close_with_reset (int fd)
{
  struct linger linger = { 1, 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  close (fd);
}

static void
pair_free (Pair *pair)
{
  for (int i = 0; i < 2; i++)
    {
      close_with_reset (pair->fd[i]);
      g_byte_array_unref (pair->pending[i]);
    }
  g_free (pair);
}

static int
connect_target (TestProxy *proxy)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (proxy->target_port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
count_connections (TestProxy *proxy)
{
  g_mutex_lock (&proxy->lock);
  proxy->connections = proxy->pairs->len;
  g_mutex_unlock (&proxy->lock);
}

static void
accept_one (TestProxy *proxy)
{
  int client = accept4 (proxy->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  int target;
  Pair *pair;

  if (client < 0)
    return;
  target = connect_target (proxy);
  if (target < 0)
    {
      close_with_reset (client);
      return;
    }
  pair = g_new0 (Pair, 1);
  pair->fd[0] = client;
  pair->fd[1] = target;
  for (int i = 0; i < 2; i++)
    {
      set_nonblocking (pair->fd[i]);
      pair->pending[i] = g_byte_array_new ();
    }
  g_ptr_array_add (proxy->pairs, pair);
  count_connections (proxy);
}

/* Moves bytes on @pair as far as poll said it can, an end of one side
 * passed on to the other once what it sent before is out; FALSE: the
 * pair is over (both ends passed on, or an error). */
static gboolean
pump (Pair *pair, const struct pollfd *polled)
{
  guint8 buffer[BUFFER_BYTES];

  for (int i = 0; i < 2; i++)
    if ((polled[i].revents & (POLLIN | POLLHUP | POLLERR)) && !pair->ended[i])
      {
        gssize got = read (pair->fd[i], buffer, BUFFER_BYTES - pair->pending[i]->len);

        if (got < 0 && errno != EAGAIN && errno != EINTR)
          return FALSE;
        if (got == 0)
          pair->ended[i] = TRUE;
        if (got > 0)
          g_byte_array_append (pair->pending[i], buffer, (guint) got);
      }
  for (int i = 0; i < 2; i++)
    {
      if ((polled[1 - i].revents & POLLOUT) && pair->pending[i]->len > 0)
        {
          gssize sent = write (pair->fd[1 - i], pair->pending[i]->data, pair->pending[i]->len);

          if (sent < 0 && errno != EAGAIN && errno != EINTR)
            return FALSE;
          if (sent > 0)
            g_byte_array_remove_range (pair->pending[i], 0, (guint) sent);
        }
      if (pair->ended[i] && pair->pending[i]->len == 0 && !pair->passed_on[i])
        {
          shutdown (pair->fd[1 - i], SHUT_WR);
          pair->passed_on[i] = TRUE;
        }
    }
  return !(pair->passed_on[0] && pair->passed_on[1]);
}

static void
cut_all (TestProxy *proxy)
{
  g_ptr_array_set_size (proxy->pairs, 0);
  count_connections (proxy);
}

/* One command from the test; FALSE: quit. */
static gboolean
obey (TestProxy *proxy)
{
  char command = 0;

  if (read (proxy->control[0], &command, 1) != 1)
    return TRUE;
  switch (command)
    {
    case 'p': proxy->paused = TRUE; break;
    case 'r': proxy->paused = FALSE; break;
    case 'c': cut_all (proxy); break;
    default: break;
    }
  g_mutex_lock (&proxy->lock);
  proxy->commands_done++;
  g_cond_broadcast (&proxy->done);
  g_mutex_unlock (&proxy->lock);
  return command != 'q';
}

static gpointer
run (gpointer data)
{
  TestProxy *proxy = data;
  g_autoptr(GArray) polled = g_array_new (FALSE, TRUE, sizeof (struct pollfd));

  for (;;)
    {
      struct pollfd *fds;
      guint n = 2;

      g_array_set_size (polled, 2 + 2 * proxy->pairs->len);
      fds = (struct pollfd *) (gpointer) polled->data;
      fds[0] = (struct pollfd) { proxy->control[0], POLLIN, 0 };
      fds[1] = (struct pollfd) { proxy->listen_fd, POLLIN, 0 };
      for (guint p = 0; p < proxy->pairs->len; p++)
        {
          Pair *pair = g_ptr_array_index (proxy->pairs, p);

          for (int i = 0; i < 2; i++, n++)
            {
              short events = 0;

              if (!pair->ended[i] && pair->pending[i]->len < BUFFER_BYTES)
                events |= POLLIN;
              if (pair->pending[1 - i]->len > 0)
                events |= POLLOUT;
              /* Paused: not even a hangup is looked at (poll skips a
               * negative descriptor), so nothing spins. */
              fds[n] = (struct pollfd) { proxy->paused ? -1 : pair->fd[i], events, 0 };
            }
        }
      if (poll (fds, n, -1) < 0 && errno != EINTR)
        g_error ("proxy: poll: %s", g_strerror (errno));
      for (guint p = proxy->pairs->len; p > 0 && !proxy->paused; p--)
        if (!pump (g_ptr_array_index (proxy->pairs, p - 1), &fds[2 + 2 * (p - 1)]))
          {
            g_ptr_array_remove_index (proxy->pairs, p - 1);
            count_connections (proxy);
          }
      if ((fds[1].revents & POLLIN) != 0)
        accept_one (proxy);
      if ((fds[0].revents & POLLIN) != 0 && !obey (proxy))
        return NULL;
    }
}

static int
listen_on_free_port (int *port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (fd, 64), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  *port = ntohs (address.sin_port);
  return fd;
}

TestProxy *
test_proxy_new (int target_port)
{
  TestProxy *proxy = g_new0 (TestProxy, 1);

  proxy->target_port = target_port;
  proxy->listen_fd = listen_on_free_port (&proxy->port);
  set_nonblocking (proxy->listen_fd);
  g_assert_cmpint (pipe2 (proxy->control, O_CLOEXEC), ==, 0);
  proxy->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);
  g_mutex_init (&proxy->lock);
  g_cond_init (&proxy->done);
  proxy->thread = g_thread_new ("test-proxy", run, proxy);
  return proxy;
}

int
test_proxy_get_port (TestProxy *proxy)
{
  return proxy->port;
}

/* redis://127.0.0.1:PORT, for a node's --broker through this proxy. */
char *
test_proxy_redis_url (TestProxy *proxy)
{
  return g_strdup_printf ("redis://127.0.0.1:%d", proxy->port);
}

/* Sends @command and returns once the thread has carried it out. */
static void
command (TestProxy *proxy, char command)
{
  guint target;

  g_mutex_lock (&proxy->lock);
  target = proxy->commands_done + 1;
  g_mutex_unlock (&proxy->lock);
  g_assert_cmpint (write (proxy->control[1], &command, 1), ==, 1);
  g_mutex_lock (&proxy->lock);
  while (proxy->commands_done < target)
    g_cond_wait (&proxy->done, &proxy->lock);
  g_mutex_unlock (&proxy->lock);
}

/* From now on no byte goes through either way; connections are still
 * accepted (and their bytes held too). */
void
test_proxy_pause (TestProxy *proxy)
{
  command (proxy, 'p');
}

/* Bytes go through again, those held first. */
void
test_proxy_resume (TestProxy *proxy)
{
  command (proxy, 'r');
}

/* Every connection open now is reset, bytes held or not. */
void
test_proxy_cut (TestProxy *proxy)
{
  command (proxy, 'c');
}

/* Pairs of connections open now. */
guint
test_proxy_connections (TestProxy *proxy)
{
  guint count;

  g_mutex_lock (&proxy->lock);
  count = proxy->connections;
  g_mutex_unlock (&proxy->lock);
  return count;
}

void
test_proxy_free (TestProxy *proxy)
{
  command (proxy, 'q');
  g_thread_join (proxy->thread);
  g_ptr_array_unref (proxy->pairs);
  close (proxy->listen_fd);
  close (proxy->control[0]);
  close (proxy->control[1]);
  g_mutex_clear (&proxy->lock);
  g_cond_clear (&proxy->done);
  g_free (proxy);
}
