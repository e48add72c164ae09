/* SPDX-License-Identifier: MIT */
/* libvips set up once for the process, by the service, before anything
 * decodes or renders a picture (the placeholders' worker starts at once,
 * the renderer later): its operation cache off (we cache whole answers),
 * one libvips thread per render or decode (our pools are the
 * parallelism), every loader but the four formats' blocked (and loaders
 * of modules loaded later with them), only the modules a format in use
 * needs loaded, and the allocator made to give large blocks back. It
 * runs in the render module (rndimg-render-module.c), loaded on first
 * need by rndimg-render-engine.c. */
#include "rndimg-vips.h"
#include "rndimg-orc-lock.h"
#include "rndimg-render-entry-points.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <vips/vector.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Debian's libvips 8.14 loads every module of its modules folder at
 * init: vips-magick (ImageMagick), vips-poppler, vips-openslide,
 * vips-jxl and vips-heif (libheif, libaom, x265, dav1d...), 10 MB of
 * resident memory for formats the server never reads. libvips finds the
 * folder under $VIPSHOME/lib (vips_guess_libdir()): VIPSHOME names an
 * install area without modules, so it loads none, and
 * rndimg_vips_load_module() loads one when a format needs it. A VIPSHOME
 * set by the user is left as it is. */
#define NO_MODULES_HOME RNDIMG_VIPSHOME_WITHOUT_MODULES

/* The loaders of the four formats the catalogue takes (and of the
 * masters' .v), by class name:
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
    /* libvips' own format: only the reduced masters we write
     * (rndimg-masters.c); every input is sniffed by our header reader
     * first, which takes none. */
    "VipsForeignLoadVips",
  };

  vips_block_untrusted_set (TRUE);
  vips_operation_block_set ("VipsForeignLoad", TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (used); i++)
    vips_operation_block_set (used[i], FALSE);
}

/* glibc's malloc serves a block from the heap, not a mapping of its own,
 * once a mapping that large was freed (the threshold follows the largest
 * freed, up to 32 MiB): the coefficients of a progressive JPEG (tens of
 * MiB, in a few blocks) then stayed in the render threads' arenas after
 * every render (a flood of 200 left 346 MiB of 370). A fixed threshold
 * keeps every block over it a mapping of its own, returned when freed.
 * Fixing it also fixes the trim threshold at its 128 KiB default, and
 * then every render gave its heap's top back (madvise) and faulted it in
 * again, zeroed, for the next: half the CPU of a render from a master
 * (perf, bench/README.md). Free memory under RETAINED_FREE_MAX_BYTES at
 * the top of a heap is kept for the next render (malloc_trim, when the
 * pool is idle, returns the rest: rndimg_picture_thread_return_memory); a flood's
 * end keeps some 15 MiB more than before this, within the bound. */
#define MAPPED_BLOCK_MIN_BYTES (4 * 1024 * 1024)
#define RETAINED_FREE_MAX_BYTES (32 * 1024 * 1024)

static void
return_large_blocks (void)
{
#ifdef __GLIBC__
  if (mallopt (M_MMAP_THRESHOLD, MAPPED_BLOCK_MIN_BYTES) != 1 ||
      mallopt (M_TRIM_THRESHOLD, RETAINED_FREE_MAX_BYTES) != 1)
    g_debug ("malloc keeps its own thresholds");
#endif
}

gboolean
rndimg_vips_start (GError **error)
{
  /* Asked before libvips starts: a VIPSHOME of the user's makes it load
   * its modules itself, into the global scope, liborc with them, and a
   * lookup made after that finds liborc's calls first even though
   * libvips (linked with BIND_NOW) was bound to the module's when the
   * module was loaded. */
  gboolean orc_locked = rndimg_orc_lock_in_effect ();

  g_setenv ("VIPSHOME", NO_MODULES_HOME, FALSE);
  if (VIPS_INIT ("rndimg-server") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libvips cannot start: %s", vips_error_buffer ());
      vips_error_clear ();
      return FALSE;
    }
  return_large_blocks ();
  block_unused_loaders ();
  vips_cache_set_max (0);
  vips_cache_set_max_mem (0);
  vips_cache_set_max_files (0);
  vips_concurrency_set (1);
  if (!orc_locked)
    {
      g_message ("libvips was loaded before the render module: its Orc code is off (rndimg-orc-lock.c)");
      vips_vector_set_enabled (FALSE);
    }
  return TRUE;
}

/* Loads libvips' module @name ("vips-heif": AVIF) for good, unless
 * libvips loaded its modules itself (a VIPSHOME of the user's). FALSE
 * with a debug message when it cannot. Blocks while the module and the
 * libraries it needs load (tens of milliseconds). */
gboolean
rndimg_vips_load_module (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".", G_MODULE_SUFFIX, NULL);
  g_autofree char *path = g_build_filename (RNDIMG_VIPS_MODULE_DIR, file, NULL);
  GModule *module;

  if (!g_str_equal (g_getenv ("VIPSHOME"), NO_MODULES_HOME))
    return TRUE;
  module = g_module_open (path, G_MODULE_BIND_LAZY);
  if (module == NULL)
    {
      g_debug ("libvips' module %s cannot be loaded: %s", path, g_module_error ());
      return FALSE;
    }
  /* Its types stay registered with libvips: it may never go. */
  g_module_make_resident (module);
  return TRUE;
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
