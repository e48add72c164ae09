/* SPDX-License-Identifier: MIT */
/* The catalogue: every image file of its folders (the image folder, and
 * the uploads folder when that is another one), kept in step with them by
 * GFileMonitors; a name in an earlier folder hides the same name in a later
 * one. Only regular files (never symlinks) whose name
 * is safe and whose first bytes are a supported image are listed, so
 * everything the server hands out by name comes from this table. */
#include "rndimg-catalogue.h"
#include "rndimg-image-type.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _RndimgCatalogue
{
  GObject parent_instance;

  GPtrArray *folders;    /* canonical paths; the first is the image folder */
  GHashTable *by_name;   /* name -> RndimgImage (owned) */
  GPtrArray *images;     /* the same images, for uniform random picks */
  GPtrArray *monitors;   /* one GFileMonitor per folder, once watching */
};

G_DEFINE_FINAL_TYPE (RndimgCatalogue, rndimg_catalogue, G_TYPE_OBJECT)

enum { IMAGE_ADDED, IMAGE_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
image_clear (RndimgImage *image)
{
  g_free (image->name);
  g_free (image->path);
}

RndimgImage *
rndimg_image_ref (RndimgImage *image)
{
  return g_rc_box_acquire (image);
}

void
rndimg_image_unref (RndimgImage *image)
{
  g_rc_box_release_full (image, (GDestroyNotify) image_clear);
}

/* Opens without following symlinks and sniffs the first bytes; NULL when
 * the file is not a complete-looking supported image. */
static RndimgImage *
image_load (const char *directory, const char *name)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);
  guint8 head[RNDIMG_SNIFF_LENGTH] = { 0 };
  const char *content_type;
  RndimgImage *image;
  struct stat st;
  ssize_t got;
  int fd;

  if (!rndimg_image_type_name_is_allowed (name))
    return NULL;
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return NULL;
    }
  got = read (fd, head, sizeof head);
  close (fd);
  content_type = got > 0 ? rndimg_image_type_sniff (head, (gsize) got) : NULL;
  if (content_type == NULL)
    return NULL;

  image = g_rc_box_new0 (RndimgImage);
  image->name = g_strdup (name);
  image->path = g_steal_pointer (&path);
  image->content_type = content_type;
  image->size = st.st_size;
  image->modified_usec = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  return image;
}

static void
catalogue_insert (RndimgCatalogue *self, RndimgImage *image)
{
  RndimgImage *old = g_hash_table_lookup (self->by_name, image->name);

  if (old != NULL)
    g_ptr_array_remove_fast (self->images, old);
  g_ptr_array_add (self->images, image);
  g_hash_table_replace (self->by_name, image->name, image);
}

static gboolean
catalogue_remove (RndimgCatalogue *self, const char *name)
{
  RndimgImage *image = g_hash_table_lookup (self->by_name, name);

  if (image == NULL)
    return FALSE;
  g_ptr_array_remove_fast (self->images, image);
  g_signal_emit (self, signals[IMAGE_REMOVED], 0, name);
  g_hash_table_remove (self->by_name, name);
  return TRUE;
}

/* The image called @name from the first folder that has it, or NULL. */
static RndimgImage *
load_from_folders (RndimgCatalogue *self, const char *name)
{
  for (guint i = 0; i < self->folders->len; i++)
    {
      RndimgImage *image = image_load (g_ptr_array_index (self->folders, i), name);

      if (image != NULL)
        return image;
    }
  return NULL;
}

/* Adds every image of @directory whose name is not listed yet to @found
 * (name -> RndimgImage). */
static gboolean
scan_folder (const char *directory, GHashTable *found, GError **error)
{
  g_autoptr(GFile) folder = g_file_new_for_path (directory);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
  if (children == NULL)
    return FALSE;

  while (g_file_enumerator_iterate (children, &info, NULL, NULL, error) && info != NULL)
    {
      const char *name = g_file_info_get_name (info);
      RndimgImage *image = g_hash_table_contains (found, name) ? NULL : image_load (directory, name);

      if (image != NULL)
        g_hash_table_insert (found, image->name, image);
    }
  return error == NULL || *error == NULL;
}

