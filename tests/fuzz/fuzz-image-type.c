/* SPDX-License-Identifier: MIT */
/* libFuzzer: sniffing a picture's type from its first bytes (uploads, the
 * folder). */
#include "rndimg-image-type.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *type = rndimg_image_type_sniff (data, size);

  if (type != NULL)
    g_assert_nonnull (rndimg_image_type_extension (type));
  return 0;
}
