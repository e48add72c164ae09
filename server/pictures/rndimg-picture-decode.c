/* SPDX-License-Identifier: MIT */
/* A picture decoded small, for its placeholder: PNG with libpng's
 * simplified API, JPEG with libjpeg-turbo's DCT scaling (1/8 of the size
 * straight from the coefficients), WebP with libwebp's scaled decoder;
 * then box-averaged to at most @max_side pixels a side. GIF is not
 * decoded. Runs in a worker thread: nothing here touches shared state. */
#include "rndimg-picture-decode.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/decode.h>

#define MAX_WEBP_FILE_BYTES (64 * 1024 * 1024)

static RndimgPixels *
pixels_new (guint width, guint height)
{
  RndimgPixels *pixels = g_new0 (RndimgPixels, 1);

  pixels->width = width;
  pixels->height = height;
  pixels->rgb = g_malloc ((gsize) width * height * 3);
  return pixels;
}

/* Box average of @source into at most @max_side pixels a side. */
static RndimgPixels *
shrink (RndimgPixels *source, guint max_side)
{
  guint larger = MAX (source->width, source->height);
  guint width = larger <= max_side ? source->width : MAX (1, (guint) ((guint64) source->width * max_side / larger));
  guint height = larger <= max_side ? source->height : MAX (1, (guint) ((guint64) source->height * max_side / larger));
  RndimgPixels *small;

  if (width == source->width && height == source->height)
    return source;
  small = pixels_new (width, height);
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        guint x0 = (guint) ((guint64) x * source->width / width), x1 = (guint) ((guint64) (x + 1) * source->width / width);
        guint y0 = (guint) ((guint64) y * source->height / height), y1 = (guint) ((guint64) (y + 1) * source->height / height);
        guint64 sum[3] = { 0, 0, 0 }, n = (guint64) (x1 - x0) * (y1 - y0);

        for (guint sy = y0; sy < y1; sy++)
          for (guint sx = x0; sx < x1; sx++)
            for (guint c = 0; c < 3; c++)
              sum[c] += source->rgb[((gsize) sy * source->width + sx) * 3 + c];
        for (guint c = 0; c < 3; c++)
          small->rgb[((gsize) y * width + x) * 3 + c] = (guint8) (sum[c] / n);
      }
  rndimg_pixels_free (source);
  return small;
}

static FILE *
open_picture (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  FILE *file = fd >= 0 ? fdopen (fd, "rb") : NULL;

  if (file == NULL)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s", g_strerror (saved_errno));
    }
  return file;
}

static gboolean
too_many_pixels (guint64 width, guint64 height, GError **error)
{
  if (width * height <= RNDIMG_DECODE_MAX_PIXELS && width > 0 && height > 0)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
               " pixels is empty or over %d", width, height, RNDIMG_DECODE_MAX_PIXELS);
  return TRUE;
}

static RndimgPixels *
decode_png (FILE *file, GError **error)
{
  png_image image = { .version = PNG_IMAGE_VERSION };
  png_color white = { 255, 255, 255 };
  RndimgPixels *pixels;

  if (!png_image_begin_read_from_stdio (&image, file))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "PNG: %s", image.message);
      return NULL;
    }
  if (too_many_pixels (image.width, image.height, error))
    {
      png_image_free (&image);
      return NULL;
    }
  image.format = PNG_FORMAT_RGB;
  pixels = pixels_new (image.width, image.height);
  if (!png_image_finish_read (&image, &white, pixels->rgb, 0, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "PNG: %s", image.message);
      rndimg_pixels_free (pixels);
      return NULL;
    }
  return pixels;
}

typedef struct {
  struct jpeg_error_mgr manager;
  jmp_buf escape;
  char message[JMSG_LENGTH_MAX];
} JpegErrors;

static void
on_jpeg_error (j_common_ptr jpeg)
{
  JpegErrors *errors = (JpegErrors *) jpeg->err;

  errors->manager.format_message (jpeg, errors->message);
  longjmp (errors->escape, 1);
}

static void
on_jpeg_warning (j_common_ptr jpeg, int level)
{
  /* Corrupt-data warnings: the picture may still be good enough. */
}

