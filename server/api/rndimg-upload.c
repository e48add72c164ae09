/* SPDX-License-Identifier: MIT */
/* POST /polling/api/v1.0/images[?album=A]: a new picture (into album A), as the raw body
 * (Content-Type image/...) or as the file of a multipart/form-data form.
 * The bytes must really be an image whose header is sound and within
 * --max-input-pixels; the server names the file and writes it whole or
 * not at all (an unnamed file, fsync, then its name), so the catalogue
 * never sees half a picture and a crash leaves nothing behind. The body
 * size limit is enforced by the router before the body is read. */
#include "rndimg-upload.h"
#include "rndimg-api.h"
#include "rndimg-auth.h"
#include "rndimg-http.h"
#include "rndimg-image-type.h"
#include "rndimg-picture-header.h"
#include "rndimg-picture-writer.h"

/* ?album=A: an album with a folder, or any valid name with
 * --allow-new-albums. "" for none; NULL with the answer sent. */
static const char *
upload_album (RndimgApiContext *api, SoupServerMessage *msg, GHashTable *query)
{
  const char *album = query != NULL ? g_hash_table_lookup (query, "album") : NULL;

  if (album == NULL)
    return "";
  if (!rndimg_album_name_is_valid (album) || rndimg_http_query_value_has_nul (msg, "album"))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "album must be an album name (dogs, dogs/puppies): lower-case letters, digits, '-' and '_', "
                              "at most 64 bytes a segment");
      return NULL;
    }
  if (rndimg_catalogue_get_album (api->catalogue, album) == NULL && !api->config->allow_new_albums)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND,
                              "no album called %s (the server takes new albums only with --allow-new-albums)", album);
      return NULL;
    }
  return album;
}

static gboolean
part_is_file (SoupMessageHeaders *headers)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *disposition = NULL;

  if (!soup_message_headers_get_content_disposition (headers, &disposition, &params))
    return FALSE;
  return g_hash_table_contains (params, "filename") ||
         g_strcmp0 (g_hash_table_lookup (params, "name"), "image") == 0 ||
         g_strcmp0 (g_hash_table_lookup (params, "name"), "file") == 0;
}

/* The first file of the form; NULL (with the answer set) when none. */
static GBytes *
file_from_form (SoupServerMessage *msg, GBytes *body)
{
  g_autoptr(SoupMultipart) form = soup_multipart_new_from_message (
    soup_server_message_get_request_headers (msg), body);

  if (form == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "the multipart/form-data body is malformed");
      return NULL;
    }
  for (int i = 0; i < soup_multipart_get_length (form); i++)
    {
      SoupMessageHeaders *headers;
      GBytes *part;

      if (soup_multipart_get_part (form, i, &headers, &part) && part_is_file (headers))
        return g_bytes_ref (part);
    }
  rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "the form has no file (a part named \"image\" or with a filename)");
  return NULL;
}

/* The picture's bytes, from a raw body or a form; NULL with the answer set. */
static GBytes *
uploaded_bytes (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  /* Keep the form parsed from libsoup's flattened body: it is one buffer
   * with a NUL after its last byte, and soup_multipart_new_from_message()
   * (libsoup 3.2) reads past the end of a body without one, looking for a
   * boundary. Never hand it a GBytes of our own making (a slice, a copy).
   * tests/test-errors.c sends forms cut off mid-boundary; the fuzz target
   * tests/fuzz/fuzz-multipart.c reads them the same way. */
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  if (content_type != NULL && g_ascii_strcasecmp (content_type, "multipart/form-data") == 0)
    return file_from_form (msg, body);
  if (content_type != NULL && g_ascii_strncasecmp (content_type, "image/", 6) == 0)
    return g_steal_pointer (&body);
  rndimg_http_send_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                          "send the picture as the body with Content-Type image/..., or as multipart/form-data");
  return NULL;
}

static char *
new_file_name (const char *content_type)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("upload-%s-%08x.%s", stamp, g_random_int (),
                          rndimg_image_type_extension (content_type));
}

/* Writes @bytes under a fresh name in @folder's @album ("": none), whole
 * or not at all (rndimg-picture-writer.c). Returns the picture's name
 * ("dogs/upload-....png"). */
static char *
store (const char *folder, const char *album, GBytes *bytes, const char *content_type, GError **error)
{
  for (int attempt = 0; attempt < 8; attempt++)
    {
      g_autofree char *file_name = new_file_name (content_type);
      g_autofree char *name = album[0] != '\0' ? g_strconcat (album, "/", file_name, NULL) : g_strdup (file_name);
      g_autoptr(GError) taken = NULL;

      if (rndimg_picture_writer_write (folder, name, bytes, &taken))
        return g_steal_pointer (&name);
      if (!g_error_matches (taken, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&taken));
          return NULL;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "no free file name");
  return NULL;
}

/* The picture judged by its header as everywhere else
 * (rndimg-picture-header.c), before it is stored or decoded: no supported
 * image is 415, a decompression bomb (a small file declaring a huge
 * picture) 413, a header that cannot be read or that its decoder would
 * refuse 422. Returns the content type; NULL with the answer sent. */
static const char *
judge_picture (SoupServerMessage *msg, const RndimgConfig *config, GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  RndimgPictureHeader header;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  if (rndimg_picture_header_judge_bytes (data, length, (guint64) config->max_input_pixels, &header, &error))
    return header.content_type;
  if (g_error_matches (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE))
    rndimg_http_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "%s (--max-input-pixels)", error->message);
  else if (g_error_matches (error, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_INVALID))
    rndimg_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "%s", error->message);
  else
    rndimg_http_send_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "%s", error->message);
  return NULL;
}

void
rndimg_upload_serve (SoupServerMessage *msg, const char *path, GHashTable *query,
                     gpointer api_context)
{
  RndimgApiContext *api = api_context;
  RndimgCatalogue *catalogue = api->catalogue;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgPicture) image = NULL;
  g_autofree char *name = NULL;
  const char *content_type;
  const char *album;

  if (!rndimg_auth_allows_write (api->config, msg) || (album = upload_album (api, msg, query)) == NULL ||
      (bytes = uploaded_bytes (msg)) == NULL)
    return;
  if ((content_type = judge_picture (msg, api->config, bytes)) == NULL)
    return;

  name = store (api->config->uploads_dir, album, bytes, content_type, &error);
  image = name != NULL ? rndimg_catalogue_refresh (catalogue, name, FALSE) : NULL;
  if (image == NULL)
    {
      g_warning ("upload not stored: %s", error ? error->message : "the file vanished");
      rndimg_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the picture could not be stored");
      return;
    }
  g_message ("stored upload %s (%" G_GOFFSET_FORMAT " bytes)", name, image->size);
  if (api->pictures != NULL)
    rndimg_picture_store_share (api->pictures, name, bytes);
  rndimg_api_publish_and_answer (api, msg, name, "upload");
}
