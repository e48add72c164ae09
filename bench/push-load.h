/* SPDX-License-Identifier: MIT */
/* push-load: the push load client shared by every part of it. One thread,
 * one epoll set, raw non-blocking sockets on 127.0.0.1; the same code for
 * rndimg and nginx+nchan, only the paths differ. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARKER_MAX 64
#define SUBSCRIBERS_AHEAD 512     /* half the servers' listen backlog */

/* Where a load client's requests go, and how to see the server's state. */
typedef struct {
  int port;                    /* where subscribers connect */
  int publish_port;            /* where publishes go (a cluster: another node) */
  const char *ready_ports;     /* whose stats pages to add up ("5001,5002"); NULL: port */
  const char *subscribe_path;  /* long-poll or event-stream URL path */
  bool event_stream;           /* send Accept: text/event-stream */
  const char *publish_path;
  const char *publish_body;    /* "" for none */
  const char *ready_path;      /* stats page that counts held clients */
  const char *ready_key;       /* text right before the count in it */
  const char *marker;          /* text every delivered event contains once */
  const char *pids;            /* comma-separated server processes to weigh */
} Target;

int64_t now_usec (void);
void die (const char *format, ...) __attribute__ ((format (printf, 1, 2), noreturn));

/* push-load-net.c: sockets */
int net_connect_nonblocking (int port);
bool net_wait_until_listening (int port, int timeout_ms);
int net_free_port (void);
void net_raise_fd_limit (void);
char *net_get_blocking (int port, const char *path);   /* whole answer, or NULL */

/* push-load-http.c: the little HTTP/1.1 a load client needs */
char *http_get_request (const Target *target, const char *path, bool event_stream);
char *http_post_request (const Target *target);
typedef enum { HTTP_INCOMPLETE, HTTP_COMPLETE, HTTP_BAD } HttpState;
HttpState http_parse_answer (const char *data, size_t length, int *status, bool *closes);

/* push-load-probe.c: what the server says and weighs */
long probe_ready_count (const Target *target);
long probe_rss_kib (const char *pids);

/* push-load-subscribers.c: N connections counting markers */
typedef struct {
  int fd;
  size_t unsent;               /* bytes of the request not written yet */
  size_t carry_length;         /* marker prefix kept from the last read */
  char carry[MARKER_MAX];
  bool connecting;
  bool closed;
} Subscriber;

typedef struct {
  int epoll_fd;
  const Target *target;
  char *request;
  size_t request_length;
  size_t marker_length;
  Subscriber *all;
  size_t count;
  size_t started;              /* connections begun so far */
  size_t allowed;              /* begin no more than this many for now */
  size_t connecting;           /* connects not finished yet */
  size_t closed;               /* closed by the server */
  uint64_t markers;            /* events received, all subscribers together */
  int64_t last_marker_usec;
} Subscribers;

void subscribers_init (Subscribers *subscribers, int epoll_fd, const Target *target, size_t count);
void subscribers_connect_more (Subscribers *subscribers);
void subscribers_on_event (Subscribers *subscribers, size_t index, uint32_t events);

/* push-load-publisher.c: one connection that publishes, kept alive when the
 * server keeps it */
typedef struct {
  int epoll_fd;
  uint64_t tag;                /* epoll data that routes events here */
  const Target *target;
  char *request;
  size_t request_length;
  int fd;
  size_t unsent;
  bool reused;                 /* this publish went on a kept connection */
  bool busy;
  bool connecting;
  char answer[8192];
  size_t answer_length;
  uint64_t accepted;           /* 2xx answers */
  uint64_t refused;            /* other answers and broken connections */
  bool server_keeps_alive;     /* the last answer left the connection open */
} Publisher;

void publisher_init (Publisher *publisher, int epoll_fd, uint64_t tag, const Target *target);
void publisher_start (Publisher *publisher);
void publisher_on_event (Publisher *publisher, uint32_t events);
