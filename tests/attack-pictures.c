/* SPDX-License-Identifier: MIT */
/* See attack-pictures.h. Every file is built here byte by byte, as an
 * attacker would write it: PNG chunks with their CRCs, JPEG markers, GIF
 * blocks, WebP's RIFF chunks. */
#include "attack-pictures.h"

#include <string.h>
#include <zlib.h>

/* ---- PNG ---- */

static void
put_be32 (guint8 *p, guint32 value)
{
  p[0] = value >> 24; p[1] = value >> 16; p[2] = value >> 8; p[3] = value;
}

static void
png_chunk (GByteArray *png, const char *type, const void *data, guint32 length)
{
  guint8 field[4];
  uLong crc = crc32 (crc32 (0L, (const Bytef *) type, 4), data, length);

  put_be32 (field, length);
  g_byte_array_append (png, field, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (length > 0)
    g_byte_array_append (png, data, length);
  put_be32 (field, (guint32) crc);
  g_byte_array_append (png, field, 4);
}

static void
ihdr_fields (guint8 ihdr[13], guint32 width, guint32 height, guint depth, guint colour)
{
  memset (ihdr, 0, 13);
  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = depth;
  ihdr[9] = colour;
}

/* The signature and an IHDR. */
static GByteArray *
png_start (guint32 width, guint32 height, guint depth, guint colour)
{
  GByteArray *png = g_byte_array_new ();
  guint8 ihdr[13];

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  ihdr_fields (ihdr, width, height, depth, colour);
  png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  return png;
}

/* Real pixels (all black), deflated, in one IDAT; then IEND. */
static GBytes *
png_finish (GByteArray *png, guint width, guint height, guint bytes_per_pixel)
{
  gsize row = 1 + (gsize) width * bytes_per_pixel;
  g_autofree guint8 *raw = g_malloc0 (row * height);
  uLongf deflated_length = compressBound (row * height);
  g_autofree guint8 *deflated = g_malloc (deflated_length);

  g_assert_cmpint (compress (deflated, &deflated_length, raw, row * height), ==, Z_OK);
  png_chunk (png, "IDAT", deflated, (guint32) deflated_length);
  png_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (png);
}

/* A PNG whose IHDR declares @width x @height (8-bit RGB), any size, with
 * @idat_length bytes of image data that are no pixels (0: no IDAT at all,
 * IEND where the pixels should be). */
GBytes *
attack_png_declaring (guint32 width, guint32 height, gsize idat_length)
{
  GByteArray *png = png_start (width, height, 8, 2);

  if (idat_length > 0)
    {
      g_autofree guint8 *idat = g_malloc0 (idat_length);

      idat[0] = 0x78;
      png_chunk (png, "IDAT", idat, (guint32) idat_length);
    }
  png_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (png);
}

static GBytes *
png_without_pixels (guint32 width, guint32 height)
{
  return attack_png_declaring (width, height, 0);
}

/* 8 + 25 + 12 = 45 bytes that declare 30000x30000. */
static GBytes *
png_bomb_45_bytes (void)
{
  return png_without_pixels (30000, 30000);
}

static GBytes *
png_bomb_wide (void)
{
  return png_without_pixels (3000000000u, 2000000000u);
}

static GBytes *
png_bomb_ffffffff (void)
{
  return png_without_pixels (0xffffffffu, 0xffffffffu);
}

static GBytes *
png_cut_in_ihdr (void)
{
  g_autoptr(GByteArray) png = png_start (10, 10, 8, 2);

  return g_bytes_new (png->data, 8 + 14);
}

static GBytes *
png_bad_ihdr_crc (void)
{
  GByteArray *png = png_start (10, 10, 8, 2);

  png->data[8 + 8 + 13] ^= 0xff;
  return png_finish (png, 10, 10, 3);
}

static GBytes *
png_two_ihdr (void)
{
  GByteArray *png = png_start (10, 10, 8, 2);
  guint8 ihdr[13];

  ihdr_fields (ihdr, 20, 20, 8, 2);
  png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  return png_finish (png, 10, 10, 3);
}

static GBytes *
png_iend_before_idat (void)
{
  return png_without_pixels (10, 10);
}

/* Over libvips' 10,000,000 pixels a side, under the pixel limit. */
static GBytes *
png_wider_than_libvips (void)
{
  return png_finish (png_start (10000001, 1, 8, 0), 10000001, 1, 1);
}

static GBytes *
png_indexed_without_palette (void)
{
  return png_finish (png_start (10, 10, 8, 3), 10, 10, 1);
}

static GBytes *
png_rgb_of_4_bits (void)
{
  return png_finish (png_start (10, 10, 4, 2), 10, 10, 2);
}

static GBytes *
png_unknown_critical_chunk (void)
{
  GByteArray *png = png_start (10, 10, 8, 2);

  png_chunk (png, "ZZZZ", "x", 1);
  return png_finish (png, 10, 10, 3);
}

/* An APNG whose animation control declares frames of 30000x30000: libpng
 * without APNG (Debian's) decodes the default image, IHDR's size. */
static GBytes *
png_apng_with_huge_frames (void)
{
  GByteArray *png = png_start (10, 10, 8, 2);
  guint8 actl[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
  guint8 fctl[26] = { 0 };

  put_be32 (fctl + 4, 30000);
  put_be32 (fctl + 8, 30000);
  png_chunk (png, "acTL", actl, sizeof actl);
  png_chunk (png, "fcTL", fctl, sizeof fctl);
  return png_finish (png, 10, 10, 3);
}

/* A TIFF block (big-endian) whose IFD0 holds Orientation = @orientation. */
static GByteArray *
exif_block (guint orientation, gboolean with_prefix)
{
  static const guint8 tiff[] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1 };
  guint8 value[8] = { 0, orientation, 0, 0, 0, 0, 0, 0 };
  GByteArray *exif = g_byte_array_new ();

  if (with_prefix)
    g_byte_array_append (exif, (const guint8 *) "Exif\0\0", 6);
  g_byte_array_append (exif, tiff, sizeof tiff);
  g_byte_array_append (exif, value, sizeof value);
  return exif;
}

/* 10x20, turned a quarter by its eXIf: shown 20x10. */
static GBytes *
png_exif_rotated (void)
{
  GByteArray *png = png_start (10, 20, 8, 2);
  g_autoptr(GByteArray) exif = exif_block (6, FALSE);

  png_chunk (png, "eXIf", exif->data, exif->len);
  return png_finish (png, 10, 20, 3);
}

static GBytes *
png_sixteen_bit_rgba (void)
{
  return png_finish (png_start (12, 10, 16, 6), 12, 10, 8);
}

/* ---- JPEG ---- */

static void
jpeg_segment (GByteArray *jpeg, guint marker, const guint8 *data, guint length)
{
  guint8 head[4] = { 0xff, marker, (length + 2) >> 8, (length + 2) & 0xff };

  g_byte_array_append (jpeg, head, 4);
  g_byte_array_append (jpeg, data, length);
}

static void
jpeg_frame (GByteArray *jpeg, guint marker, guint precision, guint width, guint height, guint components)
{
  guint8 frame[6 + 3 * 4] = { precision, height >> 8, height & 0xff, width >> 8, width & 0xff, components };

  for (guint i = 0; i < components; i++)
    {
      frame[6 + 3 * i] = i + 1;
      frame[7 + 3 * i] = 0x11;
    }
  jpeg_segment (jpeg, marker, frame, 6 + 3 * components);
}

/* SOI, a JFIF APP0, the frame, then a scan header and EOI: the header
 * libjpeg reads, with no entropy-coded data after it. */
static GBytes *
jpeg_with (guint marker, guint precision, guint width, guint height, guint components, GByteArray *app1,
           gboolean second_frame)
{
  static const guint8 jfif[] = { 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0 };
  guint8 scan[1 + 2 * 4 + 3] = { components };
  GByteArray *jpeg = g_byte_array_new ();

  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd8", 2);
  jpeg_segment (jpeg, 0xe0, jfif, sizeof jfif);
  if (app1 != NULL)
    jpeg_segment (jpeg, 0xe1, app1->data, app1->len);
  jpeg_frame (jpeg, marker, precision, width, height, components);
  if (second_frame)
    jpeg_frame (jpeg, marker, precision, width, height, components);
  for (guint i = 0; i < components; i++)
    scan[1 + 2 * i] = i + 1;
  scan[1 + 2 * components + 1] = 63;
  jpeg_segment (jpeg, 0xda, scan, 1 + 2 * components + 3);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd9", 2);
  return g_byte_array_free_to_bytes (jpeg);
}

static GBytes *
jpeg_bomb_progressive (void)
{
  return jpeg_with (0xc2, 8, 60000, 60000, 3, NULL, FALSE);
}

static GBytes *
jpeg_bomb_baseline (void)
{
  return jpeg_with (0xc0, 8, 10000, 10000, 3, NULL, FALSE);
}

static GBytes *
jpeg_two_frames (void)
{
  return jpeg_with (0xc0, 8, 100, 100, 3, NULL, TRUE);
}

static GBytes *
jpeg_twelve_bit (void)
{
  return jpeg_with (0xc1, 12, 100, 100, 3, NULL, FALSE);
}

static GBytes *
jpeg_lossless (void)
{
  return jpeg_with (0xc3, 8, 100, 100, 3, NULL, FALSE);
}

static GBytes *
jpeg_height_from_dnl (void)
{
  return jpeg_with (0xc0, 8, 100, 0, 3, NULL, FALSE);
}

static GBytes *
jpeg_wider_than_libjpeg (void)
{
  return jpeg_with (0xc0, 8, 65501, 10, 1, NULL, FALSE);
}

static GBytes *
jpeg_cut_before_scan (void)
{
  g_autoptr(GBytes) whole = jpeg_with (0xc0, 8, 100, 100, 3, NULL, FALSE);

  /* SOI, APP0 (18), SOF (2 + 2 + 6 + 9): the scan header cut off. */
  return g_bytes_new_from_bytes (whole, 0, 2 + 18 + 19);
}

static GBytes *
jpeg_exif_rotated (void)
{
  g_autoptr(GByteArray) exif = exif_block (6, TRUE);

  return jpeg_with (0xc0, 8, 300, 100, 3, exif, FALSE);
}

static GBytes *
jpeg_cmyk (void)
{
  return jpeg_with (0xc2, 8, 100, 50, 4, NULL, FALSE);
}

/* ---- GIF ---- */

/* A screen, then frames (x, y, width, height each), each one pixel of
 * LZW data (the smallest GIF's). */
static GBytes *
gif_with (guint screen_width, guint screen_height, const guint *frames, guint count)
{
  guint8 screen[13] = { 'G', 'I', 'F', '8', '9', 'a', screen_width & 0xff, screen_width >> 8,
                        screen_height & 0xff, screen_height >> 8, 0x80, 0, 0 };
  static const guint8 palette[6] = { 0, 0, 0, 0xff, 0xff, 0xff };
  static const guint8 data[5] = { 2, 2, 0x44, 0x01, 0 };
  GByteArray *gif = g_byte_array_new ();

  g_byte_array_append (gif, screen, sizeof screen);
  g_byte_array_append (gif, palette, sizeof palette);
  for (guint i = 0; i < count; i++)
    {
      const guint *f = frames + 4 * i;
      guint8 descriptor[10] = { 0x2c, f[0] & 0xff, f[0] >> 8, f[1] & 0xff, f[1] >> 8,
                                f[2] & 0xff, f[2] >> 8, f[3] & 0xff, f[3] >> 8, 0 };

      g_byte_array_append (gif, descriptor, sizeof descriptor);
      g_byte_array_append (gif, data, sizeof data);
    }
  g_byte_array_append (gif, (const guint8 *) ";", 1);
  return g_byte_array_free_to_bytes (gif);
}

static GBytes *
gif_bomb_screen (void)
{
  static const guint frame[] = { 0, 0, 1, 1 };

  return gif_with (65535, 65535, frame, 1);
}

static GBytes *
gif_bomb_first_frame (void)
{
  static const guint frame[] = { 0, 0, 65535, 65535 };

  return gif_with (1, 1, frame, 1);
}

static GBytes *
gif_without_frame (void)
{
  return gif_with (10, 10, NULL, 0);
}

static GBytes *
gif_one_pixel (void)
{
  static const guint frame[] = { 0, 0, 1, 1 };

  return gif_with (1, 1, frame, 1);
}

/* Later frames are clipped to the canvas: only the first grows it. */
static GBytes *
gif_later_frame_huge (void)
{
  static const guint frames[] = { 0, 0, 1, 1, 0, 0, 65535, 65535 };

  return gif_with (1, 1, frames, 2);
}

/* ---- WebP ---- */

static void
put_le24 (guint8 *p, guint32 value)
{
  p[0] = value; p[1] = value >> 8; p[2] = value >> 16;
}

static void
webp_chunk (GByteArray *chunks, const char *fourcc, const guint8 *data, guint32 length)
{
  guint8 size[4] = { length, length >> 8, length >> 16, length >> 24 };

  g_byte_array_append (chunks, (const guint8 *) fourcc, 4);
  g_byte_array_append (chunks, size, 4);
  g_byte_array_append (chunks, data, length);
  if (length & 1)
    g_byte_array_append (chunks, (const guint8 *) "", 1);
}

/* "RIFF" size "WEBP" @chunks; @claimed_extra bytes more said than sent. */
static GBytes *
webp_riff (GByteArray *chunks, guint32 claimed_extra)
{
  guint32 size = 4 + chunks->len + claimed_extra;
  guint8 head[12] = { 'R', 'I', 'F', 'F', size, size >> 8, size >> 16, size >> 24, 'W', 'E', 'B', 'P' };
  GByteArray *webp = g_byte_array_new ();

  g_byte_array_append (webp, head, sizeof head);
  g_byte_array_append (webp, chunks->data, chunks->len);
  g_byte_array_unref (chunks);
  return g_byte_array_free_to_bytes (webp);
}

static void
vp8l_chunk (GByteArray *chunks, guint width, guint height)
{
  guint32 bits = ((width - 1) & 0x3fff) | ((height - 1) & 0x3fff) << 14;
  guint8 head[6] = { 0x2f, bits, bits >> 8, bits >> 16, bits >> 24, 0 };

  webp_chunk (chunks, "VP8L", head, sizeof head);
}

static void
vp8x_chunk (GByteArray *chunks, guint flags, guint32 width, guint32 height)
{
  guint8 vp8x[10] = { flags };

  put_le24 (vp8x + 4, width - 1);
  put_le24 (vp8x + 7, height - 1);
  webp_chunk (chunks, "VP8X", vp8x, sizeof vp8x);
}

static GBytes *
webp_bomb_vp8l (void)
{
  GByteArray *chunks = g_byte_array_new ();

  vp8l_chunk (chunks, 16384, 16384);
  return webp_riff (chunks, 0);
}

static GBytes *
webp_bomb_vp8x (void)
{
  GByteArray *chunks = g_byte_array_new ();

  vp8x_chunk (chunks, 0, 1u << 24, 1u << 24);
  return webp_riff (chunks, 0);
}

static GBytes *
webp_canvas_not_filled (void)
{
  GByteArray *chunks = g_byte_array_new ();

  vp8x_chunk (chunks, 0, 100, 100);
  vp8l_chunk (chunks, 16, 8);
  return webp_riff (chunks, 0);
}

static GBytes *
webp_cut_short (void)
{
  GByteArray *chunks = g_byte_array_new ();

  vp8l_chunk (chunks, 16, 8);
  return webp_riff (chunks, 1000);
}

/* An animation frame of @width x @height at (@x, @y) (even offsets). */
static void
anmf_chunk (GByteArray *chunks, guint x, guint y, guint width, guint height)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 head[16] = { 0 };

  put_le24 (head, x / 2);
  put_le24 (head + 3, y / 2);
  put_le24 (head + 6, width - 1);
  put_le24 (head + 9, height - 1);
  g_byte_array_append (frame, head, sizeof head);
  vp8l_chunk (frame, width, height);
  webp_chunk (chunks, "ANMF", frame->data, frame->len);
}

