/* SPDX-License-Identifier: MIT */
/* A picture decoded small, for its placeholder: one libvips thumbnail
 * (shrink-on-load where the format has it: JPEG's DCT scaling, WebP's
 * scaled decode) to at most @max_side pixels a side, as 8-bit sRGB in 3
 * bands whatever the source (grey, CMYK, 16 bits, alpha flattened on
 * white). Every format the catalogue accepts, GIF included (its first
 * frame). The picture is judged by its header as at upload and in the
 * catalogue (pictures/rndimg-picture-header.c), over the very descriptor
 * libvips then decodes (so a file swapped in between is not read): one
 * over the input limit, or whose header cannot be read, is not decoded. A
 * truncated or corrupt file is an error. Runs in a worker thread: nothing
 * here touches shared state beyond libvips' own (set up by rndimg-vips.c). */
#include "rndimg-picture-decode.h"
#include "rndimg-picture-header.h"
#include "rndimg-vips.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

static void
set_vips_error (GError **error, const char *what)
{
  g_autofree char *detail = vips_error_buffer_copy ();

  g_strchomp (detail);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s%s%s", what, *detail ? ": " : "", detail);
}

/* Opens @path (never through a symlink, never blocking on a FIFO) and
 * judges its header; the source is that descriptor. */
static VipsSource *
open_judged (const char *path, guint64 max_pixels, GError **error)
{
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  VipsSource *source = NULL;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s", g_strerror (saved_errno));
      return NULL;
    }
  /* libvips keeps a duplicate of the descriptor. */
  if (rndimg_picture_header_judge_fd (fd, max_pixels, NULL, error) &&
      (source = vips_source_new_from_descriptor (fd)) == NULL)
    set_vips_error (error, "the picture cannot be opened");
  close (fd);
  return source;
}

/* 8-bit sRGB, 3 bands: what the BlurHash reads. Each step only where
 * needed: a libvips operation costs tens of microseconds to build. */
static int
to_srgb (VipsImage **image)
{
  VipsImage *next = NULL;

  if (vips_image_get_interpretation (*image) != VIPS_INTERPRETATION_sRGB &&
      rndimg_vips_step (image, &next, vips_colourspace (*image, &next, VIPS_INTERPRETATION_sRGB, NULL)) != 0)
    return -1;
  if (vips_image_hasalpha (*image) &&
      rndimg_vips_step (image, &next, rndimg_vips_flatten_on_white (*image, &next)) != 0)
    return -1;
  if (vips_image_get_format (*image) != VIPS_FORMAT_UCHAR &&
      rndimg_vips_step (image, &next, vips_cast_uchar (*image, &next, NULL)) != 0)
    return -1;
  if (vips_image_get_bands (*image) > 3)
    return rndimg_vips_step (image, &next, vips_extract_band (*image, &next, 0, "n", 3, NULL));
  return 0;
}

static RndimgPixels *
decode (VipsSource *source, guint max_side, GError **error)
{
  VipsImage *image = NULL;
  RndimgPixels *pixels;
  size_t length = 0;
  guint8 *rgb;

  /* fail_on goes in the loader's options: libvips 8.14.1's
   * thumbnail_source does not hand its own "fail_on" to the loader (a
   * truncated PNG or GIF would come out with black rows). */
  if (vips_thumbnail_source (source, &image, (int) max_side, "height", (int) max_side, "size", VIPS_SIZE_DOWN,
                             "option_string", "fail_on=error", NULL) != 0 ||
      to_srgb (&image) != 0 || vips_image_get_bands (image) != 3 ||
      (rgb = vips_image_write_to_memory (image, &length)) == NULL)
    {
      set_vips_error (error, "the picture cannot be decoded");
      g_clear_object (&image);
      return NULL;
    }
  pixels = g_new0 (RndimgPixels, 1);
  pixels->width = (guint) vips_image_get_width (image);
  pixels->height = (guint) vips_image_get_height (image);
  pixels->rgb = rgb;
  g_object_unref (image);
  return pixels;
}

/* Returns (transfer full) @image at most @max_side pixels a side, or NULL
 * with @error (unreadable, over @max_input_pixels, truncated, corrupt). */
RndimgPixels *
rndimg_picture_decode_small (const RndimgPicture *image, guint max_side, guint64 max_input_pixels, GError **error)
{
  g_autoptr(VipsSource) source = NULL;
  RndimgPixels *pixels = NULL;

  if ((source = open_judged (image->path, max_input_pixels, error)) != NULL)
    pixels = decode (source, max_side, error);
  vips_error_clear ();
  /* This thread's libvips buffers, freed between pictures. */
  vips_thread_shutdown ();
  return pixels;
}
