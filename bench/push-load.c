/* SPDX-License-Identifier: MIT */
/* push-load: the push load client of bench/compare-nchan.sh and
 * bench/compare-cluster.sh, one binary for rndimg and for nginx+nchan
 * (only the paths differ). Each workload prints one
 * line of key=value pairs; ok=1 when every event reached every client.
 *
 *   push-load port                     a free loopback port
 *   push-load up PORT                  wait until something listens there
 *   push-load fanout  TARGET --clients N
 *       N held clients, one publish: ms until the last has it, and the
 *       server's memory per held client (RSS delta / N)
 *   push-load rate    TARGET --clients N --publishers P --seconds S
 *       P publishers as fast as they can for S s: deliveries/s
 *   push-load latency TARGET --count N
 *       one event stream, N publishes one after another: p50/p90/p99/max
 *
 * TARGET: --port P --sub PATH [--sse] --pub PATH [--pub-body JSON]
 *         --ready PATH --ready-key TEXT --marker TEXT --pids PID[,PID...]
 *         [--pub-port P] [--ready-ports P[,P...]]
 *   Subscribers connect to --port; publishes go to --pub-port (default
 *   --port), and the held clients are counted on every --ready-ports (a
 *   cluster: each node behind the balancer; default --port). */
#include "push-load.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define USEC_PER_S INT64_C (1000000)
#define PUBLISHER_TAG (UINT64_C (1) << 40)
#define HOLD_TIMEOUT_USEC (90 * USEC_PER_S)
#define DELIVERY_TIMEOUT_USEC (30 * USEC_PER_S)
#define PROBE_EVERY_USEC (20 * 1000)

typedef struct {
  Target target;
  size_t clients;
  size_t publishers;
  double seconds;
  size_t count;
} Options;

/* Everything one workload drives through one epoll set. */
typedef struct {
  int epoll_fd;
  Subscribers subscribers;
  Publisher *publishers;
  size_t publisher_count;
} Load;

int64_t
now_usec (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (int64_t) now.tv_sec * USEC_PER_S + now.tv_nsec / 1000;
}

void
die (const char *format, ...)
{
  va_list arguments;

  va_start (arguments, format);
  fputs ("push-load: ", stderr);
  vfprintf (stderr, format, arguments);
  fputc ('\n', stderr);
  va_end (arguments);
  exit (1);
}

static void
load_init (Load *load, const Options *options, size_t clients, size_t publishers)
{
  load->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  subscribers_init (&load->subscribers, load->epoll_fd, &options->target, clients);
  load->publishers = calloc (publishers, sizeof (Publisher));
  load->publisher_count = publishers;
  for (size_t i = 0; i < publishers; i++)
    publisher_init (&load->publishers[i], load->epoll_fd, PUBLISHER_TAG + i, &options->target);
}

static void
load_free (Load *load)
{
  for (size_t i = 0; i < load->subscribers.count; i++)
    if (!load->subscribers.all[i].closed && i < load->subscribers.started)
      close (load->subscribers.all[i].fd);
  for (size_t i = 0; i < load->publisher_count; i++)
    {
      if (load->publishers[i].fd >= 0)
        close (load->publishers[i].fd);
      free (load->publishers[i].request);
    }
  free (load->subscribers.all);
  free (load->subscribers.request);
  free (load->publishers);
  close (load->epoll_fd);
}

static void
pump (Load *load, int timeout_ms)
{
  struct epoll_event events[512];
  int ready = epoll_wait (load->epoll_fd, events, 512, timeout_ms);

  for (int i = 0; i < ready; i++)
    {
      uint64_t tag = events[i].data.u64;

      if (tag >= PUBLISHER_TAG)
        publisher_on_event (&load->publishers[tag - PUBLISHER_TAG], events[i].events);
      else
        subscribers_on_event (&load->subscribers, (size_t) tag, events[i].events);
    }
  subscribers_connect_more (&load->subscribers);
}

/* Opens every subscriber and returns once the server says it holds them. */
static void
hold_subscribers (Load *load)
{
  const Target *target = load->subscribers.target;
  int64_t deadline = now_usec () + HOLD_TIMEOUT_USEC, next_probe = 0;
  long held = 0;   /* -1 while the stats page does not answer */

  subscribers_connect_more (&load->subscribers);
  while (held < 0 || (size_t) held < load->subscribers.count)
    {
      if (now_usec () > deadline)
        die ("the server holds %ld of %zu clients after %lld s", held, load->subscribers.count,
             (long long) (HOLD_TIMEOUT_USEC / USEC_PER_S));
      pump (load, 5);
      if (now_usec () >= next_probe)
        {
          held = probe_ready_count (target);
          next_probe = now_usec () + PROBE_EVERY_USEC;
          if (held >= 0)
            load->subscribers.allowed = (size_t) held + SUBSCRIBERS_AHEAD;
        }
    }
}

