/* SPDX-License-Identifier: MIT */
/* libFuzzer: the server's own reading of query numbers (timeout), event
 * ids (since, lastEventId, Last-Event-ID), Host headers and picture names
 * (exclude, publish, the folder). */
#include "rndimg-event-id.h"
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
  gint64 id = -1;

  if (rndimg_http_parse_number (text, 1, 300, &value))
    g_assert_true (value >= 1 && value <= 300);
  if (rndimg_http_parse_number (text, 0, G_MAXINT64, &value))
    g_assert_cmpuint (value, <=, G_MAXINT64);
  if (rndimg_event_id_parse (text, &id) == RNDIMG_EVENT_ID_VALID)
    g_assert_cmpint (id, >=, 0);
  /* A valid Host can bend no URL it is glued into. */
  if (rndimg_http_host_header_is_valid (text))
    g_assert_null (strpbrk (text, "#?/@ \\%"));
  if (rndimg_image_type_name_is_allowed (text))
    {
      /* An allowed name can never leave its folder. */
      g_assert_null (strchr (text, '/'));
      g_assert_false (g_str_has_prefix (text, "."));
    }
  return 0;
}
