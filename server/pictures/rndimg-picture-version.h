/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"

G_BEGIN_DECLS

typedef struct _RndimgPictureVersions RndimgPictureVersions;

char                  *rndimg_picture_content_version (const char *path,
                                                      GError    **error);
RndimgPictureVersions *rndimg_picture_versions_new  (void);
void                   rndimg_picture_versions_free (RndimgPictureVersions *self);
const char            *rndimg_picture_versions_get  (RndimgPictureVersions *self,
                                                     const RndimgImage     *image,
                                                     GError               **error);
gboolean               rndimg_picture_versions_get_size (RndimgPictureVersions *self,
                                                     const RndimgImage     *image,
                                                     guint                 *width,
                                                     guint                 *height);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPictureVersions, rndimg_picture_versions_free)

G_END_DECLS