/* Lists the folders again from scratch: names gone are dropped (and
 * announced as removed), the rest replaced by what is on disk now. */
static gboolean
catalogue_scan (RndimgCatalogue *self, GError **error)
{
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) rndimg_image_unref);
  g_autofree const char **old_names = NULL;
  GHashTableIter iter;
  gpointer image;

  for (guint i = 0; i < self->folders->len; i++)
    if (!scan_folder (g_ptr_array_index (self->folders, i), found, error))
      {
        g_prefix_error (error, "cannot read folder %s: ", (const char *) g_ptr_array_index (self->folders, i));
        return FALSE;
      }

  old_names = (const char **) g_hash_table_get_keys_as_array (self->by_name, NULL);
  for (gsize i = 0; old_names[i] != NULL; i++)
    if (!g_hash_table_contains (found, old_names[i]))
      catalogue_remove (self, old_names[i]);
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, NULL, &image))
    {
      catalogue_insert (self, image);
      g_hash_table_iter_steal (&iter);
    }
  return TRUE;
}

static void
rndimg_catalogue_finalize (GObject *object)
{
  RndimgCatalogue *self = RNDIMG_CATALOGUE (object);

  for (guint i = 0; i < self->monitors->len; i++)
    g_file_monitor_cancel (g_ptr_array_index (self->monitors, i));
  g_clear_pointer (&self->monitors, g_ptr_array_unref);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);

  G_OBJECT_CLASS (rndimg_catalogue_parent_class)->finalize (object);
}

