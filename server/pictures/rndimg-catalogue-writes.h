/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

#include "rndimg-catalogue.h"
#include "rndimg-trash.h"

G_BEGIN_DECLS

/* Errors (G_IO_ERROR): NOT_FOUND, EXISTS (a name taken), NOT_EMPTY (an
 * album with pictures), WRONG_ETAG (an info.json changed by hand
 * meanwhile), INVALID_ARGUMENT (a bad value), and what the file system
 * said (PERMISSION_DENIED, READ_ONLY, ...). None of these emits a
 * catalogue signal but "picture-gone": the caller tells of the change. */

RndimgPicture *rndimg_catalogue_delete_picture (RndimgCatalogue *self,
                                                RndimgTrash     *trash,
                                                const char      *name,
                                                GError         **error);
RndimgPicture *rndimg_catalogue_edit_picture   (RndimgCatalogue *self,
                                                const char      *name,
                                                JsonObject      *changes,
                                                GError         **error);
RndimgPicture *rndimg_catalogue_move_picture   (RndimgCatalogue *self,
                                                const char      *name,
                                                const char      *album,
                                                GError         **error);
gboolean       rndimg_catalogue_check_album_settings (JsonObject *settings,
                                                GError         **error);
gboolean       rndimg_catalogue_create_album   (RndimgCatalogue *self,
                                                const char      *name,
                                                JsonObject      *settings,
                                                GError         **error);
gboolean       rndimg_catalogue_edit_album     (RndimgCatalogue *self,
                                                const char      *name,
                                                JsonObject      *settings,
                                                GError         **error);
GPtrArray     *rndimg_catalogue_delete_album   (RndimgCatalogue *self,
                                                RndimgTrash     *trash,
                                                const char      *name,
                                                gboolean         with_pictures,
                                                GError         **error);

G_END_DECLS
