/* SPDX-License-Identifier: MIT */
/* A PNG's header as libpng reads it before the pixels (png_read_info):
 * the IHDR chunk first, its checksum and fields, then the chunks up to the
 * first IDAT, refusing what libpng refuses there (a second IHDR, an IEND
 * before any image data, an unknown critical chunk, a bad PLTE) and
 * reading the orientation of an eXIf chunk (libvips turns the picture by
 * it). Sides as libvips takes them: at most 10,000,000 (libvips raises
 * libpng's own limit of 1,000,000 to that). APNG's chunks are ancillary:
 * Debian's libpng has no APNG support and decodes the default image. */
#include "rndimg-header-reader.h"

#include <string.h>
#include <zlib.h>

#define PNG_MAX_SIDE 2147483647u        /* the format's own limit */
#define DECODED_MAX_SIDE 10000000u      /* libvips' largest coordinate */
/* No PNG worth serving has more chunks before its image data. */
#define MAX_CHUNKS_BEFORE_IDAT 4096
#define IHDR_OFFSET 8
#define IHDR_LENGTH 13

typedef struct {
  guint32 length;
  char type[5];
  guint64 offset;               /* of the chunk's length field */
} Chunk;

static gboolean
chunk_at (RndimgHeaderReader *reader, guint64 offset, Chunk *chunk)
{
  guint8 head[8];

  if (!rndimg_header_reader_read (reader, offset, head, sizeof head))
    return FALSE;
  chunk->length = rndimg_be32 (head);
  memcpy (chunk->type, head + 4, 4);
  chunk->type[4] = '\0';
  chunk->offset = offset;
  return TRUE;
}

/* The CRC over the chunk's type and data, as libpng checks it. */
static gboolean
crc_matches (RndimgHeaderReader *reader, const Chunk *chunk)
{
  guint8 piece[1024];
  guint64 done = 0;
  uLong crc = crc32 (0L, (const Bytef *) chunk->type, 4);

  while (done < chunk->length)
    {
      gsize step = (gsize) MIN ((guint64) sizeof piece, chunk->length - done);

      if (!rndimg_header_reader_read (reader, chunk->offset + 8 + done, piece, step))
        return FALSE;
      crc = crc32 (crc, piece, (uInt) step);
      done += step;
    }
  return rndimg_header_reader_read (reader, chunk->offset + 8 + chunk->length, piece, 4) &&
         rndimg_be32 (piece) == (guint32) crc;
}

static gboolean
valid_depth (guint colour_type, guint depth)
{
  switch (colour_type)
    {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2: case 4: case 6: return depth == 8 || depth == 16;
    default: return FALSE;
    }
}

static gboolean
check_side (const char *side, guint32 value, GError **error)
{
  if (value == 0 || value > PNG_MAX_SIDE)
    return rndimg_header_invalid (error, "its IHDR declares a %s of %u, outside PNG's 1 to %u", side, value,
                                  PNG_MAX_SIDE);
  if (value > DECODED_MAX_SIDE)
    return rndimg_header_invalid (error, "its IHDR declares a %s of %u, over libvips' %u", side, value,
                                  DECODED_MAX_SIDE);
  return TRUE;
}

/* IHDR: declares the size (kept even when the rest is wrong), then its
 * checksum and fields are checked. */
static gboolean
read_ihdr (RndimgHeaderReader *reader, RndimgHeaderFound *found, guint *colour_type, GError **error)
{
  guint8 ihdr[IHDR_LENGTH];
  Chunk chunk;

  if (!chunk_at (reader, IHDR_OFFSET, &chunk) ||
      !rndimg_header_reader_read (reader, IHDR_OFFSET + 8, ihdr, sizeof ihdr))
    return rndimg_header_invalid (error, "it ends before its IHDR chunk");
  if (strcmp (chunk.type, "IHDR") != 0 || chunk.length != IHDR_LENGTH)
    return rndimg_header_invalid (error, "it does not start with a 13-byte IHDR chunk");
  found->width = rndimg_be32 (ihdr);
  found->height = rndimg_be32 (ihdr + 4);
  if (!crc_matches (reader, &chunk))
    return rndimg_header_invalid (error, "its IHDR chunk's checksum is wrong");
  if (!check_side ("width", found->width, error) || !check_side ("height", found->height, error))
    return FALSE;
  *colour_type = ihdr[9];
  if (!valid_depth (ihdr[9], ihdr[8]))
    return rndimg_header_invalid (error, "its IHDR declares colour type %u with %u bits, which PNG does not have",
                                  ihdr[9], ihdr[8]);
  if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
    return rndimg_header_invalid (error, "its IHDR declares an unknown compression, filter or interlace method");
  return TRUE;
}

