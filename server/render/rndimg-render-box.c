/* SPDX-License-Identifier: MIT */
/* The arithmetic of a render, without libvips: the box a variant is
 * rendered to, computed from the original's size as libvips' thumbnail
 * computes it (so a variant has the same size whether it is made from the
 * original or from a reduced master), and the sizes of a picture's
 * reduced masters. */
#include "rndimg-render-box.h"

#include <math.h>

/* libvips' VIPS_MAX_COORD: a side that does not bound the box. */
#define UNBOUNDED 10000000

/* No masters below this (a small picture decodes at once). */
#define MASTER_MIN_SOURCE_PIXELS (256 * 256)
/* A master at the original's size (the decode saved, nothing else) only
 * up to this: it holds 3 or 4 bytes a pixel, on disk. Up to a 2000x1333
 * photograph, whose halving is too small for a stage twice 520 px wide. */
#define MASTER_FULL_SIZE_MAX_PIXELS (4 * 1024 * 1024)
/* Halvings while their longer side is at least this: below it, a variant
 * costs little from the smallest one. */
#define MASTER_MIN_SIDE 160
/* A master serves a box it leaves at least this much to reduce (or none):
 * a reduce by less resamples a picture already at its sharpest for that
 * size and softens it (a 250 px master made 240 px was 5 dB further from
 * an exact resize than libvips' own thumbnail; bench/README.md). */
#define MASTER_MIN_REDUCE 1.25

/* As vips_thumbnail_calculate_shrink() in libvips 8.14: the shrink of
 * each axis, the same for both (the aspect kept), the one that fills the
 * box when cropping and the one that fits in it otherwise. */
static void
thumbnail_shrink (guint source_width, guint source_height, guint target_width, guint target_height,
                  gboolean crop, gboolean only_down, double *hshrink, double *vshrink)
{
  double h = (double) source_width / target_width;
  double v = (double) source_height / target_height;
  double common = crop ? MIN (h, v) : MAX (h, v);

  if (only_down)
    common = MAX (common, 1.0);
  *hshrink = MIN (common, (double) source_width);
  *vshrink = MIN (common, (double) source_height);
}

/* As libvips' reduce and affine size their output: to the nearest pixel,
 * at least one. */
static guint
scaled_side (guint side, double shrink)
{
  return (guint) MAX (1.0, floor ((double) side / shrink + 0.5));
}

void
rndimg_render_box (const RndimgVariantSpec *spec, guint source_width, guint source_height, RndimgRenderBox *box)
{
  guint target_width = spec->width != 0 ? spec->width : UNBOUNDED;
  guint target_height = spec->height != 0 ? spec->height : UNBOUNDED;
  gboolean crop = spec->fit == RNDIMG_FIT_COVER && spec->width != 0 && spec->height != 0;
  gboolean only_down = spec->fit == RNDIMG_FIT_INSIDE && !spec->enlarge;
  double hshrink, vshrink;

  source_width = MAX (source_width, 1);
  source_height = MAX (source_height, 1);
  if (spec->width == 0 && spec->height == 0)
    {
      target_width = source_width;
      target_height = source_height;
    }
  thumbnail_shrink (source_width, source_height, target_width, target_height, crop, only_down, &hshrink, &vshrink);
  box->width = scaled_side (source_width, hshrink);
  box->height = scaled_side (source_height, vshrink);
  box->crop = crop;
  box->crop_width = crop ? MIN (spec->width, box->width) : box->width;
  box->crop_height = crop ? MIN (spec->height, box->height) : box->height;
}

/* The masters worth keeping for a picture of @source_width x
 * @source_height (as shown): written to @sizes, largest first; their
 * number (0: a small picture, made from its original every time). */
guint
rndimg_master_plan (guint source_width, guint source_height, RndimgMasterSize *sizes)
{
  guint64 pixels = (guint64) source_width * source_height;
  guint n = 0;

  if (pixels < MASTER_MIN_SOURCE_PIXELS)
    return 0;
  if (pixels <= MASTER_FULL_SIZE_MAX_PIXELS)
    sizes[n++] = (RndimgMasterSize) { 0, source_width, source_height };
  for (guint level = 1; n < RNDIMG_MASTER_MAX_LEVELS; level++)
    {
      double shrink = (double) (1u << level);
      RndimgMasterSize size = { level, scaled_side (source_width, shrink), scaled_side (source_height, shrink) };

      if (MAX (size.width, size.height) < MASTER_MIN_SIDE)
        break;
      sizes[n++] = size;
    }
  return n;
}

/* Whether a variant of @box can be made from the master @size: it is the
 * box's size, or larger by enough (a master at the original's size serves
 * every box, even one that enlarges: its pixels are the original's). */
gboolean
rndimg_master_serves (const RndimgMasterSize *size, const RndimgRenderBox *box)
{
  if (size->level == 0 || (size->width == box->width && size->height == box->height))
    return TRUE;
  return size->width >= box->width * MASTER_MIN_REDUCE && size->height >= box->height * MASTER_MIN_REDUCE;
}
