/* SPDX-License-Identifier: MIT */
/* Files: the catalogue's images under /static/img/ and the web page. Both
 * answer with ETag and Last-Modified and honour conditional requests. A
 * private album's pictures pass the gate first (rndimg-picture-gate.c). */
#include "rndimg-static.h"
#include "rndimg-http.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMAGE_CACHE_CONTROL "public, max-age=300"
#define WEB_CACHE_CONTROL "no-cache"
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
  char *web_dir;
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

/* Opens @relative ("js/app.js") below the folder @root one segment at a
 * time, following no symlink on the way: a link to a folder elsewhere
 * must not lead out of the web folder, as none leads out of the image
 * folder. -1 when it cannot. */
static int
open_below (const char *root, const char *relative)
{
  g_auto(GStrv) segments = g_strsplit (relative, "/", -1);
  int dir = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 0; dir >= 0 && segments[i] != NULL; i++)
    {
      gboolean last = segments[i + 1] == NULL;
      int next = openat (dir, segments[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));

      close (dir);
      if (last)
        return next;
      dir = next;
    }
  if (dir >= 0)
    close (dir);
  return -1;
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
send_loaded (RndimgExchange *exchange, const LoadedFile *file, const char *content_type,
             const char *cache_control)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  /* No answer has these yet: appended (a replace would look for them first). */
  soup_message_headers_append (headers, "ETag", file->etag);
  soup_message_headers_append (headers, "Last-Modified", file->last_modified);
  if (cache_control != NULL)
    soup_message_headers_append (headers, "Cache-Control", cache_control);
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
  send_loaded (exchange, file, image->content_type, NULL);
}

static const char *
web_content_type (const char *name)
{
  static const struct { const char *suffix, *type; } types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js",   "text/javascript; charset=utf-8" },
    { ".css",  "text/css; charset=utf-8" },
    { ".svg",  "image/svg+xml" },
    { ".png",  "image/png" },
    { ".ico",  "image/x-icon" },
    { ".json", "application/json" },
    { ".webmanifest", "application/manifest+json" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (name, types[i].suffix))
      return types[i].type;
  return NULL;
}

/* A web path is a few plain segments: no dot files, no "..", nothing
 * escaped, so it can only name a file below the web folder. */
static gboolean
web_path_is_safe (const char *relative)
{
  g_auto(GStrv) segments = g_strsplit (relative, "/", -1);
  guint depth = g_strv_length (segments);

  if (depth == 0 || depth > 4)
    return FALSE;
  for (guint i = 0; i < depth; i++)
    {
      const char *segment = segments[i];

      if (segment[0] == '\0' || segment[0] == '.')
        return FALSE;
      for (const char *p = segment; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
          return FALSE;
    }
  return TRUE;
}

/* The page has no inline script or style and talks only to its own
 * server, so a strict policy fits: nothing from elsewhere, no framing
 * (clickjacking on Upload), no referrer sent to other sites. */
static void
add_page_policy (RndimgExchange *exchange)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
                                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
}

/* GET|HEAD / and every file of the web folder. */
void
rndimg_static_serve_web (RndimgExchange *exchange, const char *path, GHashTable *query,
                         gpointer static_files)
{
  RndimgStatic *self = static_files;
  g_autoptr(LoadedFile) file = NULL;
  const char *why;
  const char *relative = strcmp (path, "/") == 0 ? "index.html" : path + 1;
  const char *content_type = web_content_type (relative);

  if (content_type == NULL || !web_path_is_safe (relative))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such page: %s", path);
      return;
    }
  /* Read per request: the page is small and edited while developing. */
  file = load_fd (open_below (self->web_dir, relative), &why);
  if (file == NULL)
    {
      send_error_for (exchange, why);
      return;
    }
  add_page_policy (exchange);
  send_loaded (exchange, file, content_type, WEB_CACHE_CONTROL);
}

/* The files under /static/img/ (the catalogue's, from memory) and the web
 * page's (from @web_dir). */
RndimgStatic *
rndimg_static_new (RndimgCatalogue *catalogue, const char *web_dir)
{
  RndimgStatic *self = g_new0 (RndimgStatic, 1);

  self->catalogue = g_object_ref (catalogue);
  self->web_dir = g_strdup (web_dir);
  self->images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) loaded_file_free);
  return self;
}

void
rndimg_static_free (RndimgStatic *self)
{
  g_object_unref (self->catalogue);
  g_free (self->web_dir);
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
