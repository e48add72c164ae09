/* SPDX-License-Identifier: MIT */
/* JSON written straight as text, for answers that repeat per picture or
 * per event (a picture's details, an event, Picsum's items): json-glib's
 * builder and generator cost ten times the text there. Everything else is
 * written with json-glib. The one escaper of the server's text JSON.
 *
 * A picture's details are some forty small pieces: each is copied in
 * place when the string has room (rndimg_http_append()). */
#include "rndimg-json-text.h"
#include "rndimg-http.h"

#include <string.h>

#define APPEND_LITERAL(out, literal) rndimg_http_append ((out), (literal), sizeof (literal) - 1)

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

static inline gboolean
must_escape (guchar c)
{
  return c == '"' || c == '\\' || c < 0x20;
}

/* Whether one of the eight bytes of @word must be escaped: the "has a
 * zero byte" and "has a byte below n" tests of Hacker's Delight (exact
 * as a yes or no), for the controls, '"' and '\\'. */
static inline gboolean
word_must_escape (guint64 word)
{
  guint64 quotes = word ^ (ONES * '"');
  guint64 backslashes = word ^ (ONES * '\\');

  return ((((word - ONES * 0x20) & ~word) | ((quotes - ONES) & ~quotes) | ((backslashes - ONES) & ~backslashes)) &
          HIGHS) != 0;
}

static void
append_escaped (GString *out, guchar c)
{
  char escaped[8];

  if (c < 0x20)
    rndimg_http_append (out, escaped, (gsize) g_snprintf (escaped, sizeof escaped, "\\u%04x", c));
  else
    {
      escaped[0] = '\\';
      escaped[1] = (char) c;
      rndimg_http_append (out, escaped, 2);
    }
}

/* @text as a JSON string (RFC 8259): quotes, backslashes and control
 * characters escaped; the rest (valid UTF-8) as it is, a run at a time.
 * Most strings have nothing to escape: they are scanned eight bytes at
 * a time (every publish writes some thirty of them). */
void
rndimg_json_text_append_string (GString *out, const char *text)
{
  const char *end = text + strlen (text);
  const char *run = text;
  const char *p = text;

  APPEND_LITERAL (out, "\"");
  while (p < end)
    {
      guint64 word;

      if (end - p >= 8)
        {
          memcpy (&word, p, sizeof word);
          if (!word_must_escape (word))
            {
              p += 8;
              continue;
            }
        }
      if (must_escape ((guchar) *p))
        {
          rndimg_http_append (out, run, (gsize) (p - run));
          append_escaped (out, (guchar) *p);
          run = p + 1;
        }
      p++;
    }
  rndimg_http_append (out, run, (gsize) (end - run));
  APPEND_LITERAL (out, "\"");
}

/* ,"@member_name": (the name is one of ours: nothing to escape). */
void
rndimg_json_text_append_name (GString *out, const char *member_name)
{
  APPEND_LITERAL (out, ",\"");
  rndimg_http_append (out, member_name, strlen (member_name));
  APPEND_LITERAL (out, "\":");
}

/* ,"@member_name":"@value" (null for NULL). */
void
rndimg_json_text_append_member (GString *out, const char *member_name, const char *value)
{
  rndimg_json_text_append_name (out, member_name);
  if (value != NULL)
    rndimg_json_text_append_string (out, value);
  else
    APPEND_LITERAL (out, "null");
}

void
rndimg_json_text_append_number (GString *out, guint64 value)
{
  char digits[24];
  int at = sizeof digits;

  do
    digits[--at] = (char) ('0' + value % 10);
  while ((value /= 10) > 0);
  rndimg_http_append (out, digits + at, sizeof digits - (gsize) at);
}
