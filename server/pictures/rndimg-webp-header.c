/* SPDX-License-Identifier: MIT */
/* A WebP's canvas as libwebp's demuxer (which libvips uses) reads it: a
 * whole RIFF, then a lossy (VP8), lossless (VP8L) or extended (VP8X)
 * picture. An extended still picture's bitstream must be its canvas'
 * size; an animation's frames must lie within its canvas (libvips decodes
 * each frame onto a whole canvas). Sides at most 16,383, as libvips and
 * libwebp take them. An EXIF chunk announced in VP8X's flags gives the
 * orientation. */
#include "rndimg-header-reader.h"

#include <string.h>

#define RIFF_HEADER 12
#define CHUNK_HEADER 8
#define VP8X_SIZE 10
#define WEBP_MAX_SIDE 16383u
#define ANIMATION_FLAG 0x02
#define EXIF_FLAG 0x08
#define ANMF_HEADER 16
/* Frames and metadata: no WebP worth serving has more. */
#define MAX_CHUNKS 65536

typedef struct {
  char fourcc[5];
  guint32 size;
  guint64 offset;               /* of the chunk's header */
  guint64 next;                 /* after its (even-padded) payload */
} Chunk;

static gboolean
chunk_at (RndimgHeaderReader *reader, guint64 offset, guint64 end, Chunk *chunk, GError **error)
{
  guint8 head[CHUNK_HEADER];

  if (offset + CHUNK_HEADER > end || !rndimg_header_reader_read (reader, offset, head, sizeof head))
    return rndimg_header_invalid (error, "it ends inside a chunk's header");
  memcpy (chunk->fourcc, head, 4);
  chunk->fourcc[4] = '\0';
  chunk->size = rndimg_le32 (head + 4);
  chunk->offset = offset;
  chunk->next = offset + CHUNK_HEADER + chunk->size + (chunk->size & 1);
  if (chunk->next > end)
    return rndimg_header_invalid (error, "its %s chunk runs past the end of its RIFF", chunk->fourcc);
  return TRUE;
}

/* VP8GetInfo's checks: a key frame that is shown, a known profile, a
 * first partition within the chunk, the start code, sides over 0. */
static gboolean
vp8_size (RndimgHeaderReader *reader, const Chunk *chunk, guint *width, guint *height, GError **error)
{
  guint8 frame[10];
  guint32 bits;

  if (chunk->size < sizeof frame || !rndimg_header_reader_read (reader, chunk->offset + CHUNK_HEADER, frame, 10))
    return rndimg_header_invalid (error, "its VP8 chunk is cut short");
  if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a)
    return rndimg_header_invalid (error, "its VP8 chunk has no start code");
  *width = rndimg_le16 (frame + 6) & 0x3fff;
  *height = rndimg_le16 (frame + 8) & 0x3fff;
  bits = rndimg_le24 (frame);
  if ((bits & 1) != 0 || ((bits >> 1) & 7) > 3 || ((bits >> 4) & 1) == 0 || (bits >> 5) >= chunk->size)
    return rndimg_header_invalid (error, "its VP8 chunk is not one shown key frame");
  if (*width == 0 || *height == 0)
    return rndimg_header_invalid (error, "its VP8 chunk declares %ux%u", *width, *height);
  return TRUE;
}

/* VP8LCheckSignature and VP8LGetInfo. */
static gboolean
vp8l_size (RndimgHeaderReader *reader, const Chunk *chunk, guint *width, guint *height, GError **error)
{
  guint8 head[5];
  guint32 bits;

  if (chunk->size < sizeof head || !rndimg_header_reader_read (reader, chunk->offset + CHUNK_HEADER, head, 5))
    return rndimg_header_invalid (error, "its VP8L chunk is cut short");
  bits = rndimg_le32 (head + 1);
  *width = (bits & 0x3fff) + 1;
  *height = ((bits >> 14) & 0x3fff) + 1;
  if (head[0] != 0x2f || (bits >> 29) != 0)
    return rndimg_header_invalid (error, "its VP8L chunk has no lossless signature");
  if (*width > WEBP_MAX_SIDE || *height > WEBP_MAX_SIDE)
    return rndimg_header_invalid (error, "it is %ux%u, over WebP's %u pixels a side", *width, *height, WEBP_MAX_SIDE);
  return TRUE;
}

/* The bitstream's size, from a VP8 or VP8L chunk, after an ALPH one. */
static gboolean
bitstream_size (RndimgHeaderReader *reader, guint64 offset, guint64 end, guint *width, guint *height,
                GError **error)
{
  Chunk chunk;

  if (!chunk_at (reader, offset, end, &chunk, error))
    return FALSE;
  if (strcmp (chunk.fourcc, "ALPH") == 0 && !chunk_at (reader, chunk.next, end, &chunk, error))
    return FALSE;
  if (strcmp (chunk.fourcc, "VP8 ") == 0)
    return vp8_size (reader, &chunk, width, height, error);
  if (strcmp (chunk.fourcc, "VP8L") == 0)
    return vp8l_size (reader, &chunk, width, height, error);
  return rndimg_header_invalid (error, "it has a %s chunk where its bitstream should be", chunk.fourcc);
}

typedef struct {
  guint flags;
  guint frames;
  gboolean still_seen;
} Extended;