static GBytes *
webp_animation (guint canvas_width, guint canvas_height, guint x, guint frame_width, guint frame_height)
{
  static const guint8 anim[6] = { 0 };
  GByteArray *chunks = g_byte_array_new ();

  vp8x_chunk (chunks, 0x02, canvas_width, canvas_height);
  webp_chunk (chunks, "ANIM", anim, sizeof anim);
  anmf_chunk (chunks, x, 0, frame_width, frame_height);
  return webp_riff (chunks, 0);
}

static GBytes *
webp_frame_outside_canvas (void)
{
  return webp_animation (16, 8, 2, 16, 8);
}

/* A one-pixel animation on a 16000x16000 canvas: libvips decodes every
 * frame onto the whole canvas. */
static GBytes *
webp_bomb_animation_canvas (void)
{
  return webp_animation (16000, 16000, 0, 1, 1);
}

static GBytes *
webp_lossless (void)
{
  GByteArray *chunks = g_byte_array_new ();

  vp8l_chunk (chunks, 16, 8);
  return webp_riff (chunks, 0);
}

/* 16x8, turned by its EXIF chunk (orientation 8): shown 8x16. */
static GBytes *
webp_exif_rotated (void)
{
  GByteArray *chunks = g_byte_array_new ();
  g_autoptr(GByteArray) exif = exif_block (8, FALSE);

  vp8x_chunk (chunks, 0x08, 16, 8);
  vp8l_chunk (chunks, 16, 8);
  webp_chunk (chunks, "EXIF", exif->data, exif->len);
  return webp_riff (chunks, 0);
}

