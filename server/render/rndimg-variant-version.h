/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-placeholders.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define RNDIMG_TYPE_VARIANT_VERSIONS (rndimg_variant_versions_get_type ())
G_DECLARE_FINAL_TYPE (RndimgVariantVersions, rndimg_variant_versions, RNDIMG, VARIANT_VERSIONS, GObject)

RndimgVariantVersions *rndimg_variant_versions_new     (RndimgPlaceholders    *placeholders);
const char            *rndimg_variant_versions_peek    (RndimgVariantVersions *self,
                                                        const RndimgPicture     *image);
void                   rndimg_variant_versions_get_async  (RndimgVariantVersions *self,
                                                        RndimgPicture           *image,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
char                  *rndimg_variant_versions_get_finish (RndimgVariantVersions *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
guint64                rndimg_variant_versions_get_hashed (RndimgVariantVersions *self);

void        rndimg_variant_versions_forget (RndimgVariantVersions *self,
                                            const char            *name);

G_END_DECLS
