/* SPDX-License-Identifier: MIT */
/* libFuzzer: the one judgement of a picture's size (uploads, the folder,
 * renders, placeholders). The same verdict from bytes and from a file; a
 * size within the limit under the limit and without one; and never a
 * canvas smaller than the one libvips (set up as the server sets it up)
 * reads from the same bytes, which is what makes the judgement a bound on
 * what a decode allocates. A PNG's chunk CRCs are put right first, so
 * that the fuzzer gets past them. */
#include "rndimg-picture-header.h"
#include "rndimg-vips.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_PIXELS 50000000

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* libvips' warnings of broken files: expected here, by the million. */
static void
quiet (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  g_log_set_handler ("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, quiet, NULL);
  g_assert_true (rndimg_vips_start (&error));
  return 0;
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Every whole chunk's CRC made right. */
static void
fix_png_crcs (guint8 *png, gsize size)
{
  gsize offset = 8;

  if (size < 8 || memcmp (png, "\x89PNG\r\n\x1a\n", 8) != 0)
    return;
  while (offset + 12 <= size)
    {
      guint32 length = be32 (png + offset);
      uLong crc;

      if (length > size - offset - 12)
        return;
      crc = crc32 (0L, png + offset + 4, length + 4);
      png[offset + 8 + length] = crc >> 24;
      png[offset + 9 + length] = crc >> 16;
      png[offset + 10 + length] = crc >> 8;
      png[offset + 11 + length] = crc;
      offset += 12 + (gsize) length;
    }
}

static int
judged_as_file (const guint8 *data, gsize size, RndimgPictureHeader *header, GError **error)
{
  int fd = memfd_create ("fuzz-picture-header", MFD_CLOEXEC);
  gboolean judged;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, size), ==, (ssize_t) size);
  judged = rndimg_picture_header_judge_fd (fd, MAX_PIXELS, header, error);
  close (fd);
  return judged;
}

static void
check_bound_on_libvips (const guint8 *data, gsize size, const RndimgPictureHeader *header)
{
  VipsImage *image = vips_image_new_from_buffer (data, size, "", NULL);

  vips_error_clear ();
  if (image == NULL)
    return;
  g_assert_cmpuint ((guint64) vips_image_get_width (image) * (guint64) vips_image_get_page_height (image), <=,
                    header->pixels);
  g_object_unref (image);
}

int
LLVMFuzzerTestOneInput (const uint8_t *input, size_t size)
{
  g_autofree guint8 *data = g_memdup2 (input, size);
  g_autoptr(GError) limited = NULL;
  g_autoptr(GError) as_file = NULL;
  g_autoptr(GError) unlimited = NULL;
  RndimgPictureHeader header, file_header, any_header;
  gboolean judged, judged_file, judged_unlimited;

  fix_png_crcs (data, size);
  judged = rndimg_picture_header_judge_bytes (data, size, MAX_PIXELS, &header, &limited);
  judged_file = judged_as_file (data, size, &file_header, &as_file);
  judged_unlimited = rndimg_picture_header_judge_bytes (data, size, RNDIMG_PICTURE_HEADER_NO_LIMIT, &any_header,
                                                        &unlimited);
  g_assert_cmpint (judged, ==, judged_file);
  g_assert_true (memcmp (&header, &file_header, sizeof header) == 0);
  g_assert_cmpstr (limited != NULL ? limited->message : NULL, ==, as_file != NULL ? as_file->message : NULL);
  if (!judged)
    {
      g_assert_true (limited->domain == RNDIMG_PICTURE_HEADER_ERROR);
      if (limited->code == RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE)
        g_assert_cmpuint (header.pixels, >, MAX_PIXELS);
      return 0;
    }
  g_assert_nonnull (header.content_type);
  g_assert_cmpuint (header.width, >=, 1);
  g_assert_cmpuint (header.height, >=, 1);
  g_assert_cmpuint (header.pixels, ==, (guint64) header.width * header.height);
  g_assert_cmpuint (header.pixels, <=, MAX_PIXELS);
  g_assert_true (judged_unlimited);
  g_assert_true (memcmp (&header, &any_header, sizeof header) == 0);
  check_bound_on_libvips (data, size, &header);
  return 0;
}
