/* SPDX-License-Identifier: MIT */
/* Reduced masters on disk, on a render thread: written, mapped, made and
 * reduced. A master is a libvips .v file (8-bit, sRGB or grey, alpha
 * kept, as shown, no metadata), mapped and seen as an image in place: no
 * decoding, and no read of its own. Masters are kept turned a quarter
 * (transposed): libvips 8.14 reduces across rows with vector code (orc)
 * but along them one sample at a time, so the reduce along a picture's
 * rows is done across the rows of its turned master, the result turned
 * back (in memory, a variant's size), then reduced across its rows: a
 * third less CPU per variant than libvips' resize of the same master, and
 * a master made from a plain original the same way (bench/README.md). */
#include "rndimg-master-file.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

struct _RndimgMasterFile
{
  GMappedFile *mapping;
  VipsImage *image;   /* over the mapping's pixels */
};

static void
master_file_clear (gpointer data)
{
  RndimgMasterFile *file = data;

  g_clear_object (&file->image);
  g_clear_pointer (&file->mapping, g_mapped_file_unref);
}

/* Mapped masters are shared between render threads (rndimg-open-masters.c):
 * a libvips image may be read by several at once. */
RndimgMasterFile *
rndimg_master_file_ref (RndimgMasterFile *file)
{
  return g_atomic_rc_box_acquire (file);
}

void
rndimg_master_file_unref (RndimgMasterFile *file)
{
  g_atomic_rc_box_release_full (file, master_file_clear);
}

/* The fields of a .v header we check (libvips' file format: the magic
 * number most significant byte first, then each field in the byte order
 * of the machine that wrote it; this one). */
typedef struct {
  guint32 magic;
  gint32 width, height, bands, bits, format, coding;
} VipsFileHeader;

static gboolean
read_master_header (const char *data, gsize length, VipsFileHeader *header)
{
  if (length < VIPS_SIZEOF_HEADER)
    return FALSE;
  memcpy (&header->magic, data, sizeof header->magic);
  header->magic = GUINT32_FROM_BE (header->magic);
  memcpy (&header->width, data + 4, 6 * sizeof (gint32));
  return header->magic == (G_BYTE_ORDER == G_LITTLE_ENDIAN ? VIPS_MAGIC_INTEL : VIPS_MAGIC_SPARC);
}

/* Maps the master at @path, which must be @size (kept turned: @size's
 * height wide): what this server wrote, else an error (a file changed or
 * cut short behind its back). */
RndimgMasterFile *
rndimg_master_file_map (const char *path, const RndimgMasterSize *size, GError **error)
{
  g_autoptr(RndimgMasterFile) file = g_atomic_rc_box_new0 (RndimgMasterFile);
  VipsFileHeader header;
  const char *data;
  gsize length, pixels;
  VipsImage *raw;

  file->mapping = g_mapped_file_new (path, FALSE, error);
  if (file->mapping == NULL)
    return NULL;
  data = g_mapped_file_get_contents (file->mapping);
  length = g_mapped_file_get_length (file->mapping);
  if (!read_master_header (data, length, &header) || header.width != (gint32) size->height ||
      header.height != (gint32) size->width || header.bands < 1 || header.bands > 4 ||
      header.format != VIPS_FORMAT_UCHAR || header.coding != VIPS_CODING_NONE ||
      (pixels = (gsize) header.width * (gsize) header.height * (gsize) header.bands) > length - VIPS_SIZEOF_HEADER)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not the %ux%u master it should be",
                   path, size->width, size->height);
      return NULL;
    }
  raw = vips_image_new_from_memory (data + VIPS_SIZEOF_HEADER, pixels, header.width, header.height,
                                    header.bands, VIPS_FORMAT_UCHAR);
  /* libvips guesses "multiband" for 2 and 4 bands: grey or sRGB with alpha. */
  if (raw == NULL || vips_copy (raw, &file->image, "interpretation",
                                header.bands <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB, NULL) != 0)
    {
      g_clear_object (&raw);
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "a master cannot be opened");
      return NULL;
    }
  g_object_unref (raw);
  return g_steal_pointer (&file);
}

/* @image turned a quarter, for a master: from memory (a turn reads its
 * source out of order, and a picture decodes in order). */