static RndimgPixels *
decode_jpeg (FILE *file, GError **error)
{
  struct jpeg_decompress_struct jpeg;
  JpegErrors errors;
  RndimgPixels *volatile pixels = NULL;

  jpeg.err = jpeg_std_error (&errors.manager);
  errors.manager.error_exit = on_jpeg_error;
  errors.manager.emit_message = on_jpeg_warning;
  if (setjmp (errors.escape) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "JPEG: %s", errors.message);
      jpeg_destroy_decompress (&jpeg);
      if (pixels != NULL)
        rndimg_pixels_free (pixels);
      return NULL;
    }
  jpeg_create_decompress (&jpeg);
  jpeg_stdio_src (&jpeg, file);
  jpeg_read_header (&jpeg, TRUE);
  if (too_many_pixels (jpeg.image_width, jpeg.image_height, error))
    {
      jpeg_destroy_decompress (&jpeg);
      return NULL;
    }
  jpeg.out_color_space = JCS_RGB;
  jpeg.scale_num = 1;
  jpeg.scale_denom = MIN (jpeg.image_width, jpeg.image_height) >= 256 ? 8 : 1;
  jpeg_start_decompress (&jpeg);
  pixels = pixels_new (jpeg.output_width, jpeg.output_height);
  while (jpeg.output_scanline < jpeg.output_height)
    {
      JSAMPROW row = pixels->rgb + (gsize) jpeg.output_scanline * jpeg.output_width * 3;
      jpeg_read_scanlines (&jpeg, &row, 1);
    }
  jpeg_finish_decompress (&jpeg);
  jpeg_destroy_decompress (&jpeg);
  return pixels;
}

static RndimgPixels *
decode_webp (FILE *file, guint max_side, GError **error)
{
  struct stat st;
  g_autofree guint8 *data = NULL;
  WebPDecoderConfig config;
  RndimgPixels *pixels;
  guint larger;

  if (fstat (fileno (file), &st) != 0 || st.st_size > MAX_WEBP_FILE_BYTES || st.st_size <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "WebP: unreadable or over %d bytes", MAX_WEBP_FILE_BYTES);
      return NULL;
    }
  data = g_malloc ((gsize) st.st_size);
  if (fread (data, 1, (gsize) st.st_size, file) != (gsize) st.st_size || !WebPInitDecoderConfig (&config) ||
      WebPGetFeatures (data, (gsize) st.st_size, &config.input) != VP8_STATUS_OK ||
      too_many_pixels ((guint64) config.input.width, (guint64) config.input.height, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "WebP: not a picture libwebp reads");
      return NULL;
    }
  larger = (guint) MAX (config.input.width, config.input.height);
  config.options.use_scaling = larger > max_side;
  config.options.scaled_width = MAX (1, (int) ((guint64) config.input.width * max_side / larger));
  config.options.scaled_height = MAX (1, (int) ((guint64) config.input.height * max_side / larger));
  config.output.colorspace = MODE_RGB;
  if (WebPDecode (data, (gsize) st.st_size, &config) != VP8_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "WebP: the picture does not decode");
      return NULL;
    }
  pixels = pixels_new ((guint) config.output.width, (guint) config.output.height);
  for (guint y = 0; y < pixels->height; y++)
    memcpy (pixels->rgb + (gsize) y * pixels->width * 3,
            config.output.u.RGBA.rgba + (gsize) y * (gsize) config.output.u.RGBA.stride, (gsize) pixels->width * 3);
  WebPFreeDecBuffer (&config.output);
  return pixels;
}

/* Returns (transfer full) the picture at most @max_side pixels a side,
 * or NULL with @error (GIF, unreadable, too many pixels, corrupt). */
RndimgPixels *
rndimg_picture_decode_small (const char *path, const char *content_type, guint max_side, GError **error)
{
  FILE *file;
  RndimgPixels *pixels = NULL;

  if (g_strcmp0 (content_type, "image/gif") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "GIF pictures have no placeholder");
      return NULL;
    }
  if ((file = open_picture (path, error)) == NULL)
    return NULL;
  if (g_strcmp0 (content_type, "image/png") == 0)
    pixels = decode_png (file, error);
  else if (g_strcmp0 (content_type, "image/jpeg") == 0)
    pixels = decode_jpeg (file, error);
  else if (g_strcmp0 (content_type, "image/webp") == 0)
    pixels = decode_webp (file, max_side, error);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not decoded", content_type);
  fclose (file);
  return pixels != NULL ? shrink (pixels, max_side) : NULL;
}
