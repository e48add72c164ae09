/* SPDX-License-Identifier: MIT */
/* Writes a broker's state file (rndimg-history-file.c) off the main loop:
 * a save that need not be durable is a snapshot of the history (the
 * events referenced, not copied) written by a thread of its own, so a
 * publish never waits for a save. One save is in flight at a time; a
 * snapshot taken meanwhile waits, and a newer one replaces it. A durable
 * save is written at once, on the caller's thread. Every save has a
 * number, and the file is written under one lock, skipping a snapshot
 * older than what is on disk: an older save finishing late never
 * overwrites a newer file (say, one reserving more ids). */
#include "rndimg-history-saver.h"
#include "rndimg-history-file.h"

#include <gio/gio.h>

/* What the thread shares with the main loop; lives while either holds it. */
typedef struct {
  char *path;
  GMutex lock;         /* one write at a time */
  guint64 written;     /* the number of the newest save on disk */
} Shared;

typedef struct {
  Shared *shared;
  guint64 number;
  char *epoch;
  gint64 newest_id;
  GQueue events;       /* RndimgEvent references */
} Snapshot;

struct _RndimgHistorySaver
{
  Shared *shared;
  guint64 last_number;
  gboolean in_flight;
  Snapshot *waiting;        /* taken while a save was in flight */
  GCancellable *cancellable;  /* cancelled when freed: a late answer finds no saver */
};

static void
shared_clear (Shared *shared)
{
  g_free (shared->path);
  g_mutex_clear (&shared->lock);
}

static void
shared_unref (Shared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) shared_clear);
}

static void
snapshot_free (Snapshot *snapshot)
{
  g_queue_clear_full (&snapshot->events, (GDestroyNotify) rndimg_event_unref);
  g_free (snapshot->epoch);
  shared_unref (snapshot->shared);
  g_free (snapshot);
}

RndimgHistorySaver *
rndimg_history_saver_new (const char *path)
{
  RndimgHistorySaver *self = g_new0 (RndimgHistorySaver, 1);

  self->shared = g_atomic_rc_box_new0 (Shared);
  self->shared->path = g_strdup (path);
  g_mutex_init (&self->shared->lock);
  self->cancellable = g_cancellable_new ();
  return self;
}

/* A save in flight finishes in its thread. */
void
rndimg_history_saver_free (RndimgHistorySaver *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->waiting, snapshot_free);
  shared_unref (self->shared);
  g_free (self);
}

/* Writes save @number unless a newer one is on disk. */
static gboolean
write_numbered (Shared *shared, guint64 number, const char *epoch, gint64 newest_id, GQueue *events,
                gboolean durable, GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&shared->lock);

  if (number < shared->written)
    return TRUE;
  shared->written = number;
  return rndimg_history_file_save (shared->path, epoch, newest_id, events, durable, error);
}

/* The epoch, @newest_id and @events, synced to the disk before returning. */
gboolean
rndimg_history_saver_save_now (RndimgHistorySaver *self, const char *epoch, gint64 newest_id, GQueue *events,
                               GError **error)
{
  g_clear_pointer (&self->waiting, snapshot_free);   /* older than this */
  return write_numbered (self->shared, ++self->last_number, epoch, newest_id, events, TRUE, error);
}

static void
write_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Snapshot *snapshot = task_data;
  g_autoptr(GError) error = NULL;

  if (!write_numbered (snapshot->shared, snapshot->number, snapshot->epoch, snapshot->newest_id,
                       &snapshot->events, FALSE, &error))
    g_warning ("history not saved: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void start (RndimgHistorySaver *self, Snapshot *snapshot);

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgHistorySaver *self = user_data;

  if (g_task_had_error (G_TASK (result)) || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;   /* freed: @self is gone */
  self->in_flight = FALSE;
  if (self->waiting != NULL)
    start (self, g_steal_pointer (&self->waiting));
}

static void
start (RndimgHistorySaver *self, Snapshot *snapshot)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, on_written, self);

  g_task_set_source_tag (task, (gpointer) (guintptr) rndimg_history_saver_save_soon);
  g_task_set_task_data (task, snapshot, (GDestroyNotify) snapshot_free);
  self->in_flight = TRUE;
  g_task_run_in_thread (task, write_in_thread);
}

/* The epoch, @newest_id and @events, written by a thread soon and not
 * synced (renamed into place: a killed process loses nothing of it). */
void
rndimg_history_saver_save_soon (RndimgHistorySaver *self, const char *epoch, gint64 newest_id, GQueue *events)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->shared = g_atomic_rc_box_acquire (self->shared);
  snapshot->number = ++self->last_number;
  snapshot->epoch = g_strdup (epoch);
  snapshot->newest_id = newest_id;
  g_queue_init (&snapshot->events);
  for (GList *link = events->head; link != NULL; link = link->next)
    g_queue_push_tail (&snapshot->events, rndimg_event_ref (link->data));
  g_clear_pointer (&self->waiting, snapshot_free);
  if (self->in_flight)
    self->waiting = snapshot;
  else
    start (self, snapshot);
}
