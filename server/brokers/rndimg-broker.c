/* SPDX-License-Identifier: MIT */
/* RndimgBroker: the one ordered history of published pictures, behind an
 * interface so that where it lives (this process, rndimg-memory-broker.c,
 * or one Redis shared by every node, redis/) is one choice, --broker, made
 * in rndimg-service.c. Subscribers only ever see this interface and its
 * "published" signal. */
#include "rndimg-broker.h"

G_DEFINE_INTERFACE (RndimgBroker, rndimg_broker, G_TYPE_OBJECT)
G_DEFINE_QUARK (rndimg-broker-error-quark, rndimg_broker_error)

enum { PUBLISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static RndimgEvent *propagate_event (RndimgBroker *self, GAsyncResult *result, gboolean *replayed,
                                     GError **error);
static GPtrArray *propagate_history (RndimgBroker *self, GAsyncResult *result, gint64 *missed,
                                     GError **error);

static void
rndimg_broker_default_init (RndimgBrokerInterface *iface)
{
  /* What a broker answering with a GTask needs: the finish halves. */
  iface->publish_finish = propagate_event;
  iface->history_finish = propagate_history;

  /**
   * RndimgBroker::published:
   * @event: (type gpointer): the new event, borrowed for the emission
   *
   * Every new event, in id order, whoever published it.
   */
  signals[PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                     G_STRUCT_OFFSET (RndimgBrokerInterface, published),
                                     NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

/* Appends an event for picture @name; @source must be a static string. */
void
rndimg_broker_publish_async (RndimgBroker *self, const char *name, const char *source,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  RndimgEventChange change = { .kind = RNDIMG_EVENT_PUBLISHED, .name = name, .source = source };

  rndimg_broker_publish_with_key_async (self, &change, NULL, cancellable, callback, user_data);
}

/* Appends an event for @change (its strings are copied at once), for a
 * request that came with @key (NULL: none): a key recorded before gets
 * its event again (the same request) or RNDIMG_BROKER_ERROR_KEY_REUSED
 * (another), and nothing is published. */
void
rndimg_broker_publish_with_key_async (RndimgBroker *self, const RndimgEventChange *change,
                                      const RndimgPublishKey *key, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));
  g_return_if_fail (change != NULL && change->source != NULL);
  g_return_if_fail (change->kind == RNDIMG_EVENT_ALBUM_CHANGED || change->kind == RNDIMG_EVENT_ALBUM_REMOVED
                    ? change->album != NULL : change->name != NULL);

  RNDIMG_BROKER_GET_IFACE (self)->publish_async (self, change, key, cancellable, callback, user_data);
}

/* Appends an event for @change, without a key. */
void
rndimg_broker_publish_change_async (RndimgBroker *self, const RndimgEventChange *change, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  rndimg_broker_publish_with_key_async (self, change, NULL, cancellable, callback, user_data);
}

/* Returns (transfer full) the published event, or NULL with @error set in
 * RNDIMG_BROKER_ERROR; @replayed (may be NULL): it was published before,
 * for an earlier request with the same key. */
RndimgEvent *
rndimg_broker_publish_finish (RndimgBroker *self, GAsyncResult *result, gboolean *replayed, GError **error)
{
  RndimgEvent *event;
  gboolean again = FALSE;

  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);

  event = RNDIMG_BROKER_GET_IFACE (self)->publish_finish (self, result, &again, error);
  if (event != NULL)
    rndimg_event_describe (event, RNDIMG_BROKER_GET_IFACE (self)->get_describer (self));
  if (replayed != NULL)
    *replayed = event != NULL && again;
  return event;
}

/* Whether rndimg_broker_publish_now() answers here (a broker in this
 * process): callers that can answer at once skip a main-loop pass. */
gboolean
rndimg_broker_can_publish_now (RndimgBroker *self)
{
  g_return_val_if_fail (RNDIMG_IS_BROKER (self), FALSE);
  return RNDIMG_BROKER_GET_IFACE (self)->publish_now != NULL;
}

/* rndimg_broker_publish_with_key_async() and its finish in one call, for a
 * broker that can (rndimg_broker_can_publish_now()): the same event, the
 * same "published" emission, the same errors. */
RndimgEvent *
rndimg_broker_publish_now (RndimgBroker *self, const RndimgEventChange *change, const RndimgPublishKey *key,
                           gboolean *replayed, GError **error)
{
  RndimgEvent *event;
  gboolean again = FALSE;

  g_return_val_if_fail (rndimg_broker_can_publish_now (self), NULL);
  g_return_val_if_fail (change != NULL && change->source != NULL, NULL);

  event = RNDIMG_BROKER_GET_IFACE (self)->publish_now (self, change, key, &again, error);
  if (event != NULL)
    rndimg_event_describe (event, RNDIMG_BROKER_GET_IFACE (self)->get_describer (self));
  if (replayed != NULL)
    *replayed = event != NULL && again;
  return event;
}

