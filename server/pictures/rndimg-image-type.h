/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes needed to recognise every supported format. */
#define RNDIMG_SNIFF_LENGTH 12

const char *rndimg_image_type_sniff           (const guint8 *data,
                                               gsize         length);
const char *rndimg_image_type_extension       (const char   *content_type);
gboolean    rndimg_image_type_name_is_allowed (const char   *name);
GStrv       rndimg_image_type_list            (void);

G_END_DECLS