static bool
any_publisher_busy (const Load *load)
{
  for (size_t i = 0; i < load->publisher_count; i++)
    if (load->publishers[i].busy)
      return true;
  return false;
}

/* Pumps until EXPECTED events arrived and no publish is under way. */
static bool
wait_for_deliveries (Load *load, uint64_t expected, int64_t deadline)
{
  while (load->subscribers.markers < expected || any_publisher_busy (load))
    {
      if (now_usec () > deadline)
        return false;
      pump (load, 5);
    }
  return true;
}

static const char *
connection_kind (const Publisher *publisher)
{
  return publisher->server_keeps_alive ? "keep-alive" : "close";
}

static void
run_fanout (const Options *options)
{
  Load load;
  long rss_before = probe_rss_kib (options->target.pids), rss_held;
  int64_t published_at;
  bool all;

  load_init (&load, options, options->clients, 1);
  hold_subscribers (&load);
  for (int64_t settle = now_usec () + 200 * 1000; now_usec () < settle;)
    pump (&load, 10);
  rss_held = probe_rss_kib (options->target.pids);

  published_at = now_usec ();
  publisher_start (&load.publishers[0]);
  all = wait_for_deliveries (&load, options->clients, published_at + DELIVERY_TIMEOUT_USEC);
  printf ("ok=%d ms=%.2f delivered=%llu expected=%zu bytes_per_client=%.0f publish=%s\n",
          all && load.publishers[0].accepted == 1,
          (double) (load.subscribers.last_marker_usec - published_at) / 1000.0,
          (unsigned long long) load.subscribers.markers, options->clients,
          (double) (rss_held - rss_before) * 1024.0 / (double) options->clients,
          connection_kind (&load.publishers[0]));
  load_free (&load);
}

static uint64_t
publishes_accepted (const Load *load)
{
  uint64_t total = 0;

  for (size_t i = 0; i < load->publisher_count; i++)
    total += load->publishers[i].accepted;
  return total;
}

static void
publish_until (Load *load, int64_t end)
{
  while (now_usec () < end)
    {
      for (size_t i = 0; i < load->publisher_count; i++)
        if (!load->publishers[i].busy)
          publisher_start (&load->publishers[i]);
      pump (load, 1);
    }
}

static void
run_rate (const Options *options)
{
  Load load;
  int64_t started, end;
  uint64_t expected;
  double elapsed;
  bool all;

  load_init (&load, options, options->clients, options->publishers);
  hold_subscribers (&load);
  started = now_usec ();
  end = started + (int64_t) (options->seconds * (double) USEC_PER_S);
  publish_until (&load, end);
  all = wait_for_deliveries (&load, 0, end + DELIVERY_TIMEOUT_USEC);
  expected = publishes_accepted (&load) * options->clients;
  all = all && wait_for_deliveries (&load, expected, end + DELIVERY_TIMEOUT_USEC);
  elapsed = (double) (load.subscribers.last_marker_usec - started) / (double) USEC_PER_S;
  printf ("ok=%d deliveries_per_s=%.0f publishes_per_s=%.1f delivered=%llu expected=%llu open=%zu publish=%s\n",
          all && load.subscribers.closed == 0 && load.subscribers.markers == expected,
          (double) load.subscribers.markers / elapsed,
          (double) publishes_accepted (&load) / options->seconds,
          (unsigned long long) load.subscribers.markers, (unsigned long long) expected,
          options->clients - load.subscribers.closed, connection_kind (&load.publishers[0]));
  load_free (&load);
}

static int
compare_int64 (const void *a, const void *b)
{
  int64_t left = *(const int64_t *) a, right = *(const int64_t *) b;

  return (left > right) - (left < right);
}

/* Nearest-rank percentile of sorted SAMPLES, in milliseconds. */
static double
percentile_ms (const int64_t *samples, size_t count, double fraction)
{
  size_t rank = (size_t) ceil (fraction * (double) count);

  return (double) samples[rank > 0 ? rank - 1 : 0] / 1000.0;
}

