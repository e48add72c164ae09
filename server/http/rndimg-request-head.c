/* SPDX-License-Identifier: MIT */
/* The hot path's reader of a request head: strict and small. It takes
 * only the plainest HTTP/1.1 (CRLF line ends, an origin-form target of
 * URI characters with no dot segment, one valid Host, at most one
 * Content-Length, printable ASCII values, no Transfer-Encoding, Expect,
 * Upgrade or Range) and reads it into the same SoupMessageHeaders libsoup
 * would, in the same order, with the same values: so a handler sees the
 * same request whichever executor read it. Anything else is "not hot":
 * the bytes go, untouched, to libsoup through the gate (rndimg-gate.c),
 * whose checks and libsoup's parser decide, and whose answers (errors
 * included) stay libsoup's. */
#include "rndimg-request-head.h"
#include "rndimg-http.h"

#include <string.h>

#define MAX_HEADERS 100
#define MAX_METHOD 16

typedef struct {
  gsize name, name_length;
  gsize value, value_length;
} HeaderSlice;

/* RFC 9110 tchar. */
static gboolean
is_token_char (guint8 c)
{
  return g_ascii_isalnum (c) || (c != 0 && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* What an origin-form target may hold, as RFC 3986 has it (pchar, '/',
 * '?'), '%' only before two hex digits. */
static gboolean
target_is_plain (const char *target, gsize length)
{
  for (gsize i = 0; i < length; i++)
    {
      guint8 c = (guint8) target[i];

      if (c == '%')
        {
          if (i + 2 >= length || !g_ascii_isxdigit (target[i + 1]) || !g_ascii_isxdigit (target[i + 2]))
            return FALSE;
          i += 2;
        }
      else if (!g_ascii_isalnum (c) && strchr ("-._~!$&'()*+,;=:@/?", c) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* GLib's URI parser drops dot segments ("/a/../b", even "%2e%2e"), and
 * libsoup refuses an escaped "..": such paths are libsoup's to judge. */
static gboolean
path_has_dot_segment (const char *path, gsize length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (path[i] == '%' && i + 2 < length && path[i + 1] == '2' && (path[i + 2] == 'e' || path[i + 2] == 'E'))
        return TRUE;
      if (path[i] == '/' && i + 1 < length && path[i + 1] == '.')
        {
          gsize dots = (i + 2 < length && path[i + 2] == '.') ? 2 : 1;

          if (i + 1 + dots == length || path[i + 1 + dots] == '/')
            return TRUE;
        }
    }
  return FALSE;
}

static const char *
method_of (const char *text, gsize length)
{
  char name[MAX_METHOD + 1];

  if (length == 3 && memcmp (text, "GET", 3) == 0)
    return SOUP_METHOD_GET;
  if (length == 4 && memcmp (text, "HEAD", 4) == 0)
    return SOUP_METHOD_HEAD;
  if (length == 4 && memcmp (text, "POST", 4) == 0)
    return SOUP_METHOD_POST;
  memcpy (name, text, length);
  name[length] = '\0';
  return g_intern_string (name);
}

/* "METHOD SP /target SP HTTP/1.1": FALSE when it is anything else. */
static gboolean
parse_request_line (RndimgRequestHead *head, const char *line, gsize length)
{
  const char *space = memchr (line, ' ', length);
  const char *target, *target_end, *question;
  gsize method_length;

  if (space == NULL || (method_length = (gsize) (space - line)) == 0 || method_length > MAX_METHOD)
    return FALSE;
  for (gsize i = 0; i < method_length; i++)
    if (!g_ascii_isupper (line[i]))
      return FALSE;
  target = space + 1;
  if (length < method_length + 11 || memcmp (line + length - 9, " HTTP/1.1", 9) != 0)
    return FALSE;
  target_end = line + length - 9;
  if (target >= target_end || *target != '/' || !target_is_plain (target, (gsize) (target_end - target)))
    return FALSE;
  question = memchr (target, '?', (gsize) (target_end - target));
  if (path_has_dot_segment (target, (gsize) ((question != NULL ? question : target_end) - target)))
    return FALSE;
  head->method = method_of (line, method_length);
  head->path = target;
  head->query = question != NULL ? question + 1 : NULL;
  return TRUE;
}

/* "Name: value" with OWS around the value, which is printable ASCII. */
static gboolean
parse_header_line (const char *line, gsize length, gsize offset, HeaderSlice *slice)
{
  const char *colon = memchr (line, ':', length);
  gsize start, end;

  if (colon == NULL || colon == line)
    return FALSE;
  for (const char *p = line; p < colon; p++)
    if (!is_token_char ((guint8) *p))
      return FALSE;
  start = (gsize) (colon - line) + 1;
  end = length;
  for (gsize i = start; i < end; i++)
    if (line[i] != '\t' && ((guint8) line[i] < 0x20 || (guint8) line[i] > 0x7e))
      return FALSE;
  while (start < end && (line[start] == ' ' || line[start] == '\t'))
    start++;
  while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
    end--;
  *slice = (HeaderSlice) { offset, (gsize) (colon - line), offset + start, end - start };
  return TRUE;
}

/* "host[:port]" of the Host header, as GLib's URI parser reads it. */
static gboolean
parse_host (RndimgRequestHead *head, const char *value)
{
  char *host, *colon;

  if (!rndimg_http_host_header_is_valid (value) || strchr (value, '%') != NULL)
    return FALSE;
  host = head->host_copy = g_strdup (value);
  if (host[0] == '[')
    {
      char *close = strchr (host, ']');

      *close = '\0';
      colon = close[1] == ':' ? close + 1 : NULL;
      host++;
    }
  else if ((colon = strchr (host, ':')) != NULL)
    *colon = '\0';
  head->host = host;   /* in host_copy */
  head->port = colon != NULL ? (int) g_ascii_strtoull (colon + 1, NULL, 10) : 80;
  return TRUE;
}

/* Whether the header @name (of @length bytes) is @known, ignoring case. */
static gboolean
is_named (const char *name, gsize length, const char *known)
{
  return strlen (known) == length && g_ascii_strncasecmp (name, known, length) == 0;
}

/* What the hot path needs of the headers, and what sends a head to
 * libsoup. FALSE: not hot. */
static gboolean
read_framing (RndimgRequestHead *head, const HeaderSlice *slices, guint count)
{
  guint hosts = 0, lengths = 0;

  for (guint i = 0; i < count; i++)
    {
      const char *name = head->copy + slices[i].name;
      gsize name_length = slices[i].name_length;
      char *value = head->copy + slices[i].value;

      if (is_named (name, name_length, "Transfer-Encoding") || is_named (name, name_length, "Expect") ||
          is_named (name, name_length, "Upgrade") || is_named (name, name_length, "Range"))
        return FALSE;
      if (is_named (name, name_length, "Host") && (hosts++ > 0 || !parse_host (head, value)))
        return FALSE;
      if (is_named (name, name_length, "Content-Length"))
        {
          gsize digits = strspn (value, "0123456789");

          if (lengths++ > 0 || digits == 0 || digits > 18 || value[digits] != '\0')
            return FALSE;
          head->body_length = g_ascii_strtoull (value, NULL, 10);
        }
    }
  return hosts == 1;
}

static gboolean
decode_path (RndimgRequestHead *head)
{
  if (strchr (head->path, '%') == NULL)
    return TRUE;
  /* NULL for an escaped NUL or '/'-less trouble: libsoup's to refuse. */
  head->decoded_path = g_uri_unescape_string (head->path, NULL);
  return head->decoded_path != NULL && strstr (head->decoded_path, "/../") == NULL &&
         !g_str_has_suffix (head->decoded_path, "/..");
}

/* The header lines of the head in @head->copy: their slices (into the
 * copy), NUL-terminated there. FALSE: not hot. */
static gboolean
split_headers (RndimgRequestHead *head, gsize first, gsize end, HeaderSlice *slices, guint *count)
{
  gsize at = first;

  *count = 0;
  while (at < end)
    {
      char *line = head->copy + at;
      char *eol = memchr (line, '\r', end - at);

      if (eol == NULL || eol[1] != '\n' || *count == MAX_HEADERS ||
          !parse_header_line (line, (gsize) (eol - line), at, &slices[*count]))
        return FALSE;
      at = (gsize) (eol - head->copy) + 2;
      (*count)++;
    }
  for (guint i = 0; i < *count; i++)
    {
      head->copy[slices[i].name + slices[i].name_length] = '\0';
      head->copy[slices[i].value + slices[i].value_length] = '\0';
    }
  return TRUE;
}

/* A line ended by LF alone: libsoup takes such heads, we do not (and
 * would wait for a CRLF CRLF that never comes). */
static gboolean
has_bare_line_feed (const guint8 *data, gsize length)
{
  for (const guint8 *lf = memchr (data, '\n', length); lf != NULL;
       lf = memchr (lf + 1, '\n', length - (gsize) (lf + 1 - data)))
    if (lf == data || lf[-1] != '\r')
      return TRUE;
  return FALSE;
}

/* Reads the head at the start of @data (@length bytes): INCOMPLETE until
 * its blank line is there, then HOT with @head and @headers filled
 * (clear @head after), or NOT_HOT. Bytes without a CR before every LF,
 * or past RNDIMG_REQUEST_HEAD_HOT_LIMIT, are not hot. */
RndimgRequestHeadResult
rndimg_request_head_parse (const guint8 *data, gsize length, RndimgRequestHead *head, SoupMessageHeaders *headers)
{
  const guint8 *end = length >= 4 ? memmem (data, MIN (length, RNDIMG_REQUEST_HEAD_HOT_LIMIT), "\r\n\r\n", 4) : NULL;
  HeaderSlice slices[MAX_HEADERS];
  const char *line_end;
  guint count;

  memset (head, 0, sizeof *head);
  if (end == NULL)
    return length >= RNDIMG_REQUEST_HEAD_HOT_LIMIT || memchr (data, '\0', length) != NULL || has_bare_line_feed (data, length)
           ? RNDIMG_REQUEST_HEAD_NOT_HOT : RNDIMG_REQUEST_HEAD_INCOMPLETE;
  head->length = (gsize) (end - data) + 4;
  head->copy = g_strndup ((const char *) data, head->length - 2);   /* NUL after the last header's CRLF */
  if (strlen (head->copy) != head->length - 2 || (line_end = strstr (head->copy, "\r\n")) == NULL)
    goto not_hot;
  if (!parse_request_line (head, head->copy, (gsize) (line_end - head->copy)) ||
      !split_headers (head, (gsize) (line_end - head->copy) + 2, head->length - 2, slices, &count))
    goto not_hot;
  /* The request line's end, and the query's, become NULs in the copy. */
  head->copy[line_end - head->copy - 9] = '\0';
  if (head->query != NULL)
    head->copy[head->query - 1 - head->copy] = '\0';
  if (!read_framing (head, slices, count) || !decode_path (head))
    goto not_hot;
  for (guint i = 0; i < count; i++)
    soup_message_headers_append (headers, head->copy + slices[i].name, head->copy + slices[i].value);
  head->close = soup_message_headers_header_contains (headers, "Connection", "close");
  return RNDIMG_REQUEST_HEAD_HOT;

not_hot:
  rndimg_request_head_clear (head);
  return RNDIMG_REQUEST_HEAD_NOT_HOT;
}

void
rndimg_request_head_clear (RndimgRequestHead *head)
{
  g_clear_pointer (&head->copy, g_free);
  g_clear_pointer (&head->decoded_path, g_free);
  g_clear_pointer (&head->host_copy, g_free);
}
