/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"

G_BEGIN_DECLS

/* The pictures of one album (the catalogue itself is the album ""),
 * indexed so that a choice never walks them: by orientation, on a hash
 * ring per orientation for seeds, and in name order for lists. */
typedef struct {
  char *name;
  GPtrArray *members[RNDIMG_ORIENTATION_N];   /* [ANY]: all; in no order */
  GArray *rings[RNDIMG_ORIENTATION_N];        /* RndimgRingPoint by point; NULL: to be built */
  GArray *ring_added[RNDIMG_ORIENTATION_N];   /* points of pictures added since, not in order; NULL: none */
  guint ring_dropped[RNDIMG_ORIENTATION_N];   /* points of removed pictures, their image NULL */
  GPtrArray *sorted;                          /* members in name order; NULL: to be sorted */
  gboolean has_folder;                        /* a folder of this name exists */
  char *title;                                /* from its info.json; NULL: none */
  GHashTable *title_by_language;              /* language tag -> title; NULL: none */
  gboolean marked_private;                    /* its info.json says "private": true */
  gboolean is_private;                        /* marked, or a sub-album of a marked one */
} RndimgAlbum;

typedef struct {
  guint64 point;
  RndimgPicture *image;       /* borrowed from members; NULL: removed (not in a ring handed out) */
} RndimgRingPoint;

/* Points per picture on a ring: more even shares of the seeds. */
#define RNDIMG_RING_POINTS 4

RndimgAlbum *rndimg_album_new    (const char        *name);
void         rndimg_album_free   (RndimgAlbum       *album);
void         rndimg_album_add    (RndimgAlbum       *album,
                                  RndimgPicture       *image);
void         rndimg_album_remove (RndimgAlbum       *album,
                                  RndimgPicture       *image);
guint        rndimg_album_count  (const RndimgAlbum *album);
GArray      *rndimg_album_ring   (RndimgAlbum       *album,
                                  RndimgOrientation  orientation);
GPtrArray   *rndimg_album_sorted (RndimgAlbum       *album);
gboolean     rndimg_album_name_is_valid (const char *name);
guint        rndimg_ring_first_at_or_after (GArray  *ring,
                                            guint64  point);

G_END_DECLS
