/* SPDX-License-Identifier: MIT */
/* A JPEG's header as libjpeg-turbo reads it (jpeg_read_header): its
 * markers up to the first scan (SOS), with the frame header (SOF) there
 * exactly once, in a process libjpeg-turbo 2.1 decodes (baseline,
 * extended, progressive, arithmetic; not lossless nor hierarchical), 8-bit,
 * at most 65,500 pixels a side, a height given (no DNL), 1 to 10
 * components sampled 1 to 4. Garbage between markers is skipped as libjpeg
 * skips it, within a bound. The first EXIF APP1 gives the orientation, as
 * in libvips 8.14. */
#include "rndimg-header-reader.h"

#include <string.h>

/* No JPEG worth serving has more segments before its first scan. */
#define MAX_SEGMENTS 1024
/* libjpeg warns of stray bytes between markers and goes on. */
#define MAX_GARBAGE 65536
#define JPEG_MAX_SIDE 65500u            /* JPEG_MAX_DIMENSION */
#define MAX_COMPONENTS 10
#define MAX_SAMPLING 4

enum {
  SOI = 0xd8, EOI = 0xd9, SOS = 0xda, APP1 = 0xe1,
};

typedef struct {
  RndimgHeaderReader *reader;
  guint64 offset;               /* of the next marker */
  guint64 garbage;
  gboolean seen_frame;
  guint64 exif_offset, exif_length;
} Walk;

/* The next marker, past fill bytes and the garbage libjpeg skips; on
 * return walk->offset is at its 0xff. */
static gboolean
next_marker (Walk *walk, guint *marker, GError **error)
{
  guint8 pair[2];

  for (;;)
    {
      if (!rndimg_header_reader_read (walk->reader, walk->offset, pair, 2))
        return rndimg_header_invalid (error, "it ends before its first scan");
      if (pair[0] == 0xff && pair[1] != 0xff && pair[1] != 0x00)
        {
          *marker = pair[1];
          return TRUE;
        }
      walk->offset++;
      if (pair[0] != 0xff && ++walk->garbage > MAX_GARBAGE)
        return rndimg_header_invalid (error, "it has more than %d stray bytes between its markers", MAX_GARBAGE);
    }
}

static gboolean
is_frame_marker (guint marker)
{
  return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xcc;
}

/* Baseline, extended, progressive and their arithmetic-coded forms. */
static gboolean
is_decoded_process (guint marker)
{
  return marker == 0xc0 || marker == 0xc1 || marker == 0xc2 || marker == 0xc9 || marker == 0xca;
}

/* Markers with a length that libjpeg reads or skips before the scan. */
static gboolean
is_known_segment (guint marker)
{
  return marker == 0xc4 || marker == 0xcc || marker == 0xdb || marker == 0xdc || marker == 0xdd ||
         (marker >= 0xe0 && marker <= 0xef) || marker == 0xfe;
}

static gboolean
check_components (Walk *walk, guint64 segment, guint count, GError **error)
{
  for (guint i = 0; i < count; i++)
    {
      guint8 component[3];
      guint h, v;

      if (!rndimg_header_reader_read (walk->reader, segment + 10 + 3 * (guint64) i, component, 3))
        return rndimg_header_invalid (error, "it ends inside its frame header");
      h = component[1] >> 4;
      v = component[1] & 0x0f;
      if (h < 1 || h > MAX_SAMPLING || v < 1 || v > MAX_SAMPLING)
        return rndimg_header_invalid (error, "its frame header samples a component %ux%u", h, v);
    }
  return TRUE;
}

