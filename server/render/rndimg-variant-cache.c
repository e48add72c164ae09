/* SPDX-License-Identifier: MIT */
/* Rendered variants kept within two byte budgets: in memory, least
 * recently used out first; and on disk (a folder under the state folder),
 * one file per variant named by the SHA-256 of its key, written whole
 * (temporary file, rename, no fsync) so a crash leaves no half variant
 * (at worst an empty one, dropped at start), found again
 * after a restart, least recently used out first (a hit touches the
 * file's time, which orders the folder at start). Keys carry the source's
 * version, so a changed picture never meets its old variants; they age
 * out. Used from the main context; the files are read, written and
 * deleted by one thread of the cache's own, in the order asked (a read
 * after a write finds the file, a delete after it removes it), so the
 * main loop never waits for a disk, whatever a variant's size. A file's
 * name starts with a hash of its picture's part of the key ("/img/NAME/"),
 * so a deleted picture's variants are found and removed at once. */
#include "rndimg-variant-cache.h"

#include <gio/gio.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#define DISK_NAME_LENGTH 32

#define MASTER_SUFFIX ".v"

typedef struct {
  char *key;           /* memory: the variant key; disk: the file name */
  GBytes *bytes;       /* memory only */
  guint64 size;
  gboolean master;     /* disk only: a reduced master, not a variant */
  GList *link;         /* in the LRU queue */
} Entry;

/* One budget, one table, one order. */
typedef struct {
  GHashTable *entries; /* key -> Entry */
  GQueue order;        /* Entry, least recently used at the head */
  guint64 bytes;
  guint64 master_bytes;
  guint64 budget;
} Lru;

struct _RndimgVariantCache
{
  Lru memory;
  Lru disk;
  char *folder;        /* NULL: no disk cache */
  GThreadPool *disk_thread;   /* one thread: DiskJob, in order */
  RndimgVariantCacheCounts counts;
  gint disk_write_failures;   /* atomic: counted on the disk thread */
};

/* One piece of disk work, done on the cache's disk thread. */
typedef enum { DISK_READ, DISK_WRITE, DISK_DELETE, DISK_MOVE } DiskJobKind;

typedef struct {
  DiskJobKind kind;
  char *path;
  char *from;          /* DISK_MOVE: the file moved to @path */
  GBytes *bytes;       /* DISK_WRITE */
  GTask *task;         /* DISK_READ: returns the bytes, or NULL; DISK_MOVE: returns when done */
  gint *failures;      /* DISK_WRITE: counted here when it fails */
} DiskJob;

static void
entry_free (Entry *entry)
{
  g_free (entry->key);
  g_clear_pointer (&entry->bytes, g_bytes_unref);
  g_free (entry);
}

static void
lru_init (Lru *lru, guint64 budget)
{
  lru->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  g_queue_init (&lru->order);
  lru->budget = budget;
}

static void
lru_clear (Lru *lru)
{
  g_queue_clear (&lru->order);
  g_hash_table_unref (lru->entries);
}

static Entry *
lru_touch (Lru *lru, const char *key)
{
  Entry *entry = g_hash_table_lookup (lru->entries, key);

  if (entry != NULL)
    {
      g_queue_unlink (&lru->order, entry->link);
      g_queue_push_tail_link (&lru->order, entry->link);
    }
  return entry;
}

static void
lru_remove (Lru *lru, Entry *entry)
{
  g_queue_delete_link (&lru->order, entry->link);
  lru->bytes -= entry->size;
  if (entry->master)
    lru->master_bytes -= entry->size;
  g_hash_table_remove (lru->entries, entry->key);
}

static void
lru_add (Lru *lru, Entry *entry)
{
  Entry *old = g_hash_table_lookup (lru->entries, entry->key);

  if (old != NULL)
    lru_remove (lru, old);
  g_queue_push_tail (&lru->order, entry);
  entry->link = lru->order.tail;
  lru->bytes += entry->size;
  if (entry->master)
    lru->master_bytes += entry->size;
  g_hash_table_insert (lru->entries, entry->key, entry);
}

/* Takes the least recently used out until the budget holds; returns how
 * many, and calls @forget on each first. */