/* An animation frame: within the canvas, its bitstream its own size. */
static gboolean
check_frame (RndimgHeaderReader *reader, const Chunk *chunk, const RndimgHeaderFound *found, GError **error)
{
  guint8 head[ANMF_HEADER];
  guint64 x, y, width, height;
  guint stream_width, stream_height;

  if (chunk->size < ANMF_HEADER || !rndimg_header_reader_read (reader, chunk->offset + CHUNK_HEADER, head, 16))
    return rndimg_header_invalid (error, "its ANMF chunk is cut short");
  x = 2 * (guint64) rndimg_le24 (head);
  y = 2 * (guint64) rndimg_le24 (head + 3);
  width = 1 + (guint64) rndimg_le24 (head + 6);
  height = 1 + (guint64) rndimg_le24 (head + 9);
  if (x + width > found->width || y + height > found->height)
    return rndimg_header_invalid (error, "a frame of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT " at %"
                                  G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT " lies outside its %ux%u canvas",
                                  width, height, x, y, found->width, found->height);
  if (!bitstream_size (reader, chunk->offset + CHUNK_HEADER + ANMF_HEADER, chunk->offset + CHUNK_HEADER + chunk->size,
                       &stream_width, &stream_height, error))
    return FALSE;
  if (stream_width != width || stream_height != height)
    return rndimg_header_invalid (error, "a frame declared %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
                                  " holds a %ux%u bitstream", width, height, stream_width, stream_height);
  return TRUE;
}

/* A still picture's bitstream: the canvas' size. */
static gboolean
check_still (RndimgHeaderReader *reader, const Chunk *chunk, guint64 end, const RndimgHeaderFound *found,
             GError **error)
{
  guint width, height;

  if (!bitstream_size (reader, chunk->offset, end, &width, &height, error))
    return FALSE;
  if (width != found->width || height != found->height)
    return rndimg_header_invalid (error, "its %ux%u bitstream does not fill its %ux%u canvas", width, height,
                                  found->width, found->height);
  return TRUE;
}

static gboolean
read_extended_chunk (RndimgHeaderReader *reader, const Chunk *chunk, guint64 end, Extended *extended,
                     RndimgHeaderFound *found, GError **error)
{
  gboolean animated = (extended->flags & ANIMATION_FLAG) != 0;

  if (strcmp (chunk->fourcc, "ANMF") == 0 && animated)
    {
      extended->frames++;
      return check_frame (reader, chunk, found, error);
    }
  if ((strcmp (chunk->fourcc, "VP8 ") == 0 || strcmp (chunk->fourcc, "VP8L") == 0 ||
       strcmp (chunk->fourcc, "ALPH") == 0) && !animated && !extended->still_seen)
    {
      extended->still_seen = TRUE;
      return check_still (reader, chunk, end, found, error);
    }
  if (strcmp (chunk->fourcc, "EXIF") == 0 && (extended->flags & EXIF_FLAG) != 0)
    found->orientation = rndimg_header_exif_orientation (reader, chunk->offset + CHUNK_HEADER, chunk->size);
  return TRUE;
}

/* VP8X: the canvas, then every chunk after it. */
static gboolean
read_extended (RndimgHeaderReader *reader, const Chunk *vp8x, guint64 end, RndimgHeaderFound *found, GError **error)
{
  guint8 head[VP8X_SIZE];
  Extended extended = { 0 };
  guint64 offset = vp8x->next;

  if (vp8x->size != VP8X_SIZE || !rndimg_header_reader_read (reader, vp8x->offset + CHUNK_HEADER, head, VP8X_SIZE))
    return rndimg_header_invalid (error, "its VP8X chunk is not 10 bytes");
  extended.flags = head[0];
  found->width = rndimg_le24 (head + 4) + 1;
  found->height = rndimg_le24 (head + 7) + 1;
  if (found->width > WEBP_MAX_SIDE || found->height > WEBP_MAX_SIDE)
    return rndimg_header_invalid (error, "its canvas is %ux%u, over WebP's %u pixels a side", found->width,
                                  found->height, WEBP_MAX_SIDE);
  for (guint i = 0; offset < end; i++)
    {
      Chunk chunk;

      if (i == MAX_CHUNKS)
        return rndimg_header_invalid (error, "it has more than %d chunks", MAX_CHUNKS);
      if (!chunk_at (reader, offset, end, &chunk, error) ||
          !read_extended_chunk (reader, &chunk, end, &extended, found, error))
        return FALSE;
      offset = chunk.next;
    }
  if ((extended.flags & ANIMATION_FLAG) != 0 ? extended.frames == 0 : !extended.still_seen)
    return rndimg_header_invalid (error, "it has no image data");
  return TRUE;
}

gboolean
rndimg_header_read_webp (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error)
{
  guint8 riff[RIFF_HEADER];
  guint64 end;
  Chunk first;

  if (!rndimg_header_reader_read (reader, 0, riff, sizeof riff))
    return rndimg_header_invalid (error, "it ends inside its RIFF header");
  end = CHUNK_HEADER + (guint64) rndimg_le32 (riff + 4);
  if (end < RIFF_HEADER + CHUNK_HEADER)
    return rndimg_header_invalid (error, "its RIFF is too small to hold a picture");
  if (end > reader->length)
    return rndimg_header_invalid (error, "it is cut short: its RIFF says %" G_GUINT64_FORMAT " bytes, the file has %"
                                  G_GUINT64_FORMAT, end, reader->length);
  if (!chunk_at (reader, RIFF_HEADER, end, &first, error))
    return FALSE;
  if (strcmp (first.fourcc, "VP8X") == 0)
    return read_extended (reader, &first, end, found, error);
  if (strcmp (first.fourcc, "VP8 ") == 0)
    return vp8_size (reader, &first, &found->width, &found->height, error);
  if (strcmp (first.fourcc, "VP8L") == 0)
    return vp8l_size (reader, &first, &found->width, &found->height, error);
  return rndimg_header_invalid (error, "it starts with a %s chunk, not VP8, VP8L or VP8X", first.fourcc);
}