/* ---- the list ---- */

#define ACCEPTED(name, make, w, h, renders) { name, make, ATTACK_ACCEPTED, w, h, w, h, renders }
#define TOO_LARGE(name, make, w, h, listed_w, listed_h) \
  { name, make, ATTACK_TOO_LARGE, w, h, listed_w, listed_h, FALSE }
#define INVALID(name, make) { name, make, ATTACK_INVALID, 0, 0, 0, 0, FALSE }

static const AttackPicture pictures[] = {
  TOO_LARGE ("bomb-45-bytes.png", png_bomb_45_bytes, 30000, 30000, 0, 0),
  TOO_LARGE ("bomb-3000000000x2000000000.png", png_bomb_wide, 3000000000u, 2000000000u, 0, 0),
  TOO_LARGE ("bomb-ffffffff.png", png_bomb_ffffffff, 0xffffffffu, 0xffffffffu, 0, 0),
  INVALID ("cut-in-ihdr.png", png_cut_in_ihdr),
  INVALID ("bad-ihdr-crc.png", png_bad_ihdr_crc),
  INVALID ("two-ihdr.png", png_two_ihdr),
  INVALID ("iend-before-idat.png", png_iend_before_idat),
  INVALID ("wider-than-libvips.png", png_wider_than_libvips),
  INVALID ("indexed-without-palette.png", png_indexed_without_palette),
  INVALID ("rgb-of-4-bits.png", png_rgb_of_4_bits),
  INVALID ("unknown-critical-chunk.png", png_unknown_critical_chunk),
  ACCEPTED ("apng-huge-frames.png", png_apng_with_huge_frames, 10, 10, TRUE),
  ACCEPTED ("exif-rotated.png", png_exif_rotated, 20, 10, TRUE),
  ACCEPTED ("sixteen-bit-rgba.png", png_sixteen_bit_rgba, 12, 10, TRUE),
  TOO_LARGE ("bomb-progressive.jpg", jpeg_bomb_progressive, 60000, 60000, 60000, 60000),
  TOO_LARGE ("bomb-baseline.jpg", jpeg_bomb_baseline, 10000, 10000, 10000, 10000),
  INVALID ("two-frames.jpg", jpeg_two_frames),
  INVALID ("twelve-bit.jpg", jpeg_twelve_bit),
  INVALID ("lossless.jpg", jpeg_lossless),
  INVALID ("height-from-dnl.jpg", jpeg_height_from_dnl),
  INVALID ("wider-than-libjpeg.jpg", jpeg_wider_than_libjpeg),
  INVALID ("cut-before-scan.jpg", jpeg_cut_before_scan),
  ACCEPTED ("exif-rotated.jpg", jpeg_exif_rotated, 100, 300, FALSE),
  ACCEPTED ("cmyk-progressive.jpg", jpeg_cmyk, 100, 50, FALSE),
  TOO_LARGE ("bomb-screen.gif", gif_bomb_screen, 65535, 65535, 65535, 65535),
  TOO_LARGE ("bomb-first-frame.gif", gif_bomb_first_frame, 65535, 65535, 65535, 65535),
  INVALID ("without-frame.gif", gif_without_frame),
  ACCEPTED ("one-pixel.gif", gif_one_pixel, 1, 1, TRUE),
  ACCEPTED ("later-frame-huge.gif", gif_later_frame_huge, 1, 1, TRUE),
  TOO_LARGE ("bomb-vp8l.webp", webp_bomb_vp8l, 16384, 16384, 0, 0),
  TOO_LARGE ("bomb-vp8x.webp", webp_bomb_vp8x, 1u << 24, 1u << 24, 0, 0),
  TOO_LARGE ("bomb-animation-canvas.webp", webp_bomb_animation_canvas, 16000, 16000, 16000, 16000),
  INVALID ("canvas-not-filled.webp", webp_canvas_not_filled),
  INVALID ("cut-short.webp", webp_cut_short),
  INVALID ("frame-outside-canvas.webp", webp_frame_outside_canvas),
  ACCEPTED ("lossless.webp", webp_lossless, 16, 8, FALSE),
  ACCEPTED ("exif-rotated.webp", webp_exif_rotated, 8, 16, FALSE),
};

const AttackPicture *
attack_pictures (gsize *count)
{
  *count = G_N_ELEMENTS (pictures);
  return pictures;
}
