/* SPDX-License-Identifier: MIT */
/* libvips set up once for the process, by the service, before anything
 * decodes or renders a picture (the placeholders' worker starts at once,
 * the renderer later): its operation cache off (we cache whole answers),
 * one libvips thread per render or decode (our pools are the
 * parallelism), every loader but the four formats' blocked. And
 * the threads that run libvips work lowered below the main loop. */
#include "rndimg-vips.h"

#include <gio/gio.h>

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* The loaders of the four formats the catalogue takes, by class name:
 * every other one (ImageMagick, poppler, OpenSlide, librsvg, TIFF, HEIF,
 * JPEG XL, …, each a module Debian's libvips loads at start) is blocked,
 * so no input path reaches it whatever bytes it is handed: libvips'
 * sniffing skips a blocked loader, and building one fails. Blocking the
 * untrusted ones (vips_block_untrusted_set) alone would leave TIFF, HEIF
 * and the rest open. The savers are ours to choose. */
static void
block_unused_loaders (void)
{
  static const char *const used[] = {
    "VipsForeignLoadPng", "VipsForeignLoadJpeg", "VipsForeignLoadNsgif", "VipsForeignLoadWebp",
  };

  vips_block_untrusted_set (TRUE);
  vips_operation_block_set ("VipsForeignLoad", TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (used); i++)
    vips_operation_block_set (used[i], FALSE);
}

gboolean
rndimg_vips_start (GError **error)
{
  if (VIPS_INIT ("rndimg-server") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libvips cannot start: %s", vips_error_buffer ());
      vips_error_clear ();
      return FALSE;
    }
  block_unused_loaders ();
  vips_cache_set_max (0);
  vips_cache_set_max_mem (0);
  vips_cache_set_max_files (0);
  vips_concurrency_set (1);
  return TRUE;
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
rndimg_vips_lower_this_thread (void)
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

/* @in's alpha flattened on white, as vips_flatten(): 0, or -1 with
 * libvips' error. The background array is ours to release: libvips takes
 * its own reference (passed inline, it leaked at every call). */
int
rndimg_vips_flatten_on_white (VipsImage *in, VipsImage **out)
{
  VipsArrayDouble *white = vips_array_double_newv (1, 255.0);
  int status = vips_flatten (in, out, "background", white, NULL);

  vips_area_unref (VIPS_AREA (white));
  return status;
}

/* One step of a pipeline: the operation's @status and its result in
 * @*next replace @*image (released); -1 on failure, @*image kept. @next
 * is passed by address: the operation that sets it is another argument of
 * the same call, and C leaves the order of their evaluation open. */
int
rndimg_vips_step (VipsImage **image, VipsImage **next, int status)
{
  if (status != 0)
    return -1;
  g_object_unref (*image);
  *image = *next;
  *next = NULL;
  return 0;
}
