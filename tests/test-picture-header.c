/* SPDX-License-Identifier: MIT */
/* The one judgement of a picture's size (server/pictures/), run directly:
 * every hostile file of attack-pictures.c judged from bytes and from a
 * descriptor alike, and without a limit as the catalogue judges; the
 * orientation of any 32-bit size; and libvips as the server sets it up,
 * with every loader but the four formats' out of reach. */
#include "attack-pictures.h"
#include "rndimg-picture-header.h"
#include "rndimg-picture.h"
#include "rndimg-vips.h"

#include <glib/gstdio.h>
#include <unistd.h>


static const char *
verdict_name (AttackVerdict verdict)
{
  return verdict == ATTACK_ACCEPTED ? "accepted" : verdict == ATTACK_TOO_LARGE ? "too large" : "invalid";
}

static AttackVerdict
verdict_of (gboolean judged, const GError *error)
{
  if (judged)
    return ATTACK_ACCEPTED;
  g_assert_nonnull (error);
  g_assert_true (error->domain == RNDIMG_PICTURE_HEADER_ERROR);
  g_assert_cmpint (error->code, !=, RNDIMG_PICTURE_HEADER_ERROR_NOT_AN_IMAGE);
  return error->code == RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE ? ATTACK_TOO_LARGE : ATTACK_INVALID;
}

static void
assert_verdict (const AttackPicture *picture, const char *how, AttackVerdict verdict, const RndimgPictureHeader *header)
{
  if (verdict != picture->verdict)
    g_error ("%s (%s): %s, expected %s", picture->name, how, verdict_name (verdict), verdict_name (picture->verdict));
  if (verdict != ATTACK_INVALID)
    {
      g_assert_cmpuint (header->width, ==, picture->width);
      g_assert_cmpuint (header->height, ==, picture->height);
      g_assert_cmpuint (header->pixels, ==, (guint64) picture->width * picture->height);
    }
}

/* A file holding @bytes, open for reading. */
static int
file_of (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("rndimg-header-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)), ==,
                   (gssize) g_bytes_get_size (bytes));
  g_unlink (path);
  return fd;
}

static void
test_attacks_judged (void)
{
  gsize count;
  const AttackPicture *pictures = attack_pictures (&count);

  for (gsize i = 0; i < count; i++)
    {
      const AttackPicture *picture = &pictures[i];
      g_autoptr(GBytes) bytes = picture->make ();
      g_autoptr(GError) from_bytes = NULL;
      g_autoptr(GError) from_file = NULL;
      RndimgPictureHeader header;
      gsize length;
      const guint8 *data = g_bytes_get_data (bytes, &length);
      int fd = file_of (bytes);
      gboolean judged;

      judged = rndimg_picture_header_judge_bytes (data, length, ATTACK_MAX_PIXELS, &header, &from_bytes);
      assert_verdict (picture, "bytes", verdict_of (judged, from_bytes), &header);
      judged = rndimg_picture_header_judge_fd (fd, ATTACK_MAX_PIXELS, &header, &from_file);
      assert_verdict (picture, "file", verdict_of (judged, from_file), &header);
      if (from_bytes != NULL)
        g_assert_cmpstr (from_file->message, ==, from_bytes->message);
      close (fd);
    }
}

/* The catalogue judges without a limit: a bomb whose header is sound is
 * listed with its size, one whose header is not gets none. */
