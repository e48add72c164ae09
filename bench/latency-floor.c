/* SPDX-License-Identifier: MIT */
/* latency-floor: the least a server can do for "one publish -> one SSE
 * reader" on this machine, to measure beside rndimg and nchan with the
 * same client (bench/compare-nchan.sh, bench/README.md). One thread, one
 * epoll set, no parsing beyond finding a head's end: a publish is one
 * recv(), one send() of a frame to each stream and one send() of its
 * answer. Whatever a real server does on top, this does not; what is left
 * is the kernel's and the hypervisor's (two loopback deliveries and two
 * wake-ups), the floor any server pays here.
 *
 *   latency-floor PORT [--spin]
 *     GET  /stats          {"open_streams":N}, then the connection closes
 *     GET  anything else   an event stream: every publish's frame
 *     POST anything        a frame to every stream, then 201 with a body
 *     --spin               epoll_wait() never sleeps (rndimg's --busy-poll)
 *
 * Frame and answer have the size of rndimg's (about 680 and 1060 bytes)
 * and carry push-load's marker, "published_at". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 1024
#define INPUT_SIZE 16384

typedef struct {
  char input[INPUT_SIZE];
  size_t length;
  bool streams;
} Client;

/* The server's whole state, one per process. */
typedef struct {
  Client *clients[MAX_FDS];   /* by descriptor; NULL: none */
  int streams;                /* how many clients are event streams */
  char frame[680], answer[1060];
  int listener, epoll_fd;
} Floor;

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

/* A text of @size bytes: @start, then filler, then @end. */
static void
fill (char *out, size_t size, const char *start, const char *end)
{
  memset (out, 'x', size);
  memcpy (out, start, strlen (start));
  memcpy (out + size - strlen (end), end, strlen (end));
}

static void
make_texts (Floor *self)
{
  static const char head[] = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: ";
  char start[128];
  size_t body_length;

  fill (self->frame, sizeof self->frame, "id: 1\nevent: image\ndata: {\"published_at\":\"", "\"}\n\n");
  body_length = sizeof self->answer - (sizeof head - 1) - 4 - 4;   /* the length's 4 digits, the blank line */
  snprintf (start, sizeof start, "%s%zu\r\n\r\n{\"status\":\"", head, body_length);
  fill (self->answer, sizeof self->answer, start, "\"}");
}

static void
send_all (int fd, const char *data, size_t size)
{
  while (size > 0)
    {
      ssize_t sent = send (fd, data, size, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return;   /* a client gone: its close comes as an event */
      data += sent;
      size -= (size_t) sent;
    }
}

static void
drop (Floor *self, int fd)
{
  if (self->clients[fd]->streams)
    self->streams--;
  free (self->clients[fd]);
  self->clients[fd] = NULL;
  close (fd);
}

/* The body's length a head announces (0: none). */
static size_t
content_length (const char *head, const char *end)
{
  const char *found = memmem (head, (size_t) (end - head), "Content-Length:", 15);

  return found != NULL ? strtoul (found + 15, NULL, 10) : 0;
}

/* Answers the requests whole in @fd's input. */
static void
serve (Floor *self, int fd)
{
  Client *client = self->clients[fd];

  for (;;)
    {
      char *end = memmem (client->input, client->length, "\r\n\r\n", 4);
      size_t used;

      if (end == NULL)
        return;
      used = (size_t) (end + 4 - client->input) + content_length (client->input, end);
      if (used > client->length)
        return;
      if (strncmp (client->input, "POST ", 5) == 0)
        {
          for (int other = 0; other < MAX_FDS; other++)
            if (self->clients[other] != NULL && self->clients[other]->streams)
              send_all (other, self->frame, sizeof self->frame);
          send_all (fd, self->answer, sizeof self->answer);
        }
      else if (memmem (client->input, (size_t) (end - client->input), "/stats", 6) != NULL)
        {
          char body[40], stats[160];
          int body_length = snprintf (body, sizeof body, "{\"open_streams\":%d}", self->streams);
          int length = snprintf (stats, sizeof stats, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                                 body_length, body);

          send_all (fd, stats, (size_t) length);
          drop (self, fd);
          return;
        }
      else
        {
          static const char stream_head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";

          send_all (fd, stream_head, sizeof stream_head - 1);
          client->streams = true;
          self->streams++;
        }
      memmove (client->input, client->input + used, client->length - used);
      client->length -= used;
    }
}

static void
on_readable (Floor *self, int fd)
{
  Client *client = self->clients[fd];
  ssize_t got = recv (fd, client->input + client->length, INPUT_SIZE - client->length, 0);

  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (got <= 0 || client->length + (size_t) got == INPUT_SIZE)
    {
      drop (self, fd);
      return;
    }
  client->length += (size_t) got;
  serve (self, fd);
}

static void
on_accept (Floor *self)
{
  int fd = accept4 (self->listener, NULL, NULL, SOCK_NONBLOCK);
  int one = 1;
  struct epoll_event event = { .events = EPOLLIN };

  if (fd < 0)
    return;
  if (fd >= MAX_FDS)
    {
      close (fd);
      return;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  self->clients[fd] = calloc (1, sizeof (Client));
  event.data.fd = fd;
  if (self->clients[fd] == NULL || epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0)
    die ("a new connection");
}

static int
listen_on (int port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) < 0 || listen (fd, 128) < 0)
    die ("listen");
  return fd;
}

int
main (int argc, char **argv)
{
  static Floor floor_state;   /* about 10 KB: not on the stack */
  Floor *self = &floor_state;
  struct epoll_event event = { .events = EPOLLIN }, ready[64];
  int wait_ms;

  if (argc < 2 || argc > 3 || (argc == 3 && strcmp (argv[2], "--spin") != 0))
    {
      fprintf (stderr, "usage: latency-floor PORT [--spin]\n");
      return 2;
    }
  wait_ms = argc == 3 ? 0 : -1;
  make_texts (self);
  self->listener = listen_on (atoi (argv[1]));
  if ((self->epoll_fd = epoll_create1 (0)) < 0)
    die ("epoll");
  event.data.fd = self->listener;
  epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, self->listener, &event);
  for (;;)
    {
      int count = epoll_wait (self->epoll_fd, ready, 64, wait_ms);

      for (int i = 0; i < count; i++)
        if (ready[i].data.fd == self->listener)
          on_accept (self);
        else if (self->clients[ready[i].data.fd] != NULL)
          on_readable (self, ready[i].data.fd);
    }
}