static void
rndimg_catalogue_class_init (RndimgCatalogueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_catalogue_finalize;

  /* (RndimgCatalogue *, RndimgImage *): a name that was not there before. */
  signals[IMAGE_ADDED] = g_signal_new ("image-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[IMAGE_REMOVED] = g_signal_new ("image-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
rndimg_catalogue_init (RndimgCatalogue *self)
{
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) rndimg_image_unref);
  self->images = g_ptr_array_new ();
  self->folders = g_ptr_array_new_with_free_func (g_free);
  self->monitors = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Fails when @directory cannot be read or holds no image at all. Uploads
 * go into @uploads_directory (made when missing), which may be the same. */
RndimgCatalogue *
rndimg_catalogue_new (const char *directory, const char *uploads_directory, GError **error)
{
  g_autoptr(RndimgCatalogue) self = g_object_new (RNDIMG_TYPE_CATALOGUE, NULL);
  g_autofree char *uploads = g_canonicalize_filename (uploads_directory, NULL);

  g_ptr_array_add (self->folders, g_canonicalize_filename (directory, NULL));
  if (!g_file_test (g_ptr_array_index (self->folders, 0), G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "cannot read image folder %s: no such folder",
                   (const char *) g_ptr_array_index (self->folders, 0));
      return NULL;
    }
  if (!g_str_equal (uploads, g_ptr_array_index (self->folders, 0)))
    {
      if (g_mkdir_with_parents (uploads, 0755) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot make the uploads folder %s: %s", uploads, g_strerror (saved_errno));
          return NULL;
        }
      g_ptr_array_add (self->folders, g_steal_pointer (&uploads));
    }
  if (!catalogue_scan (self, error))
    return NULL;
  if (self->images->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no PNG, JPEG, GIF or WebP image in folder %s", (const char *) g_ptr_array_index (self->folders, 0));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* SIGHUP: reads the folders again, in case a change was missed. */
gboolean
rndimg_catalogue_rescan (RndimgCatalogue *self, GError **error)
{
  return catalogue_scan (self, error);
}

const char *
rndimg_catalogue_get_directory (RndimgCatalogue *self)
{
  return g_ptr_array_index (self->folders, 0);
}

guint
rndimg_catalogue_get_count (RndimgCatalogue *self)
{
  return self->images->len;
}

/* Returns (transfer full) the image called @name, or NULL. */
RndimgImage *
rndimg_catalogue_lookup (RndimgCatalogue *self, const char *name)
{
  RndimgImage *image = g_hash_table_lookup (self->by_name, name);

  return image != NULL ? rndimg_image_ref (image) : NULL;
}

/* Returns (transfer full) a uniformly random image other than @exclude
 * (when there is another one), or NULL when the catalogue is empty. */
RndimgImage *
rndimg_catalogue_pick_random (RndimgCatalogue *self, const char *exclude)
{
  RndimgImage *excluded = exclude != NULL ? g_hash_table_lookup (self->by_name, exclude) : NULL;
  guint count = self->images->len;
  guint index;

  if (count == 0)
    return NULL;
  if (excluded == NULL || count == 1)
    return rndimg_image_ref (g_ptr_array_index (self->images, g_random_int_range (0, (gint32) count)));

  /* Pick among the count - 1 others: shift past the excluded slot. */
  index = (guint) g_random_int_range (0, (gint32) count - 1);
  if (g_ptr_array_index (self->images, index) == excluded)
    index = count - 1;
  return rndimg_image_ref (g_ptr_array_index (self->images, index));
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  const RndimgImage *left = *(RndimgImage *const *) a;
  const RndimgImage *right = *(RndimgImage *const *) b;
  g_autofree char *left_key = g_utf8_collate_key_for_filename (left->name, -1);
  g_autofree char *right_key = g_utf8_collate_key_for_filename (right->name, -1);

  return strcmp (left_key, right_key);
}

/* Returns (transfer full) every image in natural name order (2 before 10). */
GPtrArray *
rndimg_catalogue_list (RndimgCatalogue *self)
{
  GPtrArray *list = g_ptr_array_new_full (self->images->len, (GDestroyNotify) rndimg_image_unref);

  for (guint i = 0; i < self->images->len; i++)
    g_ptr_array_add (list, rndimg_image_ref (g_ptr_array_index (self->images, i)));
  g_ptr_array_sort (list, compare_names);
  return list;
}

/* Reads @name again from the folder: adds, updates or drops it. With
 * @announce, emits "image-added" for a name that is new. Returns (transfer
 * full) the image now listed under @name, or NULL. */
RndimgImage *
rndimg_catalogue_refresh (RndimgCatalogue *self, const char *name, gboolean announce)
{
  RndimgImage *image = load_from_folders (self, name);
  gboolean is_new;

  if (image == NULL)
    {
      catalogue_remove (self, name);
      return NULL;
    }
  is_new = !g_hash_table_contains (self->by_name, name);
  catalogue_insert (self, image);
  if (is_new && announce)
    g_signal_emit (self, signals[IMAGE_ADDED], 0, image);
  return rndimg_image_ref (image);
}

static void
on_folder_changed (GFileMonitor *monitor, GFile *file, GFile *other,
                   GFileMonitorEvent event, gpointer user_data)
{
  RndimgCatalogue *self = user_data;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *other_name = other != NULL ? g_file_get_basename (other) : NULL;
  g_autoptr(RndimgImage) image = NULL;

  switch (event)
    {
    /* Only complete files: a copy still being written has had no
     * CHANGES_DONE yet, and an upload arrives by rename. */
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      image = rndimg_catalogue_refresh (self, name, TRUE);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      catalogue_remove (self, name);
      image = rndimg_catalogue_refresh (self, other_name, TRUE);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      catalogue_remove (self, name);
      break;
    default:
      break;
    }
}

/* Follows the folder from now on: new files are added (and announced with
 * "image-added"), deleted ones dropped. */
gboolean
rndimg_catalogue_watch (RndimgCatalogue *self, GError **error)
{
  g_return_val_if_fail (self->monitors->len == 0, TRUE);
  for (guint i = 0; i < self->folders->len; i++)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (g_ptr_array_index (self->folders, i));
      GFileMonitor *monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);

      if (monitor == NULL)
        return FALSE;
      g_file_monitor_set_rate_limit (monitor, 200);
      g_signal_connect_object (monitor, "changed", G_CALLBACK (on_folder_changed), self, 0);
      g_ptr_array_add (self->monitors, monitor);
    }
  return TRUE;
}
