/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint64 memory_hits;
  guint64 disk_hits;
  guint64 misses;
  guint64 memory_evictions;
  guint64 disk_evictions;
  guint64 disk_write_failures;
} RndimgVariantCacheCounts;

typedef struct _RndimgVariantCache RndimgVariantCache;

/* A file given to the cache is in place (@kept), or was deleted: over the
 * whole disk budget. */
typedef void (*RndimgVariantCacheMoved) (gboolean kept, gpointer user_data);

RndimgVariantCache *rndimg_variant_cache_new        (guint64             memory_budget,
                                                     const char         *disk_folder,
                                                     guint64             disk_budget);
void                rndimg_variant_cache_free       (RndimgVariantCache *self);
GBytes             *rndimg_variant_cache_lookup     (RndimgVariantCache *self,
                                                     const char         *key);
void                rndimg_variant_cache_read_async (RndimgVariantCache *self,
                                                     const char         *key,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GBytes             *rndimg_variant_cache_read_finish (RndimgVariantCache *self,
                                                     GAsyncResult       *result);
gboolean            rndimg_variant_cache_has        (RndimgVariantCache *self,
                                                     const char         *key);
gboolean            rndimg_variant_cache_holds      (RndimgVariantCache *self,
                                                     const char         *key);
void                rndimg_variant_cache_forget_group (RndimgVariantCache *self,
                                                     const char         *group);
void                rndimg_variant_cache_store      (RndimgVariantCache *self,
                                                     const char         *key,
                                                     GBytes             *bytes);
guint64             rndimg_variant_cache_get_memory_bytes (RndimgVariantCache *self);
guint64             rndimg_variant_cache_get_disk_bytes   (RndimgVariantCache *self);
const RndimgVariantCacheCounts *rndimg_variant_cache_get_counts (RndimgVariantCache *self);

char               *rndimg_variant_cache_file_name   (const char         *what,
                                                     const char         *suffix);
gboolean            rndimg_variant_cache_keeps_files (RndimgVariantCache *self);
const char         *rndimg_variant_cache_get_folder (RndimgVariantCache *self);
guint64             rndimg_variant_cache_get_disk_budget (RndimgVariantCache *self);
char               *rndimg_variant_cache_file_path  (RndimgVariantCache *self,
                                                     const char         *name);
gboolean            rndimg_variant_cache_has_file   (RndimgVariantCache *self,
                                                     const char         *name);
void                rndimg_variant_cache_adopt_file (RndimgVariantCache *self,
                                                     const char         *temporary,
                                                     const char         *name,
                                                     guint64             size,
                                                     RndimgVariantCacheMoved moved,
                                                     gpointer            user_data);
void                rndimg_variant_cache_delete_file (RndimgVariantCache *self,
                                                     const char         *name);
guint64             rndimg_variant_cache_get_master_bytes (RndimgVariantCache *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgVariantCache, rndimg_variant_cache_free)

G_END_DECLS
