/* SPDX-License-Identifier: MIT */
/* libFuzzer: a folder's info.json (untrusted: anyone who can write a file
 * into an album folder writes it). Refused or read, never a crash, and
 * what is kept is bounded. */
#include "rndimg-sidecar.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GHashTable) texts = rndimg_sidecar_parse ((const char *) data, size, NULL);
  GHashTableIter iter;
  gpointer text;

  if (texts == NULL)
    return 0;
  g_hash_table_iter_init (&iter, texts);
  while (g_hash_table_iter_next (&iter, NULL, &text))
    {
      const RndimgPictureText *picture = text;

      g_assert_true (picture->alt == NULL || strlen (picture->alt) <= 2000);
      g_assert_true (picture->source_url == NULL || g_str_has_prefix (picture->source_url, "http"));
    }
  return 0;
}
