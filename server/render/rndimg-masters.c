/* SPDX-License-Identifier: MIT */
/* Reduced masters: each picture version kept decoded at a few sizes (its
 * own for a small picture, then halvings; rndimg-render-box.c), so that a
 * variant costs what its size costs, not what the original's does. They
 * cost more than a render from the original (the whole picture decoded,
 * without shrink-on-load, and written), so a picture shown at one or two
 * sizes never pays them back: they are made by a picture version's third
 * distinct render asked for (MAKE_AFTER_RENDERS; renders made ahead of
 * need never make them nor count), in its worker, while later renders of
 * the same picture wait for them in the queue; renders before come from
 * the original. Masters on disk already (from an earlier run) are taken
 * up by the first render. Then each render takes the smallest master at
 * least as large as its box. They live in the variants' disk cache, within its
 * budget and least recently used out first like variants, as libvips .v
 * files a worker maps (rndimg-render-pipeline.c): no decoding. A master
 * evicted is made again by the next render that wants it. A picture's
 * masters go when it changes (at its next render) or leaves the
 * catalogue; their names carry its version, so an old master is never
 * used for a new file. On the main context, like the cache. */
#include "rndimg-masters.h"

#include <glib/gstdio.h>
#include <string.h>

/* Renders of a picture version from its original before one makes its
 * masters: a first screen that shows each picture as a thumbnail and once
 * large never pays for them (bench/README.md, "first screen"). */
#define MAKE_AFTER_RENDERS 2

/* Where a picture version's masters stand. */
typedef enum {
  RECORD_UNKNOWN,   /* none made yet in this run (some may be on disk from an earlier one) */
  RECORD_MAKING,    /* a render is making them */
  RECORD_READY,     /* made: @sizes, each on disk unless evicted since */
  RECORD_NONE,      /* none: a small picture, one that cannot be decoded, or a disk that took none */
} RecordState;

typedef struct {
  char *name;
  char *version;
  RecordState state;
  gboolean facts_known;
  RndimgSourceFacts facts;
  guint n_sizes;
  RndimgMasterSize sizes[RNDIMG_MASTER_MAX_LEVELS];
  char *files[RNDIMG_MASTER_MAX_LEVELS + 1];   /* by level: the name in the cache's folder */
  guint adopting;   /* new files being moved into place */
  guint refused;    /* by level (bits): over the disk's whole budget, never kept */
  guint renders_before;   /* UNKNOWN: asked-for renders planned from the original */
} Record;

struct _RndimgMasters
{
  GObject parent_instance;

  RndimgVariantCache *cache;   /* borrowed: it outlives this */
  GHashTable *records;         /* picture name -> Record */
  RndimgMastersCounts counts;
};

enum { READY, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RndimgMasters, rndimg_masters, G_TYPE_OBJECT)

static void
record_free (Record *record)
{
  g_free (record->name);
  g_free (record->version);
  for (guint level = 0; level <= RNDIMG_MASTER_MAX_LEVELS; level++)
    g_free (record->files[level]);
  g_free (record);
}

static void
rndimg_masters_finalize (GObject *object)
{
  RndimgMasters *self = RNDIMG_MASTERS (object);

  g_hash_table_unref (self->records);
  G_OBJECT_CLASS (rndimg_masters_parent_class)->finalize (object);
}

static void
rndimg_masters_class_init (RndimgMastersClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_masters_finalize;
  /* ::ready: a picture's masters are in place; renders waiting for them may go. */
  signals[READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rndimg_masters_init (RndimgMasters *self)
{
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) record_free);
}

/* Masters of the pictures whose variants @cache (borrowed; it must
 * outlive the result) keeps: none when it keeps nothing on disk. */
RndimgMasters *
rndimg_masters_new (RndimgVariantCache *cache)
{
  RndimgMasters *self = g_object_new (RNDIMG_TYPE_MASTERS, NULL);

  self->cache = cache;
  return self;
}

void
rndimg_masters_plan_clear (RndimgMastersPlan *plan)
{
  for (guint level = 0; level <= RNDIMG_MASTER_MAX_LEVELS; level++)
    g_clear_pointer (&plan->paths[level], g_free);
  g_clear_pointer (&plan->folder, g_free);
}

void
rndimg_masters_outcome_clear (RndimgMastersOutcome *outcome)
{
  for (guint i = 0; i < RNDIMG_MASTER_MAX_LEVELS; i++)
    if (outcome->made[i] != NULL)
      {
        g_unlink (outcome->made[i]);
        g_clear_pointer (&outcome->made[i], g_free);
      }
}

