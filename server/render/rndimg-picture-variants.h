/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-variant-version.h"
#include "rndimg-placeholders.h"
#include "rndimg-renderer.h"
#include "rndimg-variant-cache.h"
#include "rndimg-variant.h"

G_BEGIN_DECLS

typedef struct {
  RndimgRenderEngine *engine;  /* the render module, loaded on first need */
  RndimgRendererLimits render;
  guint64 memory_budget;
  const char *disk_folder;     /* NULL: no disk cache */
  guint64 disk_budget;
} RndimgPictureVariantsSettings;

#define RNDIMG_TYPE_PICTURE_VARIANTS (rndimg_picture_variants_get_type ())
G_DECLARE_FINAL_TYPE (RndimgPictureVariants, rndimg_picture_variants, RNDIMG, PICTURE_VARIANTS, GObject)

RndimgPictureVariants *rndimg_picture_variants_new      (RndimgCatalogue                     *catalogue,
                                                         RndimgPlaceholders                  *placeholders,
                                                         const RndimgPictureVariantsSettings *settings);
RndimgCatalogue       *rndimg_picture_variants_get_catalogue (RndimgPictureVariants          *self);
RndimgVariantVersions *rndimg_picture_variants_get_versions  (RndimgPictureVariants          *self);
RndimgEncoders        *rndimg_picture_variants_get_encoders (RndimgPictureVariants          *self);
guint                  rndimg_picture_variants_get_on_the_way (RndimgPictureVariants         *self);
gboolean               rndimg_picture_variants_is_on_the_way (RndimgPictureVariants          *self,
                                                         const char                          *key);
GBytes                *rndimg_picture_variants_lookup   (RndimgPictureVariants               *self,
                                                         const char                          *key);
void                   rndimg_picture_variants_fetch_async   (RndimgPictureVariants          *self,
                                                         RndimgPicture                         *image,
                                                         const RndimgVariantSpec             *spec,
                                                         const char                          *key,
                                                         GAsyncReadyCallback                  callback,
                                                         gpointer                             user_data);
GBytes                *rndimg_picture_variants_fetch_finish  (RndimgPictureVariants          *self,
                                                         GAsyncResult                        *result,
                                                         GError                             **error);
void                   rndimg_picture_variants_prepare  (RndimgPictureVariants               *self,
                                                         RndimgPicture                         *image,
                                                         const RndimgVariantSpec             *spec,
                                                         const char                          *key);
RndimgRenderer        *rndimg_picture_variants_get_renderer  (RndimgPictureVariants          *self);
RndimgVariantCache    *rndimg_picture_variants_get_cache     (RndimgPictureVariants          *self);
RndimgMasters         *rndimg_picture_variants_get_masters   (RndimgPictureVariants          *self);

void                   rndimg_picture_variants_forget (RndimgPictureVariants        *self,
                                                       const RndimgPicture          *image);

G_END_DECLS
