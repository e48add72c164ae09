/* SPDX-License-Identifier: MIT */
/* push-load: a publisher connection. Each publish_start() sends one POST
 * and reads its answer; the connection is kept for the next publish when
 * the server keeps it (keep-alive), else a new one is opened, so the same
 * client is fair to servers of either kind. */
#include "push-load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

void
publisher_init (Publisher *publisher, int epoll_fd, uint64_t tag, const Target *target)
{
  *publisher = (Publisher) { .epoll_fd = epoll_fd, .tag = tag, .target = target, .fd = -1 };
  publisher->request = http_post_request (target);
  publisher->request_length = strlen (publisher->request);
}

static void
watch (Publisher *publisher, uint32_t events, int operation)
{
  struct epoll_event event = { .events = events, .data.u64 = publisher->tag };

  if (epoll_ctl (publisher->epoll_fd, operation, publisher->fd, &event) < 0)
    die ("epoll_ctl: %s", strerror (errno));
}

static void
disconnect (Publisher *publisher)
{
  if (publisher->fd >= 0)
    close (publisher->fd);   /* close() also takes it out of the epoll set */
  publisher->fd = -1;
}

static void
finish (Publisher *publisher, bool accepted, bool closes)
{
  if (accepted)
    publisher->accepted++;
  else
    publisher->refused++;
  publisher->server_keeps_alive = !closes;
  if (closes)
    disconnect (publisher);
  publisher->busy = false;
}

static void on_end_of_stream (Publisher *publisher);

static void
send_some (Publisher *publisher)
{
  const char *rest = publisher->request + publisher->request_length - publisher->unsent;
  ssize_t written = write (publisher->fd, rest, publisher->unsent);

  if (written < 0 && errno == EAGAIN)
    return;
  if (written <= 0)
    {
      on_end_of_stream (publisher);
      return;
    }
  publisher->connecting = false;
  publisher->unsent -= (size_t) written;
  if (publisher->unsent == 0)
    watch (publisher, EPOLLIN, EPOLL_CTL_MOD);
}

void
publisher_start (Publisher *publisher)
{
  publisher->busy = true;
  publisher->answer_length = 0;
  publisher->unsent = publisher->request_length;
  publisher->reused = publisher->fd >= 0;
  if (publisher->reused)
    {
      watch (publisher, EPOLLIN, EPOLL_CTL_MOD);
      send_some (publisher);
      if (publisher->unsent > 0 && publisher->busy)
        watch (publisher, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
      return;
    }
  publisher->fd = net_connect_nonblocking (publisher->target->publish_port);
  publisher->connecting = true;
  watch (publisher, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
}

/* The server closed a kept connection before answering: publish again on a
 * new one (keep-alive servers may close idle connections at any time). */
static void
retry_on_new_connection (Publisher *publisher)
{
  disconnect (publisher);
  publisher_start (publisher);
}

static void
on_end_of_stream (Publisher *publisher)
{
  int status = 0;
  bool closes = true;

  if (publisher->answer_length == 0 && publisher->reused)
    {
      retry_on_new_connection (publisher);
      return;
    }
  http_parse_answer (publisher->answer, publisher->answer_length, &status, &closes);
  finish (publisher, status >= 200 && status < 300, true);
}

static void
receive (Publisher *publisher)
{
  for (;;)
    {
      size_t room = sizeof publisher->answer - 1 - publisher->answer_length;
      ssize_t got = read (publisher->fd, publisher->answer + publisher->answer_length, room);
      int status = 0;
      bool closes = false;

      if (got < 0 && errno == EAGAIN)
        return;
      if (got <= 0 || room == 0)
        {
          on_end_of_stream (publisher);
          return;
        }
      publisher->answer_length += (size_t) got;
      publisher->answer[publisher->answer_length] = '\0';
      switch (http_parse_answer (publisher->answer, publisher->answer_length, &status, &closes))
        {
        case HTTP_COMPLETE:
          finish (publisher, status >= 200 && status < 300, closes);
          return;
        case HTTP_BAD:
          finish (publisher, false, true);
          return;
        case HTTP_INCOMPLETE:
          break;
        }
    }
}

void
publisher_on_event (Publisher *publisher, uint32_t events)
{
  if (!publisher->busy || publisher->fd < 0)
    return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
    receive (publisher);
  else if (publisher->unsent > 0 && (events & EPOLLOUT))
    send_some (publisher);
}
