/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-json-text.h"
#include "rndimg-picture.h"
#include "rndimg-placeholders.h"

G_BEGIN_DECLS

void  rndimg_picture_json_append (GString           *out,
                                  const char        *base_url,
                                  const RndimgPicture *image,
                                  RndimgPlaceholders *placeholders);

void  rndimg_picture_json_append_details (GString           *out,
                                          const RndimgPicture *image,
                                          RndimgPlaceholders *placeholders);

G_END_DECLS
