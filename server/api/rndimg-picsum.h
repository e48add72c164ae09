/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"
#include "rndimg-variants-api.h"

G_BEGIN_DECLS

typedef struct _RndimgPicsum RndimgPicsum;

RndimgPicsum *rndimg_picsum_new   (RndimgCatalogue       *catalogue,
                                   RndimgPictureVariants *variants,
                                   RndimgHandler          fallback,
                                   gpointer               fallback_data);
void          rndimg_picsum_free  (RndimgPicsum          *self);
void          rndimg_picsum_serve (RndimgExchange *exchange,
                                   const char        *path,
                                   GHashTable        *query,
                                   gpointer           picsum);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPicsum, rndimg_picsum_free)

G_END_DECLS