static VipsImage *
turn (VipsImage *image)
{
  g_autoptr(VipsImage) whole = vips_image_copy_memory (image);
  VipsImage *turned = NULL;

  if (whole == NULL || vips_rot (whole, &turned, VIPS_ANGLE_D90, NULL) != 0)
    return NULL;
  return turned;
}

/* As vips_resize() reduces each axis: a Lanczos-3 reduce with libvips'
 * default gap (an integer box shrink first when the factor is 4 or more). */
static int
reduce_rows (VipsImage *in, VipsImage **out, guint from, guint to)
{
  if (from == to)
    return vips_copy (in, out, NULL);
  return vips_reducev (in, out, (double) from / to, "kernel", VIPS_KERNEL_LANCZOS3, "gap", 2.0, NULL);
}

/* @in premultiplied by its alpha, if it has one (a reduce must not let
 * the colour of transparent pixels bleed into others). */
static int
premultiply (VipsImage **image, gboolean *premultiplied)
{
  VipsImage *next = NULL;

  *premultiplied = vips_image_hasalpha (*image);
  if (!*premultiplied)
    return 0;
  return rndimg_vips_step (image, &next, vips_premultiply (*image, &next, NULL));
}

static int
unpremultiply (VipsImage **image, gboolean premultiplied)
{
  VipsImage *next = NULL;

  if (!premultiplied)
    return 0;
  if (rndimg_vips_step (image, &next, vips_unpremultiply (*image, &next, NULL)) != 0)
    return -1;
  return rndimg_vips_step (image, &next, vips_cast (*image, &next, VIPS_FORMAT_UCHAR, NULL));
}

/* The master in @file reduced to exactly @width x @height (as shown),
 * both no larger than it: across the rows of the turned master (the
 * picture's width), the picture turned back in memory, then across its
 * rows; alpha premultiplied around it, as libvips' thumbnail does. */
static VipsImage *
reduce_master (RndimgMasterFile *file, guint width, guint height)
{
  g_autoptr(VipsImage) image = g_object_ref (file->image);
  VipsImage *next = NULL, *across;
  gboolean premultiplied;

  if (premultiply (&image, &premultiplied) != 0 ||
      rndimg_vips_step (&image, &next, reduce_rows (image, &next, (guint) vips_image_get_height (image), width)) != 0 ||
      rndimg_vips_step (&image, &next, vips_rot (image, &next, VIPS_ANGLE_D270, NULL)) != 0 ||
      (across = rndimg_render_compute_here (image, NULL)) == NULL)
    return NULL;
  g_object_unref (image);
  image = across;
  if (rndimg_vips_step (&image, &next, reduce_rows (image, &next, (guint) vips_image_get_height (image), height)) != 0 ||
      unpremultiply (&image, premultiplied) != 0)
    return NULL;
  return g_steal_pointer (&image);
}

/* The master in @file resized to exactly @width x @height as shown:
 * reduced, or (the master at the original's size, for a variant larger
 * than the picture) turned back and enlarged as a thumbnail would. */
VipsImage *
rndimg_master_file_resize (RndimgMasterFile *file, guint width, guint height, GError **error)
{
  g_autoptr(VipsImage) upright = NULL;
  VipsImage *resized;

  if (width <= (guint) vips_image_get_height (file->image) && height <= (guint) vips_image_get_width (file->image))
    {
      if ((resized = reduce_master (file, width, height)) == NULL)
        rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "a master cannot be resized");
      return resized;
    }
  if (vips_rot (file->image, &upright, VIPS_ANGLE_D270, NULL) != 0)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "a master cannot be turned");
      return NULL;
    }
  return rndimg_render_resize_image (upright, width, height, error);
}

/* The largest master @size of a plain picture (rndimg_render_read_facts),
 * from the original: the reduce across the decoded rows as they stream,
 * the result turned in memory, the reduce across its rows (both with
 * libvips' vector code), then turned as EXIF says. Turned already (as
 * masters are kept) when @turned. */
