/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"
#include "rndimg-render-memory.h"
#include "rndimg-variant-cache.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* How a render gets its pixels. */
typedef enum {
  RNDIMG_MASTERS_FROM_ORIGINAL,  /* no master serves (or none is kept): the original */
  RNDIMG_MASTERS_FROM_MASTER,    /* a master serves: @master at @paths[0] */
  RNDIMG_MASTERS_MAKE,           /* the picture's third render: it makes the masters, then uses one */
  RNDIMG_MASTERS_WAIT,           /* another render is making them: wait for it */
} RndimgMastersStep;

/* A render's plan, made on the main context for a worker: its own copy. */
typedef struct {
  RndimgMastersStep step;
  gboolean facts_known;
  RndimgSourceFacts facts;       /* the picture's, when known */
  RndimgMasterSize master;       /* FROM_MASTER */
  char *paths[RNDIMG_MASTER_MAX_LEVELS + 1];   /* by level: where each master is (or goes) */
  gboolean present[RNDIMG_MASTER_MAX_LEVELS + 1]; /* MAKE: by level, on disk already */
  char *folder;                  /* MAKE: where new masters are written first */
  guint64 max_bytes;             /* MAKE: the disk's whole budget; a master over it is not made */
} RndimgMastersPlan;

/* What a worker did, for the main context. */
typedef struct {
  gboolean facts_known;
  RndimgSourceFacts facts;
  guint n_sizes;                 /* MAKE: the picture's masters (0: none are worth it) */
  RndimgMasterSize sizes[RNDIMG_MASTER_MAX_LEVELS];
  char *made[RNDIMG_MASTER_MAX_LEVELS];     /* by position in @sizes: a new file to keep, else NULL */
  guint64 made_bytes[RNDIMG_MASTER_MAX_LEVELS];
  gboolean make_failed;          /* none could be made: the picture renders from its original */
  gboolean master_lost;          /* FROM_MASTER: the file was gone, the original served */
  gboolean from_master;
} RndimgMastersOutcome;

void rndimg_masters_plan_clear    (RndimgMastersPlan    *plan);
void rndimg_masters_outcome_clear (RndimgMastersOutcome *outcome);

typedef struct {
  guint64 made;                  /* masters written */
  guint64 renders_from_master;
  guint64 renders_from_original;
} RndimgMastersCounts;

#define RNDIMG_TYPE_MASTERS (rndimg_masters_get_type ())
G_DECLARE_FINAL_TYPE (RndimgMasters, rndimg_masters, RNDIMG, MASTERS, GObject)

RndimgMasters *rndimg_masters_new        (RndimgVariantCache          *cache);
void           rndimg_masters_plan       (RndimgMasters               *self,
                                          const RndimgPicture         *picture,
                                          const RndimgVariantSpec     *spec,
                                          gboolean                     ahead,
                                          RndimgMastersPlan           *plan);
void           rndimg_masters_finish     (RndimgMasters               *self,
                                          const RndimgPicture         *picture,
                                          const RndimgMastersPlan     *plan,
                                          RndimgMastersOutcome        *outcome);
void           rndimg_masters_forget     (RndimgMasters               *self,
                                          const char                  *name);
const RndimgMastersCounts *rndimg_masters_get_counts (RndimgMasters   *self);

G_END_DECLS
