/* SPDX-License-Identifier: MIT */
/* RndimgBroker: the one ordered history of published pictures, behind an
 * interface so that where it lives (this process, rndimg-memory-broker.c,
 * or one Redis shared by every node, redis/) is one choice, --broker, made
 * in rndimg-service.c. Subscribers only ever see this interface and its
 * "published" signal. */
#include "rndimg-broker.h"

G_DEFINE_INTERFACE (RndimgBroker, rndimg_broker, G_TYPE_OBJECT)

enum { PUBLISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static RndimgEvent *propagate_event (RndimgBroker *self, GAsyncResult *result, GError **error);
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

/* Appends an event for image @name; @source must be a static string. */
void
rndimg_broker_publish_async (RndimgBroker *self, const char *name, const char *source,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));
  g_return_if_fail (name != NULL && source != NULL);

  RNDIMG_BROKER_GET_IFACE (self)->publish_async (self, name, source, cancellable, callback, user_data);
}

/* Returns (transfer full) the published event, or NULL with @error set. */
RndimgEvent *
rndimg_broker_publish_finish (RndimgBroker *self, GAsyncResult *result, GError **error)
{
  RndimgEvent *event;

  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);

  event = RNDIMG_BROKER_GET_IFACE (self)->publish_finish (self, result, error);
  if (event != NULL)
    rndimg_event_describe (event, RNDIMG_BROKER_GET_IFACE (self)->get_describer (self));
  return event;
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

/* The default publish_finish(): the event is the GTask's pointer. */
static RndimgEvent *
propagate_event (RndimgBroker *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
