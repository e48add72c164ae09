/* SPDX-License-Identifier: MIT */
/* See picture-files.h. Written through a temporary name and a rename, as
 * an upload is, so a folder watch sees each file once, complete. */
#include "picture-files.h"
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

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

void
picture_files_write_png (const char *folder, const char *relative, guint width, guint height)
{
  guint8 png[45] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };

  put_be32 (png + 16, width);
  put_be32 (png + 20, height);
  png[24] = 8;    /* depth */
  png[25] = 2;    /* RGB */
  memcpy (png + 33, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
  write_bytes (folder, relative, png, sizeof png);
}

void
picture_files_write_jpeg (const char *folder, const char *relative, guint width, guint height)
{
  guint8 jpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    0xff, 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3,
    1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9,
  };

  write_bytes (folder, relative, jpeg, sizeof jpeg);
}

void
picture_files_write_gif (const char *folder, const char *relative, guint width, guint height)
{
  guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a', width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0, ';' };

  write_bytes (folder, relative, gif, sizeof gif);
}

void
picture_files_write_webp (const char *folder, const char *relative, guint width, guint height)
{
  guint8 webp[30] = { 'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0 };

  webp[24] = (width - 1) & 0xff; webp[25] = (width - 1) >> 8; webp[26] = (width - 1) >> 16;
  webp[27] = (height - 1) & 0xff; webp[28] = (height - 1) >> 8; webp[29] = (height - 1) >> 16;
  write_bytes (folder, relative, webp, sizeof webp);
}
