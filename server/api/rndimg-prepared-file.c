/* SPDX-License-Identifier: MIT */
/* One file as it goes out: its bytes in every encoding worth having
 * (identity; gzip and Brotli for text), each with its strong ETag, and the
 * headers that go with every answer of it. Made once (compression is done
 * here, never per request), then only read, from any thread. No libsoup:
 * any server path can send it; rndimg_prepared_file_choose() picks the
 * representation for a request's Accept-Encoding. */
#include "rndimg-prepared-file.h"

#include <brotli/encode.h>
#include <gio/gio.h>
#include <string.h>

/* Hex digits of the content's SHA-256 kept: the ETag and hashed names. */
#define HASH_DIGITS 12
/* An encoding is kept when it saves at least this share of the bytes. */
#define MIN_SAVING_PERCENT 5

struct _RndimgPreparedFile
{
  gatomicrefcount ref_count;
  char hash[HASH_DIGITS + 1];
  char *content_type;
  gint64 modified_unix;
  char *last_modified;        /* HTTP date of modified_unix */
  RndimgRepresentation representations[RNDIMG_ENCODING_N];   /* bytes NULL: not kept */
  GPtrArray *headers;         /* name, value, …, NULL */
};

static const char *const CONTENT_ENCODINGS[RNDIMG_ENCODING_N] = { NULL, "gzip", "br" };

static gboolean
is_compressible (const char *content_type)
{
  return g_str_has_prefix (content_type, "text/") || strstr (content_type, "json") != NULL ||
         strstr (content_type, "javascript") != NULL || strstr (content_type, "+xml") != NULL;
}

static GBytes *
gzip_bytes (GBytes *bytes)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  gsize size = g_bytes_get_size (bytes);

  if (!g_output_stream_write_all (out, g_bytes_get_data (bytes, NULL), size, NULL, NULL, NULL) ||
      !g_output_stream_close (out, NULL, NULL))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static GBytes *
brotli_bytes (GBytes *bytes)
{
  gsize size = g_bytes_get_size (bytes);
  size_t encoded_size = BrotliEncoderMaxCompressedSize (size);
  g_autofree guint8 *encoded = NULL;

  if (encoded_size == 0)
    return NULL;
  encoded = g_malloc (encoded_size);
  if (!BrotliEncoderCompress (BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, size,
                              g_bytes_get_data (bytes, NULL), &encoded_size, encoded))
    return NULL;
  return g_bytes_new_take (g_realloc (g_steal_pointer (&encoded), encoded_size), encoded_size);
}

/* Keeps @encoded as @encoding when it is worth sending instead of the
 * identity; frees it otherwise. */
static void
keep_if_smaller (RndimgPreparedFile *self, RndimgEncoding encoding, GBytes *encoded)
{
  gsize identity = g_bytes_get_size (self->representations[RNDIMG_ENCODING_IDENTITY].bytes);
  RndimgRepresentation *representation = &self->representations[encoding];

  if (encoded == NULL)
    return;
  if (g_bytes_get_size (encoded) * 100 > identity * (100 - MIN_SAVING_PERCENT))
    {
      g_bytes_unref (encoded);
      return;
    }
  representation->bytes = encoded;
  representation->content_encoding = CONTENT_ENCODINGS[encoding];
  representation->etag = g_strdup_printf ("\"%s-%s\"", self->hash, CONTENT_ENCODINGS[encoding]);
}

/* An HTTP date (RFC 9110, 5.6.7), in English whatever the locale. */
static char *
http_date (gint64 unix_time)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  if (time == NULL)
    time = g_date_time_new_from_unix_utc (0);
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT", days[g_date_time_get_day_of_week (time) - 1],
                          g_date_time_get_day_of_month (time), months[g_date_time_get_month (time) - 1],
                          g_date_time_get_year (time), g_date_time_get_hour (time),
                          g_date_time_get_minute (time), g_date_time_get_second (time));
}

static void
set_hash (RndimgPreparedFile *self, GBytes *bytes)
{
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  memcpy (self->hash, sha256, HASH_DIGITS);
  self->hash[HASH_DIGITS] = '\0';
}

/* @bytes in every encoding worth having (text only), for @content_type,
 * last modified at @modified_unix. Compressing takes time (Brotli at its
 * best quality): call it once per file, off the main loop for many. */
RndimgPreparedFile *
rndimg_prepared_file_new (GBytes *bytes, const char *content_type, gint64 modified_unix)
{
  RndimgPreparedFile *self = g_new0 (RndimgPreparedFile, 1);
  RndimgRepresentation *identity = &self->representations[RNDIMG_ENCODING_IDENTITY];

  g_atomic_ref_count_init (&self->ref_count);
  set_hash (self, bytes);
  self->content_type = g_strdup (content_type);
  self->modified_unix = modified_unix;
  self->last_modified = http_date (modified_unix);
  identity->bytes = g_bytes_ref (bytes);
  identity->etag = g_strdup_printf ("\"%s\"", self->hash);
  if (is_compressible (content_type))
    {
      keep_if_smaller (self, RNDIMG_ENCODING_GZIP, gzip_bytes (bytes));
      keep_if_smaller (self, RNDIMG_ENCODING_BROTLI, brotli_bytes (bytes));
    }
  self->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->headers, NULL);
  rndimg_prepared_file_add_header (self, "Content-Type", content_type);
  rndimg_prepared_file_add_header (self, "X-Content-Type-Options", "nosniff");
  if (self->representations[RNDIMG_ENCODING_GZIP].bytes != NULL ||
      self->representations[RNDIMG_ENCODING_BROTLI].bytes != NULL)
    rndimg_prepared_file_add_header (self, "Vary", "Accept-Encoding");
  return self;
}

