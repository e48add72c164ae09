/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Pixel size from a picture file's header, without decoding pixels. */
gboolean rndimg_picture_header_read_size (int    fd,
                                          guint *width,
                                          guint *height);

G_END_DECLS
