/* SPDX-License-Identifier: MIT */
/* The masters last rendered from, kept mapped between renders (at most
 * @capacity, least recently used out first), shared by the render threads.
 * Mapping a master, seeing it as a libvips image and unmapping it again
 * was a tenth of a small variant's CPU, with the page faults of a new
 * mapping (bench/README.md). Each use checks the file by stat(): a master
 * deleted (its picture changed, the disk cache evicted it) is not served
 * from its old mapping, and one made again at the same path is mapped
 * anew. A master deleted while mapped here keeps its disk blocks until it
 * leaves the set: at most @capacity masters' bytes beyond the budget. */
#include "rndimg-open-masters.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

typedef struct {
  char *path;
  dev_t device;
  ino_t inode;
  gint64 modified_ns;
  goffset size;
  RndimgMasterFile *file;
} OpenMaster;

struct _RndimgOpenMasters
{
  GMutex lock;
  GQueue recent;   /* OpenMaster, most recently used at the head */
  guint capacity;
};

static void
open_master_free (OpenMaster *open)
{
  g_free (open->path);
  rndimg_master_file_unref (open->file);
  g_free (open);
}

RndimgOpenMasters *
rndimg_open_masters_new (guint capacity)
{
  RndimgOpenMasters *self = g_new0 (RndimgOpenMasters, 1);

  g_mutex_init (&self->lock);
  g_queue_init (&self->recent);
  self->capacity = capacity;
  return self;
}

void
rndimg_open_masters_free (RndimgOpenMasters *self)
{
  g_queue_clear_full (&self->recent, (GDestroyNotify) open_master_free);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static gboolean
same_file (const OpenMaster *open, const char *path, const struct stat *st)
{
  return open->device == st->st_dev && open->inode == st->st_ino && open->size == st->st_size &&
         open->modified_ns == (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec &&
         g_str_equal (open->path, path);
}

/* The set's mapping of @path if it is still that file, moved to the head. */
static RndimgMasterFile *
find (RndimgOpenMasters *self, const char *path, const struct stat *st)
{
  for (GList *link = self->recent.head; link != NULL; link = link->next)
    {
      OpenMaster *open = link->data;

      if (!g_str_equal (open->path, path))
        continue;
      if (!same_file (open, path, st))
        {
          g_queue_delete_link (&self->recent, link);
          open_master_free (open);
          return NULL;
        }
      g_queue_unlink (&self->recent, link);
      g_queue_push_head_link (&self->recent, link);
      return rndimg_master_file_ref (open->file);
    }
  return NULL;
}

static void
keep (RndimgOpenMasters *self, const char *path, const struct stat *st, RndimgMasterFile *file)
{
  OpenMaster *open = g_new0 (OpenMaster, 1);

  for (GList *link = self->recent.head; link != NULL; link = link->next)
    if (g_str_equal (((OpenMaster *) link->data)->path, path))
      {
        open_master_free (link->data);
        g_queue_delete_link (&self->recent, link);
        break;
      }
  open->path = g_strdup (path);
  open->device = st->st_dev;
  open->inode = st->st_ino;
  open->size = st->st_size;
  open->modified_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  open->file = rndimg_master_file_ref (file);
  g_queue_push_head (&self->recent, open);
  while (self->recent.length > self->capacity)
    open_master_free (g_queue_pop_tail (&self->recent));
}

/* The master at @path (@size), mapped: the set's when it is still the
 * same file, else mapped now (and kept); NULL with an error when it is
 * gone or not the master it should be. Any render thread. */
RndimgMasterFile *
rndimg_open_masters_get (RndimgOpenMasters *self, const char *path, const RndimgMasterSize *size, GError **error)
{
  RndimgMasterFile *file;
  struct stat st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  g_mutex_lock (&self->lock);
  file = find (self, path, &st);
  g_mutex_unlock (&self->lock);
  if (file != NULL || self->capacity == 0)
    return file != NULL ? file : rndimg_master_file_map (path, size, error);
  /* Mapped outside the lock: another thread may map it too; the last one
   * kept wins, both are right. */
  file = rndimg_master_file_map (path, size, error);
  if (file == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  keep (self, path, &st, file);
  g_mutex_unlock (&self->lock);
  return file;
}