static guint
lru_shrink (Lru *lru, void (*forget) (RndimgVariantCache *, Entry *), RndimgVariantCache *cache)
{
  guint evicted = 0;

  while (lru->bytes > lru->budget && lru->order.head != NULL)
    {
      Entry *oldest = lru->order.head->data;

      if (forget != NULL)
        forget (cache, oldest);
      lru_remove (lru, oldest);
      evicted++;
    }
  return evicted;
}

/* The picture's part of @key: "/img/NAME/" (the whole key when it is
 * not a variant's). */
static gsize
group_length (const char *key)
{
  const char *third = g_str_has_prefix (key, "/img/") ? strchr (key + strlen ("/img/"), '/') : NULL;

  return third != NULL ? (gsize) (third + 1 - key) : strlen (key);
}

static char *
group_hash (const char *key, gsize length)
{
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) key, length);

  return g_strndup (digest, DISK_NAME_LENGTH / 2);
}

/* The name of the file that keeps @what: the start of its SHA-256, then
 * @suffix. */
char *
rndimg_variant_cache_file_name (const char *what, const char *suffix)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, what, -1);

  return g_strdup_printf ("%.*s%s", DISK_NAME_LENGTH, digest, suffix);
}

static char *
disk_name (const char *key)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *group = group_hash (key, group_length (key));

  return g_strdup_printf ("%s%.*s", group, DISK_NAME_LENGTH / 2, digest);
}

/* A variant's name, or a master's (TRUE in @master). */
static gboolean
is_disk_name (const char *name, gboolean *master)
{
  gsize length = strlen (name);

  *master = length == DISK_NAME_LENGTH + strlen (MASTER_SUFFIX) && g_str_has_suffix (name, MASTER_SUFFIX);
  return (length == DISK_NAME_LENGTH || *master) && strspn (name, "0123456789abcdef") == DISK_NAME_LENGTH;
}

static void disk_job_push (RndimgVariantCache *self, DiskJobKind kind, const char *name, GBytes *bytes, GTask *task);

static void
delete_file (RndimgVariantCache *self, Entry *entry)
{
  disk_job_push (self, DISK_DELETE, entry->key, NULL, NULL);
}

typedef struct {
  char *name;
  guint64 size;
  gint64 used;
  gboolean master;
} FoundFile;

static gint
compare_used (gconstpointer a, gconstpointer b)
{
  const FoundFile *x = a, *y = b;

  return (x->used > y->used) - (x->used < y->used);
}

/* What an earlier run left: its variants and masters, oldest use first;
 * temporary files of writes cut short are deleted. */
static void
load_folder (RndimgVariantCache *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (FoundFile));
  g_autoptr(GError) error = NULL;
  const char *name;

  if (g_mkdir_with_parents (self->folder, 0700) != 0 || (dir = g_dir_open (self->folder, 0, &error)) == NULL)
    {
      g_warning ("no disk cache of variants in %s: %s", self->folder,
                 error != NULL ? error->message : g_strerror (errno));
      g_clear_pointer (&self->folder, g_free);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->folder, name, NULL);
      GStatBuf st;
      gboolean master;

      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (!is_disk_name (name, &master) || st.st_size == 0)
        {
          g_unlink (path);
          continue;
        }
      g_array_append_val (found, ((FoundFile) { g_strdup (name), (guint64) st.st_size, (gint64) st.st_mtime,
                                                master }));
    }
  g_array_sort (found, compare_used);
  for (guint i = 0; i < found->len; i++)
    {
      FoundFile *file = &g_array_index (found, FoundFile, i);
      Entry *entry = g_new0 (Entry, 1);

      entry->key = file->name;
      entry->size = file->size;
      entry->master = file->master;
      lru_add (&self->disk, entry);
    }
  self->counts.disk_evictions += lru_shrink (&self->disk, delete_file, self);
}

/* Writes @data to @path whole: a temporary file beside it, renamed over
 * it. No fsync (g_file_set_contents_full() would sync on ext4): after a
 * crash a variant may be lost or empty, and an empty one is rendered again. */
