/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-blurhash.h"
#include "rndimg-picture.h"

G_BEGIN_DECLS

RndimgPixels *rndimg_picture_decode_small (const RndimgPicture  *image,
                                           guint               max_side,
                                           guint64             max_input_pixels,
                                           GError            **error);

G_END_DECLS
