/* SPDX-License-Identifier: MIT */
/* See picture-files.h. Written through a temporary name and a rename, as
 * an upload is, so a folder watch sees each file once, complete. */
#include "picture-files.h"
#include "attack-pictures.h"
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

/* Headers that the server's reader takes whole: its decoder would get as
 * far as the pixels, which are not there. */
void
picture_files_write_png (const char *folder, const char *relative, guint width, guint height)
{
  g_autoptr(GBytes) png = attack_png_declaring (width, height, 16);

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