/* The file name of a master: the SHA-256 of what it is, and ".v". */
static char *
file_name (const char *name, const char *version, guint level)
{
  g_autofree char *what = g_strdup_printf ("rndimg master\n%s\n%s\n%u", name, version, level);

  return rndimg_variant_cache_file_name (what, ".v");
}

static void
delete_files (RndimgMasters *self, Record *record)
{
  for (guint level = 0; level <= RNDIMG_MASTER_MAX_LEVELS; level++)
    rndimg_variant_cache_delete_file (self->cache, record->files[level]);
}

/* The record of @picture's version, made when there is none; a record of
 * an older version goes, with its files. */
static Record *
find_record (RndimgMasters *self, const RndimgPicture *picture)
{
  Record *record = g_hash_table_lookup (self->records, picture->name);

  if (record != NULL && g_str_equal (record->version, picture->version))
    return record;
  if (record != NULL)
    {
      delete_files (self, record);
      g_hash_table_remove (self->records, picture->name);
    }
  record = g_new0 (Record, 1);
  record->name = g_strdup (picture->name);
  record->version = g_strdup (picture->version);
  record->state = rndimg_variant_cache_keeps_files (self->cache) ? RECORD_UNKNOWN : RECORD_NONE;
  for (guint level = 0; level <= RNDIMG_MASTER_MAX_LEVELS; level++)
    record->files[level] = file_name (picture->name, picture->version, level);
  g_hash_table_insert (self->records, record->name, record);
  return record;
}

/* The smallest master that serves @box, or NULL. */
static const RndimgMasterSize *
best_master (const Record *record, const RndimgRenderBox *box)
{
  for (guint i = record->n_sizes; i > 0; i--)
    if (!(record->refused & (1u << record->sizes[i - 1].level)) && rndimg_master_serves (&record->sizes[i - 1], box))
      return &record->sizes[i - 1];
  return NULL;
}

static void
plan_make (RndimgMasters *self, Record *record, RndimgMastersPlan *plan)
{
  plan->step = RNDIMG_MASTERS_MAKE;
  plan->folder = g_strdup (rndimg_variant_cache_get_folder (self->cache));
  plan->max_bytes = rndimg_variant_cache_get_disk_budget (self->cache);
  for (guint level = 0; level <= RNDIMG_MASTER_MAX_LEVELS; level++)
    {
      plan->paths[level] = rndimg_variant_cache_file_path (self->cache, record->files[level]);
      plan->present[level] = rndimg_variant_cache_has_file (self->cache, record->files[level]);
    }
  record->state = RECORD_MAKING;
}

/* Whether any of @record's masters is on disk already (from an earlier
 * run): taking them up costs a mapping, not a decode. */
static gboolean
any_on_disk (RndimgMasters *self, const Record *record)
{
  for (guint level = 0; level <= RNDIMG_MASTER_MAX_LEVELS; level++)
    if (rndimg_variant_cache_has_file (self->cache, record->files[level]))
      return TRUE;
  return FALSE;
}

/* A picture version with no masters yet: this render makes them (its
 * third asked for, or they are on disk), else it comes from the original. */
static void
plan_unknown (RndimgMasters *self, Record *record, gboolean ahead, RndimgMastersPlan *plan)
{
  if (any_on_disk (self, record) || (!ahead && record->renders_before >= MAKE_AFTER_RENDERS))
    {
      plan_make (self, record, plan);
      return;
    }
  if (!ahead)
    record->renders_before++;
  plan->step = RNDIMG_MASTERS_FROM_ORIGINAL;
}

/* How a render of @spec of @picture gets its pixels, now. @ahead: made
 * ahead of need (nobody waits for it yet). */