static VipsImage *
halve_plain_original (const char *path, const RndimgSourceFacts *facts, const RndimgMasterSize *size,
                      gboolean *turned)
{
  g_autoptr(VipsImage) image = vips_image_new_from_file (path, "access", VIPS_ACCESS_SEQUENTIAL,
                                                         "fail_on", VIPS_FAIL_ON_ERROR, NULL);
  gboolean swap = facts->orientation >= 5 && facts->orientation <= 8;
  guint stored_width = swap ? size->height : size->width;
  guint stored_height = swap ? size->width : size->height;
  VipsImage *next = NULL, *whole;

  if (image == NULL ||
      rndimg_vips_step (&image, &next, reduce_rows (image, &next, (guint) vips_image_get_height (image),
                                                    stored_height)) != 0 ||
      (whole = vips_image_copy_memory (image)) == NULL)
    return NULL;
  g_object_unref (image);
  image = whole;
  if (rndimg_vips_step (&image, &next, vips_rot (image, &next, VIPS_ANGLE_D90, NULL)) != 0 ||
      rndimg_vips_step (&image, &next, reduce_rows (image, &next, (guint) vips_image_get_height (image),
                                                    stored_width)) != 0)
    return NULL;
  *turned = facts->orientation <= 1;
  if (*turned)
    return g_steal_pointer (&image);
  /* Upright, then as shown: a small image in memory. */
  if ((whole = vips_image_copy_memory (image)) == NULL)
    return NULL;
  g_object_unref (image);
  image = whole;
  vips_image_set_int (image, VIPS_META_ORIENTATION, (int) facts->orientation);
  if (rndimg_vips_step (&image, &next, vips_rot (image, &next, VIPS_ANGLE_D270, NULL)) != 0 ||
      rndimg_vips_step (&image, &next, vips_autorot (image, &next, NULL)) != 0)
    return NULL;
  return g_steal_pointer (&image);
}

/* The master @size from the original (facts from its header): at its own
 * size, the picture decoded (in 8-bit sRGB or grey, as shown); smaller, a
 * plain picture reduced with vector code, any other as a thumbnail.
 * Turned already when @turned. */
VipsImage *
rndimg_master_from_original (const char *path, const RndimgSourceFacts *facts, const RndimgMasterSize *size,
                                    gboolean *turned, GError **error)
{
  VipsImage *image;

  *turned = FALSE;
  if (size->level > 0 && facts->plain)
    {
      if ((image = halve_plain_original (path, facts, size, turned)) == NULL)
        rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be decoded");
      return image;
    }
  return rndimg_render_resize_original (path, size->width, size->height, error);
}

/* The master @size from @above, the one over it: upright. */
VipsImage *
rndimg_master_from_master (RndimgMasterFile *above, const RndimgMasterSize *size, GError **error)
{
  return rndimg_master_file_resize (above, size->width, size->height, error);
}

/* Writes @image (made by rndimg_render_master_from_*: turned already
 * when @turned) to @path as a master: libvips' .v file, pixels as they
 * are in memory. */
gboolean
rndimg_master_write (VipsImage *image, gboolean turned, const char *path, RndimgRenderDeadline *deadline,
                            guint64 *bytes, GError **error)
{
  g_autoptr(VipsImage) plain = NULL;
  GStatBuf st;

  /* Pixels only: what the original carried goes with it. */
  if (turned ? vips_copy (image, &plain, NULL) != 0 : (plain = turn (image)) == NULL)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "a master cannot be made");
      return FALSE;
    }
  {
    g_auto(GStrv) fields = vips_image_get_fields (plain);

    for (char **field = fields; *field != NULL; field++)
      vips_image_remove (plain, *field);
  }
  if (vips_image_get_format (plain) != VIPS_FORMAT_UCHAR || vips_image_get_bands (plain) > 4)
    {
      g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNSUPPORTED,
                   "no master of a picture in %d bands of %s", vips_image_get_bands (plain),
                   vips_enum_nick (VIPS_TYPE_BAND_FORMAT, vips_image_get_format (plain)));
      return FALSE;
    }
  rndimg_render_watch_deadline (plain, deadline);
  if (vips_vipssave (plain, path, NULL) != 0)
    {
      rndimg_render_set_sink_error (error, deadline, "a master cannot be written");
      return FALSE;
    }
  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  *bytes = (guint64) st.st_size;
  return TRUE;
}

