/* SPDX-License-Identifier: MIT */
/* What a fan-out's sends cost the kernel, with and without io_uring, away
 * from the server: N loopback connections, a reader thread on CPU 1
 * reading them with epoll, and the sender on CPU 0 writing BYTES to each,
 * either a send() per connection or all of them queued in an io_uring
 * ring and submitted together (as server/http/rndimg-send-batch.c does).
 * Prints the time from the first send to the last byte read. By hand:
 *
 *   meson compile -C build-bench bench/send-batch-cost
 *   for run in 1 2 3 4 5; do
 *     build-bench/bench/send-batch-cost 5000 send; build-bench/bench/send-batch-cost 5000 uring
 *   done
 */
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BYTES 1247          /* a long-poll's answer, head and event */
#define RING_ENTRIES 1024   /* as the server's */

typedef struct {
  int count;
  int *fds;                 /* the reader's ends */
  atomic_bool connected;
  long long last_byte_ns;
} Reader;

static long long
now_ns (void)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void
pin_to_cpu (int cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  sched_setaffinity (0, sizeof set, &set);
}

static int
listen_on_loopback (struct sockaddr_in *address)
{
  int listener = socket (AF_INET, SOCK_STREAM, 0);
  socklen_t length = sizeof *address;

  *address = (struct sockaddr_in) { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  if (listener < 0 || bind (listener, (struct sockaddr *) address, sizeof *address) != 0 ||
      listen (listener, 65535) != 0 || getsockname (listener, (struct sockaddr *) address, &length) != 0)
    {
      perror ("listen");
      exit (1);
    }
  return listener;
}

static void *
read_all (void *data)
{
  Reader *reader = data;
  int epoll_fd = epoll_create1 (0);
  int *got = calloc ((size_t) reader->count, sizeof (int));
  int done = 0;

  pin_to_cpu (1);
  for (int i = 0; i < reader->count; i++)
    {
      struct epoll_event event = { .events = EPOLLIN, .data.u32 = (uint32_t) i };

      epoll_ctl (epoll_fd, EPOLL_CTL_ADD, reader->fds[i], &event);
    }
  atomic_store (&reader->connected, true);
  while (done < reader->count)
    {
      struct epoll_event events[256];
      int ready = epoll_wait (epoll_fd, events, 256, 10000);

      if (ready <= 0)
        break;
      for (int k = 0; k < ready; k++)
        {
          int i = (int) events[k].data.u32;
          char buffer[4096];
          ssize_t read_now = read (reader->fds[i], buffer, sizeof buffer);

          if (read_now > 0 && (got[i] += (int) read_now) >= BYTES)
            {
              done++;
              reader->last_byte_ns = now_ns ();
              epoll_ctl (epoll_fd, EPOLL_CTL_DEL, reader->fds[i], NULL);
            }
        }
    }
  free (got);
  close (epoll_fd);
  return NULL;
}

static void
send_each (const int *fds, int count, const char *bytes)
{
  for (int i = 0; i < count; i++)
    send (fds[i], bytes, BYTES, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
send_in_ring (struct io_uring *ring, const int *fds, int count, const char *bytes)
{
  for (int i = 0; i < count;)
    {
      int queued = 0;

      for (; queued < RING_ENTRIES && i < count; queued++, i++)
        io_uring_prep_send (io_uring_get_sqe (ring), fds[i], bytes, BYTES, MSG_NOSIGNAL | MSG_DONTWAIT);
      io_uring_submit (ring);
      for (; queued > 0; queued--)
        {
          struct io_uring_cqe *cqe;

          io_uring_wait_cqe (ring, &cqe);
          if (cqe->res != BYTES)
            fprintf (stderr, "a send took %d bytes\n", cqe->res);
          io_uring_cqe_seen (ring, cqe);
        }
    }
}

int
main (int argc, char **argv)
{
  static char bytes[BYTES];
  struct sockaddr_in address;
  Reader reader = { 0 };
  struct io_uring ring;
  pthread_t thread;
  int listener, *senders;
  bool uring;
  long long started;

  if (argc != 3 || (strcmp (argv[2], "send") != 0 && strcmp (argv[2], "uring") != 0))
    {
      fprintf (stderr, "usage: send-batch-cost CONNECTIONS send|uring\n");
      return 2;
    }
  reader.count = atoi (argv[1]);
  uring = strcmp (argv[2], "uring") == 0;
  if (uring && io_uring_queue_init (RING_ENTRIES, &ring, 0) < 0)
    {
      fprintf (stderr, "io_uring cannot be used here\n");
      return 1;
    }
  pin_to_cpu (0);
  memset (bytes, 'x', sizeof bytes);
  listener = listen_on_loopback (&address);
  reader.fds = malloc ((size_t) reader.count * sizeof (int));
  senders = malloc ((size_t) reader.count * sizeof (int));
  for (int i = 0; i < reader.count; i++)
    {
      int one = 1;

      reader.fds[i] = socket (AF_INET, SOCK_STREAM, 0);
      if (connect (reader.fds[i], (struct sockaddr *) &address, sizeof address) != 0 ||
          (senders[i] = accept4 (listener, NULL, NULL, SOCK_NONBLOCK)) < 0)
        {
          perror ("connect");
          return 1;
        }
      setsockopt (senders[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  pthread_create (&thread, NULL, read_all, &reader);
  while (!atomic_load (&reader.connected))
    usleep (1000);
  usleep (200000);

  started = now_ns ();
  if (uring)
    send_in_ring (&ring, senders, reader.count, bytes);
  else
    send_each (senders, reader.count, bytes);
  pthread_join (thread, NULL);
  printf ("%s: %d connections, the last byte read after %.2f ms\n", argv[2], reader.count,
          (double) (reader.last_byte_ns - started) / 1e6);
  return 0;
}
