/* SPDX-License-Identifier: MIT */
/* libFuzzer: an upload's multipart/form-data body, read as the server
 * reads it: the body flattened by libsoup (one buffer with a NUL after
 * its last byte, since soup_multipart_new_from_message reads past the end
 * of one without), then the first file part picked. Input: the boundary,
 * a newline, the body. */
#include "../../server/api/rndimg-upload.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *newline = memchr (data, '\n', size < 80 ? size : 80);
  g_autofree char *boundary = NULL;
  g_autofree char *content_type = NULL;
  SoupMessageHeaders *headers;
  SoupMessageBody *body;
  g_autoptr(GBytes) flat = NULL;
  g_autoptr(SoupMultipart) form = NULL;

  if (newline == NULL)
    return 0;
  boundary = g_strndup ((const char *) data, (gsize) (newline - data));
  /* A header value never holds a line break: libsoup's parser sees to that. */
  if (strchr (boundary, '\r') != NULL)
    return 0;
  content_type = g_strdup_printf ("multipart/form-data; boundary=\"%s\"", boundary);
  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  body = soup_message_body_new ();
  soup_message_body_append (body, SOUP_MEMORY_COPY, newline + 1, size - (gsize) (newline + 1 - data));
  flat = soup_message_body_flatten (body);
  form = soup_multipart_new_from_message (headers, flat);
  for (int i = 0; form != NULL && i < soup_multipart_get_length (form); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part;

      if (soup_multipart_get_part (form, i, &part_headers, &part))
        part_is_file (part_headers);
    }
  soup_message_body_unref (body);
  soup_message_headers_unref (headers);
  return 0;
}
