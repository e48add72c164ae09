/* SPDX-License-Identifier: MIT */
/* What a render thread does with libvips: read a picture's header (its
 * size as shown, and what its decoding costs in memory), resize the
 * original (libvips' thumbnail, which shrinks on load where the format
 * can), and cut, finish and encode a variant. Sizes come from the caller
 * (rndimg-render-box.c), so a variant is the same size whatever it was
 * made from (the original here, or a master: rndimg-master-file.c). */
#include "rndimg-render-pipeline.h"
#include "rndimg-picture-header.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsRegion, g_object_unref)

/* @what failed, and libvips says why. */
void
rndimg_render_set_vips_error (GError **error, RndimgRenderError code, const char *what)
{
  g_autofree char *detail = vips_error_buffer_copy ();

  g_strchomp (detail);
  g_set_error (error, RNDIMG_RENDER_ERROR, code, "%s%s%s", what, *detail ? ": " : "", detail);
}

/* Kills the render whose deadline has passed; libvips checks between
 * tiles (and resets the flag once read, so we keep our own). */
static void
on_eval (VipsImage *image, VipsProgress *progress, gpointer user_data)
{
  RndimgRenderDeadline *deadline = user_data;

  if (g_get_monotonic_time () > deadline->at)
    {
      deadline->passed = TRUE;
      vips_image_set_kill (image, TRUE);
    }
}

/* @image (to be written) stopped at @deadline. */
void
rndimg_render_watch_deadline (VipsImage *image, RndimgRenderDeadline *deadline)
{
  vips_image_set_progress (image, TRUE);
  g_signal_connect (image, "eval", G_CALLBACK (on_eval), deadline);
}

/* A failed write: over the time limit, or @what. */
void
rndimg_render_set_sink_error (GError **error, const RndimgRenderDeadline *deadline, const char *what)
{
  if (deadline->passed)
    rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_TIMEOUT, "the render took longer than its time limit");
  else
    rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, what);
}

static RndimgSourceKind
source_kind (VipsImage *header)
{
  const char *loader = NULL;

  if (vips_image_get_typeof (header, VIPS_META_LOADER) == 0 ||
      vips_image_get_string (header, VIPS_META_LOADER, &loader) != 0)
    return RNDIMG_SOURCE_OTHER;
  if (g_str_has_prefix (loader, "jpegload"))
    return RNDIMG_SOURCE_JPEG;
  if (g_str_has_prefix (loader, "pngload"))
    return RNDIMG_SOURCE_PNG;
  if (g_str_has_prefix (loader, "gifload"))
    return RNDIMG_SOURCE_GIF;
  if (g_str_has_prefix (loader, "webpload"))
    return RNDIMG_SOURCE_WEBP;
  return RNDIMG_SOURCE_OTHER;
}

static gboolean
header_flag (VipsImage *header, const char *field)
{
  int value = 0;

  return vips_image_get_typeof (header, field) != 0 && vips_image_get_int (header, field, &value) == 0 && value != 0;
}

static gboolean
full_chroma (VipsImage *header)
{
  const char *subsampling = NULL;

  return vips_image_get_typeof (header, "jpeg-chroma-subsample") != 0 &&
         vips_image_get_string (header, "jpeg-chroma-subsample", &subsampling) == 0 &&
         g_strcmp0 (subsampling, "4:4:4") == 0;
}

static gboolean
judge_source (const char *path, guint64 max_input_pixels, GError **error)
{
  g_autoptr(GError) refused = NULL;

  if (rndimg_picture_header_judge_file (path, max_input_pixels, NULL, &refused))
    return TRUE;
  g_set_error (error, RNDIMG_RENDER_ERROR,
               g_error_matches (refused, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE)
                 ? RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE : RNDIMG_RENDER_ERROR_CORRUPT,
               "%s", refused->message);
  return FALSE;
}

/* Reads only the header of the picture at @path: its size as shown and
 * what its decoding holds in memory; a decompression bomb (over
 * @max_input_pixels) is refused before a pixel is decoded. */
