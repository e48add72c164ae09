/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-album.h"

G_BEGIN_DECLS

/* What a request asks to be drawn from. */
typedef struct {
  GPtrArray *albums;               /* RndimgAlbum (borrowed), no picture in two of them */
  RndimgOrientation orientation;   /* ANY: every picture */
  const char *seed;                /* NULL: at random */
  GHashTable *excluded;            /* picture names not to give; NULL: none */
  guint count;                     /* how many different pictures, at least 1 */
} RndimgChoice;

GPtrArray *rndimg_choice_pick (const RndimgChoice *choice);

G_END_DECLS