RndimgPreparedFile *
rndimg_prepared_file_ref (RndimgPreparedFile *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
rndimg_prepared_file_unref (RndimgPreparedFile *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint i = 0; i < RNDIMG_ENCODING_N; i++)
    {
      g_clear_pointer (&self->representations[i].bytes, g_bytes_unref);
      g_free (self->representations[i].etag);
    }
  g_free (self->content_type);
  g_free (self->last_modified);
  g_ptr_array_unref (self->headers);
  g_free (self);
}

/* A header sent with every answer of the file (before it is shared). */
void
rndimg_prepared_file_add_header (RndimgPreparedFile *self, const char *name, const char *value)
{
  g_ptr_array_remove_index (self->headers, self->headers->len - 1);
  g_ptr_array_add (self->headers, g_strdup (name));
  g_ptr_array_add (self->headers, g_strdup (value));
  g_ptr_array_add (self->headers, NULL);
}

/* The first hex digits of the content's SHA-256. */
const char *
rndimg_prepared_file_get_hash (const RndimgPreparedFile *self)
{
  return self->hash;
}

const char *
rndimg_prepared_file_get_content_type (const RndimgPreparedFile *self)
{
  return self->content_type;
}

const char *
rndimg_prepared_file_get_last_modified (const RndimgPreparedFile *self)
{
  return self->last_modified;
}

gint64
rndimg_prepared_file_get_modified (const RndimgPreparedFile *self)
{
  return self->modified_unix;
}

GBytes *
rndimg_prepared_file_get_identity (const RndimgPreparedFile *self)
{
  return self->representations[RNDIMG_ENCODING_IDENTITY].bytes;
}

/* Name, value, name, value, …, NULL: Content-Type, nosniff, Vary when
 * there are encodings, and what was added. */
const char * const *
rndimg_prepared_file_get_headers (const RndimgPreparedFile *self)
{
  return (const char * const *) self->headers->pdata;
}

/* The bytes held, every encoding counted. */
gsize
rndimg_prepared_file_get_memory (const RndimgPreparedFile *self)
{
  gsize total = 0;

  for (guint i = 0; i < RNDIMG_ENCODING_N; i++)
    if (self->representations[i].bytes != NULL)
      total += g_bytes_get_size (self->representations[i].bytes);
  return total;
}

/* What to send to a client that said @accept_encoding (NULL: no header). */
const RndimgRepresentation *
rndimg_prepared_file_choose (const RndimgPreparedFile *self, const char *accept_encoding)
{
  RndimgEncoding encoding = rndimg_accept_encoding_choose (accept_encoding,
                                                           self->representations[RNDIMG_ENCODING_GZIP].bytes != NULL,
                                                           self->representations[RNDIMG_ENCODING_BROTLI].bytes != NULL);

  return &self->representations[encoding];
}

/* The q of one "coding;q=0.5" element; 1 without one, 0 when unreadable. */
static double
quality_of (char **parameters)
{
  for (char **parameter = parameters; *parameter != NULL; parameter++)
    {
      const char *text = g_strstrip (*parameter);
      char *end = NULL;
      double q;

      if (g_ascii_strncasecmp (text, "q=", 2) != 0)
        continue;
      q = g_ascii_strtod (text + 2, &end);
      return end != text + 2 && *end == '\0' && q >= 0 && q <= 1 ? q : 0;
    }
  return 1;
}

/* The coding to send, by RFC 9110's Accept-Encoding (12.5.3): the
 * acceptable one of highest q, Brotli before gzip at equal q; identity
 * when neither is acceptable, or for no header at all (what clients that
 * send none expect, although any coding would be allowed). */
RndimgEncoding
rndimg_accept_encoding_choose (const char *accept_encoding, gboolean gzip_available, gboolean brotli_available)
{
  g_auto(GStrv) elements = NULL;
  double gzip_q = -1, brotli_q = -1, any_q = 0;

  if (accept_encoding == NULL || (!gzip_available && !brotli_available))
    return RNDIMG_ENCODING_IDENTITY;
  elements = g_strsplit (accept_encoding, ",", 32);
  for (char **element = elements; *element != NULL; element++)
    {
      g_auto(GStrv) parts = g_strsplit (*element, ";", 8);
      const char *coding = g_strstrip (parts[0]);
      double q = quality_of (parts + 1);

      if (g_ascii_strcasecmp (coding, "br") == 0)
        brotli_q = q;
      else if (g_ascii_strcasecmp (coding, "gzip") == 0 || g_ascii_strcasecmp (coding, "x-gzip") == 0)
        gzip_q = q;
      else if (strcmp (coding, "*") == 0)
        any_q = q;
    }
  brotli_q = !brotli_available ? 0 : brotli_q >= 0 ? brotli_q : any_q;
  gzip_q = !gzip_available ? 0 : gzip_q >= 0 ? gzip_q : any_q;
  if (brotli_q > 0 && brotli_q >= gzip_q)
    return RNDIMG_ENCODING_BROTLI;
  return gzip_q > 0 ? RNDIMG_ENCODING_GZIP : RNDIMG_ENCODING_IDENTITY;
}
