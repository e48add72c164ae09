/* SPDX-License-Identifier: MIT */
/* push-load: sockets on 127.0.0.1, non-blocking for the load and blocking
 * for the occasional look at the server's stats page. */
#include "push-load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in
loopback (int port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  return address;
}

int
net_connect_nonblocking (int port)
{
  struct sockaddr_in address = loopback (port);
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    die ("socket: %s (raise ulimit -n?)", strerror (errno));
  /* Small requests must leave at once, as a browser's would. */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0 && errno != EINPROGRESS)
    die ("connect to port %d: %s", port, strerror (errno));
  return fd;
}

static int
connect_blocking (int port, int timeout_ms)
{
  struct sockaddr_in address = loopback (port);
  struct timeval timeout = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

bool
net_wait_until_listening (int port, int timeout_ms)
{
  int64_t deadline = now_usec () + (int64_t) timeout_ms * 1000;

  while (now_usec () < deadline)
    {
      int fd = connect_blocking (port, 1000);

      if (fd >= 0)
        {
          close (fd);
          return true;
        }
      nanosleep (&(struct timespec) { .tv_nsec = 20 * 1000 * 1000 }, NULL);
    }
  return false;
}

/* A port nobody listens on now; the kernel picks it. */
int
net_free_port (void)
{
  struct sockaddr_in address = loopback (0);
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) < 0
      || getsockname (fd, (struct sockaddr *) &address, &length) < 0)
    die ("cannot find a free port: %s", strerror (errno));
  close (fd);
  return ntohs (address.sin_port);
}

void
net_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static bool
write_all (int fd, const char *data, size_t length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, length);

      if (written <= 0)
        return false;
      data += written;
      length -= (size_t) written;
    }
  return true;
}

/* GET PATH with Connection: close; the answer up to its end (or 64 KiB). */
char *
net_get_blocking (int port, const char *path)
{
  char request[1024];
  size_t capacity = 65536, length = 0;
  char *answer;
  ssize_t got;
  int fd = connect_blocking (port, 10000);   /* a loaded server answers late */

  if (fd < 0)
    return NULL;
  snprintf (request, sizeof request,
            "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", path, port);
  if (!write_all (fd, request, strlen (request)))
    {
      close (fd);
      return NULL;
    }
  answer = malloc (capacity + 1);
  while (length < capacity && (got = read (fd, answer + length, capacity - length)) > 0)
    length += (size_t) got;
  close (fd);
  answer[length] = '\0';
  return answer;
}