/* SOF: the size first (a bomb is judged by it), then what libjpeg checks. */
static gboolean
read_frame (Walk *walk, guint marker, guint length, RndimgHeaderFound *found, GError **error)
{
  guint8 frame[6];
  guint precision, components;

  if (walk->seen_frame)
    return rndimg_header_invalid (error, "it has two frame headers (SOF)");
  walk->seen_frame = TRUE;
  if (length < 8 || !rndimg_header_reader_read (walk->reader, walk->offset + 4, frame, sizeof frame))
    return rndimg_header_invalid (error, "its frame header is cut short");
  precision = frame[0];
  found->height = rndimg_be16 (frame + 1);
  found->width = rndimg_be16 (frame + 3);
  components = frame[5];
  if (!is_decoded_process (marker))
    return rndimg_header_invalid (error, "it is coded in a process libjpeg does not decode (SOF type 0x%02x: "
                                  "lossless or hierarchical)", marker);
  if (precision != 8)
    return rndimg_header_invalid (error, "it has %u-bit samples; libjpeg here decodes 8-bit ones", precision);
  if (found->height == 0)
    return rndimg_header_invalid (error, "its frame header leaves the height to a DNL marker");
  if (found->width == 0)
    return rndimg_header_invalid (error, "its frame header declares a width of 0");
  if (found->width > JPEG_MAX_SIDE || found->height > JPEG_MAX_SIDE)
    return rndimg_header_invalid (error, "it is %ux%u, over libjpeg's %u pixels a side", found->width, found->height,
                                  JPEG_MAX_SIDE);
  if (components < 1 || components > MAX_COMPONENTS || length != 8 + 3 * components)
    return rndimg_header_invalid (error, "its frame header declares %u components in %u bytes", components, length);
  return check_components (walk, walk->offset, components, error);
}

static void
note_exif (Walk *walk, guint length)
{
  guint8 prefix[4];

  if (walk->exif_length == 0 && length >= 2 + 6 &&
      rndimg_header_reader_read (walk->reader, walk->offset + 4, prefix, 4) && memcmp (prefix, "Exif", 4) == 0)
    {
      walk->exif_offset = walk->offset + 4;
      walk->exif_length = length - 2;
    }
}

/* One marker before the scan; *@done at the scan. */
static gboolean
read_marker (Walk *walk, guint marker, gboolean *done, RndimgHeaderFound *found, GError **error)
{
  guint8 size[2];
  guint length;

  if (marker == SOS)
    {
      if (!walk->seen_frame)
        return rndimg_header_invalid (error, "its first scan comes before its frame header");
      *done = TRUE;
      return TRUE;
    }
  if (marker == EOI)
    return rndimg_header_invalid (error, "it ends (EOI) before its first scan");
  if (marker == SOI)
    return rndimg_header_invalid (error, "it has a second start of image (SOI)");
  if ((marker >= 0xd0 && marker <= 0xd7) || marker == 0x01)
    {
      walk->offset += 2;        /* RSTn and TEM stand alone */
      return TRUE;
    }
  if (!is_frame_marker (marker) && !is_known_segment (marker))
    return rndimg_header_invalid (error, "it has an unknown marker 0x%02x", marker);
  if (!rndimg_header_reader_read (walk->reader, walk->offset + 2, size, 2) || (length = rndimg_be16 (size)) < 2)
    return rndimg_header_invalid (error, "its marker 0x%02x has no length", marker);
  if (is_frame_marker (marker) && !read_frame (walk, marker, length, found, error))
    return FALSE;
  if (marker == APP1)
    note_exif (walk, length);
  walk->offset += 2 + (guint64) length;
  return TRUE;
}

gboolean
rndimg_header_read_jpeg (RndimgHeaderReader *reader, RndimgHeaderFound *found, GError **error)
{
  Walk walk = { reader, 2, 0, FALSE, 0, 0 };
  gboolean done = FALSE;

  for (guint i = 0; i < MAX_SEGMENTS; i++)
    {
      guint marker = 0;

      if (!next_marker (&walk, &marker, error) || !read_marker (&walk, marker, &done, found, error))
        return FALSE;
      if (done)
        {
          if (walk.exif_length > 0)
            found->orientation = rndimg_header_exif_orientation (reader, walk.exif_offset, walk.exif_length);
          return TRUE;
        }
    }
  return rndimg_header_invalid (error, "it has more than %d markers before its first scan", MAX_SEGMENTS);
}
