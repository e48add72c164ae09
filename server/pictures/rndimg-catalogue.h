/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One picture of the catalogue: immutable once made, shared by reference. */
typedef struct {
  char *name;
  char *path;
  const char *content_type;
  goffset size;
  gint64 modified_usec;
} RndimgImage;

RndimgImage *rndimg_image_ref   (RndimgImage *image);
void         rndimg_image_unref (RndimgImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgImage, rndimg_image_unref)

#define RNDIMG_TYPE_CATALOGUE (rndimg_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (RndimgCatalogue, rndimg_catalogue, RNDIMG, CATALOGUE, GObject)

RndimgCatalogue *rndimg_catalogue_new          (const char       *directory,
                                                const char       *uploads_directory,
                                                GError          **error);
gboolean         rndimg_catalogue_rescan       (RndimgCatalogue  *self,
                                                GError          **error);
const char      *rndimg_catalogue_get_directory (RndimgCatalogue *self);
guint            rndimg_catalogue_get_count    (RndimgCatalogue  *self);
RndimgImage     *rndimg_catalogue_lookup       (RndimgCatalogue  *self,
                                                const char       *name);
RndimgImage     *rndimg_catalogue_pick_random  (RndimgCatalogue  *self,
                                                const char       *exclude);
GPtrArray       *rndimg_catalogue_list         (RndimgCatalogue  *self);
RndimgImage     *rndimg_catalogue_refresh      (RndimgCatalogue  *self,
                                                const char       *name,
                                                gboolean          announce);
gboolean         rndimg_catalogue_watch        (RndimgCatalogue  *self,
                                                GError          **error);

G_END_DECLS