static gboolean
write_whole (const char *path, const char *data, gsize length, GError **error)
{
  g_autofree char *temporary = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (temporary, O_WRONLY | O_CLOEXEC, 0600);
  gsize done = 0;

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", temporary, g_strerror (errno));
      return FALSE;
    }
  while (done < length)
    {
      ssize_t wrote = write (fd, data + done, length - done);

      if (wrote < 0 && errno == EINTR)
        continue;
      if (wrote <= 0)
        break;
      done += (gsize) wrote;
    }
  if (close (fd) != 0 || done < length || g_rename (temporary, path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path, g_strerror (errno));
      g_unlink (temporary);
      return FALSE;
    }
  return TRUE;
}

/* A read's result: the file's bytes (and its time touched, which orders
 * the folder at the next start), or NULL when it is gone. */
static GBytes *
read_whole (const char *path)
{
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  g_utime (path, NULL);
  return g_bytes_new_take (contents, length);
}

static void
disk_job_free (DiskJob *job)
{
  g_free (job->path);
  g_free (job->from);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_object (&job->task);
  g_free (job);
}

/* On the disk thread. */
static void
run_disk_job (gpointer data, gpointer user_data)
{
  DiskJob *job = data;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *bytes;

  switch (job->kind)
    {
    case DISK_READ:
      g_task_return_pointer (job->task, read_whole (job->path), (GDestroyNotify) g_bytes_unref);
      break;
    case DISK_WRITE:
      bytes = g_bytes_get_data (job->bytes, &length);
      if (!write_whole (job->path, bytes, length, &error))
        {
          g_atomic_int_inc (job->failures);
          g_debug ("variant not cached on disk: %s", error->message);
        }
      break;
    case DISK_DELETE:
      if (g_unlink (job->path) != 0 && errno != ENOENT)
        g_warning ("cannot delete the cached variant %s: %s", job->path, g_strerror (errno));
      break;
    case DISK_MOVE:
      if (job->path == NULL ? g_unlink (job->from) != 0 : g_rename (job->from, job->path) != 0)
        {
          g_warning ("cannot move the master %s into place: %s", job->from, g_strerror (errno));
          g_unlink (job->from);
        }
      g_task_return_boolean (job->task, TRUE);
      break;
    }
  disk_job_free (job);
}

static void
disk_job_push (RndimgVariantCache *self, DiskJobKind kind, const char *name, GBytes *bytes, GTask *task)
{
  DiskJob *job = g_new0 (DiskJob, 1);

  job->kind = kind;
  job->path = g_build_filename (self->folder, name, NULL);
  job->bytes = bytes != NULL ? g_bytes_ref (bytes) : NULL;
  job->task = task != NULL ? g_object_ref (task) : NULL;
  job->failures = &self->disk_write_failures;
  g_thread_pool_push (self->disk_thread, job, NULL);
}

/* @disk_folder NULL: memory only. */
RndimgVariantCache *
rndimg_variant_cache_new (guint64 memory_budget, const char *disk_folder, guint64 disk_budget)
{
  RndimgVariantCache *self = g_new0 (RndimgVariantCache, 1);

  lru_init (&self->memory, memory_budget);
  lru_init (&self->disk, disk_budget);
  self->folder = disk_budget > 0 ? g_strdup (disk_folder) : NULL;
  if (self->folder == NULL)
    return self;
  self->disk_thread = g_thread_pool_new (run_disk_job, NULL, 1, TRUE, NULL);
  load_folder (self);
  return self;
}

/* Waits for the disk work asked for so far: writes end whole. */
void
rndimg_variant_cache_free (RndimgVariantCache *self)
{
  if (self->disk_thread != NULL)
    g_thread_pool_free (self->disk_thread, FALSE, TRUE);
  lru_clear (&self->memory);
  lru_clear (&self->disk);
  g_free (self->folder);
  g_free (self);
}

static void
remember (RndimgVariantCache *self, const char *key, GBytes *bytes)
{
  Entry *entry;

  if (g_bytes_get_size (bytes) > self->memory.budget)
    return;
  entry = g_new0 (Entry, 1);
  entry->key = g_strdup (key);
  entry->bytes = g_bytes_ref (bytes);
  entry->size = g_bytes_get_size (bytes);
  lru_add (&self->memory, entry);
  self->counts.memory_evictions += lru_shrink (&self->memory, NULL, self);
}

