/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-variant.h"

G_BEGIN_DECLS

/* What a variant is rendered to, in pixels, from the size of the original
 * as it is shown (after its EXIF orientation): the picture resized to
 * @width x @height (aspect kept, as libvips' thumbnail would), then cut to
 * @crop_width x @crop_height around its centre or its interest (fit=cover;
 * no crop otherwise: the same as the resized size). */
typedef struct {
  guint width;
  guint height;
  guint crop_width;
  guint crop_height;
  gboolean crop;
} RndimgRenderBox;

void rndimg_render_box (const RndimgVariantSpec *spec,
                        guint                    source_width,
                        guint                    source_height,
                        RndimgRenderBox         *box);

/* Reduced masters: a picture kept decoded at a few sizes (the original's
 * size for a small picture, then halvings), so that a variant is made
 * from the smallest one at least as large as its box. */
#define RNDIMG_MASTER_MAX_LEVELS 8

typedef struct {
  guint level;          /* 0: the original's size; k: halved k times */
  guint width;
  guint height;
} RndimgMasterSize;

guint    rndimg_master_plan   (guint                   source_width,
                               guint                   source_height,
                               RndimgMasterSize       *sizes);
gboolean rndimg_master_serves (const RndimgMasterSize *size,
                               const RndimgRenderBox  *box);

G_END_DECLS
