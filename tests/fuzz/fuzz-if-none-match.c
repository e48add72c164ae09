/* SPDX-License-Identifier: MIT */
/* libFuzzer: matching a client's If-None-Match against a file's ETag.
 * The matcher is private to rndimg-static.c, so the file is included. */
#include "../../server/rndimg-static.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *header = g_strndup ((const char *) data, size);

  etag_listed (header, "\"6563a1b2-1f2e3d4-7165\"");
  etag_listed (header, "*");
  return 0;
}
