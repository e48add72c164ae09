/* SPDX-License-Identifier: MIT */
/* The web folder, ready to send. Every file is prepared once
 * (rndimg-prepared-file.c: gzip and Brotli made then, never per request)
 * and answers under two names: its own ("js/app.js", revalidated by its
 * ETag on every use) and one carrying its content hash
 * ("js/app.3f2a9c1e07b4.js", kept by caches for a year as immutable). The
 * HTML pages are rewritten to point at the hashed names: every attribute
 * value that is a path of the folder (below the page's own folder), and
 * the page's <script type="importmap"> filled with a map from each module
 * to its hashed name, so the modules' own imports ("./api.js") reach the
 * hashed names too; the Content-Security-Policy lets that one inline
 * script run by its hash. A repeat visit then asks for the page alone.
 *
 * The folder is prepared in a worker thread the first time it is asked
 * for, and again when it changes: a walk of the folder's listing and
 * times, at most once a second, tells (the page is edited in place while
 * developing). Symlinks are never followed, dot files never served, and
 * the folder is bounded (RNDIMG_WEB_MAX_*): what is over is left out with
 * a warning. */
#include "rndimg-web-folder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_INTERVAL_USEC G_USEC_PER_SEC
#define IMPORT_MAP_START "<script type=\"importmap\">"
#define SCRIPT_END "</script>"
/* The page has no inline script but its import map, no inline style, and
 * talks only to its own server: nothing from elsewhere, no framing
 * (clickjacking on Upload), no referrer sent to other sites. */
#define PAGE_POLICY "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; " \
                    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct _RndimgWebFiles
{
  gatomicrefcount ref_count;
  GHashTable *routes;         /* relative path -> RndimgWebRoute */
  char *signature;            /* of the listing it was made from */
  guint count;
  gsize memory;
};

struct _RndimgWebFolder
{
  GObject parent_instance;

  char *path;
  RndimgWebFiles *current;    /* NULL until first prepared */
  gint64 checked_usec;        /* when current was last found fresh */
  gboolean preparing;
  GPtrArray *waiting;         /* GTask: prepare_async() callers */
};

G_DEFINE_FINAL_TYPE (RndimgWebFolder, rndimg_web_folder, G_TYPE_OBJECT)

/* One file found by a walk. */
typedef struct {
  char *relative;
  struct stat st;
} Entry;

static void
entry_clear (Entry *entry)
{
  g_free (entry->relative);
}

/* ---- names ---- */

const char *
rndimg_web_content_type (const char *relative)
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
    if (g_str_has_suffix (relative, types[i].suffix))
      return types[i].type;
  return NULL;
}

