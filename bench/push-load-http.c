/* SPDX-License-Identifier: MIT */
/* push-load: builds its two kinds of request and tells when an answer is
 * whole (Content-Length, chunked, or ended by close) and whether the server
 * keeps the connection. Nothing more of HTTP is needed here. */
#include "push-load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *
format (const char *template, ...) __attribute__ ((format (printf, 1, 2)));

static char *
format (const char *template, ...)
{
  va_list arguments;
  char *text;

  va_start (arguments, template);
  if (vasprintf (&text, template, arguments) < 0)
    die ("out of memory");
  va_end (arguments);
  return text;
}

char *
http_get_request (const Target *target, const char *path, bool event_stream)
{
  return format ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: %s\r\n\r\n",
                 path, target->port, event_stream ? "text/event-stream" : "*/*");
}

char *
http_post_request (const Target *target)
{
  return format ("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n%s",
                 target->publish_path, target->publish_port, strlen (target->publish_body), target->publish_body);
}

/* The value of header NAME in HEADERS (which end at END), or NULL. */
static const char *
header_value (const char *headers, const char *end, const char *name)
{
  size_t name_length = strlen (name);

  for (const char *line = strstr (headers, "\r\n"); line != NULL && line < end; line = strstr (line + 2, "\r\n"))
    {
      const char *start = line + 2;

      if (strncasecmp (start, name, name_length) == 0 && start[name_length] == ':')
        {
          start += name_length + 1;
          while (*start == ' ')
            start++;
          return start;
        }
    }
  return NULL;
}

/* A chunked body is whole once its last, empty chunk has come. */
static bool
chunked_body_ended (const char *body, size_t length)
{
  return length >= 5 && memcmp (body + length - 5, "0\r\n\r\n", 5) == 0;
}

/* DATA is NUL-terminated at LENGTH. An answer ended by close is never
 * HTTP_COMPLETE here: the caller sees the end of the stream. */
HttpState
http_parse_answer (const char *data, size_t length, int *status, bool *closes)
{
  const char *end = strstr (data, "\r\n\r\n");
  const char *value;
  size_t header_length;

  if (end == NULL)
    return HTTP_INCOMPLETE;
  if (sscanf (data, "HTTP/1.%*d %d", status) != 1)
    return HTTP_BAD;
  header_length = (size_t) (end + 4 - data);
  value = header_value (data, end, "Connection");
  *closes = (value != NULL && strncasecmp (value, "close", 5) == 0) || strncmp (data, "HTTP/1.0", 8) == 0;
  if ((value = header_value (data, end, "Content-Length")) != NULL)
    return length >= header_length + strtoul (value, NULL, 10) ? HTTP_COMPLETE : HTTP_INCOMPLETE;
  if ((value = header_value (data, end, "Transfer-Encoding")) != NULL && strncasecmp (value, "chunked", 7) == 0)
    return chunked_body_ended (data + header_length, length - header_length) ? HTTP_COMPLETE : HTTP_INCOMPLETE;
  if (*status == 204 || *status == 304)
    return HTTP_COMPLETE;
  *closes = true;
  return HTTP_INCOMPLETE;
}
