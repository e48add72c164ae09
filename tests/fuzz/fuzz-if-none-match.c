/* SPDX-License-Identifier: MIT */
/* libFuzzer: matching a client's If-None-Match against an answer's ETag
 * (rndimg_http_etag_listed, shared by the pictures, the page and the
 * OpenAPI description). */
#include "rndimg-http.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *header = g_strndup ((const char *) data, size);

  rndimg_http_etag_listed (header, "\"6563a1b2-1f2e3d4-7165\"");
  rndimg_http_etag_listed (header, "*");
  return 0;
}