static gboolean
segment_is_safe (const char *segment)
{
  if (segment[0] == '\0' || segment[0] == '.')
    return FALSE;
  for (const char *p = segment; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* A web path is a few plain segments: no dot files, no "..", nothing
 * escaped, so it can only name a file below the web folder. */
gboolean
rndimg_web_path_is_safe (const char *relative)
{
  g_auto(GStrv) segments = g_strsplit (relative, "/", -1);
  guint depth = g_strv_length (segments);

  if (depth == 0 || depth > RNDIMG_WEB_MAX_DEPTH)
    return FALSE;
  for (guint i = 0; i < depth; i++)
    if (!segment_is_safe (segments[i]))
      return FALSE;
  return TRUE;
}

/* "js/app.js" -> "js/app.HASH.js"; "LICENSE" -> "LICENSE.HASH". */
static char *
hashed_name (const char *relative, const char *hash)
{
  const char *base = strrchr (relative, '/');
  const char *dot = strrchr (base != NULL ? base : relative, '.');

  if (dot == NULL || dot == (base != NULL ? base + 1 : relative))
    return g_strdup_printf ("%s.%s", relative, hash);
  return g_strdup_printf ("%.*s.%s%s", (int) (dot - relative), relative, hash, dot);
}

/* "js/app.3f2a9c1e07b4.js" -> "js/app.js" when the segment before the
 * extension looks like a hash; else NULL. */
static char *
unhashed_name (const char *relative)
{
  const char *base = strrchr (relative, '/');
  const char *last_dot = strrchr (base != NULL ? base : relative, '.');
  const char *hash;
  gsize digits;

  if (last_dot == NULL || last_dot == relative)
    return NULL;
  for (hash = last_dot - 1; hash > relative && g_ascii_isxdigit (*hash); hash--)
    ;
  digits = (gsize) (last_dot - hash - 1);
  if (*hash != '.' || digits != strlen ("0123456789ab"))
    return NULL;
  return g_strdup_printf ("%.*s%s", (int) (hash - relative), relative, last_dot);
}

/* ---- walking the folder ---- */

static void walk (int dir_fd, const char *prefix, guint depth, GArray *entries);

static void
walk_child (int dir_fd, const char *prefix, const char *name, guint depth, GArray *entries)
{
  g_autofree char *relative = prefix[0] != '\0' ? g_strconcat (prefix, "/", name, NULL) : g_strdup (name);
  struct stat st;

  if (!segment_is_safe (name) || fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return;
  if (S_ISDIR (st.st_mode) && depth + 1 < RNDIMG_WEB_MAX_DEPTH)
    {
      int child = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (child >= 0)
        walk (child, relative, depth + 1, entries);
    }
  else if (S_ISREG (st.st_mode) && rndimg_web_content_type (name) != NULL &&
           entries->len <= RNDIMG_WEB_MAX_FILES)
    {
      Entry entry = { g_steal_pointer (&relative), st };

      g_array_append_val (entries, entry);
    }
}

/* Takes @dir_fd. */
static void
walk (int dir_fd, const char *prefix, guint depth, GArray *entries)
{
  DIR *dir = fdopendir (dir_fd);
  struct dirent *child;

  if (dir == NULL)
    {
      close (dir_fd);
      return;
    }
  while ((child = readdir (dir)) != NULL)
    walk_child (dirfd (dir), prefix, child->d_name, depth, entries);
  closedir (dir);
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  return strcmp (((const Entry *) a)->relative, ((const Entry *) b)->relative);
}

/* The servable files below @root, by name; at most one over the bound. */
static GArray *
list_files (const char *root)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  if (fd >= 0)
    walk (fd, "", 0, entries);
  g_array_sort (entries, compare_entries);
  return entries;
}

/* What a change to the folder changes: names, sizes, times, inodes. */
static char *
signature_of (GArray *entries)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = &g_array_index (entries, Entry, i);
      g_autofree char *line = g_strdup_printf ("%s\n%lld %lld.%09ld %llu\n", entry->relative,
                                               (long long) entry->st.st_size, (long long) entry->st.st_mtim.tv_sec,
                                               entry->st.st_mtim.tv_nsec, (unsigned long long) entry->st.st_ino);

      g_checksum_update (checksum, (const guchar *) line, -1);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* Opens @relative below @root one segment at a time, following no
 * symlink on the way (a link to a folder elsewhere must not lead out of
 * the web folder). -1 when it cannot. */
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

/* The bytes of a regular file of at most RNDIMG_WEB_MAX_FILE_BYTES. */
static GBytes *
read_file (const char *root, const char *relative, GError **error)
{
  int fd = open_below (root, relative);
  g_autoptr(GInputStream) in = NULL;
  g_autofree guint8 *data = NULL;
  struct stat st;
  gsize got = 0;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
      return NULL;
    }
  in = g_unix_input_stream_new (fd, TRUE);
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > RNDIMG_WEB_MAX_FILE_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not a regular file of at most %d bytes", RNDIMG_WEB_MAX_FILE_BYTES);
      return NULL;
    }
  data = g_malloc ((gsize) st.st_size + 1);
  if (!g_input_stream_read_all (in, data, (gsize) st.st_size, &got, NULL, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), got);
}

/* ---- the pages ---- */

/* The folder an HTML page is in, with a slash ("" at the top). */
static char *
folder_of (const char *relative)
{
  const char *slash = strrchr (relative, '/');

  return slash != NULL ? g_strndup (relative, (gsize) (slash - relative + 1)) : g_strdup ("");
}

/* {"imports": {"./js/app.js": "./js/app.HASH.js", …}} for every module
 * below @folder, the keys as the page's base URL resolves them. */
static char *
import_map_for (GHashTable *hashed, const char *folder)
{
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (hashed), (GCompareFunc) strcmp);
  GString *map = g_string_new ("{\"imports\": {");
  gsize folder_length = strlen (folder);
  gboolean first = TRUE;

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (!g_str_has_suffix (name, ".js") || strncmp (name, folder, folder_length) != 0)
        continue;
      g_string_append_printf (map, "%s\n  \"./%s\": \"./%s\"", first ? "" : ",", name + folder_length,
                              (const char *) g_hash_table_lookup (hashed, name) + folder_length);
      first = FALSE;
    }
  g_string_append (map, "\n}}");
  return g_string_free (map, FALSE);
}

/* Fills the page's <script type="importmap"> (if it has one) with the
 * map; sets @import_map to what it holds. */