gboolean
rndimg_render_read_facts (const char *path, guint64 max_input_pixels, RndimgSourceFacts *facts, GError **error)
{
  g_autoptr(VipsImage) header = NULL;
  guint64 pixels;
  gboolean swap;

  /* Judged by its header as at upload and in the catalogue
   * (pictures/rndimg-picture-header.c), from the file as it is now;
   * libvips' own reading below then gives the facts. */
  if (!judge_source (path, max_input_pixels, error))
    return FALSE;
  header = vips_image_new_from_file (path, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
  if (header == NULL)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be read");
      return FALSE;
    }
  pixels = (guint64) vips_image_get_width (header) * (guint64) vips_image_get_height (header);
  if (pixels > max_input_pixels)
    {
      g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE,
                   "the picture has %" G_GUINT64_FORMAT " pixels, over the limit of %" G_GUINT64_FORMAT,
                   pixels, max_input_pixels);
      return FALSE;
    }
  swap = vips_image_get_orientation_swap (header);
  *facts = (RndimgSourceFacts) {
    .orientation = (guint) vips_image_get_orientation (header),
    .plain = vips_image_get_format (header) == VIPS_FORMAT_UCHAR &&
             ((vips_image_get_bands (header) == 3 &&
               vips_image_get_interpretation (header) == VIPS_INTERPRETATION_sRGB) ||
              (vips_image_get_bands (header) == 1 &&
               vips_image_get_interpretation (header) == VIPS_INTERPRETATION_B_W)),
    .kind = source_kind (header),
    .width = (guint) (swap ? vips_image_get_height (header) : vips_image_get_width (header)),
    .height = (guint) (swap ? vips_image_get_width (header) : vips_image_get_height (header)),
    .bands = (guint) CLAMP (vips_image_get_bands (header), 1, 4),
    .sample_bytes = (guint) MAX (vips_format_sizeof (vips_image_get_format (header)), 1),
    .interlaced = header_flag (header, "interlaced"),
    .chroma_full = full_chroma (header),
  };
  return TRUE;
}

/* The original at @path resized to exactly @width x @height as shown
 * (EXIF orientation applied), in 8-bit sRGB or grey: libvips' thumbnail,
 * which decodes a JPEG at 1/2, 1/4 or 1/8 and a WebP scaled where that
 * leaves a reduce to do. A pipeline: nothing is decoded until it is written. */
VipsImage *
rndimg_render_resize_original (const char *path, guint width, guint height, GError **error)
{
  VipsImage *image = NULL;

  if (vips_thumbnail (path, &image, (int) width, "height", (int) height, "size", VIPS_SIZE_FORCE,
                      "fail_on", VIPS_FAIL_ON_ERROR, NULL) != 0)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be decoded");
      return NULL;
    }
  return image;
}

/* @image (a master, or a master being made) resized to exactly @width x
 * @height: the same Lanczos-3 reduce as a thumbnail (alpha premultiplied
 * around it); nothing to do at its own size. */
VipsImage *
rndimg_render_resize_image (VipsImage *image, guint width, guint height, GError **error)
{
  VipsImage *resized = NULL;

  if (vips_image_get_width (image) == (int) width && vips_image_get_height (image) == (int) height)
    return g_object_ref (image);
  if (vips_thumbnail_image (image, &resized, (int) width, "height", (int) height, "size", VIPS_SIZE_FORCE,
                            NULL) != 0)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "a master cannot be resized");
      return NULL;
    }
  return resized;
}

/* Over this, an image is computed by libvips' own threads (its sinks,
 * which check the render's time limit between tiles); up to it, on the
 * calling thread (rndimg_render_compute_here). */
#define COMPUTED_HERE_MAX_PIXELS (1024 * 1024)
/* Rows computed at once on the calling thread: a strip's buffers, not the
 * whole image's, for each operation of the pipeline. */
#define COMPUTED_HERE_STRIP_ROWS 64

/* @image's pixels computed into memory on this thread, in strips: libvips'
 * sinks would hand every tile to one of their worker threads and wait for
 * it, and for a variant's few hundred rows those hand-offs (some 80 futex
 * calls a render) cost a fifth of its CPU (bench/README.md). Stopped
 * between strips once @deadline (if any) has passed, as libvips' sinks
 * stop between tiles. Larger images go through vips_image_copy_memory().
 * A new reference, or NULL with libvips' error. */
