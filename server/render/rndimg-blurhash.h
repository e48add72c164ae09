/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small picture: 8-bit RGB, rows packed. */
typedef struct {
  guint width, height;
  guint8 *rgb;          /* width * height * 3 bytes */
} RndimgPixels;

void  rndimg_pixels_free     (RndimgPixels *pixels);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPixels, rndimg_pixels_free)

char *rndimg_blurhash_encode (const RndimgPixels *pixels,
                              guint               x_components,
                              guint               y_components,
                              char                average_colour[8]);

G_END_DECLS
