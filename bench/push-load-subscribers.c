/* SPDX-License-Identifier: MIT */
/* push-load: N subscriber connections (held long-polls or event streams).
 * Each sends its GET once, then only reads; every time the marker text
 * passes by, one event has been delivered. Connects are started a few
 * hundred at a time, and never far ahead of what the server says it holds
 * (SUBSCRIBERS_AHEAD), so its listen backlog never overflows: a dropped SYN
 * is retried only after 1 s, then 3 s, and would stretch every run. */
#include "push-load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECTS_AT_ONCE 256
#define READ_SIZE 65536

void
subscribers_init (Subscribers *subscribers, int epoll_fd, const Target *target, size_t count)
{
  *subscribers = (Subscribers) {
    .epoll_fd = epoll_fd,
    .target = target,
    .request = http_get_request (target, target->subscribe_path, target->event_stream),
    .marker_length = strlen (target->marker),
    .all = calloc (count, sizeof (Subscriber)),
    .count = count,
    .allowed = SUBSCRIBERS_AHEAD,
  };
  subscribers->request_length = strlen (subscribers->request);
  if (subscribers->marker_length == 0 || subscribers->marker_length >= MARKER_MAX)
    die ("the marker must be 1 to %d bytes", MARKER_MAX - 1);
}

static void
watch (Subscribers *subscribers, size_t index, uint32_t events, int operation)
{
  struct epoll_event event = { .events = events, .data.u64 = index };

  if (epoll_ctl (subscribers->epoll_fd, operation, subscribers->all[index].fd, &event) < 0)
    die ("epoll_ctl: %s", strerror (errno));
}

void
subscribers_connect_more (Subscribers *subscribers)
{
  while (subscribers->started < subscribers->count && subscribers->started < subscribers->allowed
         && subscribers->connecting < CONNECTS_AT_ONCE)
    {
      size_t index = subscribers->started++;
      Subscriber *subscriber = &subscribers->all[index];

      subscriber->fd = net_connect_nonblocking (subscribers->target->port);
      subscriber->unsent = subscribers->request_length;
      subscriber->connecting = true;
      subscribers->connecting++;
      watch (subscribers, index, EPOLLOUT | EPOLLIN, EPOLL_CTL_ADD);
    }
}

static void
hang_up (Subscribers *subscribers, Subscriber *subscriber)
{
  if (subscriber->connecting)
    {
      subscriber->connecting = false;
      subscribers->connecting--;
    }
  close (subscriber->fd);
  subscriber->closed = true;
  subscribers->closed++;
}

static void
send_request (Subscribers *subscribers, size_t index)
{
  Subscriber *subscriber = &subscribers->all[index];
  const char *rest = subscribers->request + subscribers->request_length - subscriber->unsent;
  ssize_t written = write (subscriber->fd, rest, subscriber->unsent);

  if (written < 0 && errno == EAGAIN)
    return;
  if (written <= 0)
    {
      hang_up (subscribers, subscriber);
      return;
    }
  subscriber->unsent -= (size_t) written;
  if (subscriber->connecting)
    {
      subscriber->connecting = false;
      subscribers->connecting--;
    }
  if (subscriber->unsent == 0)
    watch (subscribers, index, EPOLLIN, EPOLL_CTL_MOD);
}

/* Counts markers in carry + DATA; keeps the tail that could start one. */
static void
count_markers (Subscribers *subscribers, Subscriber *subscriber, char *buffer, size_t length)
{
  const char *marker = subscribers->target->marker;
  size_t marker_length = subscribers->marker_length;
  const char *at = buffer, *end = buffer + length;
  const char *found;
  size_t keep;

  while ((found = memmem (at, (size_t) (end - at), marker, marker_length)) != NULL)
    {
      subscribers->markers++;
      subscribers->last_marker_usec = now_usec ();
      at = found + marker_length;
    }
  keep = marker_length - 1;
  if ((size_t) (end - at) < keep)
    keep = (size_t) (end - at);
  memcpy (subscriber->carry, end - keep, keep);
  subscriber->carry_length = keep;
}

static void
receive (Subscribers *subscribers, Subscriber *subscriber)
{
  static char buffer[MARKER_MAX + READ_SIZE];

  for (;;)
    {
      size_t carried = subscriber->carry_length;
      ssize_t got;

      memcpy (buffer, subscriber->carry, carried);
      got = read (subscriber->fd, buffer + carried, READ_SIZE);
      if (got < 0 && errno == EAGAIN)
        return;
      if (got <= 0)
        {
          hang_up (subscribers, subscriber);
          return;
        }
      count_markers (subscribers, subscriber, buffer, carried + (size_t) got);
      if (got < READ_SIZE)
        return;
    }
}

void
subscribers_on_event (Subscribers *subscribers, size_t index, uint32_t events)
{
  Subscriber *subscriber = &subscribers->all[index];

  if (subscriber->closed)
    return;
  if (events & EPOLLIN)
    receive (subscribers, subscriber);
  else if (events & (EPOLLERR | EPOLLHUP))
    hang_up (subscribers, subscriber);
  if (!subscriber->closed && subscriber->unsent > 0 && (events & EPOLLOUT))
    send_request (subscribers, index);
}
