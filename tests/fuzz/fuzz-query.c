/* SPDX-License-Identifier: MIT */
/* libFuzzer: the server's own reading of query numbers (since, timeout,
 * Last-Event-ID) and picture names (exclude, publish, the folder). */
#include "rndimg-http.h"
#include "rndimg-image-type.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  guint64 value = 0;

  if (rndimg_http_parse_number (text, 1, 300, &value))
    g_assert_true (value >= 1 && value <= 300);
  if (rndimg_http_parse_number (text, 0, G_MAXINT64, &value))
    g_assert_cmpuint (value, <=, G_MAXINT64);
  if (rndimg_image_type_name_is_allowed (text))
    {
      /* An allowed name can never leave its folder. */
      g_assert_null (strchr (text, '/'));
      g_assert_false (g_str_has_prefix (text, "."));
    }
  return 0;
}
