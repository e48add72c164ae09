/* SPDX-License-Identifier: MIT */
/* Busy polling (--busy-poll USEC): for USEC microseconds after @watched_fd
 * was last readable (the connections' epoll set: a request came), the
 * main loop polls without sleeping, so the next request of a busy client
 * is read as it arrives instead of after a sleep and a wake-up (on a
 * virtual machine each costs a call to the hypervisor). The price is a
 * core kept busy for up to USEC after every burst of traffic, so it is
 * off by default, as the kernel's own busy_poll is (docs/operating.md,
 * bench/README.md).
 *
 * The source watches @watched_fd beside the source that reads it (its
 * dispatch only notes the time), and its prepare() gives GLib's poll a
 * timeout of 0 while the window lasts, -1 (no say) after. */
#include "rndimg-busy-poll.h"

typedef struct {
  GSource source;
  gint64 window_usec;
  gint64 polling_until;  /* monotonic µs; 0: not since start */
} BusyPollSource;

static gboolean
busy_poll_prepare (GSource *source, gint *timeout)
{
  BusyPollSource *self = (BusyPollSource *) source;

  *timeout = g_source_get_time (source) < self->polling_until ? 0 : -1;
  return FALSE;
}

/* Called when @watched_fd was readable (GLib makes a source with a ready
 * descriptor dispatch), after the source that reads it (attached before
 * this one): the window starts again from the end of that work, not from
 * the pass's start that g_source_get_time() would give. */
static gboolean
busy_poll_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  BusyPollSource *self = (BusyPollSource *) source;

  self->polling_until = g_get_monotonic_time () + self->window_usec;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs busy_poll_funcs = {
  .prepare = busy_poll_prepare,
  .dispatch = busy_poll_dispatch,
};

/* A source to attach to the main context; @window_usec > 0. */
GSource *
rndimg_busy_poll_source_new (int watched_fd, guint window_usec)
{
  GSource *source;

  g_return_val_if_fail (window_usec > 0, NULL);
  source = g_source_new (&busy_poll_funcs, sizeof (BusyPollSource));
  g_source_add_unix_fd (source, watched_fd, G_IO_IN);
  ((BusyPollSource *) source)->window_usec = window_usec;
  /* As the connections' own source: a source GLib "blocks" while it is
   * dispatched has its descriptor taken out of the poll and put back,
   * which wakes the next poll through the context's eventfd. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_name (source, "rndimg busy poll");
  return source;
}