static gboolean
type_is_letters (const char *type)
{
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_isalpha (type[i]))
      return FALSE;
  return TRUE;
}

/* libpng errors on a bad palette of an indexed picture; of others it
 * only warns. */
static gboolean
check_plte (RndimgHeaderReader *reader, const Chunk *chunk, guint colour_type, gboolean *seen, GError **error)
{
  if (*seen)
    return rndimg_header_invalid (error, "it has a second PLTE chunk");
  *seen = TRUE;
  if (colour_type == 3 && (chunk->length == 0 || chunk->length > 768 || chunk->length % 3 != 0))
    return rndimg_header_invalid (error, "its PLTE chunk holds %u bytes, not 3 to 768 in threes", chunk->length);
  if (!crc_matches (reader, chunk))
    return rndimg_header_invalid (error, "its PLTE chunk's checksum is wrong");
  return TRUE;
}

/* An eXIf chunk libpng keeps: a sound checksum and a TIFF byte order. */
static void
read_exif (RndimgHeaderReader *reader, const Chunk *chunk, RndimgHeaderFound *found)
{
  if (chunk->length >= 8 && crc_matches (reader, chunk))
    found->orientation = rndimg_header_exif_orientation (reader, chunk->offset + 8, chunk->length);
}

/* One chunk before the image data; *@done at the first IDAT. */
static gboolean
read_chunk (RndimgHeaderReader *reader, const Chunk *chunk, guint colour_type, gboolean *palette, gboolean *done,
            RndimgHeaderFound *found, GError **error)
{
  if (chunk->length > PNG_MAX_SIDE || !type_is_letters (chunk->type))
    return rndimg_header_invalid (error, "it has a malformed chunk at byte %" G_GUINT64_FORMAT, chunk->offset);
  if (strcmp (chunk->type, "IDAT") == 0)
    {
      if (colour_type == 3 && !*palette)
        return rndimg_header_invalid (error, "it is indexed but has no PLTE chunk before its image data");
      *done = TRUE;
      return TRUE;
    }
  if (strcmp (chunk->type, "IEND") == 0)
    return rndimg_header_invalid (error, "it has no image data (IEND before any IDAT)");
  if (strcmp (chunk->type, "IHDR") == 0)
    return rndimg_header_invalid (error, "it has a second IHDR chunk");
  if (strcmp (chunk->type, "PLTE") == 0)
    return check_plte (reader, chunk, colour_type, palette, error);
  if (g_ascii_isupper (chunk->type[0]))
    return rndimg_header_invalid (error, "it has an unknown critical chunk %s", chunk->type);
  if (strcmp (chunk->type, "eXIf") == 0)
    read_exif (reader, chunk, found);
  return TRUE;
}

gboolean
rndimg_header_read_png (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error)
{
  guint64 offset = IHDR_OFFSET + 8 + IHDR_LENGTH + 4;
  gboolean palette = FALSE, done = FALSE;
  guint colour_type = 0;

  if (!read_ihdr (reader, found, &colour_type, error))
    return FALSE;
  for (guint i = 0; i < MAX_CHUNKS_BEFORE_IDAT; i++)
    {
      Chunk chunk;

      if (!chunk_at (reader, offset, &chunk))
        return rndimg_header_invalid (error, "it ends before its image data");
      if (!read_chunk (reader, &chunk, colour_type, &palette, &done, found, error))
        return FALSE;
      if (done)
        return TRUE;
      offset += 12 + (guint64) chunk.length;
    }
  return rndimg_header_invalid (error, "it has more than %d chunks before its image data", MAX_CHUNKS_BEFORE_IDAT);
}
