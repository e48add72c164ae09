/* SPDX-License-Identifier: MIT */
/* Files: the catalogue's images under /static/img/ and the web page
 * (rndimg-web-folder.c prepares it). Both answer with ETag and
 * Last-Modified and honour conditional requests. A private album's
 * pictures pass the gate first (rndimg-picture-gate.c). */
#include "rndimg-static.h"
#include "rndimg-http.h"
#include "rndimg-paused.h"
#include "rndimg-web-folder.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMAGE_CACHE_CONTROL "public, max-age=300"
#define MAX_SERVED_FILE_BYTES (64 * 1024 * 1024)
/* Images kept in memory at most; beyond, read per request. */
#define MAX_CACHED_BYTES (64 * 1024 * 1024)

/* A file's bytes and validators, as sent. */
typedef struct {
  GBytes *bytes;
  char *etag;
  GDateTime *modified;
  char *last_modified;        /* HTTP date of @modified */
  goffset size;               /* for an image: the catalogue's size and */
  gint64 modified_usec;       /* time when loaded, to see it is current */
} LoadedFile;

static void
loaded_file_free (LoadedFile *file)
{
  g_bytes_unref (file->bytes);
  g_free (file->etag);
  g_date_time_unref (file->modified);
  g_free (file->last_modified);
  g_free (file);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadedFile, loaded_file_free)

struct _RndimgStatic
{
  RndimgCatalogue *catalogue;
  RndimgWebFolder *web;
  GHashTable *images;         /* path -> LoadedFile */
  gsize cached_bytes;
  RndimgPictureGate *gate;    /* borrowed; NULL: public pictures only */
};

static GBytes *
read_all (int fd, gsize size)
{
  g_autofree guint8 *data = g_malloc (size > 0 ? size : 1);
  gsize done = 0;

  while (done < size)
    {
      ssize_t got = read (fd, data + done, size - done);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return NULL;
      done += (gsize) got;
    }
  return g_bytes_new_take (g_steal_pointer (&data), size);
}

/* Reads a regular file whole, never following a symlink at the last step,
 * so nothing can be swapped in under a catalogue name to escape the
 * folder. NULL with a reason in @why when it cannot be served. */
static LoadedFile *
load_fd (int fd, const char **why)
{
  struct stat st;
  GBytes *bytes = NULL;
  LoadedFile *file;

  *why = "no such file";
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    {
      /* Files are sent from memory: refuse what would hold too much of it. */
      *why = st.st_size > MAX_SERVED_FILE_BYTES ? "the file is too large to serve" : "cannot read the file";
      if (st.st_size <= MAX_SERVED_FILE_BYTES)
        bytes = read_all (fd, (gsize) st.st_size);
    }
  if (fd >= 0)
    close (fd);
  if (bytes == NULL)
    return NULL;
  file = g_new0 (LoadedFile, 1);
  file->bytes = bytes;
  file->etag = g_strdup_printf ("\"%llx-%lx-%llx\"", (unsigned long long) st.st_mtim.tv_sec,
                                (unsigned long) st.st_mtim.tv_nsec, (unsigned long long) st.st_size);
  file->modified = g_date_time_new_from_unix_utc (st.st_mtim.tv_sec);
  file->last_modified = soup_date_time_to_string (file->modified, SOUP_DATE_HTTP);
  file->size = st.st_size;
  return file;
}

static LoadedFile *
load_file (const char *path, const char **why)
{
  return load_fd (open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), why);
}

static gboolean
is_not_modified (RndimgExchange *exchange, const LoadedFile *file)
{
  SoupMessageHeaders *request = rndimg_exchange_get_request_headers (exchange);
  const char *if_none_match = soup_message_headers_get_one (request, "If-None-Match");
  const char *if_modified_since = soup_message_headers_get_one (request, "If-Modified-Since");
  g_autoptr(GDateTime) since = NULL;

  if (if_none_match != NULL)
    return rndimg_http_if_none_match (exchange, file->etag);
  if (if_modified_since == NULL)
    return FALSE;
  since = soup_date_time_new_from_http_string (if_modified_since);
  return since != NULL && g_date_time_compare (file->modified, since) <= 0;
}

