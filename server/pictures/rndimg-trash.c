/* SPDX-License-Identifier: MIT */
/* The trash: where deleted pictures (and albums' folders) go instead of
 * being unlinked, in the state folder, for --trash-days.
 *
 *   trash/20250101T120000Z-1a2b3c4d/001.png
 *   trash/20250101T120000Z-1a2b3c4d/entry.json
 *       {"name":"dogs/001.png","what":"picture","deleted_at":"...",
 *        "from":"/srv/pictures/dogs/001.png","info":{...its info.json entry}}
 *
 * A file is moved there by rename (copied, then removed, across file
 * systems), so it can be put back by hand with its entry. Every hour, and
 * at start, what has been there longer than --trash-days is removed for
 * good. Bounded by what was deleted in that time, on disk only. */
#include "rndimg-trash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWEEP_SECONDS 3600

struct _RndimgTrash
{
  char *folder;
  double days;
  guint sweep_id;
  guint64 count;      /* put in the trash by this process */
};

/* A trash in @folder (made when first used) keeping what it gets @days. */
RndimgTrash *
rndimg_trash_new (const char *folder, double days)
{
  RndimgTrash *self = g_new0 (RndimgTrash, 1);

  self->folder = g_strdup (folder);
  self->days = days;
  return self;
}

void
rndimg_trash_free (RndimgTrash *self)
{
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  g_free (self->folder);
  g_free (self);
}

const char *
rndimg_trash_get_folder (RndimgTrash *self)
{
  return self->folder;
}

guint64
rndimg_trash_get_count (RndimgTrash *self)
{
  return self->count;
}

static char *
new_item_folder (RndimgTrash *self, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  for (int attempt = 0; attempt < 8; attempt++)
    {
      g_autofree char *item = g_strdup_printf ("%s/%s-%08x", self->folder, stamp, g_random_int ());

      if (g_mkdir_with_parents (self->folder, 0700) != 0)
        break;
      if (g_mkdir (item, 0700) == 0)
        return g_steal_pointer (&item);
      if (errno != EEXIST)
        break;
    }
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot make a folder in the trash %s: %s",
               self->folder, g_strerror (errno));
  return NULL;
}

static char *
entry_text (const char *name, const char *what, JsonNode *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *deleted_at = g_date_time_format_iso8601 (now);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "what");
  json_builder_add_string_value (builder, what);
  json_builder_set_member_name (builder, "deleted_at");
  json_builder_add_string_value (builder, deleted_at);
  json_builder_set_member_name (builder, "info");
  if (info != NULL)
    json_builder_add_value (builder, json_node_copy (info));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* Moves @path (the file or folder of @name, a @what: "picture" or
 * "album") into the trash with its entry; @info: what else to keep (its
 * info.json entry; NULL: none). FALSE with @error: @path is where it was. */
gboolean
rndimg_trash_put (RndimgTrash *self, const char *path, const char *name, const char *what, JsonNode *info,
                  GError **error)
{
  g_autofree char *item = new_item_folder (self, error);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *target = NULL;
  g_autofree char *entry_path = NULL;
  g_autofree char *entry = NULL;
  g_autoptr(GFile) from = g_file_new_for_path (path);
  g_autoptr(GFile) to = NULL;

  if (item == NULL)
    return FALSE;
  target = g_build_filename (item, base, NULL);
  to = g_file_new_for_path (target);
  if (!g_file_move (from, to, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_ALL_METADATA, NULL, NULL, NULL, error))
    {
      g_rmdir (item);
      return FALSE;
    }
  entry = entry_text (name, what, info);
  entry_path = g_build_filename (item, RNDIMG_TRASH_ENTRY_NAME, NULL);
  if (!g_file_set_contents_full (entry_path, entry, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
    g_warning ("trash: %s kept without its entry", target);
  self->count++;
  return TRUE;
}

/* Removes @name below @parent_fd, a folder with all it holds, never
 * following a symlink. */
static gboolean
remove_tree (int parent_fd, const char *name)
{
  struct stat st;
  int fd;
  DIR *dir;
  struct dirent *child;
  gboolean ok = TRUE;

  if (fstatat (parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT;
  if (!S_ISDIR (st.st_mode))
    return unlinkat (parent_fd, name, 0) == 0;
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  while ((child = readdir (dir)) != NULL)
    if (strcmp (child->d_name, ".") != 0 && strcmp (child->d_name, "..") != 0)
      ok &= remove_tree (dirfd (dir), child->d_name);
  closedir (dir);
  return ok && unlinkat (parent_fd, name, AT_REMOVEDIR) == 0;
}

/* Removes for good what has been in the trash longer than its days;
 * returns how many deletions went. */
guint
rndimg_trash_sweep (RndimgTrash *self, gint64 now_seconds)
{
  int fd = open (self->folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gint64 oldest_kept = now_seconds - (gint64) (self->days * 86400);
  DIR *dir;
  struct dirent *child;
  guint removed = 0;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  while ((child = readdir (dir)) != NULL)
    {
      struct stat st;

      if (child->d_name[0] == '.' || fstatat (dirfd (dir), child->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISDIR (st.st_mode) || st.st_mtim.tv_sec > oldest_kept)
        continue;
      if (remove_tree (dirfd (dir), child->d_name))
        removed++;
      else
        g_warning ("trash: cannot remove %s/%s: %s", self->folder, child->d_name, g_strerror (errno));
    }
  closedir (dir);
  if (removed > 0)
    g_message ("trash: %u deletion%s older than %g days removed for good", removed, removed == 1 ? "" : "s",
               self->days);
  return removed;
}

static gboolean
on_sweep (gpointer user_data)
{
  RndimgTrash *self = user_data;

  rndimg_trash_sweep (self, g_get_real_time () / G_USEC_PER_SEC);
  return G_SOURCE_CONTINUE;
}

/* Sweeps now and every hour. */
void
rndimg_trash_start_sweeping (RndimgTrash *self)
{
  on_sweep (self);
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (SWEEP_SECONDS, on_sweep, self);
}
