/* SPDX-License-Identifier: MIT */
/* Which variant to ask for so that a picture is sharp at the size it is
 * shown: a few fixed sizes (a ladder), so that every viewer and every
 * window size asks for the same few canonical URLs, which caches share,
 * and a window growing a little asks for nothing new. */
#include "rndimg-variant-size.h"

#include <math.h>

static const guint ladder[] = { 256, 384, 512, 768, 1024, 1536, 2048, 3072, RNDIMG_VARIANT_LARGEST_SIDE };

/* The side L of the square box (device pixels) of the variant LxL?fit=inside
 * that shows a picture of @picture_width x @picture_height sharp when its
 * longer side is @shown_long_side device pixels on screen: the smallest
 * step of the ladder that large. 0 when only the original will do: the
 * step would be as large as the picture, or larger than the ladder goes.
 * A picture of unknown size (0) is never said to need its original below
 * the ladder's top. */
guint
rndimg_variant_side_for (guint picture_width, guint picture_height, double shown_long_side)
{
  guint picture_long_side = MAX (picture_width, picture_height);
  double wanted = ceil (MAX (shown_long_side, 1.0) - 0.5);   /* half a pixel of rounding is no loss */

  for (guint i = 0; i < G_N_ELEMENTS (ladder); i++)
    if (ladder[i] >= wanted)
      return picture_long_side > 0 && ladder[i] >= picture_long_side ? 0 : ladder[i];
  return 0;
}
