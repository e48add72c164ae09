/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "rndimg-picture.h"
#include "rndimg-placeholders.h"

G_BEGIN_DECLS

char *rndimg_picture_json_url (const char        *base_url,
                               const char        *name);
void  rndimg_picture_json_add (JsonBuilder        *builder,
                               const char         *base_url,
                               const RndimgImage  *image,
                               RndimgPlaceholders *placeholders);

G_END_DECLS
