/* SPDX-License-Identifier: MIT */
/* libFuzzer: the viewer's SSE parser on what a hostile server could send.
 * Fed in two pieces (every split point is a chunk boundary the network
 * could make); an event handed on never exceeds the parser's bound, and a
 * last event id never holds a NUL. */
#include "rndimg-sse-parser.h"

#include <stdint.h>
#include <string.h>

static void
on_event (const char *type, const char *data, const char *id, gpointer user_data)
{
  g_assert_nonnull (type);
  g_assert_cmpuint (strlen (data), <=, RNDIMG_SSE_MAX_EVENT_BYTES + RNDIMG_SSE_MAX_LINE_BYTES);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(RndimgSseParser) parser = rndimg_sse_parser_new (on_event, NULL);
  size_t split = size > 0 ? data[0] % (size + 1) : 0;
  g_autoptr(GError) error = NULL;
  const char *id;

  if (rndimg_sse_parser_feed (parser, (const char *) data, split, &error))
    rndimg_sse_parser_feed (parser, (const char *) data + split, size - split, &error);
  id = rndimg_sse_parser_get_last_event_id (parser);
  g_assert_true (id == NULL || strlen (id) <= RNDIMG_SSE_MAX_LINE_BYTES);
  rndimg_sse_parser_get_retry (parser);
  return 0;
}
