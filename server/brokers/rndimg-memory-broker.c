/* SPDX-License-Identifier: MIT */
/* The broker in this process: the last N events in a queue. With a state
 * file, the epoch, the newest id and the queue are written after every
 * publish and read back at start, so ids continue across restarts;
 * without one, each run is a new epoch counting from 1. Answers through
 * GTask like any other broker, so callers never rely on an answer being
 * immediate. */
#include "rndimg-memory-broker.h"
#include "rndimg-history-file.h"
#include "rndimg-history-saver.h"
#include "rndimg-publish-keys.h"

#include <glib/gstdio.h>

struct _RndimgMemoryBroker
{
  GObject parent_instance;

  RndimgGone *gone;          /* what is known of the events that left it */
  GQueue history;            /* RndimgEvent, oldest first */
  guint history_length;
  gint64 next_id;
  char *epoch;
  char *state_file;          /* NULL: nothing kept on disk */
  RndimgHistorySaver *saver; /* writes it; NULL with it */
  gint64 reserved_id;        /* ids up to here may be in use: the file says so */
  guint save_id;             /* a history save waiting */
  RndimgPublishKeys *keys;   /* the Idempotency-Keys of recent publishes */
  RndimgEventDescriber describer;
};

/* Ids are reserved on disk a block at a time, durably, before any of them
 * goes out (the first block at start); the history is written at most
 * every SAVE_DELAY_MS, with no fsync, by a thread of its own from a
 * snapshot (rndimg-history-saver.c). So a publish almost never waits for
 * the disk (it used to wait for two fsyncs) nor for a save, and a killed
 * server still never reuses an id: it continues after its reservation
 * (skipping at most a block) and loses at most the last moment of
 * history. A clean stop writes the exact newest id. */
#define ID_BLOCK 1024
#define SAVE_DELAY_MS 100

static void broker_iface_init (RndimgBrokerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RndimgMemoryBroker, rndimg_memory_broker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RNDIMG_TYPE_BROKER, broker_iface_init))

/* Writes the epoch, @newest_id and the history to the state file, synced
 * to the disk before returning. */
static void
save (RndimgMemoryBroker *self, gint64 newest_id)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (!rndimg_history_saver_save_now (self->saver, self->epoch, newest_id, &self->history, &error))
    g_warning ("history not saved: %s", error->message);
}

static gboolean
on_save (gpointer user_data)
{
  RndimgMemoryBroker *self = user_data;

  self->save_id = 0;
  rndimg_history_saver_save_soon (self->saver, self->epoch, self->reserved_id, &self->history);
  return G_SOURCE_REMOVE;
}

static RndimgEvent *
append (RndimgMemoryBroker *self, const RndimgEventChange *change)
{
  RndimgEvent *event = rndimg_event_new_change (self->next_id++, change);

  event->epoch = g_intern_string (self->epoch);
  g_queue_push_tail (&self->history, event);
  rndimg_gone_evict (self->gone, &self->history, self->history_length);
  if (self->state_file != NULL && event->id > self->reserved_id)
    {
      self->reserved_id = event->id + ID_BLOCK - 1;
      save (self, self->reserved_id);
    }
  else if (self->state_file != NULL && self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_DELAY_MS, on_save, self);
  /* g_debug() formats its message before it is dropped: ~3 500
   * instructions a publish without --verbose. */
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    g_debug ("published #%" G_GINT64_FORMAT " %s %s (%s)", event->id, rndimg_event_kind_to_string (event->kind),
             event->name, event->source);
  return event;
}

/* A publish is done when this returns: a key is either recorded (its
 * event answered again) or recorded now with the event it publishes. */
static RndimgEvent *
memory_publish_now (RndimgBroker *broker, const RndimgEventChange *change, const RndimgPublishKey *key,
                    gboolean *replayed, GError **error)
{
  RndimgMemoryBroker *self = RNDIMG_MEMORY_BROKER (broker);
  g_autoptr(GError) lookup_error = NULL;
  RndimgEvent *event;

  if (key != NULL && (event = rndimg_publish_keys_find (self->keys, key, &lookup_error)) != NULL)
    {
      *replayed = TRUE;
      return event;
    }
  if (lookup_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return NULL;
    }
  event = append (self, change);
  if (key != NULL)
    rndimg_publish_keys_record (self->keys, key, event);
  rndimg_broker_emit_published (broker, event);
  *replayed = FALSE;
  return rndimg_event_ref (event);
}

/* Answers through GTask like any other broker (callers that can answer
 * at once use publish_now()). */
