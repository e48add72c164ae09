/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-access.h"
#include "rndimg-album.h"
#include "rndimg-picture.h"
#include "rndimg-sidecar.h"

G_BEGIN_DECLS

/* Most names a request may exclude at once. */
#define RNDIMG_CATALOGUE_MAX_EXCLUDED 100

#define RNDIMG_TYPE_CATALOGUE (rndimg_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (RndimgCatalogue, rndimg_catalogue, RNDIMG, CATALOGUE, GObject)

RndimgCatalogue *rndimg_catalogue_new          (const char       *directory,
                                                const char       *uploads_directory,
                                                const char *const *own_folders,
                                                GError          **error);
gboolean         rndimg_catalogue_is_own_folder (RndimgCatalogue *self,
                                                const char       *path);
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

/* Private albums: the functions above see only what anyone may; these
 * see what an access may, or everything (the server's own work). */
guint            rndimg_catalogue_get_count_all (RndimgCatalogue  *self);
GPtrArray       *rndimg_catalogue_list_all     (RndimgCatalogue  *self);
RndimgPicture   *rndimg_catalogue_lookup_for   (RndimgCatalogue  *self,
                                                const char       *name,
                                                const RndimgAccess *access);
RndimgPicture   *rndimg_catalogue_lookup_any   (RndimgCatalogue  *self,
                                                const char       *name);
RndimgAlbum     *rndimg_catalogue_get_album_for (RndimgCatalogue *self,
                                                const char       *name,
                                                const RndimgAccess *access);
RndimgAlbum     *rndimg_catalogue_get_album_any (RndimgCatalogue *self,
                                                const char       *name);
GPtrArray       *rndimg_catalogue_list_albums_for (RndimgCatalogue *self,
                                                const RndimgAccess *access);
GPtrArray       *rndimg_catalogue_choose_for   (RndimgCatalogue  *self,
                                                const RndimgAccess *access,
                                                const char *const *albums,
                                                RndimgOrientation orientation,
                                                const char       *seed,
                                                GHashTable       *excluded,
                                                guint             count,
                                                GError          **error);
gboolean         rndimg_catalogue_album_is_private (RndimgCatalogue *self,
                                                const char       *name);

/* For the writes (rndimg-catalogue-writes.c). */
GPtrArray       *rndimg_catalogue_reload_album (RndimgCatalogue  *self,
                                                const char       *album,
                                                gboolean          announce);
gboolean         rndimg_catalogue_forget       (RndimgCatalogue  *self,
                                                const char       *name);
void             rndimg_catalogue_retire       (RndimgCatalogue  *self,
                                                const char       *name);
const char      *rndimg_catalogue_root_of      (RndimgCatalogue  *self,
                                                const RndimgPicture *image);
gboolean         rndimg_catalogue_get_sidecar_stamp (RndimgCatalogue *self,
                                                const char       *folder_path,
                                                RndimgSidecarStamp *stamp);
GPtrArray       *rndimg_catalogue_get_folders  (RndimgCatalogue  *self);
void             rndimg_catalogue_add_album_folder (RndimgCatalogue *self,
                                                const char       *name);
void             rndimg_catalogue_drop_album_folders (RndimgCatalogue *self,
                                                const char       *name);
const char      *rndimg_catalogue_get_uploads_folder (RndimgCatalogue *self);

G_END_DECLS