void
rndimg_masters_plan (RndimgMasters *self, const RndimgPicture *picture, const RndimgVariantSpec *spec,
                     gboolean ahead, RndimgMastersPlan *plan)
{
  Record *record = find_record (self, picture);
  const RndimgMasterSize *master;
  RndimgRenderBox box;

  *plan = (RndimgMastersPlan) { .facts_known = record->facts_known, .facts = record->facts };
  switch (record->state)
    {
    case RECORD_UNKNOWN:
      plan_unknown (self, record, ahead, plan);
      return;
    case RECORD_MAKING:
      plan->step = RNDIMG_MASTERS_WAIT;
      return;
    case RECORD_NONE:
      plan->step = RNDIMG_MASTERS_FROM_ORIGINAL;
      return;
    case RECORD_READY:
    default:
      break;
    }
  rndimg_render_box (spec, record->facts.width, record->facts.height, &box);
  if ((master = best_master (record, &box)) == NULL)
    {
      plan->step = RNDIMG_MASTERS_FROM_ORIGINAL;
      return;
    }
  if (!rndimg_variant_cache_has_file (self->cache, record->files[master->level]))
    {
      /* Evicted since: made again (with any other gone), by this render. */
      plan_make (self, record, plan);
      return;
    }
  plan->step = RNDIMG_MASTERS_FROM_MASTER;
  plan->master = *master;
  plan->paths[0] = rndimg_variant_cache_file_path (self->cache, record->files[master->level]);
}

typedef struct {
  RndimgMasters *masters;
  char *name;
  char *version;
  guint level;
} Adoption;

static void
adoption_free (Adoption *adoption)
{
  g_object_unref (adoption->masters);
  g_free (adoption->name);
  g_free (adoption->version);
  g_free (adoption);
}

/* A new master is in place (or was refused: over the disk's budget). */
static void
on_adopted (gboolean kept, gpointer user_data)
{
  Adoption *adoption = user_data;
  Record *record = g_hash_table_lookup (adoption->masters->records, adoption->name);

  if (kept)
    adoption->masters->counts.made++;
  if (record != NULL && g_str_equal (record->version, adoption->version))
    {
      /* A disk too small for a master would have it made at every render. */
      if (!kept)
        record->refused |= 1u << adoption->level;
      if (--record->adopting == 0 && record->state == RECORD_MAKING)
        {
          record->state = RECORD_READY;
          g_signal_emit (adoption->masters, signals[READY], 0);
        }
    }
  adoption_free (adoption);
}

/* Ready: the files made go into the cache (in order with its other disk
 * work, so a delete asked before cannot remove them), and renders waiting
 * for them go on once they are all in place. */
static void
adopt (RndimgMasters *self, Record *record, RndimgMastersOutcome *outcome)
{
  record->n_sizes = outcome->n_sizes;
  memcpy (record->sizes, outcome->sizes, sizeof record->sizes);
  for (guint i = 0; i < outcome->n_sizes; i++)
    {
      Adoption *adoption;

      if (outcome->made[i] == NULL)
        continue;
      adoption = g_new0 (Adoption, 1);
      adoption->masters = g_object_ref (self);
      adoption->name = g_strdup (record->name);
      adoption->version = g_strdup (record->version);
      adoption->level = outcome->sizes[i].level;
      record->adopting++;
      rndimg_variant_cache_adopt_file (self->cache, outcome->made[i], record->files[outcome->sizes[i].level],
                                       outcome->made_bytes[i], on_adopted, adoption);
      g_clear_pointer (&outcome->made[i], g_free);
    }
  if (record->adopting == 0)
    record->state = RECORD_READY;
}

/* A render planned with @plan is over, with @outcome (whose new files
 * this takes); on the main context. */
void
rndimg_masters_finish (RndimgMasters *self, const RndimgPicture *picture, const RndimgMastersPlan *plan,
                       RndimgMastersOutcome *outcome)
{
  Record *record = g_hash_table_lookup (self->records, picture->name);

  if (outcome->from_master)
    self->counts.renders_from_master++;
  else if (plan->step != RNDIMG_MASTERS_WAIT)
    self->counts.renders_from_original++;
  /* A render of a version the catalogue has left behind: its files go. */
  if (record == NULL || !g_str_equal (record->version, picture->version))
    return;
  if (outcome->facts_known)
    {
      record->facts_known = TRUE;
      record->facts = outcome->facts;
    }
  if (plan->step == RNDIMG_MASTERS_FROM_MASTER && outcome->master_lost)
    record->state = RECORD_UNKNOWN;
  if (plan->step != RNDIMG_MASTERS_MAKE)
    return;
  if (outcome->make_failed || outcome->n_sizes == 0)
    record->state = RECORD_NONE;
  else
    adopt (self, record, outcome);
}

/* @name left the catalogue: its masters go. */
void
rndimg_masters_forget (RndimgMasters *self, const char *name)
{
  Record *record = g_hash_table_lookup (self->records, name);

  if (record == NULL)
    return;
  delete_files (self, record);
  g_hash_table_remove (self->records, name);
}

const RndimgMastersCounts *
rndimg_masters_get_counts (RndimgMasters *self)
{
  return &self->counts;
}