VipsImage *
rndimg_render_compute_here (VipsImage *image, RndimgRenderDeadline *deadline)
{
  int width = vips_image_get_width (image), height = vips_image_get_height (image);
  g_autoptr(VipsImage) memory = NULL;
  g_autoptr(VipsRegion) from = NULL;
  g_autoptr(VipsRegion) to = NULL;
  VipsRect whole = { 0, 0, width, height };

  if ((guint64) width * (guint64) height > COMPUTED_HERE_MAX_PIXELS)
    return vips_image_copy_memory (image);
  memory = vips_image_new_memory ();
  if (vips_image_pipelinev (memory, VIPS_DEMAND_STYLE_ANY, image, NULL) != 0 ||
      vips_image_write_prepare (memory) != 0)
    return NULL;
  from = vips_region_new (image);
  to = vips_region_new (memory);
  if (vips_region_image (to, &whole) != 0)
    return NULL;
  for (int top = 0; top < height; top += COMPUTED_HERE_STRIP_ROWS)
    {
      VipsRect strip = { 0, top, width, MIN (COMPUTED_HERE_STRIP_ROWS, height - top) };

      if (deadline != NULL && g_get_monotonic_time () > deadline->at)
        {
          deadline->passed = TRUE;
          vips_error ("rndimg", "stopped at the time limit");
          return NULL;
        }
      if (vips_region_prepare_to (from, to, &strip, 0, top) != 0)
        return NULL;
    }
  return g_steal_pointer (&memory);
}

/* Progressive JPEG only where it shows: a large picture appears early as
 * a coarse whole. A thumbnail arrives in a packet or two anyway, and
 * progressive coding costs a tenth more CPU per render (callgrind: 53.7
 * against 48.9 million instructions for a 400x400 PNG to 250x250). */
#define PROGRESSIVE_MIN_PIXELS (512 * 512)

/* Over this, a variant is larger than any screen asks for (a whole
 * picture converted, say): PNG and WebP spend less effort on it (a 25 MP
 * PNG took 8.6 s of CPU at zlib's level 6 and 2.1 at 3 for 7 % more
 * bytes; WebP 4.1 s at effort 4, 1.7 at 2), so that it renders within the
 * time limit rather than being refused at it. */
#define LARGE_OUTPUT_PIXELS (4 * 1024 * 1024)

static guint64
pixels_of (VipsImage *image)
{
  return (guint64) vips_image_get_width (image) * (guint64) vips_image_get_height (image);
}

static int
save (VipsImage *image, RndimgFormat format, guint quality, void **buffer, size_t *length)
{
  guint q = quality != 0 ? quality : rndimg_format_default_quality (format);
  gboolean large = pixels_of (image) > LARGE_OUTPUT_PIXELS;

  switch (format)
    {
    case RNDIMG_FORMAT_JPEG:
      return vips_jpegsave_buffer (image, buffer, length, "Q", q, "interlace", pixels_of (image) >= PROGRESSIVE_MIN_PIXELS,
                                   "optimize_coding", TRUE, "strip", TRUE, NULL);
    case RNDIMG_FORMAT_PNG:
      return vips_pngsave_buffer (image, buffer, length, "compression", large ? 3 : 6, "strip", TRUE, NULL);
    case RNDIMG_FORMAT_WEBP:
      return vips_webpsave_buffer (image, buffer, length, "Q", q, "effort", large ? 2 : 4, "strip", TRUE, NULL);
    case RNDIMG_FORMAT_AVIF:
      return vips_heifsave_buffer (image, buffer, length, "Q", q, "strip", TRUE, "effort", 2,
                                   "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL);
    case RNDIMG_FORMAT_AUTO:
    default:
      vips_error ("rndimg", "no format chosen");
      return -1;
    }
}

/* Every metadata block goes, not only through the savers' "strip":
 * libvips 8.14.1's webpsave ignores it and writes EXIF (GPS included),
 * made again from the "exif-ifd*" fields if the block alone is removed. */
static gboolean
is_metadata (const char *field)
{
  static const char *const prefixes[] = { "exif-", "xmp-", "iptc-", "icc-", "photoshop-", "orientation",
                                          "gif-comment", "png-comment" };

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (field, prefixes[i]))
      return TRUE;
  return FALSE;
}

static int
strip_metadata (VipsImage **image)
{
  VipsImage *next = NULL;
  g_auto(GStrv) fields = NULL;

  if (rndimg_vips_step (image, &next, vips_copy (*image, &next, NULL)) != 0)
    return -1;
  fields = vips_image_get_fields (*image);
  for (char **field = fields; *field != NULL; field++)
    if (is_metadata (*field))
      vips_image_remove (*image, *field);
  return 0;
}

/* The box's crop: around the centre as the image streams, around its
 * interest from the whole image in memory. */