static void
test_attacks_listed (void)
{
  gsize count;
  const AttackPicture *pictures = attack_pictures (&count);

  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(GBytes) bytes = pictures[i].make ();
      g_autoptr(GError) error = NULL;
      RndimgPictureHeader header;
      gsize length;
      const guint8 *data = g_bytes_get_data (bytes, &length);
      gboolean judged = rndimg_picture_header_judge_bytes (data, length, RNDIMG_PICTURE_HEADER_NO_LIMIT, &header,
                                                           &error);

      if (pictures[i].listed_width == 0)
        {
          if (judged)
            g_error ("%s: listed as %ux%u, expected no size", pictures[i].name, header.width, header.height);
          g_assert_error (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_INVALID);
          continue;
        }
      if (!judged)
        g_error ("%s: no size (%s), expected %ux%u", pictures[i].name, error->message, pictures[i].listed_width,
                 pictures[i].listed_height);
      g_assert_cmpuint (header.width, ==, pictures[i].listed_width);
      g_assert_cmpuint (header.height, ==, pictures[i].listed_height);
    }
}

/* Every prefix of every file: judged without reading past its end (ASan
 * would say), never accepted with a size the whole file does not have. */
static void
test_every_prefix (void)
{
  gsize count;
  const AttackPicture *pictures = attack_pictures (&count);

  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(GBytes) bytes = pictures[i].make ();
      gsize length;
      const guint8 *data = g_bytes_get_data (bytes, &length);

      for (gsize cut = 0; cut < MIN (length, 512); cut++)
        {
          g_autofree guint8 *prefix = g_memdup2 (data, cut);
          g_autoptr(GError) error = NULL;
          RndimgPictureHeader header;

          if (rndimg_picture_header_judge_bytes (prefix, cut, ATTACK_MAX_PIXELS, &header, &error))
            {
              g_assert_cmpint (pictures[i].verdict, ==, ATTACK_ACCEPTED);
              g_assert_cmpuint (header.width, ==, pictures[i].width);
            }
        }
    }
}

static void
test_not_an_image (void)
{
  static const guint8 text[] = "GIF8 is not enough";
  g_autoptr(GError) error = NULL;
  RndimgPictureHeader header;

  g_assert_false (rndimg_picture_header_judge_bytes (text, sizeof text, ATTACK_MAX_PIXELS, &header, &error));
  g_assert_error (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_NOT_AN_IMAGE);
  g_assert_null (header.content_type);
}

static const char *
orientation_name (RndimgOrientation orientation)
{
  return orientation == RNDIMG_ORIENTATION_ANY ? "any" : rndimg_orientation_to_string (orientation);
}

/* Square within 1 %, for every 32-bit size: 3000000000x2000000000 came
 * out square when the difference times 100 wrapped in 32 bits. */