typedef struct {
  RndimgEvent *event;
  gboolean replayed;
} Published;

static void
published_free (Published *published)
{
  rndimg_event_unref (published->event);
  g_free (published);
}

/* For implementations: @task (of publish_async) returns @event (borrowed);
 * the default publish_finish() reads it. */
void
rndimg_broker_return_published (GTask *task, RndimgEvent *event, gboolean replayed)
{
  Published *published = g_new0 (Published, 1);

  published->event = rndimg_event_ref (event);
  published->replayed = replayed;
  g_task_return_pointer (task, published, (GDestroyNotify) published_free);
}

/* Whether the history here holds every event published: FALSE while a
 * node catches up (after a start or a reconnect). */
gboolean
rndimg_broker_is_current (RndimgBroker *self)
{
  RndimgBrokerInterface *iface;

  g_return_val_if_fail (RNDIMG_IS_BROKER (self), FALSE);
  iface = RNDIMG_BROKER_GET_IFACE (self);
  return iface->is_current == NULL || iface->is_current (self);
}

/* Answers once the history here holds every event published before this
 * call (for a client that may have one this node has not read yet). It
 * waits as long as that takes: a cancellable ends the wait. */
void
rndimg_broker_sync_async (RndimgBroker *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  RndimgBrokerInterface *iface;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RNDIMG_IS_BROKER (self));
  iface = RNDIMG_BROKER_GET_IFACE (self);
  if (iface->sync_async != NULL)
    {
      iface->sync_async (self, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, (gpointer) (guintptr) rndimg_broker_sync_async);
  g_task_return_boolean (task, TRUE);
}

gboolean
rndimg_broker_sync_finish (RndimgBroker *self, GAsyncResult *result, GError **error)
{
  RndimgBrokerInterface *iface;

  g_return_val_if_fail (RNDIMG_IS_BROKER (self), FALSE);
  iface = RNDIMG_BROKER_GET_IFACE (self);
  if (iface->sync_finish != NULL)
    return iface->sync_finish (self, result, error);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The link to where events live, for /stats and /metrics. */
void
rndimg_broker_get_link (RndimgBroker *self, RndimgBrokerLink *link)
{
  RndimgBrokerInterface *iface;

  g_return_if_fail (RNDIMG_IS_BROKER (self));
  iface = RNDIMG_BROKER_GET_IFACE (self);
  *link = (RndimgBrokerLink) { .up = TRUE };
  if (iface->get_link != NULL)
    iface->get_link (self, link);
}

RndimgPublishKey *
rndimg_publish_key_copy (const RndimgPublishKey *key)
{
  RndimgPublishKey *copy = g_new0 (RndimgPublishKey, 1);

  copy->record = g_strdup (key->record);
  copy->fingerprint = g_strdup (key->fingerprint);
  return copy;
}

void
rndimg_publish_key_free (RndimgPublishKey *key)
{
  g_free (key->record);
  g_free (key->fingerprint);
  g_free (key);
}

/* Asks for every kept event newer than @since, oldest first, and how many
 * events of @albums (NULL: all) newer than @since are no longer kept. */
void
rndimg_broker_history_async (RndimgBroker *self, gint64 since, const char *const *albums,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));
  g_return_if_fail (since >= 0);

  RNDIMG_BROKER_GET_IFACE (self)->history_async (self, since, albums, cancellable, callback, user_data);
}

/* Returns (transfer full) the events (RndimgEvent), or NULL with @error
 * set; @missed is how many events after @since are no longer kept. */
GPtrArray *
rndimg_broker_history_finish (RndimgBroker *self, GAsyncResult *result, gint64 *missed,
                              GError **error)
{
  GPtrArray *events;

  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);
  g_return_val_if_fail (missed != NULL, NULL);

  events = RNDIMG_BROKER_GET_IFACE (self)->history_finish (self, result, missed, error);
  for (guint i = 0; events != NULL && i < events->len; i++)
    rndimg_event_describe (events->pdata[i], RNDIMG_BROKER_GET_IFACE (self)->get_describer (self));
  return events;
}

/* The id of the newest event known here, 0 before the first. */
gint64
rndimg_broker_get_newest_id (RndimgBroker *self)
{
  g_return_val_if_fail (RNDIMG_IS_BROKER (self), 0);

  return RNDIMG_BROKER_GET_IFACE (self)->get_newest_id (self);
}

/* The history the ids belong to: made at random when a history is
 * created, kept as long as it is (restarts, Redis reconnects). */
