/* SPDX-License-Identifier: MIT */
/* The placeholders' decode alone, for a profiler: PICTURE decoded N times
 * (after a first) with rndimg_picture_decode_small(), then its BlurHash,
 * as the placeholders' worker does; prints the CPU time per picture. Under
 * callgrind, the instructions of N and of 0 decodes give the cost of one:
 *   ninja -C build-dev bench/decode-cost
 *   valgrind --tool=callgrind build-dev/bench/decode-cost PICTURE 10 */
#include "rndimg-picture-decode.h"
#include "rndimg-vips.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double) now.tv_sec * 1e3 + (double) now.tv_nsec / 1e6;
}

static void
decode_once (const RndimgPicture *image)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgPixels) pixels = rndimg_picture_decode_small (image, 32, 50000000, &error);
  char colour[8];

  if (pixels == NULL)
    g_error ("%s: %s", image->path, error->message);
  g_free (rndimg_blurhash_encode (pixels, 4, 3, colour));
}

int
main (int argc, char **argv)
{
  RndimgPicture image = { 0 };
  g_autoptr(GError) error = NULL;
  int count = argc > 2 ? atoi (argv[2]) : 100;
  double started;

  if (argc < 2 || count < 0)
    g_error ("usage: decode-cost PICTURE [N]");
  if (!rndimg_vips_start (&error))
    g_error ("%s", error->message);
  image.path = argv[1];
  decode_once (&image);
  started = cpu_ms ();
  for (int i = 0; i < count; i++)
    decode_once (&image);
  if (count > 0)
    printf ("%s: %.2f ms of CPU per placeholder decode\n", argv[1], (cpu_ms () - started) / count);
  return 0;
}
