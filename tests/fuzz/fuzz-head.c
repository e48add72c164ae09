/* SPDX-License-Identifier: MIT */
/* libFuzzer: the gate's verdict on a request head (server/http/rndimg-gate.c,
 * included for its private check_head()). Whatever the bytes: no crash, no
 * leak, and a head the gate lets through never reaches libsoup 3.2's
 * leaking path (an unrecognized encoding once libsoup has parsed it), has
 * one Host that is host[:port], and a body length the gate can follow. */
#include "../../server/http/rndimg-gate.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *head = g_strndup ((const char *) data, size);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *method = NULL;
  g_autofree char *target = NULL;
  const char *message = NULL;
  guint64 body_length = 0;
  GateState next;
  guint status = check_head (head, size, &next, &body_length, &message);

  if (status != 0 || next == GATE_UNTIL_CLOSE)
    return 0;
  /* Let through on keep-alive terms: libsoup parses it and finds a framing. */
  g_assert_cmpuint (soup_headers_parse_request (head, (int) size, headers, &method, &target, NULL), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpint (soup_message_headers_get_encoding (headers), !=, SOUP_ENCODING_UNRECOGNIZED);
  g_assert_cmpint (soup_message_headers_get_encoding (headers), !=, SOUP_ENCODING_CHUNKED);
  g_assert_null (strchr (target, '#'));
  if (next == GATE_BODY)
    g_assert_cmpuint (body_length, >, 0);
  return 0;
}
