/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-placeholders.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define RNDIMG_TYPE_PICTURE_VERSIONS (rndimg_picture_versions_get_type ())
G_DECLARE_FINAL_TYPE (RndimgPictureVersions, rndimg_picture_versions, RNDIMG, PICTURE_VERSIONS, GObject)

char                  *rndimg_picture_content_version  (const char            *path,
                                                        GError               **error);
RndimgPictureVersions *rndimg_picture_versions_new     (RndimgPlaceholders    *placeholders);
const char            *rndimg_picture_versions_peek    (RndimgPictureVersions *self,
                                                        const RndimgImage     *image);
void                   rndimg_picture_versions_get_async  (RndimgPictureVersions *self,
                                                        RndimgImage           *image,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
char                  *rndimg_picture_versions_get_finish (RndimgPictureVersions *self,
                                                        GAsyncResult          *result,
                                                        GError               **error);
guint64                rndimg_picture_versions_get_hashed (RndimgPictureVersions *self);

G_END_DECLS
