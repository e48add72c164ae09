/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-redis-broker.h"
#include "rndimg-trash.h"

G_BEGIN_DECLS

typedef struct _RndimgPictureStore RndimgPictureStore;

RndimgPictureStore *rndimg_picture_store_new   (RndimgRedisBroker  *broker,
                                                RndimgCatalogue    *catalogue,
                                                const char         *uploads_dir,
                                                gint64              max_bytes,
                                                RndimgTrash        *trash);
void                rndimg_picture_store_free  (RndimgPictureStore *self);
void                rndimg_picture_store_share (RndimgPictureStore *self,
                                                const char         *name,
                                                GBytes             *bytes);
void                rndimg_picture_store_share_file (RndimgPictureStore *self,
                                                     const RndimgPicture  *image,
                                                     gint64              max_bytes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPictureStore, rndimg_picture_store_free)

G_END_DECLS
