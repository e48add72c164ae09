/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-blurhash.h"

G_BEGIN_DECLS

/* Pictures with more pixels are not decoded (a decompression bomb). */
#define RNDIMG_DECODE_MAX_PIXELS (50 * 1000 * 1000)

RndimgPixels *rndimg_picture_decode_small (const char  *path,
                                           const char  *content_type,
                                           guint        max_side,
                                           GError     **error);

G_END_DECLS
