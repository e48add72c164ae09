/* SPDX-License-Identifier: MIT */
/* The orientation tag (0x0112) of an EXIF block's first IFD, which JPEG
 * (APP1), PNG (eXIf) and WebP (EXIF) carry: libvips reads it with libexif
 * and every variant and placeholder comes out turned by it, as browsers
 * show the file itself. A TIFF header, then IFD0's entries; anything that
 * does not parse says no orientation. */
#include "rndimg-header-reader.h"

#include <string.h>

#define ORIENTATION_TAG 0x0112
#define TIFF_SHORT 3
/* IFD0 of a camera's JPEG has a dozen entries; libexif reads at most
 * this many of any one IFD. */
#define MAX_IFD_ENTRIES 1000

typedef struct {
  RndimgHeaderReader *reader;
  guint64 start;                /* of the TIFF header */
  guint64 length;
  gboolean big_endian;
} Tiff;

static gboolean
tiff_read (const Tiff *tiff, guint64 offset, guint8 *out, gsize length)
{
  return offset <= tiff->length && tiff->length - offset >= length &&
         rndimg_header_reader_read (tiff->reader, tiff->start + offset, out, length);
}

static guint
tiff_16 (const Tiff *tiff, const guint8 *p)
{
  return tiff->big_endian ? rndimg_be16 (p) : rndimg_le16 (p);
}

static guint32
tiff_32 (const Tiff *tiff, const guint8 *p)
{
  return tiff->big_endian ? rndimg_be32 (p) : rndimg_le32 (p);
}

static gboolean
open_tiff (RndimgHeaderReader *reader, guint64 offset, guint64 length, Tiff *tiff)
{
  guint8 prefix[6];

  if (length >= 6 && rndimg_header_reader_read (reader, offset, prefix, 6) && memcmp (prefix, "Exif\0\0", 6) == 0)
    {
      offset += 6;
      length -= 6;
    }
  *tiff = (Tiff) { reader, offset, length, FALSE };
  if (!tiff_read (tiff, 0, prefix, 4))
    return FALSE;
  if (memcmp (prefix, "MM\0\x2a", 4) == 0)
    tiff->big_endian = TRUE;
  else if (memcmp (prefix, "II\x2a\0", 4) != 0)
    return FALSE;
  return TRUE;
}

guint
rndimg_header_exif_orientation (RndimgHeaderReader *reader, guint64 offset, guint64 length)
{
  guint8 field[12];
  guint64 ifd;
  guint entries;
  Tiff tiff;

  if (!open_tiff (reader, offset, length, &tiff) || !tiff_read (&tiff, 4, field, 4))
    return 0;
  ifd = tiff_32 (&tiff, field);
  if (!tiff_read (&tiff, ifd, field, 2))
    return 0;
  entries = MIN (tiff_16 (&tiff, field), MAX_IFD_ENTRIES);
  for (guint i = 0; i < entries; i++)
    {
      guint value;

      if (!tiff_read (&tiff, ifd + 2 + 12 * (guint64) i, field, 12))
        return 0;
      if (tiff_16 (&tiff, field) != ORIENTATION_TAG)
        continue;
      if (tiff_16 (&tiff, field + 2) != TIFF_SHORT || tiff_32 (&tiff, field + 4) != 1)
        return 0;
      value = tiff_16 (&tiff, field + 8);
      return value >= 1 && value <= 8 ? value : 0;
    }
  return 0;
}
