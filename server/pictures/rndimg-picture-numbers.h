/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"

G_BEGIN_DECLS

/* The file in the state folder. */
#define RNDIMG_PICTURE_NUMBERS_FILE "picture-numbers.tsv"
/* Most names held at once; beyond, names no longer in the catalogue are
 * forgotten, oldest first (their numbers are never given again). */
#define RNDIMG_PICTURE_NUMBERS_MAX_HELD 1000000
/* Numbers stay below this (JSON's exact integers). */
#define RNDIMG_PICTURE_NUMBERS_LIMIT (G_GUINT64_CONSTANT (1) << 53)

#define RNDIMG_TYPE_PICTURE_NUMBERS (rndimg_picture_numbers_get_type ())
G_DECLARE_FINAL_TYPE (RndimgPictureNumbers, rndimg_picture_numbers, RNDIMG, PICTURE_NUMBERS, GObject)

RndimgPictureNumbers *rndimg_picture_numbers_new     (const char           *path);
void                  rndimg_picture_numbers_follow  (RndimgPictureNumbers *self,
                                                      RndimgCatalogue      *catalogue);
gboolean              rndimg_picture_numbers_lookup  (RndimgPictureNumbers *self,
                                                      const char           *name,
                                                      guint64              *number);
guint64               rndimg_picture_numbers_number  (RndimgPictureNumbers *self,
                                                      const char           *name);
const char           *rndimg_picture_numbers_name_of (RndimgPictureNumbers *self,
                                                      guint64               number);
GPtrArray            *rndimg_picture_numbers_page    (RndimgPictureNumbers *self,
                                                      guint64               offset,
                                                      guint                 limit);
GPtrArray            *rndimg_picture_numbers_all     (RndimgPictureNumbers *self);
void                  rndimg_picture_numbers_retire  (RndimgPictureNumbers *self,
                                                      const char           *name);

G_END_DECLS
