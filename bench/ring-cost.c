/* SPDX-License-Identifier: MIT */
/* What keeping a seed ring costs (issue 19, point 4): the album "" of N
 * pictures (100 000 by default), its ring built once; then, per round,
 * one picture added or removed and the ring asked for again (what the
 * first seed request after a catalogue change does on the main loop).
 * Prints the first build and the median and worst of the rounds.
 * Build: see bench/README.md (links the server's picture code). */
#include "rndimg-album.h"

#include <stdlib.h>

static RndimgPicture *
fake_image (guint i)
{
  RndimgPicture *image = g_rc_box_new0 (RndimgPicture);

  image->name = g_strdup_printf ("album-%03u/p%06u.png", i % 100, i);
  image->album = g_strdup_printf ("album-%03u", i % 100);
  image->orientation = RNDIMG_ORIENTATION_ANY;
  return image;
}

static int
compare_doubles (const void *a, const void *b)
{
  double left = *(const double *) a, right = *(const double *) b;

  return left < right ? -1 : left > right;
}

int
main (int argc, char **argv)
{
  guint count = argc > 1 ? (guint) atoi (argv[1]) : 100000, rounds = 50;
  RndimgAlbum *album = rndimg_album_new ("");
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  double *ms = g_new (double, rounds);
  gint64 start;

  for (guint i = 0; i < count; i++)
    {
      g_ptr_array_add (images, fake_image (i));
      rndimg_album_add (album, g_ptr_array_index (images, i));
    }
  start = g_get_monotonic_time ();
  rndimg_album_ring (album, RNDIMG_ORIENTATION_ANY);
  g_print ("%u pictures: first ring build %.1f ms\n", count, (g_get_monotonic_time () - start) / 1000.0);
  for (guint r = 0; r < rounds; r++)
    {
      RndimgPicture *image = g_ptr_array_index (images, (r * 7919) % count);

      if (r % 2 == 0)
        rndimg_album_remove (album, image);
      else
        rndimg_album_add (album, g_ptr_array_index (images, ((r - 1) * 7919) % count));
      start = g_get_monotonic_time ();
      rndimg_album_ring (album, RNDIMG_ORIENTATION_ANY);
      ms[r] = (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (ms, rounds, sizeof *ms, compare_doubles);
  g_print ("ring after one change (%u rounds, remove/add): median %.2f ms, worst %.2f ms\n",
           rounds, ms[rounds / 2], ms[rounds - 1]);
  rndimg_album_free (album);
  g_free (ms);
  return 0;
}