static void
send_loaded (RndimgExchange *exchange, const LoadedFile *file, const char *content_type)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  /* No answer has these yet: appended (a replace would look for them first). */
  soup_message_headers_append (headers, "ETag", file->etag);
  soup_message_headers_append (headers, "Last-Modified", file->last_modified);
  soup_message_headers_append (headers, "X-Content-Type-Options", "nosniff");
  if (is_not_modified (exchange, file))
    {
      rndimg_exchange_set_status (exchange, SOUP_STATUS_NOT_MODIFIED);
      return;
    }
  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  soup_message_headers_append (headers, "Content-Type", content_type);
  /* The bytes in memory, shared, not copied. */
  rndimg_exchange_set_body (exchange, file->bytes);
}

static void
send_error_for (RndimgExchange *exchange, const char *why)
{
  rndimg_http_send_error (exchange, g_str_equal (why, "no such file") ? SOUP_STATUS_NOT_FOUND
                                                                 : SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", why);
}

/* The image's bytes from memory, read again only when the catalogue says
 * the file changed; NULL (with @why) when it cannot be read. */
static const LoadedFile *
image_file (RndimgStatic *self, const RndimgPicture *image, const char **why)
{
  LoadedFile *file = g_hash_table_lookup (self->images, image->path);

  if (file != NULL && file->size == image->size && file->modified_usec == image->modified_usec)
    return file;
  if (file != NULL)
    {
      self->cached_bytes -= (gsize) file->size;
      g_hash_table_remove (self->images, image->path);
    }
  file = load_file (image->path, why);
  if (file == NULL)
    return NULL;
  file->modified_usec = image->modified_usec;
  /* A crude bound, enough for a folder that outgrows memory: start over. */
  if (self->cached_bytes + (gsize) file->size > MAX_CACHED_BYTES)
    {
      g_hash_table_remove_all (self->images);
      self->cached_bytes = 0;
    }
  self->cached_bytes += (gsize) file->size;
  g_hash_table_replace (self->images, g_strdup (image->path), file);
  return file;
}

/* GET|HEAD /static/img/NAME: only names listed in the catalogue. */
void
rndimg_static_serve_image (RndimgExchange *exchange, const char *path, GHashTable *query,
                           gpointer static_files)
{
  RndimgStatic *self = static_files;
  const LoadedFile *file;
  const char *why;
  /* NULL for an escaped '/' or NUL: such a name is in no catalogue. */
  g_autofree char *name = g_uri_unescape_string (path + strlen (RNDIMG_PICTURES_PATH), "/");
  g_autoptr(RndimgPicture) image = NULL;
  g_auto(RndimgPicturePass) pass = { 0 };

  if (name != NULL && self->gate != NULL)
    {
      if ((image = rndimg_picture_gate_open (self->gate, exchange, name, &pass)) == NULL)
        return;
    }
  else if (name != NULL)
    image = rndimg_catalogue_lookup (self->catalogue, name);
  if (image == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such image");
      return;
    }
  file = image_file (self, image, &why);
  if (file == NULL)
    {
      send_error_for (exchange, why);
      return;
    }
  rndimg_picture_gate_cache_control (exchange, image, &pass, IMAGE_CACHE_CONTROL);
  send_loaded (exchange, file, image->content_type);
}

/* The prepared file's answer for @exchange: 304 when its If-None-Match names
 * the representation the client would get, else 200 with its bytes. */
static void
send_prepared (RndimgExchange *exchange, const RndimgWebRoute *route)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  const RndimgRepresentation *representation =
    rndimg_prepared_file_choose (route->file, rndimg_exchange_get_header (exchange, "Accept-Encoding"));
  const char * const *extra = rndimg_prepared_file_get_headers (route->file);

  for (guint i = 0; extra[i] != NULL; i += 2)
    soup_message_headers_append (headers, extra[i], extra[i + 1]);
  /* No header of the page's own files is for a script of another origin
   * to read: some 70 bytes less on each of a dozen answers. */
  soup_message_headers_remove (headers, "Access-Control-Expose-Headers");
  soup_message_headers_append (headers, "ETag", representation->etag);
  soup_message_headers_append (headers, "Last-Modified", rndimg_prepared_file_get_last_modified (route->file));
  soup_message_headers_append (headers, "Cache-Control", route->cache_control);
  if (rndimg_http_if_none_match (exchange, representation->etag))
    {
      soup_message_headers_remove (headers, "Content-Type");
      rndimg_exchange_set_status (exchange, SOUP_STATUS_NOT_MODIFIED);
      return;
    }
  if (representation->content_encoding != NULL)
    soup_message_headers_append (headers, "Content-Encoding", representation->content_encoding);
  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  /* The bytes in memory, shared, not copied. */
  rndimg_exchange_set_body (exchange, representation->bytes);
}

