/* SPDX-License-Identifier: MIT */
/* JSON written straight as text, for answers that repeat per picture or
 * per event (a picture's details, an event, Picsum's items): json-glib's
 * builder and generator cost ten times the text there. Everything else is
 * written with json-glib. The one escaper of the server's text JSON. */
#include "rndimg-json-text.h"

/* @text as a JSON string (RFC 8259): quotes, backslashes and control
 * characters escaped; the rest (valid UTF-8) as it is, a run at a time. */
void
rndimg_json_text_append_string (GString *out, const char *text)
{
  const char *run = text;

  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c != '"' && c != '\\' && c >= 0x20)
        continue;
      g_string_append_len (out, run, p - run);
      if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      run = p + 1;
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

/* ,"@member_name": (the name is one of ours: nothing to escape). */
void
rndimg_json_text_append_name (GString *out, const char *member_name)
{
  g_string_append (out, ",\"");
  g_string_append (out, member_name);
  g_string_append (out, "\":");
}

/* ,"@member_name":"@value" (null for NULL). */
void
rndimg_json_text_append_member (GString *out, const char *member_name, const char *value)
{
  rndimg_json_text_append_name (out, member_name);
  if (value != NULL)
    rndimg_json_text_append_string (out, value);
  else
    g_string_append (out, "null");
}

void
rndimg_json_text_append_number (GString *out, guint64 value)
{
  char digits[24];
  int at = sizeof digits;

  do
    digits[--at] = (char) ('0' + value % 10);
  while ((value /= 10) > 0);
  g_string_append_len (out, digits + at, (gssize) sizeof digits - at);
}