static void
memory_publish_async (RndimgBroker *broker, const RndimgEventChange *change, const RndimgPublishKey *key,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (broker, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  gboolean replayed = FALSE;
  g_autoptr(RndimgEvent) event = memory_publish_now (broker, change, key, &replayed, &error);

  g_task_set_source_tag (task, (gpointer) (guintptr) memory_publish_async);
  if (event != NULL)
    rndimg_broker_return_published (task, event, replayed);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
memory_history_async (RndimgBroker *broker, gint64 since, const char *const *albums, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  rndimg_broker_answer_history (broker, &RNDIMG_MEMORY_BROKER (broker)->history,
                                RNDIMG_MEMORY_BROKER (broker)->gone, since, albums,
                                cancellable, callback, user_data);
}

static gint64
memory_get_newest_id (RndimgBroker *broker)
{
  return RNDIMG_MEMORY_BROKER (broker)->next_id - 1;
}

static const char *
memory_get_epoch (RndimgBroker *broker)
{
  return RNDIMG_MEMORY_BROKER (broker)->epoch;
}

static RndimgEventDescriber *
memory_get_describer (RndimgBroker *broker)
{
  return &RNDIMG_MEMORY_BROKER (broker)->describer;
}

static void
broker_iface_init (RndimgBrokerInterface *iface)
{
  iface->get_describer = memory_get_describer;
  iface->get_epoch = memory_get_epoch;
  iface->publish_async = memory_publish_async;
  iface->publish_now = memory_publish_now;
  iface->history_async = memory_history_async;
  iface->get_newest_id = memory_get_newest_id;
}

static void
rndimg_memory_broker_finalize (GObject *object)
{
  RndimgMemoryBroker *self = RNDIMG_MEMORY_BROKER (object);

  /* A clean stop: no id after this one was used. */
  if (self->state_file != NULL && self->reserved_id > 0)
    save (self, self->next_id - 1);
  g_clear_pointer (&self->saver, rndimg_history_saver_free);
  g_queue_clear_full (&self->history, (GDestroyNotify) rndimg_event_unref);
  g_clear_pointer (&self->gone, rndimg_gone_free);
  g_clear_pointer (&self->keys, rndimg_publish_keys_free);
  g_free (self->epoch);
  g_free (self->state_file);
  G_OBJECT_CLASS (rndimg_memory_broker_parent_class)->finalize (object);
}

static void
rndimg_memory_broker_class_init (RndimgMemoryBrokerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_memory_broker_finalize;
}

static void
rndimg_memory_broker_init (RndimgMemoryBroker *self)
{
  g_queue_init (&self->history);
  self->keys = rndimg_publish_keys_new ();
  self->next_id = 1;
  self->epoch = rndimg_broker_new_epoch ();
}

/* A broker keeping the last @history_length events (at least one). */
RndimgBroker *
rndimg_memory_broker_new (guint history_length)
{
  RndimgMemoryBroker *self = g_object_new (RNDIMG_TYPE_MEMORY_BROKER, NULL);

  self->history_length = MAX (history_length, 1);
  self->gone = rndimg_gone_new (self->history_length);
  return RNDIMG_BROKER (self);
}

/* Reads the history in @state_file back; a missing file starts a new
 * epoch, and so does an unreadable one (kept aside as FILE.bad, with a
 * warning: clients see the new epoch and are told they missed events). */
static void
restore (RndimgMemoryBroker *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *epoch = NULL;
  gint64 newest_id = 0;

  if (rndimg_history_file_load (self->state_file, &epoch, &newest_id, &self->history, &error))
    {
      while (self->history.length > self->history_length)
        rndimg_event_unref (g_queue_pop_head (&self->history));
      g_free (self->epoch);
      self->epoch = g_steal_pointer (&epoch);
      self->next_id = newest_id + 1;
      self->reserved_id = newest_id;
      g_debug ("history %s: epoch %s, newest #%" G_GINT64_FORMAT, self->state_file, self->epoch, newest_id);
      return;
    }
  if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_autofree char *aside = g_strconcat (self->state_file, ".bad", NULL);

      g_warning ("%s; starting a new history (epoch %s), the old file kept as %s",
                 error->message, self->epoch, aside);
      g_rename (self->state_file, aside);
    }
  g_queue_clear_full (&self->history, (GDestroyNotify) rndimg_event_unref);
}

/* A broker keeping the last @history_length events in @state_file too, so
 * its ids and epoch continue after a restart. */
RndimgBroker *
rndimg_memory_broker_new_with_state (guint history_length, const char *state_file)
{
  RndimgMemoryBroker *self = RNDIMG_MEMORY_BROKER (rndimg_memory_broker_new (history_length));

  if (state_file == NULL)
    return RNDIMG_BROKER (self);
  self->state_file = g_strdup (state_file);
  self->saver = rndimg_history_saver_new (state_file);
  restore (self);
  /* The first block now, so the first publish does not wait for it. */
  self->reserved_id = self->next_id - 1 + ID_BLOCK;
  save (self, self->reserved_id);
  return RNDIMG_BROKER (self);
}