static void
answer_web (RndimgExchange *exchange, RndimgWebFiles *files, const char *relative)
{
  const RndimgWebRoute *route = rndimg_web_files_lookup (files, relative);

  if (route == NULL)
    rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such page: /%s", relative);
  else
    send_prepared (exchange, route);
}

/* A request that waits for the web folder to be prepared. */
typedef struct {
  RndimgPaused *paused;
  char *relative;
} WebWait;

static void
on_web_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WebWait *wait = user_data;
  g_autoptr(RndimgWebFiles) files = rndimg_web_folder_prepare_finish (RNDIMG_WEB_FOLDER (source), result, NULL);

  if (rndimg_paused_resume (wait->paused))
    answer_web (rndimg_paused_exchange (wait->paused), files, wait->relative);
  rndimg_paused_free (wait->paused);
  g_free (wait->relative);
  g_free (wait);
}

/* GET|HEAD / and every file of the web folder, from memory, compressed
 * as the client takes it; the first request (and the first after a
 * change) waits while the folder is prepared. */
void
rndimg_static_serve_web (RndimgExchange *exchange, const char *path, GHashTable *query,
                         gpointer static_files)
{
  RndimgStatic *self = static_files;
  const char *relative = strcmp (path, "/") == 0 ? "index.html" : path + 1;
  RndimgWebFiles *files;
  WebWait *wait;

  if (rndimg_web_content_type (relative) == NULL || !rndimg_web_path_is_safe (relative))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such page: %s", path);
      return;
    }
  files = rndimg_web_folder_peek_current (self->web);
  if (files != NULL)
    {
      answer_web (exchange, files, relative);
      return;
    }
  wait = g_new0 (WebWait, 1);
  wait->paused = rndimg_paused_new (exchange);
  wait->relative = g_strdup (relative);
  rndimg_web_folder_prepare_async (self->web, NULL, on_web_prepared, wait);
}

/* The files under /static/img/ (the catalogue's, from memory) and the web
 * page's (from @web_dir, prepared when first asked for). */
RndimgStatic *
rndimg_static_new (RndimgCatalogue *catalogue, const char *web_dir)
{
  RndimgStatic *self = g_new0 (RndimgStatic, 1);

  self->catalogue = g_object_ref (catalogue);
  self->web = rndimg_web_folder_new (web_dir);
  self->images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) loaded_file_free);
  return self;
}

void
rndimg_static_free (RndimgStatic *self)
{
  g_object_unref (self->catalogue);
  g_object_unref (self->web);
  g_hash_table_unref (self->images);
  g_free (self);
}

/* Private albums' pictures pass @gate (borrowed); without one, only
 * public pictures are served. */
void
rndimg_static_set_gate (RndimgStatic *self, RndimgPictureGate *gate)
{
  self->gate = gate;
}
