/* SPDX-License-Identifier: MIT */
/* The one judgement of a picture's size, from its header, made the same
 * way at upload, in the catalogue, before a render and before a
 * placeholder: the bytes' type (the signature, never the name), then the
 * canvas its decoder would allocate (PNG's IHDR, JPEG's frame header,
 * GIF's logical screen grown by its first frame, WebP's VP8/VP8L/VP8X),
 * read as libpng, libjpeg, libnsgif and libwebp read it and refused where
 * they (or libvips) would refuse it. Declaring more pixels than allowed
 * wins over any other fault: a bomb is refused as one. A few small reads,
 * never the pixels; every read is bounded by the file's length. */
#include "rndimg-picture-header.h"
#include "rndimg-header-reader.h"
#include "rndimg-image-type.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (rndimg-picture-header-error-quark, rndimg_picture_header_error)

static gboolean
read_fd_at (int fd, guint64 offset, guint8 *buffer, gsize length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t got = pread (fd, buffer + done, length - done, (off_t) (offset + done));

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return FALSE;
      done += (gsize) got;
    }
  return TRUE;
}

/* FALSE when [@offset, @offset + @length) is not all within the file. */
gboolean
rndimg_header_reader_read (RndimgHeaderReader *reader, guint64 offset, void *out, gsize length)
{
  if (offset > reader->length || reader->length - offset < length)
    return FALSE;
  if (length == 0)
    return TRUE;
  if (reader->fd < 0)
    {
      memcpy (out, reader->data + offset, length);
      return TRUE;
    }
  if (length > RNDIMG_HEADER_WINDOW)
    return read_fd_at (reader->fd, offset, out, length);
  if (offset < reader->window_start || offset + length > reader->window_start + reader->window_length)
    {
      gsize want = (gsize) MIN ((guint64) RNDIMG_HEADER_WINDOW, reader->length - offset);

      reader->window_length = 0;
      if (!read_fd_at (reader->fd, offset, reader->window, want))
        return FALSE;
      reader->window_start = offset;
      reader->window_length = want;
    }
  memcpy (out, reader->window + (offset - reader->window_start), length);
  return TRUE;
}

gboolean
rndimg_header_invalid (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_INVALID,
                                                format, args));
  va_end (args);
  return FALSE;
}

typedef struct {
  const char *content_type;
  const char *name;
  RndimgHeaderParse parse;
} Format;

static const Format formats[] = {
  { "image/png", "PNG", rndimg_header_read_png },
  { "image/jpeg", "JPEG", rndimg_header_read_jpeg },
  { "image/gif", "GIF", rndimg_header_read_gif },
  { "image/webp", "WebP", rndimg_header_read_webp },
};

static const Format *
format_of (const char *content_type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_strcmp0 (formats[i].content_type, content_type) == 0)
      return &formats[i];
  return NULL;
}

/* EXIF orientations 5 to 8 turn the picture a quarter: libvips' thumbnail
 * (every variant, every placeholder) and browsers show it turned. */
static gboolean
swaps_sides (guint orientation)
{
  return orientation >= 5 && orientation <= 8;
}

static gboolean
judge (RndimgHeaderReader *reader, guint64 max_pixels, RndimgPictureHeader *header, GError **error)
{
  guint8 head[RNDIMG_SNIFF_LENGTH] = { 0 };
  RndimgHeaderFound found = { 0 };
  g_autoptr(GError) fault = NULL;
  const Format *format;
  gboolean parsed;
  guint64 pixels;

  memset (header, 0, sizeof *header);
  if (!rndimg_header_reader_read (reader, 0, head, MIN (sizeof head, reader->length)) ||
      (format = format_of (rndimg_image_type_sniff (head, (gsize) MIN (sizeof head, reader->length)))) == NULL)
    {
      g_set_error (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_NOT_AN_IMAGE,
                   "the bytes are not a PNG, JPEG, GIF or WebP image");
      return FALSE;
    }
  header->content_type = format->content_type;
  parsed = format->parse (reader, &found, &fault);
  pixels = (guint64) found.width * found.height;
  if (pixels > max_pixels)
    {
      header->width = found.width;
      header->height = found.height;
      header->pixels = pixels;
      g_set_error (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE,
                   "the picture declares %" G_GUINT64_FORMAT " pixels, over the limit of %" G_GUINT64_FORMAT,
                   pixels, max_pixels);
      return FALSE;
    }
  if (!parsed)
    {
      g_set_error (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_INVALID,
                   "this %s cannot be read: %s", format->name, fault->message);
      return FALSE;
    }
  header->width = swaps_sides (found.orientation) ? found.height : found.width;
  header->height = swaps_sides (found.orientation) ? found.width : found.height;
  header->pixels = pixels;
  return TRUE;
}

/* Judges the picture in @fd (read with pread: its offset is left alone).
 * TRUE with @header filled when its header is sound and declares at most
 * @max_pixels (RNDIMG_PICTURE_HEADER_NO_LIMIT: any number). Else FALSE
 * with a RNDIMG_PICTURE_HEADER_ERROR saying why, @header holding the
 * content type when known and, for TOO_LARGE, the declared size. */
gboolean
rndimg_picture_header_judge_fd (int fd, guint64 max_pixels, RndimgPictureHeader *header, GError **error)
{
  g_autofree RndimgHeaderReader *reader = g_new0 (RndimgHeaderReader, 1);
  RndimgPictureHeader ignored;
  struct stat st;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_NOT_AN_IMAGE,
                   "the picture is not a regular file");
      return FALSE;
    }
  reader->fd = fd;
  reader->length = (guint64) st.st_size;
  return judge (reader, max_pixels, header != NULL ? header : &ignored, error);
}

/* The same judgement of bytes in memory (an upload). */
gboolean
rndimg_picture_header_judge_bytes (const guint8 *data, gsize length, guint64 max_pixels, RndimgPictureHeader *header,
                                   GError **error)
{
  g_autofree RndimgHeaderReader *reader = g_new0 (RndimgHeaderReader, 1);
  RndimgPictureHeader ignored;

  reader->fd = -1;
  reader->data = data;
  reader->length = length;
  return judge (reader, max_pixels, header != NULL ? header : &ignored, error);
}

/* The same judgement of the file at @path, never through a symlink and
 * never blocking on a FIFO put in its place. */
gboolean
rndimg_picture_header_judge_file (const char *path, guint64 max_pixels, RndimgPictureHeader *header, GError **error)
{
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  gboolean judged;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "the picture cannot be opened: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  judged = rndimg_picture_header_judge_fd (fd, max_pixels, header, error);
  close (fd);
  return judged;
}
