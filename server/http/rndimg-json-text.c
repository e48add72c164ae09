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

#define APPEND_LITERAL(out, literal) rndimg_http_append ((out), (literal), sizeof (literal) - 1)

/* @text as a JSON string (RFC 8259): quotes, backslashes and control
 * characters escaped; the rest (valid UTF-8) as it is, a run at a time. */
void
rndimg_json_text_append_string (GString *out, const char *text)
{
  const char *run = text;
  const char *p = text;

  APPEND_LITERAL (out, "\"");
  for (; *p; p++)
    {
      guchar c = (guchar) *p;
      char escaped[8];

      if (c != '"' && c != '\\' && c >= 0x20)
        continue;
      rndimg_http_append (out, run, (gsize) (p - run));
      if (c < 0x20)
        rndimg_http_append (out, escaped, (gsize) g_snprintf (escaped, sizeof escaped, "\\u%04x", c));
      else
        {
          escaped[0] = '\\';
          escaped[1] = (char) c;
          rndimg_http_append (out, escaped, 2);
        }
      run = p + 1;
    }
  rndimg_http_append (out, run, (gsize) (p - run));
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
