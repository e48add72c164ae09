/* SPDX-License-Identifier: MIT */
/* What a render holds in memory while it runs, estimated before it starts
 * from the picture's header (or, before its first render, the worst its
 * format allows at its size): what decoding holds (a baseline JPEG or a
 * plain PNG streams a few rows; a progressive JPEG keeps every DCT
 * coefficient of the whole picture whatever the scale it is decoded at;
 * an interlaced PNG, a GIF and a WebP are decoded whole), what the resize
 * and crop hold, and what the encoder holds (JPEG and PNG stream; WebP
 * and AVIF take the whole variant). Figures measured with libvips 8.14 on
 * Debian 12 (bench/README.md, "Render memory"); pure arithmetic here. */
#include "rndimg-render-memory.h"

#include <string.h>

/* A render thread's own: libvips' objects, region buffers and codecs' state. */
#define FIXED_BYTES (4u << 20)
/* Rows a streaming decode or resize holds at a time (tiles, MCU rows,
 * the reduce's taps, times two for libvips' buffers). */
#define STREAMED_ROWS 256

/* Before a picture's first render: the worst of its format (a JPEG may be
 * progressive and keep full chroma, a PNG may be interlaced in 16 bits). */
void
rndimg_source_facts_assume (RndimgSourceFacts *facts, const char *content_type, guint width, guint height)
{
  *facts = (RndimgSourceFacts) { .kind = RNDIMG_SOURCE_OTHER, .width = width, .height = height, .bands = 4,
                                 .sample_bytes = 2, .interlaced = TRUE, .chroma_full = TRUE };
  if (g_strcmp0 (content_type, "image/jpeg") == 0)
    {
      facts->kind = RNDIMG_SOURCE_JPEG;
      facts->bands = 3;
      facts->sample_bytes = 1;
    }
  else if (g_strcmp0 (content_type, "image/png") == 0)
    facts->kind = RNDIMG_SOURCE_PNG;
  else if (g_strcmp0 (content_type, "image/gif") == 0)
    facts->kind = RNDIMG_SOURCE_GIF;
  else if (g_strcmp0 (content_type, "image/webp") == 0)
    facts->kind = RNDIMG_SOURCE_WEBP;
}

/* libvips' thumbnail decodes a JPEG at 1/2, 1/4 or 1/8 when that leaves a
 * reduce of two or more. */
static guint
jpeg_shrink (const RndimgSourceFacts *facts, const RndimgRenderBox *box)
{
  double shrink = MIN ((double) facts->width / MAX (box->width, 1), (double) facts->height / MAX (box->height, 1));

  return shrink >= 16 ? 8 : shrink >= 8 ? 4 : shrink >= 4 ? 2 : 1;
}

static guint64
decode_bytes (const RndimgSourceFacts *facts, const RndimgRenderBox *box)
{
  guint64 pixels = (guint64) facts->width * facts->height;
  guint64 pixel_bytes = (guint64) facts->bands * MAX (facts->sample_bytes, 1);
  guint shrink;

  switch (facts->kind)
    {
    case RNDIMG_SOURCE_JPEG:
      shrink = jpeg_shrink (facts, box);
      /* Coefficients are 16 bits: 3 planes in full, or luma and two
       * quarter-size chroma planes; the rows stream out of them. */
      if (facts->interlaced)
        return pixels * (facts->bands == 1 ? 2 : facts->chroma_full ? 6 : 3);
      return (guint64) (facts->width / shrink + 1) * STREAMED_ROWS * facts->bands;
    case RNDIMG_SOURCE_PNG:
      if (facts->interlaced)
        return pixels * pixel_bytes;
      return (guint64) facts->width * STREAMED_ROWS * pixel_bytes;
    case RNDIMG_SOURCE_GIF:
      /* The frame, and the frame before it (for disposal), in RGBA. */
      return pixels * 4 * 2;
    case RNDIMG_SOURCE_WEBP:
      /* libwebp's planes, its RGB(A) picture and libvips' copy of it
       * (110 MiB measured for 4000x3000). */
      return pixels * 8;
    case RNDIMG_SOURCE_OTHER:
    default:
      return pixels * 4;
    }
}

/* The resized picture, streamed, or whole when it is rotated (EXIF) or
 * cropped around its interest; and the letterbox, gray and blur stream. */
static guint64
resize_bytes (const RndimgRenderBox *box, guint bands)
{
  guint64 streamed = (guint64) box->width * STREAMED_ROWS * bands * 2;

  return streamed + (guint64) box->width * box->height * bands;
}

static guint64
encode_bytes (const RndimgRenderBox *box, RndimgFormat format)
{
  guint64 pixels = (guint64) box->crop_width * box->crop_height;

  switch (format)
    {
    case RNDIMG_FORMAT_WEBP:
      /* The picture as ARGB, and libwebp's analysis and output. */
      return pixels * 12;
    case RNDIMG_FORMAT_AVIF:
      /* libheif's planes and libaom's frame buffers. */
      return pixels * 24;
    case RNDIMG_FORMAT_PNG:
      return pixels * 4;      /* the output buffer, as it grows */
    case RNDIMG_FORMAT_JPEG:
    case RNDIMG_FORMAT_AUTO:
    default:
      return pixels * 2;
    }
}

/* A render from the original (@making_masters: the picture's first,
 * which writes its masters too: they stream to their files). */
guint64
rndimg_render_memory_for_original (const RndimgSourceFacts *facts, const RndimgRenderBox *box, RndimgFormat format,
                                   gboolean making_masters)
{
  guint bands = MIN (MAX (facts->bands, 1), 4);
  guint64 decode = decode_bytes (facts, box);

  if (making_masters)
    {
      /* The largest master is made from the original at half its size at
       * most, or at its own: decoded as for a box of that size, and held
       * whole in memory to be turned (at most the picture's own size). */
      RndimgRenderBox master = { facts->width, facts->height, facts->width, facts->height, FALSE };

      decode = MAX (decode, decode_bytes (facts, &master)) + (guint64) facts->width * facts->height * bands;
    }
  return FIXED_BYTES + decode + resize_bytes (box, bands) + encode_bytes (box, format);
}

/* A render from a master (mapped: its pages are the file's, shared and
 * reclaimable, not the render's). */
guint64
rndimg_render_memory_for_master (const RndimgMasterSize *master, guint bands, const RndimgRenderBox *box,
                                 RndimgFormat format)
{
  bands = MIN (MAX (bands, 1), 4);
  return FIXED_BYTES + (guint64) master->width * STREAMED_ROWS * bands + resize_bytes (box, bands) +
         encode_bytes (box, format);
}
