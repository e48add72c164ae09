/* SPDX-License-Identifier: MIT */
/* The text JSON escaper (server/http/rndimg-json-text.c) against its
 * definition: whatever the string, what it writes is one JSON string
 * that json-glib reads back as that string, with no raw control
 * character in it; and a string with nothing to escape is written as it
 * is. The escaper scans eight bytes at a time, so the strings put every
 * byte to escape at every place around those eight. */
#include "rndimg-json-text.h"

#include <json-glib/json-glib.h>

/* @text as the escaper writes it, read back by json-glib. */
static char *
read_back (const char *text, GString *written)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_string_truncate (written, 0);
  rndimg_json_text_append_string (written, text);
  node = json_from_string (written->str, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return g_strdup (json_node_get_string (node));
}

static void
assert_written_faithfully (const char *text)
{
  g_autoptr(GString) written = g_string_new (NULL);
  g_autofree char *back = read_back (text, written);

  g_assert_cmpstr (back, ==, text);
  for (gsize i = 0; i < written->len; i++)
    g_assert_cmpuint ((guchar) written->str[i], >=, 0x20);
}

/* Every byte that must be escaped, and a few that must not, at every
 * place of strings of 0 to 40 bytes. */
static void
test_every_place (void)
{
  const char special[] = { '"', '\\', '\x01', '\x1f', '\n', '\t', ' ', '/', '\x7f' };

  for (gsize length = 1; length <= 40; length++)
    for (gsize at = 0; at < length; at++)
      for (gsize s = 0; s < G_N_ELEMENTS (special); s++)
        {
          g_autofree char *text = g_strnfill (length, 'a');

          text[at] = special[s];
          assert_written_faithfully (text);
        }
  assert_written_faithfully ("");
}

/* UTF-8 is written as it is; runs of escapes and of plain bytes mixed. */
static void
test_mixed (void)
{
  g_autoptr(GString) written = g_string_new (NULL);
  g_autofree char *back = NULL;

  assert_written_faithfully ("آلبوم سگ‌ها: \"dogs\"\\puppies\n\x02\x03 end");
  assert_written_faithfully ("\"\"\"\"\"\"\"\"\"\\\\\\\\\\\\\\\\\\\x01\x01\x01\x01\x01\x01\x01\x01");
  back = read_back ("https://example.org/static/img/dogs/001.png?sig=abc", written);
  g_assert_cmpstr (written->str, ==, "\"https://example.org/static/img/dogs/001.png?sig=abc\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-text/every-place", test_every_place);
  g_test_add_func ("/json-text/mixed", test_mixed);
  return g_test_run ();
}