/* The variant's bytes if memory has them (a hit); NULL: ask the disk
 * (rndimg_variant_cache_read_async()). */
GBytes *
rndimg_variant_cache_lookup (RndimgVariantCache *self, const char *key)
{
  Entry *entry = lru_touch (&self->memory, key);

  if (entry == NULL)
    return NULL;
  self->counts.memory_hits++;
  return g_bytes_ref (entry->bytes);
}

/* Reads the variant @key from disk, on the disk thread; the answer, on
 * the main context, is NULL when the disk does not have it (a miss). */
void
rndimg_variant_cache_read_async (RndimgVariantCache *self, const char *key, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autofree char *name = disk_name (key);

  g_task_set_task_data (task, g_strdup (key), g_free);
  if (self->folder == NULL || lru_touch (&self->disk, name) == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    disk_job_push (self, DISK_READ, name, NULL, task);
}

/* What the disk gave for @result's key: its bytes (then kept in memory
 * too), or NULL, counted as a miss. */
GBytes *
rndimg_variant_cache_read_finish (RndimgVariantCache *self, GAsyncResult *result)
{
  const char *key = g_task_get_task_data (G_TASK (result));
  GBytes *bytes = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *name = NULL;
  Entry *entry;

  if (bytes != NULL)
    {
      self->counts.disk_hits++;
      remember (self, key, bytes);
      return bytes;
    }
  self->counts.misses++;
  /* A file that went away (deleted by hand, a failed write): forget it. */
  name = disk_name (key);
  if (self->folder != NULL && (entry = g_hash_table_lookup (self->disk.entries, name)) != NULL)
    lru_remove (&self->disk, entry);
  return NULL;
}

/* Whether memory holds @key, without counting a hit or a miss. */
gboolean
rndimg_variant_cache_has (RndimgVariantCache *self, const char *key)
{
  return g_hash_table_contains (self->memory.entries, key);
}

/* Whether memory or the disk holds @key (a read, not a render, gets it). */
gboolean
rndimg_variant_cache_holds (RndimgVariantCache *self, const char *key)
{
  g_autofree char *name = NULL;

  if (g_hash_table_contains (self->memory.entries, key))
    return TRUE;
  name = self->folder != NULL ? disk_name (key) : NULL;
  return name != NULL && g_hash_table_contains (self->disk.entries, name);
}

/* Drops every variant whose key starts with @group ("/img/NAME/": one
 * picture's), in memory and on disk. */
void
rndimg_variant_cache_forget_group (RndimgVariantCache *self, const char *group)
{
  g_autofree char *hash = group_hash (group, strlen (group));
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->memory.entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (g_str_has_prefix (entry->key, group) && group_length (entry->key) == strlen (group))
      g_ptr_array_add (doomed, entry);
  for (guint i = 0; i < doomed->len; i++)
    lru_remove (&self->memory, g_ptr_array_index (doomed, i));
  g_ptr_array_set_size (doomed, 0);
  g_hash_table_iter_init (&iter, self->disk.entries);
  while (self->folder != NULL && g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (g_str_has_prefix (entry->key, hash))
      g_ptr_array_add (doomed, entry);
  for (guint i = 0; i < doomed->len; i++)
    {
      delete_file (self, g_ptr_array_index (doomed, i));
      lru_remove (&self->disk, g_ptr_array_index (doomed, i));
    }
}

/* Counted on the disk's books at once; written by the disk thread. */
static void
write_to_disk (RndimgVariantCache *self, const char *key, GBytes *bytes)
{
  g_autofree char *name = NULL;
  Entry *entry;

  if (self->folder == NULL || g_bytes_get_size (bytes) > self->disk.budget)
    return;
  name = disk_name (key);
  disk_job_push (self, DISK_WRITE, name, bytes, NULL);
  entry = g_new0 (Entry, 1);
  entry->key = g_steal_pointer (&name);
  entry->size = g_bytes_get_size (bytes);
  lru_add (&self->disk, entry);
  self->counts.disk_evictions += lru_shrink (&self->disk, delete_file, self);
}

void
rndimg_variant_cache_store (RndimgVariantCache *self, const char *key, GBytes *bytes)
{
  remember (self, key, bytes);
  write_to_disk (self, key, bytes);
}

guint64
rndimg_variant_cache_get_memory_bytes (RndimgVariantCache *self)
{
  return self->memory.bytes;
}

guint64
rndimg_variant_cache_get_disk_bytes (RndimgVariantCache *self)
{
  return self->disk.bytes;
}

/* Of the disk's bytes, the masters'. */
guint64
rndimg_variant_cache_get_master_bytes (RndimgVariantCache *self)
{
  return self->disk.master_bytes;
}

/* Files beside the variants: the pictures' reduced masters. */

/* Whether the disk keeps anything (else no master is kept either). */
gboolean
rndimg_variant_cache_keeps_files (RndimgVariantCache *self)
{
  return self->folder != NULL;
}

/* The disk's whole budget, in bytes. */
guint64
rndimg_variant_cache_get_disk_budget (RndimgVariantCache *self)
{
  return self->disk.budget;
}

/* The folder, or NULL (none kept). */
const char *
rndimg_variant_cache_get_folder (RndimgVariantCache *self)
{
  return self->folder;
}

/* Where the file @name is (or would be); NULL when the disk keeps nothing. */
char *
rndimg_variant_cache_file_path (RndimgVariantCache *self, const char *name)
{
  return self->folder != NULL ? g_build_filename (self->folder, name, NULL) : NULL;
}

/* Whether the file @name is kept (then it counts as used now). */
gboolean
rndimg_variant_cache_has_file (RndimgVariantCache *self, const char *name)
{
  return self->folder != NULL && lru_touch (&self->disk, name) != NULL;
}

typedef struct {
  RndimgVariantCacheMoved moved;
  gpointer user_data;
  gboolean kept;
} Move;

static void
on_moved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Move *move = user_data;

  move->moved (move->kept, move->user_data);
  g_free (move);
}

/* Keeps the file at @temporary (in the folder) as @name, a master of
 * @size bytes: counted at once, moved into place by the disk thread in
 * order with the deletes asked before, least recently used files out to
 * stay within the budget; a file over the whole budget is deleted
 * instead. @moved is called on this context when the disk is done. */
void
rndimg_variant_cache_adopt_file (RndimgVariantCache *self, const char *temporary, const char *name, guint64 size,
                                 RndimgVariantCacheMoved moved, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  Move *move;
  DiskJob *job;

  g_return_if_fail (self->folder != NULL);
  move = g_new0 (Move, 1);
  job = g_new0 (DiskJob, 1);
  move->moved = moved;
  move->user_data = user_data;
  move->kept = size <= self->disk.budget;
  task = g_task_new (NULL, NULL, on_moved, move);
  job->kind = DISK_MOVE;
  job->from = g_strdup (temporary);
  job->path = move->kept ? g_build_filename (self->folder, name, NULL) : NULL;
  job->task = g_object_ref (task);
  if (move->kept)
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->key = g_strdup (name);
      entry->size = size;
      entry->master = TRUE;
      lru_add (&self->disk, entry);
      self->counts.disk_evictions += lru_shrink (&self->disk, delete_file, self);
    }
  g_thread_pool_push (self->disk_thread, job, NULL);
}

/* Deletes the file @name, if kept (after the disk work asked before). */
void
rndimg_variant_cache_delete_file (RndimgVariantCache *self, const char *name)
{
  Entry *entry;

  if (self->folder == NULL || (entry = g_hash_table_lookup (self->disk.entries, name)) == NULL)
    return;
  delete_file (self, entry);
  lru_remove (&self->disk, entry);
}

const RndimgVariantCacheCounts *
rndimg_variant_cache_get_counts (RndimgVariantCache *self)
{
  self->counts.disk_write_failures = (guint64) g_atomic_int_get (&self->disk_write_failures);
  return &self->counts;
}