static int
crop (VipsImage **image, const RndimgRenderBox *box, RndimgCrop where)
{
  VipsImage *next = NULL, *whole;
  int width = vips_image_get_width (*image), height = vips_image_get_height (*image);
  int status;

  if (!box->crop || (width == (int) box->crop_width && height == (int) box->crop_height))
    return 0;
  if (where == RNDIMG_CROP_CENTRE)
    return rndimg_vips_step (image, &next, vips_extract_area (*image, &next, (width - (int) box->crop_width) / 2,
                                                               (height - (int) box->crop_height) / 2,
                                                               (int) box->crop_width, (int) box->crop_height, NULL));
  if ((whole = vips_image_copy_memory (*image)) == NULL)
    return -1;
  status = vips_smartcrop (whole, &next, (int) box->crop_width, (int) box->crop_height, "interesting",
                           where == RNDIMG_CROP_ATTENTION ? VIPS_INTERESTING_ATTENTION : VIPS_INTERESTING_ENTROPY,
                           NULL);
  g_object_unref (whole);
  return rndimg_vips_step (image, &next, status);
}

static int
apply_look (VipsImage **image, const RndimgVariantSpec *spec)
{
  VipsImage *next = NULL;

  if (spec->fit == RNDIMG_FIT_CONTAIN && spec->width != 0 && spec->height != 0 &&
      rndimg_vips_step (image, &next, vips_gravity (*image, &next, VIPS_COMPASS_DIRECTION_CENTRE, (int) spec->width,
                                          (int) spec->height, "extend", VIPS_EXTEND_WHITE, NULL)) != 0)
    return -1;
  if (spec->grayscale &&
      rndimg_vips_step (image, &next, vips_colourspace (*image, &next, VIPS_INTERPRETATION_B_W, NULL)) != 0)
    return -1;
  if (spec->blur != 0 && rndimg_vips_step (image, &next, vips_gaussblur (*image, &next, (double) spec->blur, NULL)) != 0)
    return -1;
  if (spec->format == RNDIMG_FORMAT_JPEG && vips_image_hasalpha (*image) &&
      rndimg_vips_step (image, &next, rndimg_vips_flatten_on_white (*image, &next)) != 0)
    return -1;
  return strip_metadata (image);
}

static gboolean
check_output (VipsImage *image, GError **error)
{
  RndimgVariantSpec made = { .width = (guint) vips_image_get_width (image),
                             .height = (guint) vips_image_get_height (image) };
  g_auto(RndimgVariantProblem) problem = { 0 };

  if (rndimg_variant_check_limits (&made, &problem))
    return TRUE;
  g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_OUTPUT_TOO_LARGE,
               "the variant would be %ux%u: %s", made.width, made.height, problem.message);
  return FALSE;
}

/* The variant @spec from @resized (the box's size before its crop): cut,
 * finished (letterbox, gray, blur, no alpha in a JPEG, no metadata) and
 * encoded, within @deadline. */
GBytes *
rndimg_render_encode (VipsImage *resized, const RndimgRenderBox *box, const RndimgVariantSpec *spec,
                      RndimgRenderDeadline *deadline, GError **error)
{
  g_autoptr(VipsImage) image = g_object_ref (resized);
  VipsImage *computed = NULL;
  void *buffer = NULL;
  size_t length = 0;

  if (crop (&image, box, spec->crop) != 0)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be cropped");
      return NULL;
    }
  if (!check_output (image, error))
    return NULL;
  if (apply_look (&image, spec) != 0)
    {
      rndimg_render_set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be processed");
      return NULL;
    }
  if (rndimg_vips_step (&image, &computed, (computed = rndimg_render_compute_here (image, deadline)) != NULL ? 0 : -1) != 0)
    {
      rndimg_render_set_sink_error (error, deadline, "the picture cannot be decoded");
      return NULL;
    }
  rndimg_render_watch_deadline (image, deadline);
  if (save (image, spec->format, spec->quality, &buffer, &length) != 0)
    {
      rndimg_render_set_sink_error (error, deadline, "the picture cannot be decoded");
      return NULL;
    }
  /* libvips' buffer has room to spare (it grows as it writes): cut to
   * size, or the cache's byte budget would count a fraction of its memory. */
  return g_bytes_new_take (g_realloc (buffer, MAX (length, 1)), length);
}

/* Whether libvips here encodes @format: a tiny picture tried (Debian's
 * libheif may lack an AV1 encoder). */
gboolean
rndimg_render_probe_encoder (RndimgFormat format)
{
  g_autoptr(VipsImage) black = NULL;
  void *buffer = NULL;
  size_t length = 0;
  int status;

  if (vips_black (&black, 16, 16, "bands", 3, NULL) != 0)
    return FALSE;
  status = save (black, format, 0, &buffer, &length);
  g_free (buffer);
  vips_error_clear ();
  return status == 0 && length > 0;
}
