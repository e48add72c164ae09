/* SPDX-License-Identifier: MIT */
/* A picture's version: the first 16 hex digits of the SHA-256 of its
 * bytes, the part of a variant's URL that changes when the file does;
 * and its size in pixels, read from its header by libvips. Each is found
 * once per path, size and modification time. */
#include "rndimg-picture-version.h"

#include <vips/vips.h>

#define VERSION_HEX_DIGITS 16
/* The catalogue serves nothing larger (see rndimg-static.c). */
#define MAX_HASHED_BYTES (64 * 1024 * 1024)

typedef struct {
  goffset size;
  gint64 modified_usec;
  char *version;
  guint width, height;   /* 0 until asked */
} Version;

struct _RndimgPictureVersions
{
  GHashTable *by_path;   /* path -> Version */
};

static void
version_free (Version *version)
{
  g_free (version->version);
  g_free (version);
}

RndimgPictureVersions *
rndimg_picture_versions_new (void)
{
  RndimgPictureVersions *self = g_new0 (RndimgPictureVersions, 1);

  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) version_free);
  return self;
}

void
rndimg_picture_versions_free (RndimgPictureVersions *self)
{
  g_hash_table_unref (self->by_path);
  g_free (self);
}

/* The first 16 hex digits of the SHA-256 of the file at @path: the
 * VERSION of its variants' URLs. Safe in any thread. */
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

/* @image's version, owned by @self until the file changes; NULL with
 * @error when it cannot be read. */
const char *
rndimg_picture_versions_get (RndimgPictureVersions *self, const RndimgImage *image, GError **error)
{
  Version *known = g_hash_table_lookup (self->by_path, image->path);
  char *digest;

  if (known != NULL && known->size == image->size && known->modified_usec == image->modified_usec)
    return known->version;
  if ((digest = rndimg_picture_content_version (image->path, error)) == NULL)
    return NULL;
  known = g_new0 (Version, 1);
  known->size = image->size;
  known->modified_usec = image->modified_usec;
  known->version = digest;
  g_hash_table_replace (self->by_path, g_strdup (image->path), known);
  return known->version;
}

/* @image's width and height in pixels (read once from its header); FALSE
 * when libvips cannot read it. */
gboolean
rndimg_picture_versions_get_size (RndimgPictureVersions *self, const RndimgImage *image,
                                  guint *width, guint *height)
{
  Version *known;
  VipsImage *header;

  if (rndimg_picture_versions_get (self, image, NULL) == NULL)
    return FALSE;
  known = g_hash_table_lookup (self->by_path, image->path);
  if (known->width == 0)
    {
      if ((header = vips_image_new_from_file (image->path, NULL)) == NULL)
        {
          vips_error_clear ();
          return FALSE;
        }
      known->width = (guint) vips_image_get_width (header);
      known->height = (guint) vips_image_get_height (header);
      g_object_unref (header);
    }
  *width = known->width;
  *height = known->height;
  return TRUE;
}