static void
fill_import_map (GString *page, GHashTable *hashed, const char *folder, char **import_map)
{
  const char *start = strstr (page->str, IMPORT_MAP_START);
  const char *end = start != NULL ? strstr (start, SCRIPT_END) : NULL;
  gsize from;

  if (end == NULL)
    return;
  from = (gsize) (start - page->str) + strlen (IMPORT_MAP_START);
  *import_map = import_map_for (hashed, folder);
  g_string_erase (page, (gssize) from, (gssize) ((gsize) (end - page->str) - from));
  g_string_insert (page, (gssize) from, *import_map);
}

/* Writes @target's last segment in place of @value's (which starts at
 * @start of @page), keeping the value's own spelling of the folders;
 * returns where the value now ends. */
static gsize
replace_last_segment (GString *page, gsize start, const char *value, const char *target)
{
  const char *old_base = strrchr (value, '/');
  const char *new_base = strrchr (target, '/');
  gsize keep = old_base != NULL ? (gsize) (old_base - value + 1) : 0;
  const char *replacement = new_base != NULL ? new_base + 1 : target;

  g_string_erase (page, (gssize) (start + keep), (gssize) (strlen (value) - keep));
  g_string_insert (page, (gssize) (start + keep), replacement);
  return start + keep + strlen (replacement);
}

/* Every attribute value (in double quotes) that is a path of the folder
 * below the page's own folder, written as its hashed name. */
static void
point_at_hashed_names (GString *page, GHashTable *hashed, const char *folder)
{
  gsize at = 0;
  const char *equals;

  while ((equals = strstr (page->str + at, "=\"")) != NULL)
    {
      gsize start = (gsize) (equals - page->str) + 2;
      const char *end = strchr (page->str + start, '"');
      g_autofree char *value = NULL;
      g_autofree char *relative = NULL;
      const char *target;

      if (end == NULL)
        return;
      value = g_strndup (page->str + start, (gsize) (end - page->str) - start);
      relative = g_strconcat (folder, g_str_has_prefix (value, "./") ? value + 2 : value, NULL);
      target = g_hash_table_lookup (hashed, relative);
      at = (target != NULL ? replace_last_segment (page, start, value, target) : (gsize) (end - page->str)) + 1;
    }
}

static char *
policy_with_script (const char *import_map)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize length = sizeof digest;
  g_autofree char *base64 = NULL;

  if (import_map == NULL)
    return g_strdup (PAGE_POLICY);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) import_map, -1);
  g_checksum_get_digest (checksum, digest, &length);
  base64 = g_base64_encode (digest, length);
  return g_strdup_printf ("%s; script-src 'self' 'sha256-%s'", PAGE_POLICY, base64);
}

static void
add_page_policy (RndimgPreparedFile *file, const char *policy)
{
  rndimg_prepared_file_add_header (file, "Content-Security-Policy", policy);
  rndimg_prepared_file_add_header (file, "Referrer-Policy", "no-referrer");
  rndimg_prepared_file_add_header (file, "X-Frame-Options", "DENY");
}

/* An SVG opened by itself is a document: its policy is its own answer's.
 * Scripts, style sheets, JSON and pictures run under the page's (a
 * worker's script too, but the page's workers only talk to the page's
 * own server), so they go without: fewer bytes on every answer. */
static void
add_asset_policy (RndimgPreparedFile *file, const char *relative)
{
  if (g_str_has_suffix (relative, ".svg"))
    rndimg_prepared_file_add_header (file, "Content-Security-Policy", PAGE_POLICY);
}

/* ---- the prepared files ---- */

static void
route_free (RndimgWebRoute *route)
{
  rndimg_prepared_file_unref (route->file);
  g_free (route);
}

static void
add_route (RndimgWebFiles *files, const char *relative, RndimgPreparedFile *file, const char *cache_control)
{
  RndimgWebRoute *route = g_new0 (RndimgWebRoute, 1);

  route->file = rndimg_prepared_file_ref (file);
  route->cache_control = cache_control;
  g_hash_table_replace (files->routes, g_strdup (relative), route);
}

static gboolean
is_page (const char *relative)
{
  return g_str_has_suffix (relative, ".html");
}

/* @bytes of @entry, or NULL (with a warning) when over a bound. */
static GBytes *
read_bounded (const char *root, const Entry *entry, gsize *total)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = read_file (root, entry->relative, &error);

  if (bytes != NULL && *total + g_bytes_get_size (bytes) > RNDIMG_WEB_MAX_BYTES)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "the web folder holds over %d bytes",
                 RNDIMG_WEB_MAX_BYTES);
  if (error != NULL)
    {
      g_warning ("%s/%s left out: %s", root, entry->relative, error->message);
      g_clear_pointer (&bytes, g_bytes_unref);
      return NULL;
    }
  *total += g_bytes_get_size (bytes);
  return bytes;
}

