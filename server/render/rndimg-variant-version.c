/* SPDX-License-Identifier: MIT */
/* A picture's variant version: the first 16 hex digits of the SHA-256 of
 * its bytes, the part of a variant's URL that changes when the file does.
 * Known in one place: the placeholders' worker computes it with the
 * colour and BlurHash (and keeps it across restarts); a picture it has not
 * reached yet (or cannot decode) is hashed here, in a worker thread, once
 * for however many requests wait for it. The main loop never reads a
 * picture's bytes. */
#include "rndimg-variant-version.h"
#include "rndimg-content-hash.h"

/* What this object hashed itself, for one version of the file. */
typedef struct {
  char *image_version;
  char *variant_version;
} Hashed;

struct _RndimgVariantVersions
{
  GObject parent_instance;

  RndimgPlaceholders *placeholders;  /* borrowed; NULL: none */
  GHashTable *hashed;    /* picture name -> Hashed */
  GHashTable *waiting;   /* name and image version -> GPtrArray of GTask, one hash under way */
  guint64 hashes;
};

G_DEFINE_FINAL_TYPE (RndimgVariantVersions, rndimg_variant_versions, G_TYPE_OBJECT)

static void
hashed_free (Hashed *hashed)
{
  g_free (hashed->image_version);
  g_free (hashed->variant_version);
  g_free (hashed);
}

static void
rndimg_variant_versions_finalize (GObject *object)
{
  RndimgVariantVersions *self = RNDIMG_VARIANT_VERSIONS (object);

  g_hash_table_unref (self->hashed);
  g_hash_table_unref (self->waiting);
  G_OBJECT_CLASS (rndimg_variant_versions_parent_class)->finalize (object);
}

static void
rndimg_variant_versions_class_init (RndimgVariantVersionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_variant_versions_finalize;
}

static void
rndimg_variant_versions_init (RndimgVariantVersions *self)
{
  self->hashed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) hashed_free);
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

/* Versions of the pictures @placeholders (borrowed, may be NULL; it must
 * outlive the result) describes, hashing the others. */
RndimgVariantVersions *
rndimg_variant_versions_new (RndimgPlaceholders *placeholders)
{
  RndimgVariantVersions *self = g_object_new (RNDIMG_TYPE_VARIANT_VERSIONS, NULL);

  self->placeholders = placeholders;
  return self;
}

/* @image's version if it is known now (borrowed until the file changes),
 * else NULL: then ask rndimg_variant_versions_get_async(). */
const char *
rndimg_variant_versions_peek (RndimgVariantVersions *self, const RndimgPicture *image)
{
  const char *computed = self->placeholders != NULL ? rndimg_placeholders_peek_variant_version (self->placeholders, image)
                                                     : NULL;
  Hashed *hashed;

  if (computed != NULL)
    return computed;
  hashed = g_hash_table_lookup (self->hashed, image->name);
  return hashed != NULL && g_str_equal (hashed->image_version, image->version) ? hashed->variant_version : NULL;
}

static char *
waiting_key (const RndimgPicture *image)
{
  return g_strconcat (image->name, "\n", image->version, NULL);
}

/* In a worker thread. */
static void
hash_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RndimgPicture *image = task_data;
  GError *error = NULL;
  char *version = rndimg_content_hash (image->path, &error);

  if (version != NULL)
    g_task_return_pointer (task, version, g_free);
  else
    g_task_return_error (task, error);
}

static void
on_hashed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgVariantVersions *self = RNDIMG_VARIANT_VERSIONS (source);
  RndimgPicture *image = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *version = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *key = waiting_key (image);
  g_autofree char *stolen_key = NULL;
  g_autoptr(GPtrArray) waiters = NULL;

  g_hash_table_steal_extended (self->waiting, key, (gpointer *) &stolen_key, (gpointer *) &waiters);
  if (version != NULL)
    {
      Hashed *hashed = g_new0 (Hashed, 1);

      hashed->image_version = g_strdup (image->version);
      hashed->variant_version = g_strdup (version);
      g_hash_table_replace (self->hashed, g_strdup (image->name), hashed);
    }
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (version != NULL)
        g_task_return_pointer (waiter, g_strdup (version), g_free);
      else
        g_task_return_error (waiter, g_error_copy (error));
    }
}

/* @image's version, hashed in a worker unless it is known; every call for
 * one version of one picture while its hash is under way waits for that
 * hash. */
void
rndimg_variant_versions_get_async (RndimgVariantVersions *self, RndimgPicture *image, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autofree char *key = waiting_key (image);
  const char *known = rndimg_variant_versions_peek (self, image);
  GPtrArray *waiters;
  g_autoptr(GTask) hash = NULL;

  if (known != NULL)
    {
      g_task_return_pointer (task, g_strdup (known), g_free);
      return;
    }
  if ((waiters = g_hash_table_lookup (self->waiting, key)) != NULL)
    {
      g_ptr_array_add (waiters, g_steal_pointer (&task));
      return;
    }
  waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (waiters, g_steal_pointer (&task));
  g_hash_table_insert (self->waiting, g_steal_pointer (&key), waiters);
  self->hashes++;
  hash = g_task_new (self, NULL, on_hashed, NULL);
  g_task_set_task_data (hash, rndimg_picture_ref (image), (GDestroyNotify) rndimg_picture_unref);
  g_task_run_in_thread (hash, hash_in_thread);
}

/* The version (transfer full), or NULL with @error when the picture cannot
 * be read. */
char *
rndimg_variant_versions_get_finish (RndimgVariantVersions *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Hashes started here (not by the placeholders' worker), for /metrics. */
guint64
rndimg_variant_versions_get_hashed (RndimgVariantVersions *self)
{
  return self->hashes;
}

/* Picture @name left the catalogue: what was hashed of it goes. */
void
rndimg_variant_versions_forget (RndimgVariantVersions *self, const char *name)
{
  g_hash_table_remove (self->hashed, name);
}
