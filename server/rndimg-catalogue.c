/* SPDX-License-Identifier: MIT */
/* The catalogue: every image file of one folder, kept in step with the
 * folder by a GFileMonitor. Only regular files (never symlinks) whose name
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

  char *directory;
  GHashTable *by_name;   /* name -> RndimgImage (owned) */
  GPtrArray *images;     /* the same images, for uniform random picks */
  GFileMonitor *monitor;
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

static gboolean
catalogue_scan (RndimgCatalogue *self, GError **error)
{
  g_autoptr(GFile) folder = g_file_new_for_path (self->directory);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
  if (children == NULL)
    return FALSE;

  while (g_file_enumerator_iterate (children, &info, NULL, NULL, error) && info != NULL)
    {
      RndimgImage *image = image_load (self->directory, g_file_info_get_name (info));

      if (image != NULL)
        catalogue_insert (self, image);
    }
  return error == NULL || *error == NULL;
}

static void
rndimg_catalogue_finalize (GObject *object)
{
  RndimgCatalogue *self = RNDIMG_CATALOGUE (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_free (self->directory);

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
}

/* Fails when the folder cannot be read or holds no image at all. */
RndimgCatalogue *
rndimg_catalogue_new (const char *directory, GError **error)
{
  g_autoptr(RndimgCatalogue) self = g_object_new (RNDIMG_TYPE_CATALOGUE, NULL);
  g_autoptr(GError) local_error = NULL;

  self->directory = g_canonicalize_filename (directory, NULL);
  if (!catalogue_scan (self, &local_error))
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   "cannot read image folder %s: %s", self->directory, local_error->message);
      return NULL;
    }
  if (self->images->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no PNG, JPEG, GIF or WebP image in folder %s", self->directory);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
rndimg_catalogue_get_directory (RndimgCatalogue *self)
{
  return self->directory;
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
  RndimgImage *image = image_load (self->directory, name);
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
  g_autoptr(GFile) folder = g_file_new_for_path (self->directory);

  g_return_val_if_fail (self->monitor == NULL, TRUE);
  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->monitor == NULL)
    return FALSE;
  g_file_monitor_set_rate_limit (self->monitor, 200);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_folder_changed), self, 0);
  return TRUE;
}
