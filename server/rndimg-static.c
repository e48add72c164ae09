/* SPDX-License-Identifier: MIT */
/* Files: the catalogue's images under /static/img/ and the web page. Both
 * answer with ETag and Last-Modified and honour conditional requests. */
#include "rndimg-static.h"
#include "rndimg-api.h"
#include "rndimg-http.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMAGE_CACHE_CONTROL "public, max-age=300"
#define WEB_CACHE_CONTROL "no-cache"
#define MAX_SERVED_FILE_BYTES (64 * 1024 * 1024)

typedef struct {
  int fd;
  struct stat st;
  char *etag;
  GDateTime *modified;
} OpenFile;

static void
open_file_clear (OpenFile *file)
{
  if (file->fd >= 0)
    close (file->fd);
  g_free (file->etag);
  g_clear_pointer (&file->modified, g_date_time_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OpenFile, open_file_clear)

/* Never follows a symlink at the last step, so nothing can be swapped in
 * under a catalogue name to escape the folder. */
static gboolean
open_file (OpenFile *file, const char *path)
{
  file->fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (file->fd < 0 || fstat (file->fd, &file->st) != 0 || !S_ISREG (file->st.st_mode))
    return FALSE;
  file->etag = g_strdup_printf ("\"%llx-%lx-%llx\"", (unsigned long long) file->st.st_mtim.tv_sec,
                                (unsigned long) file->st.st_mtim.tv_nsec,
                                (unsigned long long) file->st.st_size);
  file->modified = g_date_time_new_from_unix_utc (file->st.st_mtim.tv_sec);
  return TRUE;
}

static gboolean
etag_listed (const char *if_none_match, const char *etag)
{
  g_auto(GStrv) candidates = g_strsplit (if_none_match, ",", -1);

  for (char **candidate = candidates; *candidate != NULL; candidate++)
    {
      const char *tag = g_strstrip (*candidate);

      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (strcmp (tag, "*") == 0 || strcmp (tag, etag) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_not_modified (SoupServerMessage *msg, const OpenFile *file)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  const char *if_none_match = soup_message_headers_get_one (request, "If-None-Match");
  const char *if_modified_since = soup_message_headers_get_one (request, "If-Modified-Since");
  g_autoptr(GDateTime) since = NULL;

  if (if_none_match != NULL)
    return etag_listed (if_none_match, file->etag);
  if (if_modified_since == NULL)
    return FALSE;
  since = soup_date_time_new_from_http_string (if_modified_since);
  return since != NULL && g_date_time_compare (file->modified, since) <= 0;
}

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

static void
send_file (SoupServerMessage *msg, const char *path, const char *content_type,
           const char *cache_control)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_auto(OpenFile) file = { .fd = -1 };
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *last_modified = NULL;

  if (!open_file (&file, path))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such file");
      return;
    }
  /* Files are sent from memory: refuse what would hold too much of it. */
  if (file.st.st_size > MAX_SERVED_FILE_BYTES)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the file is too large to serve");
      return;
    }

  last_modified = soup_date_time_to_string (file.modified, SOUP_DATE_HTTP);
  soup_message_headers_replace (headers, "ETag", file.etag);
  soup_message_headers_replace (headers, "Last-Modified", last_modified);
  soup_message_headers_replace (headers, "Cache-Control", cache_control);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");

  if (is_not_modified (msg, &file))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }

  bytes = read_all (file.fd, (gsize) file.st.st_size);
  if (bytes == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "cannot read the file");
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

/* GET|HEAD /static/img/NAME: only names listed in the catalogue. */
void
rndimg_static_serve_image (SoupServerMessage *msg, const char *path, GHashTable *query,
                           gpointer api_context)
{
  RndimgApiContext *api = api_context;
  /* NULL for an escaped '/' or NUL: such a name is in no catalogue. */
  g_autofree char *name = g_uri_unescape_string (path + strlen ("/static/img/"), "/");
  g_autoptr(RndimgImage) image = NULL;

  if (name != NULL)
    image = rndimg_catalogue_lookup (api->catalogue, name);
  if (image == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such image");
      return;
    }
  send_file (msg, image->path, image->content_type, IMAGE_CACHE_CONTROL);
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

/* GET|HEAD / and every file of the web folder. */
void
rndimg_static_serve_web (SoupServerMessage *msg, const char *path, GHashTable *query,
                         gpointer api_context)
{
  RndimgApiContext *api = api_context;
  const char *relative = strcmp (path, "/") == 0 ? "index.html" : path + 1;
  const char *content_type = web_content_type (relative);
  g_autofree char *file_path = NULL;

  if (content_type == NULL || !web_path_is_safe (relative))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such page: %s", path);
      return;
    }
  file_path = g_build_filename (api->config->web_dir, relative, NULL);
  send_file (msg, file_path, content_type, WEB_CACHE_CONTROL);
}
