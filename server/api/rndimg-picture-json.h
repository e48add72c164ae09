/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-json-text.h"
#include "rndimg-picture.h"
#include "rndimg-placeholders.h"
#include "rndimg-url-signer.h"

G_BEGIN_DECLS

void  rndimg_picture_json_append (GString           *out,
                                  const char        *base_url,
                                  const RndimgPicture *image,
                                  RndimgPlaceholders *placeholders);

void  rndimg_picture_json_append_signed (GString           *out,
                                         const char        *base_url,
                                         const RndimgPicture *image,
                                         RndimgPlaceholders *placeholders,
                                         RndimgUrlSigner   *signer);
char *rndimg_picture_json_signature (const RndimgPicture *image,
                                     RndimgUrlSigner   *signer);
char *rndimg_picture_json_etag     (const RndimgPicture *image);

void  rndimg_picture_json_append_details (GString           *out,
                                          const RndimgPicture *image,
                                          RndimgPlaceholders *placeholders);

G_END_DECLS
