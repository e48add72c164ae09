/* SPDX-License-Identifier: MIT */
/* The variants of the catalogue's pictures: each picture's version (the
 * part of a variant's URL that changes with the file), the variant cache
 * (memory and disk, each within a byte budget) and the renderer (libvips
 * on a bounded pool). Offers a canonical variant's bytes: from memory at
 * once, else from the disk cache (read by its own thread) or a render in
 * a worker, one render however many ask.
 * No HTTP here: the routes are in server/api/rndimg-variants-api.c. */
#include "rndimg-picture-variants.h"

struct _RndimgPictureVariants
{
  GObject parent_instance;

  RndimgCatalogue *catalogue;
  RndimgVariantVersions *versions;
  RndimgVariantCache *cache;
  RndimgMasters *masters;      /* the renderer's; borrowed */
  RndimgRenderer *renderer;
  guint on_the_way;            /* fetches asked for, the disk not answered yet (the
                                * counts below added up, kept for the hot path) */
  GHashTable *keys_on_the_way; /* their keys -> how many (GUINT_TO_POINTER) */
};

enum { RENDERED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RndimgPictureVariants, rndimg_picture_variants, G_TYPE_OBJECT)

static void
rndimg_picture_variants_finalize (GObject *object)
{
  RndimgPictureVariants *self = RNDIMG_PICTURE_VARIANTS (object);

  if (self->catalogue != NULL)
    g_signal_handlers_disconnect_by_data (self->catalogue, self);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->versions);
  /* The renderer and its masters use the cache: before it. */
  g_clear_object (&self->renderer);
  g_clear_pointer (&self->cache, rndimg_variant_cache_free);
  g_hash_table_unref (self->keys_on_the_way);
  G_OBJECT_CLASS (rndimg_picture_variants_parent_class)->finalize (object);
}

static void
rndimg_picture_variants_class_init (RndimgPictureVariantsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_picture_variants_finalize;
  /* ::rendered (seconds): a render finished, for the metrics. */
  signals[RENDERED] = g_signal_new ("rendered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
rndimg_picture_variants_init (RndimgPictureVariants *self)
{
  self->keys_on_the_way = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* A picture left the catalogue: its masters go (its variants age out). */
static void
on_picture_removed (RndimgCatalogue *catalogue, const char *name, gpointer user_data)
{
  RndimgPictureVariants *self = user_data;

  rndimg_masters_forget (self->masters, name);
}

/* Variants of @catalogue's pictures; their versions come from
 * @placeholders (borrowed, may be NULL; it must outlive the result) when
 * it knows them. */
RndimgPictureVariants *
rndimg_picture_variants_new (RndimgCatalogue *catalogue, RndimgPlaceholders *placeholders,
                             const RndimgPictureVariantsSettings *settings)
{
  RndimgPictureVariants *self = g_object_new (RNDIMG_TYPE_PICTURE_VARIANTS, NULL);

  self->catalogue = g_object_ref (catalogue);
  self->versions = rndimg_variant_versions_new (placeholders);
  self->cache = rndimg_variant_cache_new (settings->memory_budget, settings->disk_folder, settings->disk_budget);
  self->masters = rndimg_masters_new (self->cache);
  self->renderer = rndimg_renderer_new (&settings->render, self->masters, settings->engine);
  g_signal_connect (catalogue, "image-removed", G_CALLBACK (on_picture_removed), self);
  return self;
}

RndimgCatalogue *
rndimg_picture_variants_get_catalogue (RndimgPictureVariants *self)
{
  return self->catalogue;
}

RndimgVariantVersions *
rndimg_picture_variants_get_versions (RndimgPictureVariants *self)
{
  return self->versions;
}

RndimgRenderer *
rndimg_picture_variants_get_renderer (RndimgPictureVariants *self)
{
  return self->renderer;
}

RndimgVariantCache *
rndimg_picture_variants_get_cache (RndimgPictureVariants *self)
{
  return self->cache;
}

RndimgMasters *
rndimg_picture_variants_get_masters (RndimgPictureVariants *self)
{
  return self->masters;
}

/* Which formats can be rendered, and when that is known (the first ask
 * after a start loads the render module and tries its encoders). */
RndimgEncoders *
rndimg_picture_variants_get_encoders (RndimgPictureVariants *self)
{
  return rndimg_renderer_get_encoders (self->renderer);
}

/* The bytes of the variant @key (its canonical URL and format) if memory
 * has them; NULL: ask rndimg_picture_variants_fetch_async(). */
GBytes *
rndimg_picture_variants_lookup (RndimgPictureVariants *self, const char *key)
{
  return rndimg_variant_cache_lookup (self->cache, key);
}

/* What a fetch needs once the disk has answered. */
typedef struct {
  char *key;
  RndimgPicture *image;
  RndimgVariantSpec spec;
  gboolean ahead;   /* for the next asker: behind every render asked for */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_free (fetch->key);
  rndimg_picture_unref (fetch->image);
  g_free (fetch);
}

static void
on_rendered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RndimgPictureVariants *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  double seconds = 0;
  GBytes *bytes = rndimg_renderer_render_finish (RNDIMG_RENDERER (source), result, &seconds, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Every caller joined to one render gets here; the cache keeps one copy. */
  if (!rndimg_variant_cache_has (self->cache, fetch->key))
    {
      rndimg_variant_cache_store (self->cache, fetch->key, bytes);
      g_signal_emit (self, signals[RENDERED], 0, seconds);
    }
  g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

/* A fetch asked for sets out to the disk, then to the renderer. */
static void
take_the_way (RndimgPictureVariants *self, const char *key)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->keys_on_the_way, key));

  g_hash_table_replace (self->keys_on_the_way, g_strdup (key), GUINT_TO_POINTER (count + 1));
  self->on_the_way++;
}

static void
leave_the_way (RndimgPictureVariants *self, const char *key)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->keys_on_the_way, key));

  if (count <= 1)
    g_hash_table_remove (self->keys_on_the_way, key);
  else
    g_hash_table_replace (self->keys_on_the_way, g_strdup (key), GUINT_TO_POINTER (count - 1));
  self->on_the_way--;
}