const char *
rndimg_broker_get_epoch (RndimgBroker *self)
{
  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);

  return RNDIMG_BROKER_GET_IFACE (self)->get_epoch (self);
}

/* NULL while publishing can work, else why not (for /readyz and logs). */
const char *
rndimg_broker_get_problem (RndimgBroker *self)
{
  RndimgBrokerInterface *iface;

  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);
  iface = RNDIMG_BROKER_GET_IFACE (self);
  return iface->get_problem != NULL ? iface->get_problem (self) : NULL;
}

/* Where a client resuming after @since (-1: not resuming) of history
 * @epoch (NULL: not said) starts: an id of another history means nothing
 * here, so it is treated as older than all of this one (0): the client is
 * told what it missed and gets the events kept, never waits forever. */
gint64
rndimg_broker_resume_point (RndimgBroker *self, gint64 since, const char *epoch)
{
  RndimgBrokerInterface *iface = RNDIMG_BROKER_GET_IFACE (self);

  if (since > 0 && iface->client_resumes != NULL)
    iface->client_resumes (self, since, epoch);
  if (since < 0 || epoch == NULL || *epoch == '\0')
    return since;
  return g_strcmp0 (epoch, rndimg_broker_get_epoch (self)) == 0 ? since : 0;
}

/* A new random epoch: 16 hex digits. */
char *
rndimg_broker_new_epoch (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

/* For implementations: tells every subscriber about @event. */
void
rndimg_broker_emit_published (RndimgBroker *self, RndimgEvent *event)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));

  rndimg_event_describe (event, RNDIMG_BROKER_GET_IFACE (self)->get_describer (self));
  g_signal_emit (self, signals[PUBLISHED], 0, event);
}

/* Every event this broker hands out carries the details @describe writes
 * of its picture, asked of this node's catalogue, and the path @url_path
 * gives it: made once per event, when it is first told or answered. */
void
rndimg_broker_set_describer (RndimgBroker *self, RndimgEventDescribeFunc describe,
                             RndimgEventUrlPathFunc url_path, gpointer user_data)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));

  *RNDIMG_BROKER_GET_IFACE (self)->get_describer (self) = (RndimgEventDescriber) { describe, url_path, user_data };
}

/* Every event of @history (oldest first) newer than @since, and in
 * @missed how many of @albums newer than @since are no longer kept. */
static GPtrArray *
events_after (GQueue *history, RndimgGone *gone, gint64 since, const char *const *albums, gint64 *missed)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_event_unref);
  RndimgEvent *oldest = g_queue_peek_head (history);
  GList *link = history->tail;

  *missed = rndimg_gone_count (gone, since, oldest != NULL ? oldest->id : 0, albums);
  /* Back from the newest to the first event after @since, then forward. */
  while (link != NULL && link->prev != NULL && ((RndimgEvent *) link->prev->data)->id > since)
    link = link->prev;
  for (; link != NULL; link = link->next)
    if (((RndimgEvent *) link->data)->id > since)
      g_ptr_array_add (events, rndimg_event_ref (link->data));
  return events;
}

typedef struct {
  GPtrArray *events;
  gint64 missed;
} History;

static void
history_free (History *history)
{
  g_ptr_array_unref (history->events);
  g_free (history);
}

/* The history_async() of a broker keeping @history, and @gone for the
 * events that left it: what it holds after @since, answered through a
 * GTask for the default history_finish(). */
void
rndimg_broker_answer_history (RndimgBroker *self, GQueue *history, RndimgGone *gone, gint64 since,
                              const char *const *albums, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  History *answer = g_new0 (History, 1);

  answer->events = events_after (history, gone, since, albums, &answer->missed);
  g_task_return_pointer (task, answer, (GDestroyNotify) history_free);
}

/* The default history_finish(). */
static GPtrArray *
propagate_history (RndimgBroker *self, GAsyncResult *result, gint64 *missed, GError **error)
{
  History *history;
  GPtrArray *events;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  history = g_task_propagate_pointer (G_TASK (result), error);
  if (history == NULL)
    return NULL;
  events = g_ptr_array_ref (history->events);
  *missed = history->missed;
  history_free (history);
  return events;
}

/* The default publish_finish(): what rndimg_broker_return_published()
 * returned. */
static RndimgEvent *
propagate_event (RndimgBroker *self, GAsyncResult *result, gboolean *replayed, GError **error)
{
  Published *published;
  RndimgEvent *event;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  published = g_task_propagate_pointer (G_TASK (result), error);
  if (published == NULL)
    return NULL;
  event = rndimg_event_ref (published->event);
  *replayed = published->replayed;
  published_free (published);
  return event;
}