static void
prepare_asset (RndimgWebFiles *files, const Entry *entry, GBytes *bytes, GHashTable *hashed)
{
  g_autoptr(RndimgPreparedFile) file = rndimg_prepared_file_new (bytes, rndimg_web_content_type (entry->relative),
                                                                 entry->st.st_mtim.tv_sec);
  g_autofree char *name = hashed_name (entry->relative, rndimg_prepared_file_get_hash (file));

  add_asset_policy (file, entry->relative);
  add_route (files, entry->relative, file, RNDIMG_WEB_CACHE_REVALIDATE);
  add_route (files, name, file, RNDIMG_WEB_CACHE_IMMUTABLE);
  g_hash_table_replace (hashed, g_strdup (entry->relative), g_steal_pointer (&name));
}

static void
prepare_page (RndimgWebFiles *files, const Entry *entry, GBytes *bytes, GHashTable *hashed, gint64 newest)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  GString *text = g_string_new_len (data, (gssize) length);
  g_autofree char *folder = folder_of (entry->relative);
  g_autofree char *import_map = NULL;
  g_autofree char *policy = NULL;
  g_autoptr(GBytes) rewritten = NULL;
  g_autoptr(RndimgPreparedFile) file = NULL;

  fill_import_map (text, hashed, folder, &import_map);
  point_at_hashed_names (text, hashed, folder);
  rewritten = g_string_free_to_bytes (text);
  file = rndimg_prepared_file_new (rewritten, rndimg_web_content_type (entry->relative), newest);
  policy = policy_with_script (import_map);
  add_page_policy (file, policy);
  add_route (files, entry->relative, file, RNDIMG_WEB_CACHE_REVALIDATE);
}

static RndimgWebFiles *
web_files_new (void)
{
  RndimgWebFiles *files = g_new0 (RndimgWebFiles, 1);

  g_atomic_ref_count_init (&files->ref_count);
  files->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) route_free);
  return files;
}

/* Reads and prepares every file below @root: the assets first, then the
 * pages that point at their hashed names. */
static RndimgWebFiles *
prepare_files (const char *root)
{
  g_autoptr(GArray) entries = list_files (root);
  g_autoptr(GHashTable) hashed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GPtrArray *contents = g_ptr_array_new_full (entries->len, (GDestroyNotify) g_bytes_unref);
  RndimgWebFiles *files = web_files_new ();
  gsize total = 0;
  gint64 newest = 0;

  if (entries->len > RNDIMG_WEB_MAX_FILES)
    g_warning ("%s holds over %d files: the rest are left out", root, RNDIMG_WEB_MAX_FILES);
  for (guint i = 0; i < entries->len && i < RNDIMG_WEB_MAX_FILES; i++)
    {
      const Entry *entry = &g_array_index (entries, Entry, i);
      GBytes *bytes = read_bounded (root, entry, &total);

      g_ptr_array_add (contents, bytes);
      newest = MAX (newest, entry->st.st_mtim.tv_sec);
      if (bytes != NULL && !is_page (entry->relative))
        prepare_asset (files, entry, bytes, hashed);
    }
  for (guint i = 0; i < contents->len; i++)
    {
      const Entry *entry = &g_array_index (entries, Entry, i);
      GBytes *bytes = g_ptr_array_index (contents, i);

      if (bytes != NULL && is_page (entry->relative))
        prepare_page (files, entry, bytes, hashed, newest);
      if (bytes != NULL)
        files->count++;
    }
  g_ptr_array_unref (contents);
  files->signature = signature_of (entries);
  return files;
}

RndimgWebFiles *
rndimg_web_files_ref (RndimgWebFiles *files)
{
  g_atomic_ref_count_inc (&files->ref_count);
  return files;
}

void
rndimg_web_files_unref (RndimgWebFiles *files)
{
  if (!g_atomic_ref_count_dec (&files->ref_count))
    return;
  g_hash_table_unref (files->routes);
  g_free (files->signature);
  g_free (files);
}

/* What @relative ("index.html", "js/app.3f2a9c1e07b4.js") answers, or
 * NULL. A hashed name of another version (a page older than the folder)
 * gets the current file, revalidated rather than kept. */
