/* SPDX-License-Identifier: MIT */
/* libFuzzer: the viewer's BlurHash decoder on what a hostile server could
 * put in an answer's "blurhash" (and "colour"): never out of bounds, and
 * a decoded picture has the size asked for. */
#include "rndimg-blurhash-decode.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint width = size > 0 ? data[0] % 128 + 1 : 1, height = size > 1 ? data[1] % 128 + 1 : 1;
  g_autofree char *text = g_strndup (size > 2 ? (const char *) data + 2 : "", size > 2 ? size - 2 : 0);
  g_autofree guint8 *rgb = rndimg_blurhash_decode (text, width, height);
  guint8 colour[3];

  if (rgb != NULL)
    memset (rgb, 0, (gsize) width * height * 3);   /* every byte is ours */
  rndimg_colour_parse (text, colour);
  return 0;
}
