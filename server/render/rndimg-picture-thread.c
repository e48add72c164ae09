/* SPDX-License-Identifier: MIT */
/* What the threads that decode and render pictures share, without
 * libvips (which the render module brings, rndimg-render-engine.c): their
 * priority below the main loop's, and the memory their heaps hold
 * given back once they are idle. */
#include "rndimg-picture-thread.h"

#include <glib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* What the heaps of every thread hold free goes back to the system
 * (glibc keeps it otherwise, for the next allocation): after a burst of
 * renders, when none is left. */
void
rndimg_picture_thread_return_memory (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}

/* Render and decode threads run at a lower priority than the main loop,
 * so that cached variants and every other endpoint keep their latency
 * while they are busy (on 2 cores, 2 render threads otherwise take two
 * thirds of the CPU from the main loop; a first placeholder scan of a big
 * catalogue would take one core for minutes). Nice 10 below the process,
 * not SCHED_IDLE: they still progress beside other busy processes. On
 * Linux a nice value is per thread, and the threads libvips starts inherit
 * it from the thread that starts them. Call it on a thread of one's own
 * (an exclusive pool's): GLib's shared pool would hand the lowered thread
 * to other work. */
#define LOWERED_NICENESS 10

void
rndimg_picture_thread_lower (void)
{
#ifdef __linux__
  static GPrivate lowered = G_PRIVATE_INIT (NULL);
  id_t thread = (id_t) syscall (SYS_gettid);
  int niceness;

  if (g_private_get (&lowered) != NULL)
    return;
  g_private_set (&lowered, GINT_TO_POINTER (TRUE));
  errno = 0;
  niceness = getpriority (PRIO_PROCESS, thread);
  if (errno == 0 && setpriority (PRIO_PROCESS, thread, MIN (niceness + LOWERED_NICENESS, 19)) != 0)
    g_debug ("picture threads keep their priority: %s", g_strerror (errno));
#endif
}