const RndimgWebRoute *
rndimg_web_files_lookup (RndimgWebFiles *files, const char *relative)
{
  const RndimgWebRoute *route = g_hash_table_lookup (files->routes, relative);
  g_autofree char *plain = NULL;

  if (route != NULL)
    return route;
  /* The plain name's route: revalidated. */
  plain = unhashed_name (relative);
  return plain != NULL ? g_hash_table_lookup (files->routes, plain) : NULL;
}

guint
rndimg_web_files_get_count (RndimgWebFiles *files)
{
  return files->count;
}

/* Every encoding of every file, each counted once. */
gsize
rndimg_web_files_get_memory (RndimgWebFiles *files)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer value;
  gsize total = 0;

  g_hash_table_iter_init (&iter, files->routes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      RndimgPreparedFile *file = ((RndimgWebRoute *) value)->file;

      if (g_hash_table_add (seen, file))
        total += rndimg_prepared_file_get_memory (file);
    }
  return total;
}

/* ---- the folder ---- */

static void
rndimg_web_folder_finalize (GObject *object)
{
  RndimgWebFolder *self = RNDIMG_WEB_FOLDER (object);

  g_free (self->path);
  g_clear_pointer (&self->current, rndimg_web_files_unref);
  g_ptr_array_unref (self->waiting);
  G_OBJECT_CLASS (rndimg_web_folder_parent_class)->finalize (object);
}

static void
rndimg_web_folder_class_init (RndimgWebFolderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_web_folder_finalize;
}

static void
rndimg_web_folder_init (RndimgWebFolder *self)
{
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}

/* The folder at @path; nothing is read before it is first asked for. */
RndimgWebFolder *
rndimg_web_folder_new (const char *path)
{
  RndimgWebFolder *self = g_object_new (RNDIMG_TYPE_WEB_FOLDER, NULL);

  self->path = g_strdup (path);
  return self;
}

/* The files as prepared (borrowed) when they are still the folder's;
 * NULL when they must be prepared (again) first. Looks at the folder at
 * most once a second. */
RndimgWebFiles *
rndimg_web_folder_peek_current (RndimgWebFolder *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GArray) entries = NULL;
  g_autofree char *signature = NULL;

  if (self->current == NULL || self->preparing)
    return NULL;
  if (now - self->checked_usec < CHECK_INTERVAL_USEC)
    return self->current;
  entries = list_files (self->path);
  signature = signature_of (entries);
  if (strcmp (signature, self->current->signature) != 0)
    return NULL;
  self->checked_usec = now;
  return self->current;
}

static void
prepare_in_thread (GTask *task, gpointer source, gpointer path, GCancellable *cancellable)
{
  gint64 started = g_get_monotonic_time ();
  RndimgWebFiles *files = prepare_files (path);

  g_debug ("web folder %s: %u files, %" G_GSIZE_FORMAT " bytes in memory, prepared in %" G_GINT64_FORMAT " ms",
           (const char *) path, files->count, rndimg_web_files_get_memory (files),
           (g_get_monotonic_time () - started) / 1000);
  g_task_return_pointer (task, files, (GDestroyNotify) rndimg_web_files_unref);
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgWebFolder *self = RNDIMG_WEB_FOLDER (source);
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->preparing = FALSE;
  g_clear_pointer (&self->current, rndimg_web_files_unref);
  self->current = g_task_propagate_pointer (G_TASK (result), NULL);
  self->checked_usec = g_get_monotonic_time ();
  for (guint i = 0; i < waiting->len; i++)
    g_task_return_pointer (g_ptr_array_index (waiting, i), rndimg_web_files_ref (self->current),
                           (GDestroyNotify) rndimg_web_files_unref);
}

/* Prepares the folder as it is now in a worker thread (once, for every
 * caller meanwhile). */
void
rndimg_web_folder_prepare_async (RndimgWebFolder *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) job = NULL;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  /* Through an integer: ISO C has no conversion of a function pointer to void *. */
  g_task_set_source_tag (task, (gpointer) (guintptr) rndimg_web_folder_prepare_async);
  g_ptr_array_add (self->waiting, task);
  if (self->preparing)
    return;
  self->preparing = TRUE;
  job = g_task_new (self, NULL, on_prepared, NULL);
  g_task_set_source_tag (job, (gpointer) (guintptr) prepare_in_thread);
  g_task_set_task_data (job, g_strdup (self->path), g_free);
  g_task_run_in_thread (job, prepare_in_thread);
}

/* The files (transfer full). */
RndimgWebFiles *
rndimg_web_folder_prepare_finish (RndimgWebFolder *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
