/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest variant side the viewer asks for; past it, the original. */
#define RNDIMG_VARIANT_LARGEST_SIDE 4096

guint rndimg_variant_side_for (guint  picture_width,
                               guint  picture_height,
                               double shown_long_side);

G_END_DECLS
