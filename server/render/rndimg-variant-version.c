/* SPDX-License-Identifier: MIT */
/* A picture's variant version: the first 16 hex digits of the SHA-256 of
 * its bytes, the part of a variant's URL that changes when the file does.
 * Known in one place: the placeholders' worker computes it with the
 * colour and BlurHash (and keeps it across restarts); a picture it has not
 * reached yet (or cannot decode) is hashed here, in a worker thread, once
 * for however many requests wait for it. The main loop never reads a
 * picture's bytes. */
#include "rndimg-variant-version.h"

#define VERSION_HEX_DIGITS 16
/* The catalogue serves nothing larger (see rndimg-static.c). */
#define MAX_HASHED_BYTES (64 * 1024 * 1024)

/* What this object hashed itself, for one version of the file. */
typedef struct {
  char *image_version;
  char *variant_version;
} Hashed;

struct _RndimgPictureVersions
{
  GObject parent_instance;

  RndimgPlaceholders *placeholders;  /* borrowed; NULL: none */
  GHashTable *hashed;    /* picture name -> Hashed */
  GHashTable *waiting;   /* name and image version -> GPtrArray of GTask, one hash under way */
  guint64 hashes;
};

G_DEFINE_FINAL_TYPE (RndimgPictureVersions, rndimg_picture_versions, G_TYPE_OBJECT)

static void
hashed_free (Hashed *hashed)
{
  g_free (hashed->image_version);
  g_free (hashed->variant_version);
  g_free (hashed);
}

static void
rndimg_picture_versions_finalize (GObject *object)
{
  RndimgPictureVersions *self = RNDIMG_PICTURE_VERSIONS (object);

  g_hash_table_unref (self->hashed);
  g_hash_table_unref (self->waiting);
  G_OBJECT_CLASS (rndimg_picture_versions_parent_class)->finalize (object);
}

static void
rndimg_picture_versions_class_init (RndimgPictureVersionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_picture_versions_finalize;
}

static void
rndimg_picture_versions_init (RndimgPictureVersions *self)
{
  self->hashed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) hashed_free);
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

/* Versions of the pictures @placeholders (borrowed, may be NULL; it must
 * outlive the result) describes, hashing the others. */
RndimgPictureVersions *
rndimg_picture_versions_new (RndimgPlaceholders *placeholders)
{
  RndimgPictureVersions *self = g_object_new (RNDIMG_TYPE_PICTURE_VERSIONS, NULL);

  self->placeholders = placeholders;
  return self;
}

/* The first 16 hex digits of the SHA-256 of the file at @path: the
 * VERSION of its variants' URLs. Reads the whole file: in a worker only. */
char *
rndimg_picture_content_version (const char *path, GError **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  g_autofree char *digest = NULL;

  if (file == NULL)
    return NULL;
  if (g_mapped_file_get_length (file) > MAX_HASHED_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the picture is over %d bytes", MAX_HASHED_BYTES);
      return NULL;
    }
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                        (const guchar *) g_mapped_file_get_contents (file),
                                        g_mapped_file_get_length (file));
  return g_strndup (digest, VERSION_HEX_DIGITS);
}

/* @image's version if it is known now (borrowed until the file changes),
 * else NULL: then ask rndimg_picture_versions_get_async(). */
const char *
rndimg_picture_versions_peek (RndimgPictureVersions *self, const RndimgImage *image)
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
waiting_key (const RndimgImage *image)
{
  return g_strconcat (image->name, "\n", image->version, NULL);
}

/* In a worker thread. */
static void
hash_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RndimgImage *image = task_data;
  GError *error = NULL;
  char *version = rndimg_picture_content_version (image->path, &error);

  if (version != NULL)
    g_task_return_pointer (task, version, g_free);
  else
    g_task_return_error (task, error);
}

static void
on_hashed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgPictureVersions *self = RNDIMG_PICTURE_VERSIONS (source);
  RndimgImage *image = g_task_get_task_data (G_TASK (result));
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
rndimg_picture_versions_get_async (RndimgPictureVersions *self, RndimgImage *image, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autofree char *key = waiting_key (image);
  const char *known = rndimg_picture_versions_peek (self, image);
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
  g_task_set_task_data (hash, rndimg_image_ref (image), (GDestroyNotify) rndimg_image_unref);
  g_task_run_in_thread (hash, hash_in_thread);
}

/* The version (transfer full), or NULL with @error when the picture cannot
 * be read. */
char *
rndimg_picture_versions_get_finish (RndimgPictureVersions *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Hashes started here (not by the placeholders' worker), for /metrics. */
guint64
rndimg_picture_versions_get_hashed (RndimgPictureVersions *self)
{
  return self->hashes;
}
