/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"
#include "rndimg-placeholders.h"

G_BEGIN_DECLS

char *rndimg_picture_json_url (const char        *base_url,
                               const char        *name);
void  rndimg_picture_json_append_string (GString    *out,
                                         const char *text);
void  rndimg_picture_json_append_number (GString    *out,
                                         guint64     value);
void  rndimg_picture_json_append (GString           *out,
                                  const char        *base_url,
                                  const RndimgPicture *image,
                                  RndimgPlaceholders *placeholders);

void  rndimg_picture_json_append_details (GString           *out,
                                          const RndimgPicture *image,
                                          RndimgPlaceholders *placeholders);

G_END_DECLS
