/* SPDX-License-Identifier: MIT */
/* The content hash of a picture file: what its variant_version is. Apart
 * from the versions object so that the placeholders' worker, which
 * computes it with the colour and BlurHash, and the versions, which hash
 * what the placeholders have not reached, share it without including each
 * other. */
#include "rndimg-content-hash.h"

#define VERSION_HEX_DIGITS 16
/* The catalogue serves nothing larger (see rndimg-static.c). */
#define MAX_HASHED_BYTES (64 * 1024 * 1024)

/* The first 16 hex digits of the SHA-256 of the file at @path: the
 * VERSION of its variants' URLs. Reads the whole file: in a worker only. */
char *
rndimg_content_hash (const char *path, GError **error)
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
