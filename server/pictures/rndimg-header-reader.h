/* SPDX-License-Identifier: MIT */
/* What the format readers of rndimg-picture-header.c share: reads at an
 * offset of a file or of bytes in memory (never past their end), the
 * byte orders, and what a reader found. Private to pictures/. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads from a descriptor go through one window of this many bytes: a
 * header is walked in small steps, mostly within one block. */
#define RNDIMG_HEADER_WINDOW 4096

typedef struct {
  int fd;                       /* -1: @data */
  const guint8 *data;
  guint64 length;               /* of the file (when opened) or of @data */
  guint8 window[RNDIMG_HEADER_WINDOW];
  guint64 window_start;
  gsize window_length;
} RndimgHeaderReader;

gboolean rndimg_header_reader_read (RndimgHeaderReader *reader,
                                    guint64             offset,
                                    void               *out,
                                    gsize               length);

/* What a format's reader found. @width and @height are the canvas its
 * decoder allocates, set as soon as the header has said them (even when
 * the rest then fails: a bomb is a bomb whatever follows). */
typedef struct {
  guint width, height;
  guint orientation;            /* EXIF 1 to 8; 0: none said */
} RndimgHeaderFound;

typedef gboolean (*RndimgHeaderParse) (RndimgHeaderReader *reader,
                                       RndimgHeaderFound  *found,
                                       GError            **error);

gboolean rndimg_header_read_png  (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error);
gboolean rndimg_header_read_jpeg (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error);
gboolean rndimg_header_read_gif  (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error);
gboolean rndimg_header_read_webp (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error);

/* The orientation (1 to 8) in the EXIF (TIFF) block of @length bytes at
 * @offset, an "Exif\0\0" prefix allowed; 0 when it says none or cannot
 * be read (as libexif, which libvips uses, then leaves it). */
guint rndimg_header_exif_orientation (RndimgHeaderReader *reader,
                                      guint64             offset,
                                      guint64             length);

/* Sets @error to RNDIMG_PICTURE_HEADER_ERROR_INVALID with the reason;
 * returns FALSE, for `return rndimg_header_invalid (...)`. */
gboolean rndimg_header_invalid (GError    **error,
                                const char *format,
                                ...) G_GNUC_PRINTF (2, 3);

static inline guint
rndimg_be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static inline guint32
rndimg_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline guint
rndimg_le16 (const guint8 *p)
{
  return (guint) p[1] << 8 | p[0];
}

static inline guint32
rndimg_le24 (const guint8 *p)
{
  return (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static inline guint32
rndimg_le32 (const guint8 *p)
{
  return (guint32) p[3] << 24 | rndimg_le24 (p);
}

G_END_DECLS
