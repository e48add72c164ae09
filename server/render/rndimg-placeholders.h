/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-render-engine.h"

G_BEGIN_DECLS

/* What a page shows while a picture loads. */
typedef struct {
  char colour[8];      /* "#rrggbb", the average */
  char *blurhash;
  char *variant_version;  /* the content hash in its variants' URLs */
} RndimgPlaceholder;

#define RNDIMG_TYPE_PLACEHOLDERS (rndimg_placeholders_get_type ())
G_DECLARE_FINAL_TYPE (RndimgPlaceholders, rndimg_placeholders, RNDIMG, PLACEHOLDERS, GObject)

RndimgPlaceholders      *rndimg_placeholders_new    (RndimgCatalogue    *catalogue,
                                                     RndimgRenderEngine *engine,
                                                     const char         *cache_file,
                                                     guint64             max_input_pixels);
const RndimgPlaceholder *rndimg_placeholders_lookup (RndimgPlaceholders *self,
                                                     const RndimgPicture  *image);
guint                    rndimg_placeholders_get_pending (RndimgPlaceholders *self);
const char              *rndimg_placeholders_peek_variant_version (RndimgPlaceholders *self,
                                                                   const RndimgPicture  *image);

void                     rndimg_placeholders_forget (RndimgPlaceholders *self,
                                                     const char         *name);

G_END_DECLS
