/* SPDX-License-Identifier: MIT */
/* A cold variant's render alone, for a profiler, through the calls a
 * render thread makes (rndimg-render-job.c): PICTURE's master at its own
 * size made once (a mapped .v, as the server keeps it), then N variants
 * (after a first), sides 200..327 square, cover, centre, in FORMAT (jpeg,
 * png, webp), from the master, or from the original decoded each time
 * with "original" (as sharp and image_filter do). Prints the CPU time per
 * render. Under callgrind, N and 0 renders give the cost of one:
 *   ninja -C build-dev bench/render-cost
 *   valgrind --tool=callgrind build-dev/bench/render-cost PICTURE 20 jpeg
 * VIPS_CACHE=1 turns libvips' operation cache on (the server keeps it off). */
#include "rndimg-master-file.h"
#include "rndimg-render-pipeline.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double) now.tv_sec * 1e3 + (double) now.tv_nsec / 1e6;
}

static RndimgFormat
format_named (const char *name)
{
  if (g_str_equal (name, "png"))
    return RNDIMG_FORMAT_PNG;
  if (g_str_equal (name, "webp"))
    return RNDIMG_FORMAT_WEBP;
  return RNDIMG_FORMAT_JPEG;
}

/* PICTURE's master at its own size, written to @folder and mapped. */
static RndimgMasterFile *
master_of (const char *path, const RndimgSourceFacts *facts, const char *folder)
{
  RndimgMasterSize size = { 0, facts->width, facts->height };
  g_autofree char *file = g_build_filename (folder, "master.v", NULL);
  RndimgRenderDeadline deadline = { G_MAXINT64, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) image = NULL;
  RndimgMasterFile *master;
  gboolean turned = FALSE;
  guint64 bytes = 0;

  image = rndimg_master_from_original (path, facts, &size, &turned, &error);
  if (image == NULL || !rndimg_master_write (image, turned, file, &deadline, &bytes, &error) ||
      (master = rndimg_master_file_map (file, &size, &error)) == NULL)
    g_error ("%s: %s", path, error->message);
  return master;
}

static gsize
render_once (const char *path, const RndimgSourceFacts *facts, RndimgMasterFile *master, RndimgFormat format,
             guint side)
{
  RndimgVariantSpec spec = { .width = side, .height = side, .fit = RNDIMG_FIT_COVER, .crop = RNDIMG_CROP_CENTRE,
                             .format = format, .quality = 80 };
  RndimgRenderDeadline deadline = { G_MAXINT64, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) resized = NULL;
  g_autoptr(GBytes) bytes = NULL;
  RndimgRenderBox box;

  rndimg_render_box (&spec, facts->width, facts->height, &box);
  resized = master != NULL ? rndimg_master_file_resize (master, box.width, box.height, &error)
                           : rndimg_render_resize_original (path, box.width, box.height, &error);
  if (resized == NULL || (bytes = rndimg_render_encode (resized, &box, &spec, &deadline, &error)) == NULL)
    g_error ("%s: %s", path, error->message);
  return g_bytes_get_size (bytes);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  RndimgMasterFile *master = NULL;
  RndimgSourceFacts facts;
  int count = argc > 2 ? atoi (argv[2]) : 100;
  RndimgFormat format = format_named (argc > 3 ? argv[3] : "jpeg");
  gboolean original = argc > 4 && g_str_equal (argv[4], "original");
  gsize total = 0;
  double started;

  if (argc < 2 || count < 0)
    g_error ("usage: render-cost PICTURE [N] [jpeg|png|webp] [master|original]");
  if (!rndimg_vips_start (&error))
    g_error ("%s", error->message);
  if (g_getenv ("VIPS_CACHE") != NULL)
    {
      vips_cache_set_max (100);
      vips_cache_set_max_mem (100 * 1024 * 1024);
      vips_cache_set_max_files (100);
    }
  if (!rndimg_render_read_facts (argv[1], 100000000, &facts, &error))
    g_error ("%s: %s", argv[1], error->message);
  if (!original)
    {
      if ((folder = g_dir_make_tmp ("render-cost-XXXXXX", &error)) == NULL)
        g_error ("%s", error->message);
      master = master_of (argv[1], &facts, folder);
    }
  render_once (argv[1], &facts, master, format, 199);
  started = cpu_ms ();
  for (int i = 0; i < count; i++)
    total += render_once (argv[1], &facts, master, format, 200 + (guint) i % 128);
  if (count > 0)
    printf ("%s: %.2f ms of CPU per render from %s, %" G_GSIZE_FORMAT " bytes each\n", argv[1],
            (cpu_ms () - started) / count, original ? "the original" : "its master", total / (gsize) count);
  if (master != NULL)
    {
      g_autofree char *file = g_build_filename (folder, "master.v", NULL);

      rndimg_master_file_free (master);
      g_unlink (file);
      g_rmdir (folder);
    }
  vips_shutdown ();
  return 0;
}
