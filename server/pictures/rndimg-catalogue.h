/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-album.h"
#include "rndimg-picture.h"

G_BEGIN_DECLS

/* Most names a request may exclude at once. */
#define RNDIMG_CATALOGUE_MAX_EXCLUDED 100

#define RNDIMG_TYPE_CATALOGUE (rndimg_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (RndimgCatalogue, rndimg_catalogue, RNDIMG, CATALOGUE, GObject)

RndimgCatalogue *rndimg_catalogue_new          (const char       *directory,
                                                const char       *uploads_directory,
                                                GError          **error);
gboolean         rndimg_catalogue_rescan       (RndimgCatalogue  *self,
                                                GError          **error);
const char      *rndimg_catalogue_get_directory (RndimgCatalogue *self);
guint            rndimg_catalogue_get_count    (RndimgCatalogue  *self);
RndimgPicture     *rndimg_catalogue_lookup       (RndimgCatalogue  *self,
                                                const char       *name);
RndimgPicture     *rndimg_catalogue_pick_random  (RndimgCatalogue  *self,
                                                const char       *exclude);
GPtrArray       *rndimg_catalogue_choose       (RndimgCatalogue  *self,
                                                const char *const *albums,
                                                RndimgOrientation orientation,
                                                const char       *seed,
                                                GHashTable       *excluded,
                                                guint             count,
                                                GError          **error);
RndimgAlbum     *rndimg_catalogue_get_album    (RndimgCatalogue  *self,
                                                const char       *name);
GPtrArray       *rndimg_catalogue_list_albums  (RndimgCatalogue  *self);
GPtrArray       *rndimg_catalogue_list         (RndimgCatalogue  *self);
RndimgPicture     *rndimg_catalogue_refresh      (RndimgCatalogue  *self,
                                                const char       *name,
                                                gboolean          announce);
gboolean         rndimg_catalogue_watch        (RndimgCatalogue  *self,
                                                GError          **error);
gboolean         rndimg_catalogue_name_is_valid (const char      *name);

G_END_DECLS