static void
on_read_from_disk (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  RndimgPictureVariants *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  GBytes *bytes = rndimg_variant_cache_read_finish (self->cache, result);

  if (!fetch->ahead)
    leave_the_way (self, fetch->key);
  /* A render of it may have ended while the disk was asked. */
  if (bytes == NULL)
    bytes = rndimg_variant_cache_lookup (self->cache, fetch->key);
  if (bytes != NULL)
    {
      g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }
  rndimg_renderer_render_async (self->renderer, fetch->key, fetch->image, &fetch->spec, fetch->ahead, on_rendered,
                                task);
}

static void
fetch (RndimgPictureVariants *self, RndimgPicture *image, const RndimgVariantSpec *spec, const char *key,
       gboolean ahead, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->key = g_strdup (key);
  fetch->image = rndimg_picture_ref (image);
  fetch->spec = *spec;
  fetch->ahead = ahead;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  if (!ahead)
    take_the_way (self, key);
  rndimg_variant_cache_read_async (self->cache, key, on_read_from_disk, task);
}

/* The bytes of the variant @key, @spec of @image, when memory has not
 * got them: read from the disk cache (by its own thread), else rendered
 * in a worker (joined to the render of @key already under way, if any)
 * and kept in the cache under @key. */
void
rndimg_picture_variants_fetch_async (RndimgPictureVariants *self, RndimgPicture *image, const RndimgVariantSpec *spec,
                                     const char *key, GAsyncReadyCallback callback, gpointer user_data)
{
  fetch (self, image, spec, key, FALSE, callback, user_data);
}

/* Makes the variant @key, @spec of @image, ready for the next asker (in
 * the cache), behind every render asked for; nothing when memory has it,
 * it is being rendered, or too many renders ahead of need wait already. */
void
rndimg_picture_variants_prepare (RndimgPictureVariants *self, RndimgPicture *image, const RndimgVariantSpec *spec,
                                 const char *key)
{
  if (rndimg_variant_cache_has (self->cache, key) || rndimg_renderer_is_rendering (self->renderer, key))
    return;
  fetch (self, image, spec, key, TRUE, NULL, NULL);
}

/* Fetches asked for whose disk read has not answered yet: each is a render
 * on its way to the renderer, unless the disk has it. A burst of requests
 * read in one pass of the main loop (or let go together) is counted
 * before any of them reaches the renderer's queue. */
guint
rndimg_picture_variants_get_on_the_way (RndimgPictureVariants *self)
{
  return self->on_the_way;
}

/* Whether a fetch of @key is on its way: another asker joins its render. */
gboolean
rndimg_picture_variants_is_on_the_way (RndimgPictureVariants *self, const char *key)
{
  return g_hash_table_contains (self->keys_on_the_way, key);
}

/* The variant's bytes, or NULL with a RNDIMG_RENDER_ERROR. */
GBytes *
rndimg_picture_variants_fetch_finish (RndimgPictureVariants *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* @image left the catalogue (deleted, moved, its file gone): its variants
 * (memory and disk) and its version go, so nothing made from it outlives
 * it (its placeholder: rndimg_placeholders_forget()). */
void
rndimg_picture_variants_forget (RndimgPictureVariants *self, const RndimgPicture *image)
{
  g_autofree char *escaped = g_uri_escape_string (image->name, NULL, FALSE);
  g_autofree char *group = g_strdup_printf ("/img/%s/", escaped);

  rndimg_variant_cache_forget_group (self->cache, group);
  rndimg_variant_versions_forget (self->versions, image->name);
}