static void
run_latency (const Options *options)
{
  Load load;
  int64_t *samples = calloc (options->count, sizeof (int64_t));
  bool all = true;

  load_init (&load, options, 1, 1);
  hold_subscribers (&load);
  for (size_t i = 0; i < options->count && all; i++)
    {
      int64_t published_at = now_usec ();

      publisher_start (&load.publishers[0]);
      all = wait_for_deliveries (&load, i + 1, published_at + DELIVERY_TIMEOUT_USEC);
      samples[i] = load.subscribers.last_marker_usec - published_at;
    }
  qsort (samples, options->count, sizeof (int64_t), compare_int64);
  printf ("ok=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f delivered=%llu expected=%zu publish=%s\n",
          all && load.subscribers.markers == options->count,
          percentile_ms (samples, options->count, 0.50), percentile_ms (samples, options->count, 0.90),
          percentile_ms (samples, options->count, 0.99), percentile_ms (samples, options->count, 1.0),
          (unsigned long long) load.subscribers.markers, options->count, connection_kind (&load.publishers[0]));
  load_free (&load);
  free (samples);
}

static void
parse_options (int argc, char **argv, Options *options)
{
  static const struct option known[] = {
    { "port", required_argument, NULL, 'p' }, { "sub", required_argument, NULL, 's' },
    { "sse", no_argument, NULL, 'e' }, { "pub", required_argument, NULL, 'P' },
    { "pub-body", required_argument, NULL, 'b' }, { "ready", required_argument, NULL, 'r' },
    { "ready-key", required_argument, NULL, 'k' }, { "marker", required_argument, NULL, 'm' },
    { "pids", required_argument, NULL, 'i' }, { "clients", required_argument, NULL, 'c' },
    { "publishers", required_argument, NULL, 'n' }, { "seconds", required_argument, NULL, 't' },
    { "count", required_argument, NULL, 'N' }, { "pub-port", required_argument, NULL, 'O' },
    { "ready-ports", required_argument, NULL, 'R' }, { NULL, 0, NULL, 0 },
  };
  Target *target = &options->target;
  int option;

  *options = (Options) { .target.publish_body = "", .clients = 1000, .publishers = 4, .seconds = 10, .count = 1000 };
  while ((option = getopt_long (argc, argv, "", known, NULL)) != -1)
    switch (option)
      {
      case 'p': target->port = atoi (optarg); break;
      case 's': target->subscribe_path = optarg; break;
      case 'e': target->event_stream = true; break;
      case 'P': target->publish_path = optarg; break;
      case 'b': target->publish_body = optarg; break;
      case 'r': target->ready_path = optarg; break;
      case 'k': target->ready_key = optarg; break;
      case 'm': target->marker = optarg; break;
      case 'i': target->pids = optarg; break;
      case 'c': options->clients = strtoul (optarg, NULL, 10); break;
      case 'n': options->publishers = strtoul (optarg, NULL, 10); break;
      case 't': options->seconds = strtod (optarg, NULL); break;
      case 'N': options->count = strtoul (optarg, NULL, 10); break;
      case 'O': target->publish_port = atoi (optarg); break;
      case 'R': target->ready_ports = optarg; break;
      default: exit (2);
      }
  if (target->port <= 0 || !target->subscribe_path || !target->publish_path || !target->ready_path
      || !target->ready_key || !target->marker || !target->pids || options->clients == 0
      || options->publishers == 0 || options->seconds <= 0 || options->count == 0)
    die ("missing or bad option; see the comment atop bench/push-load.c");
  if (target->publish_port <= 0)
    target->publish_port = target->port;
}

int
main (int argc, char **argv)
{
  Options options;
  const char *workload = argc > 1 ? argv[1] : "";

  signal (SIGPIPE, SIG_IGN);
  net_raise_fd_limit ();
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (strcmp (workload, "port") == 0)
    return printf ("%d\n", net_free_port ()) < 0;
  if (strcmp (workload, "up") == 0 && argc == 3)
    return net_wait_until_listening (atoi (argv[2]), 10000) ? 0 : 1;
  parse_options (argc - 1, argv + 1, &options);
  if (strcmp (workload, "fanout") == 0)
    run_fanout (&options);
  else if (strcmp (workload, "rate") == 0)
    run_rate (&options);
  else if (strcmp (workload, "latency") == 0)
    run_latency (&options);
  else
    die ("unknown workload '%s'", workload);
  return 0;
}
