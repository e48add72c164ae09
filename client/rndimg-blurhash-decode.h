/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint8 *rndimg_blurhash_decode (const char *blurhash,
                                guint       width,
                                guint       height);
gboolean rndimg_colour_parse   (const char *colour,
                                guint8      rgb[3]);

G_END_DECLS
