/* SPDX-License-Identifier: MIT */
/* A GIF's canvas: its logical screen, grown by its first frame where that
 * frame reaches past it (libnsgif, libvips' GIF decoder, lets the first
 * frame grow the picture; later frames are clipped). Judged never smaller
 * than the screen declared: libnsgif takes a screen over 2048 pixels a
 * side for a mistake and starts from 1x1, but the file says what it says,
 * and a browser shows the whole screen. The blocks before the first frame
 * are walked (extensions and their sub-blocks, within a bound); a GIF
 * without a frame, or with an unknown block or an LZW code size libnsgif
 * refuses before it, is refused. */
#include "rndimg-header-reader.h"

#define SCREEN_OFFSET 6
#define IMAGE_SEPARATOR 0x2c
#define EXTENSION 0x21
#define TRAILER 0x3b
#define LZW_CODE_MAX 12
/* Comments and application blocks before the first frame take a few. */
#define MAX_SUB_BLOCKS 65536

static guint64
colour_table_bytes (guint flags)
{
  return (flags & 0x80) != 0 ? 3u << ((flags & 7) + 1) : 0;
}

/* Past an extension's sub-blocks, to the byte after its terminator. */
static gboolean
skip_sub_blocks (RndimgHeaderReader *reader, guint64 *offset, guint *budget, GError **error)
{
  for (;;)
    {
      guint8 size;

      if (!rndimg_header_reader_read (reader, *offset, &size, 1))
        return rndimg_header_invalid (error, "it ends inside an extension before its first frame");
      *offset += 1 + (guint64) size;
      if (size == 0)
        return TRUE;
      if (--*budget == 0)
        return rndimg_header_invalid (error, "it has more than %d extension blocks before its first frame",
                                      MAX_SUB_BLOCKS);
    }
}

/* The first image descriptor: the canvas grows to hold the frame. */
static gboolean
read_first_frame (RndimgHeaderReader *reader, guint64 offset, RndimgHeaderFound *found, GError **error)
{
  guint8 descriptor[10];
  guint8 code_size;
  guint right, bottom;

  if (!rndimg_header_reader_read (reader, offset, descriptor, sizeof descriptor))
    return rndimg_header_invalid (error, "it ends inside its first frame's descriptor");
  right = rndimg_le16 (descriptor + 1) + rndimg_le16 (descriptor + 5);
  bottom = rndimg_le16 (descriptor + 3) + rndimg_le16 (descriptor + 7);
  found->width = MAX (found->width, right);
  found->height = MAX (found->height, bottom);
  if (found->width == 0 || found->height == 0)
    return rndimg_header_invalid (error, "its screen and first frame are empty");
  offset += sizeof descriptor + colour_table_bytes (descriptor[9]);
  if (!rndimg_header_reader_read (reader, offset, &code_size, 1))
    return rndimg_header_invalid (error, "it ends before its first frame's data");
  if (code_size >= LZW_CODE_MAX)
    return rndimg_header_invalid (error, "its first frame declares an LZW code size of %u", code_size);
  return TRUE;
}

gboolean
rndimg_header_read_gif (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error)
{
  guint8 screen[7];
  guint64 offset;
  guint budget = MAX_SUB_BLOCKS;

  if (!rndimg_header_reader_read (reader, SCREEN_OFFSET, screen, sizeof screen))
    return rndimg_header_invalid (error, "it ends before its logical screen");
  found->width = rndimg_le16 (screen);
  found->height = rndimg_le16 (screen + 2);
  offset = SCREEN_OFFSET + sizeof screen + colour_table_bytes (screen[4]);
  for (;;)
    {
      guint8 block[2];

      if (!rndimg_header_reader_read (reader, offset, block, 1))
        return rndimg_header_invalid (error, "it ends before its first frame");
      if (block[0] == IMAGE_SEPARATOR)
        return read_first_frame (reader, offset, found, error);
      if (block[0] == TRAILER)
        return rndimg_header_invalid (error, "it has no frame");
      if (block[0] != EXTENSION)
        return rndimg_header_invalid (error, "it has an unknown block 0x%02x before its first frame", block[0]);
      offset += 2;              /* the introducer and the label */
      if (!skip_sub_blocks (reader, &offset, &budget, error))
        return FALSE;
    }
}
