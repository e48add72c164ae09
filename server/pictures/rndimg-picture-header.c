/* SPDX-License-Identifier: MIT */
/* A picture's pixel size read from its header: PNG's IHDR, JPEG's first
 * SOF marker, GIF's logical screen, WebP's VP8/VP8L/VP8X chunk. Reads a
 * few small pieces with pread, never the pixels, and gives up on anything
 * that does not parse. */
#include "rndimg-picture-header.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* No JPEG worth serving hides its frame header behind more markers. */
#define MAX_JPEG_SEGMENTS 64

static gboolean
read_at (int fd, gint64 offset, guint8 *buffer, gsize length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t got = pread (fd, buffer + done, length - done, (off_t) offset + (off_t) done);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return FALSE;
      done += (gsize) got;
    }
  return TRUE;
}

static guint
be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static guint
le16 (const guint8 *p)
{
  return (guint) p[1] << 8 | p[0];
}

static guint
le24 (const guint8 *p)
{
  return (guint) p[2] << 16 | (guint) p[1] << 8 | p[0];
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static gboolean
png_size (int fd, guint *width, guint *height)
{
  guint8 ihdr[16];

  /* Signature (8), then the first chunk must be IHDR: length, type, W, H. */
  if (!read_at (fd, 8, ihdr, sizeof ihdr) || memcmp (ihdr + 4, "IHDR", 4) != 0)
    return FALSE;
  *width = be32 (ihdr + 8);
  *height = be32 (ihdr + 12);
  return TRUE;
}

static gboolean
is_jpeg_frame_marker (guint marker)
{
  /* SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
  return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
}

static gboolean
jpeg_size (int fd, guint *width, guint *height)
{
  gint64 offset = 2;

  for (guint i = 0; i < MAX_JPEG_SEGMENTS; i++)
    {
      guint8 segment[9];
      guint marker;

      if (!read_at (fd, offset, segment, 4) || segment[0] != 0xff)
        return FALSE;
      marker = segment[1];
      if (marker == 0xff)
        {
          offset++;   /* fill byte */
          continue;
        }
      if (is_jpeg_frame_marker (marker))
        {
          if (!read_at (fd, offset, segment, sizeof segment))
            return FALSE;
          *height = be16 (segment + 5);
          *width = be16 (segment + 7);
          return TRUE;
        }
      if (marker == 0xd9 || marker == 0xda || be16 (segment + 2) < 2)
        return FALSE;
      offset += 2 + be16 (segment + 2);
    }
  return FALSE;
}

static gboolean
gif_size (int fd, guint *width, guint *height)
{
  guint8 screen[4];

  if (!read_at (fd, 6, screen, sizeof screen))
    return FALSE;
  *width = le16 (screen);
  *height = le16 (screen + 2);
  return TRUE;
}

static gboolean
webp_size (int fd, guint *width, guint *height)
{
  guint8 chunk[18];

  /* "RIFF" size "WEBP", then the first chunk's header and start. */
  if (!read_at (fd, 12, chunk, sizeof chunk))
    return FALSE;
  if (memcmp (chunk, "VP8X", 4) == 0)
    {
      *width = le24 (chunk + 12) + 1;
      *height = le24 (chunk + 15) + 1;
      return TRUE;
    }
  if (memcmp (chunk, "VP8L", 4) == 0 && chunk[8] == 0x2f)
    {
      guint32 bits = (guint32) chunk[9] | (guint32) chunk[10] << 8 | (guint32) chunk[11] << 16 |
                     (guint32) chunk[12] << 24;
      *width = (bits & 0x3fff) + 1;
      *height = ((bits >> 14) & 0x3fff) + 1;
      return TRUE;
    }
  if (memcmp (chunk, "VP8 ", 4) == 0 && chunk[11] == 0x9d && chunk[12] == 0x01 && chunk[13] == 0x2a)
    {
      *width = le16 (chunk + 14) & 0x3fff;
      *height = le16 (chunk + 16) & 0x3fff;
      return TRUE;
    }
  return FALSE;
}

/* TRUE with the size when @fd's header parses and both sides are > 0. */
gboolean
rndimg_picture_header_read_size (int fd, guint *width, guint *height)
{
  guint8 magic[12];
  gboolean known = FALSE;

  *width = *height = 0;
  if (!read_at (fd, 0, magic, sizeof magic))
    return FALSE;
  if (memcmp (magic, "\x89PNG\r\n\x1a\n", 8) == 0)
    known = png_size (fd, width, height);
  else if (magic[0] == 0xff && magic[1] == 0xd8)
    known = jpeg_size (fd, width, height);
  else if (memcmp (magic, "GIF8", 4) == 0)
    known = gif_size (fd, width, height);
  else if (memcmp (magic, "RIFF", 4) == 0 && memcmp (magic + 8, "WEBP", 4) == 0)
    known = webp_size (fd, width, height);
  if (!known || *width == 0 || *height == 0)
    {
      *width = *height = 0;
      return FALSE;
    }
  return TRUE;
}