static void
test_orientation_edges (void)
{
  static const struct { guint width, height; RndimgOrientation expected; } cases[] = {
    { 0, 0, RNDIMG_ORIENTATION_ANY },
    { 0, 1, RNDIMG_ORIENTATION_ANY },
    { 4294967295u, 0, RNDIMG_ORIENTATION_ANY },
    { 1, 1, RNDIMG_ORIENTATION_SQUARE },
    { 2, 1, RNDIMG_ORIENTATION_LANDSCAPE },
    { 1, 2, RNDIMG_ORIENTATION_PORTRAIT },
    { 100, 101, RNDIMG_ORIENTATION_SQUARE },
    { 100, 102, RNDIMG_ORIENTATION_PORTRAIT },
    { 2147483648u, 2147483648u, RNDIMG_ORIENTATION_SQUARE },
    { 2147483648u, 1, RNDIMG_ORIENTATION_LANDSCAPE },
    { 1, 2147483648u, RNDIMG_ORIENTATION_PORTRAIT },
    { 4294967295u, 4294967295u, RNDIMG_ORIENTATION_SQUARE },
    { 4294967295u, 1, RNDIMG_ORIENTATION_LANDSCAPE },
    { 1, 4294967295u, RNDIMG_ORIENTATION_PORTRAIT },
    { 4294967295u, 2147483648u, RNDIMG_ORIENTATION_LANDSCAPE },
    { 2147483648u, 4294967295u, RNDIMG_ORIENTATION_PORTRAIT },
    { 3000000000u, 2000000000u, RNDIMG_ORIENTATION_LANDSCAPE },
    { 4294967295u, 4252017623u, RNDIMG_ORIENTATION_SQUARE },     /* 1 % off, just */
    { 4294967295u, 4252017622u, RNDIMG_ORIENTATION_LANDSCAPE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RndimgOrientation found = rndimg_orientation_for_size (cases[i].width, cases[i].height);

      if (found != cases[i].expected)
        g_error ("%ux%u: %s, expected %s", cases[i].width, cases[i].height, orientation_name (found),
                 orientation_name (cases[i].expected));
    }
}

/* Bytes that only a loader the server never uses would read. */
static GBytes *
saved (VipsImage *image, const char *suffix)
{
  void *buffer = NULL;
  size_t length = 0;

  if (vips_image_write_to_buffer (image, suffix, &buffer, &length, NULL) != 0)
    g_error ("libvips cannot write %s: %s", suffix, vips_error_buffer ());
  return g_bytes_new_take (buffer, length);
}

static gboolean
loads (GBytes *bytes)
{
  gsize length;
  const void *data = g_bytes_get_data (bytes, &length);
  g_autoptr(VipsImage) image = vips_image_new_from_buffer (data, length, "", NULL);

  vips_error_clear ();
  return image != NULL;
}

/* As the server sets libvips up: the four formats load, nothing else,
 * whatever the bytes (TIFF and HEIF/AVIF are loaders libvips trusts;
 * JPEG XL, SVG, PDF, PPM, FITS and ImageMagick's BMP are untrusted ones,
 * in Debian's modules or libvips itself). */
static void
test_only_four_loaders (void)
{
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
  static const char pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                            "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                            "3 0 obj<</Type/Page/MediaBox[0 0 10 10]/Parent 2 0 R>>endobj\n"
                            "trailer<</Root 1 0 R>>\n%%EOF\n";
  static const char ppm[] = "P3\n1 1\n255\n0 0 0\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) black = NULL;
  g_autoptr(GBytes) svg_bytes = g_bytes_new_static (svg, sizeof svg - 1);
  g_autoptr(GBytes) pdf_bytes = g_bytes_new_static (pdf, sizeof pdf - 1);
  g_autoptr(GBytes) ppm_bytes = g_bytes_new_static (ppm, sizeof ppm - 1);
  const char *used[] = { ".png", ".jpg", ".gif", ".webp" };
  const char *unused[] = { ".tif", ".avif", ".jxl", ".v", ".fits", ".bmp" };

  g_assert_true (rndimg_vips_start (&error));
  g_assert_no_error (error);
  g_assert_cmpint (vips_black (&black, 8, 8, "bands", 3, NULL), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (used); i++)
    {
      g_autoptr(GBytes) bytes = saved (black, used[i]);

      g_assert_true (loads (bytes));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (unused); i++)
    {
      void *buffer = NULL;
      size_t length = 0;
      g_autoptr(GBytes) bytes = NULL;

      /* Bytes no saver here writes (one blocked as untrusted, or a
       * format this libvips lacks) are tried no further. */
      if (vips_image_write_to_buffer (black, unused[i], &buffer, &length, NULL) != 0)
        {
          vips_error_clear ();
          continue;
        }
      bytes = g_bytes_new_take (buffer, length);
      if (loads (bytes))
        g_error ("libvips loads %s bytes", unused[i]);
    }
  g_assert_false (loads (svg_bytes));
  g_assert_false (loads (pdf_bytes));
  g_assert_false (loads (ppm_bytes));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/picture-header/attacks-judged", test_attacks_judged);
  g_test_add_func ("/picture-header/attacks-listed", test_attacks_listed);
  g_test_add_func ("/picture-header/every-prefix", test_every_prefix);
  g_test_add_func ("/picture-header/not-an-image", test_not_an_image);
  g_test_add_func ("/picture-header/orientation-edges", test_orientation_edges);
  g_test_add_func ("/picture-header/only-four-loaders", test_only_four_loaders);
  return g_test_run ();
}
