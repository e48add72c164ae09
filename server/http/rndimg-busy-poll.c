/* SPDX-License-Identifier: MIT */
/* Busy polling (--busy-poll USEC): for USEC microseconds after @watched_fd
 * was last readable (the connections' epoll set: a request came), the
 * main thread does not sleep, so the next request of a busy client is
 * read as it arrives instead of after a sleep and a wake-up (on a virtual
 * machine each costs a call to the hypervisor). The price is a core kept
 * busy for up to USEC after every burst of traffic, so it is off by
 * default, as the kernel's own busy_poll is (docs/operating.md,
 * bench/README.md).
 *
 * While the window lasts the source is ready at every pass of the main
 * loop, and its dispatch calls @spin: the owner of @watched_fd asks it
 * without sleeping and handles what comes at once, returning to the main
 * loop after each burst so that every other source still runs between
 * two (they wait at most USEC, when nothing comes). Spinning on the set
 * itself rather than on GLib's poll() saves a pass of the loop and a
 * system call between a request's arrival and its reading. */
#include "rndimg-busy-poll.h"

typedef struct {
  GSource source;
  gint64 window_usec;
  gint64 polling_until;  /* monotonic µs; 0: not since start */
  gpointer watched;      /* the tag of @watched_fd */
  RndimgBusyPollSpin spin;
  gpointer spin_data;
} BusyPollSource;

static gboolean
is_polling (BusyPollSource *self)
{
  return g_source_query_unix_fd (&self->source, self->watched) != 0 ||
         g_get_monotonic_time () < self->polling_until;
}

/* GLib's poll does not sleep while the window lasts. */
static gboolean
busy_poll_prepare (GSource *source, gint *timeout)
{
  BusyPollSource *self = (BusyPollSource *) source;

  *timeout = g_source_get_time (source) < self->polling_until ? 0 : -1;
  return FALSE;
}

static gboolean
busy_poll_check (GSource *source)
{
  return is_polling ((BusyPollSource *) source);
}

/* A readable @watched_fd opens the window (or keeps it open); the spin
 * keeps it open as long as something comes within it. */
static gboolean
busy_poll_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  BusyPollSource *self = (BusyPollSource *) source;

  if (g_source_query_unix_fd (source, self->watched) != 0)
    self->polling_until = g_get_monotonic_time () + self->window_usec;
  if (self->spin (self->spin_data, self->polling_until))
    self->polling_until = g_get_monotonic_time () + self->window_usec;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs busy_poll_funcs = {
  .prepare = busy_poll_prepare,
  .check = busy_poll_check,
  .dispatch = busy_poll_dispatch,
};

/* A source to attach to the main context; @window_usec > 0. @spin
 * (@user_data) asks @watched_fd's owner without sleeping until something
 * is handled (TRUE) or its second argument, a monotonic time, passes. */
GSource *
rndimg_busy_poll_source_new (int watched_fd, guint window_usec, RndimgBusyPollSpin spin, gpointer user_data)
{
  GSource *source;
  BusyPollSource *self;

  g_return_val_if_fail (window_usec > 0, NULL);
  source = g_source_new (&busy_poll_funcs, sizeof (BusyPollSource));
  self = (BusyPollSource *) source;
  self->watched = g_source_add_unix_fd (source, watched_fd, G_IO_IN);
  self->window_usec = window_usec;
  self->spin = spin;
  self->spin_data = user_data;
  /* As the connections' own source: a source GLib "blocks" while it is
   * dispatched has its descriptor taken out of the poll and put back,
   * which wakes the next poll through the context's eventfd. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_name (source, "rndimg busy poll");
  return source;
}
