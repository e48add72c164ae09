/* SPDX-License-Identifier: MIT */
/* See picture-files.h. Written through a temporary name and a rename, as
 * an upload is, so a folder watch sees each file once, complete. */
#include "picture-files.h"
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

static void
write_bytes (const char *folder, const char *relative, const guint8 *data, gsize length)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) length, &error);
  g_assert_no_error (error);
}

void
picture_files_write_text (const char *folder, const char *relative, const char *text, gssize length)
{
  write_bytes (folder, relative, (const guint8 *) text, length < 0 ? strlen (text) : (gsize) length);
}

void
picture_files_make_folder (const char *folder, const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

void
picture_files_copy_shipped (const char *folder, const char *relative, const char *shipped_name)
{
  g_autofree char *from = test_source_image (shipped_name);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (from, &data, &length, &error);
  g_assert_no_error (error);
  write_bytes (folder, relative, (const guint8 *) data, length);
}

static void
put_be32 (guint8 *p, guint32 value)
{
  p[0] = value >> 24; p[1] = value >> 16; p[2] = value >> 8; p[3] = value;
}

static void
append_png_chunk (GByteArray *png, const char *type, const guint8 *data, guint32 length)
{
  guint8 field[4];
  uLong crc = crc32 (crc32 (0L, (const Bytef *) type, 4), data, length);

  put_be32 (field, length);
  g_byte_array_append (png, field, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, length);
  put_be32 (field, (guint32) crc);
  g_byte_array_append (png, field, 4);
}

/* A PNG whose IHDR declares @width x @height (any: the caller's to make a
 * bomb of), with @idat_length bytes of image data (0: no IDAT chunk). */
GBytes *
picture_files_png_bytes (guint32 width, guint32 height, gsize idat_length)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = { 0 };
  g_autofree guint8 *idat = g_malloc0 (MAX (idat_length, 2));
  GByteArray *png = g_byte_array_new ();

  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8;    /* depth */
  ihdr[9] = 2;    /* RGB */
  idat[0] = 0x78;
  g_byte_array_append (png, signature, sizeof signature);
  append_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  if (idat_length > 0)
    append_png_chunk (png, "IDAT", idat, (guint32) idat_length);
  append_png_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (png);
}

/* Headers that the server's reader takes whole: its decoder would get as
 * far as the pixels, which are not there. */
void
picture_files_write_png (const char *folder, const char *relative, guint width, guint height)
{
  g_autoptr(GBytes) png = picture_files_png_bytes (width, height, 16);

  write_bytes (folder, relative, g_bytes_get_data (png, NULL), g_bytes_get_size (png));
}

void
picture_files_write_jpeg (const char *folder, const char *relative, guint width, guint height)
{
  guint8 jpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    0xff, 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3,
    1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0,
    0xff, 0xd9,
  };

  write_bytes (folder, relative, jpeg, sizeof jpeg);
}

void
picture_files_write_gif (const char *folder, const char *relative, guint width, guint height)
{
  guint8 gif[] = {
    'G', 'I', 'F', '8', '9', 'a', width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0,
    0x2c, 0, 0, 0, 0, width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 2, 0, ';',
  };

  write_bytes (folder, relative, gif, sizeof gif);
}

void
picture_files_write_webp (const char *folder, const char *relative, guint width, guint height)
{
  guint32 bits = (width - 1) | (height - 1) << 14;
  guint8 webp[26] = { 'R', 'I', 'F', 'F', 18, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 6, 0, 0, 0, 0x2f,
                      bits & 0xff, bits >> 8, bits >> 16, bits >> 24, 0 };

  write_bytes (folder, relative, webp, sizeof webp);
}
