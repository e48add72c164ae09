/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-renderer.h"
#include "rndimg-variant-cache.h"
#include "rndimg-variant.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  RndimgRendererLimits render;
  guint64 memory_budget;
  const char *disk_folder;     /* NULL: no disk cache */
  guint64 disk_budget;
} RndimgVariantsSettings;

#define RNDIMG_TYPE_VARIANTS (rndimg_variants_get_type ())
G_DECLARE_FINAL_TYPE (RndimgVariants, rndimg_variants, RNDIMG, VARIANTS, GObject)

RndimgVariants *rndimg_variants_new          (RndimgCatalogue              *catalogue,
                                              const RndimgVariantsSettings *settings);
void            rndimg_variants_serve        (SoupServerMessage            *msg,
                                              const char                   *path,
                                              GHashTable                   *query,
                                              gpointer                      variants);
char           *rndimg_variants_url          (RndimgVariants               *self,
                                              SoupServerMessage            *msg,
                                              const RndimgImage            *image,
                                              const RndimgVariantSpec      *spec);
void            rndimg_variants_send_problem (SoupServerMessage            *msg,
                                              const RndimgVariantProblem   *problem);
void            rndimg_variants_redirect     (SoupServerMessage            *msg,
                                              const char                   *location);
gboolean        rndimg_variants_get_picture_size (RndimgVariants       *self,
                                              const RndimgImage            *image,
                                              guint                        *width,
                                              guint                        *height);
RndimgRenderer     *rndimg_variants_get_renderer (RndimgVariants           *self);
RndimgVariantCache *rndimg_variants_get_cache    (RndimgVariants           *self);

G_END_DECLS
