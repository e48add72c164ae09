/* SPDX-License-Identifier: MIT */
/* The variants of the catalogue's pictures: each picture's version (the
 * part of a variant's URL that changes with the file), the variant cache
 * (memory and disk, each within a byte budget) and the renderer (libvips
 * on a bounded pool). Offers a canonical variant's bytes: from the cache
 * at once, or from a render in a worker, one render however many ask.
 * No HTTP here: the routes are in server/api/rndimg-variants.c. */
#include "rndimg-picture-variants.h"

struct _RndimgPictureVariants
{
  GObject parent_instance;

  RndimgCatalogue *catalogue;
  RndimgPictureVersions *versions;
  RndimgVariantCache *cache;
  RndimgRenderer *renderer;
};

enum { RENDERED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RndimgPictureVariants, rndimg_picture_variants, G_TYPE_OBJECT)

static void
rndimg_picture_variants_finalize (GObject *object)
{
  RndimgPictureVariants *self = RNDIMG_PICTURE_VARIANTS (object);

  g_clear_object (&self->catalogue);
  g_clear_object (&self->versions);
  g_clear_pointer (&self->cache, rndimg_variant_cache_free);
  g_clear_object (&self->renderer);
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
  self->versions = rndimg_picture_versions_new (placeholders);
  self->cache = rndimg_variant_cache_new (settings->memory_budget, settings->disk_folder, settings->disk_budget);
  self->renderer = rndimg_renderer_new (&settings->render);
  return self;
}

RndimgCatalogue *
rndimg_picture_variants_get_catalogue (RndimgPictureVariants *self)
{
  return self->catalogue;
}

RndimgPictureVersions *
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

gboolean
rndimg_picture_variants_can_encode (RndimgPictureVariants *self, RndimgFormat format)
{
  return rndimg_renderer_can_encode (self->renderer, format);
}

/* The bytes of the variant @key (its canonical URL and format) if a cache
 * has them; NULL: render it. */
GBytes *
rndimg_picture_variants_lookup (RndimgPictureVariants *self, const char *key)
{
  return rndimg_variant_cache_lookup (self->cache, key);
}

static void
on_rendered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RndimgPictureVariants *self = g_task_get_source_object (task);
  const char *key = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  double seconds = 0;
  GBytes *bytes = rndimg_renderer_render_finish (RNDIMG_RENDERER (source), result, &seconds, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Every caller joined to one render gets here; the cache keeps one copy. */
  if (!rndimg_variant_cache_has (self->cache, key))
    {
      rndimg_variant_cache_store (self->cache, key, bytes);
      g_signal_emit (self, signals[RENDERED], 0, seconds);
    }
  g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

/* Renders @spec of @image (in a worker; joined to the render of @key
 * already under way, if any) and keeps it in the cache under @key. */
void
rndimg_picture_variants_render_async (RndimgPictureVariants *self, RndimgImage *image, const RndimgVariantSpec *spec,
                                      const char *key, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_task_data (task, g_strdup (key), g_free);
  rndimg_renderer_render_async (self->renderer, key, image->path, spec, on_rendered, task);
}

/* The variant's bytes, or NULL with a RNDIMG_RENDER_ERROR. */
GBytes *
rndimg_picture_variants_render_finish (RndimgPictureVariants *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
