/* SPDX-License-Identifier: MIT */
/* RndimgBroker: the one ordered history of published pictures, behind an
 * interface so that where it lives (memory now, Redis later) is one choice
 * in main.c. Subscribers only ever see this interface and its "published"
 * signal. */
#include "rndimg-broker.h"

G_DEFINE_INTERFACE (RndimgBroker, rndimg_broker, G_TYPE_OBJECT)

enum { PUBLISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
rndimg_broker_default_init (RndimgBrokerInterface *iface)
{
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
  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);

  return RNDIMG_BROKER_GET_IFACE (self)->publish_finish (self, result, error);
}

/* Asks for every kept event newer than @since, oldest first. */
void
rndimg_broker_history_async (RndimgBroker *self, gint64 since, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));
  g_return_if_fail (since >= 0);

  RNDIMG_BROKER_GET_IFACE (self)->history_async (self, since, cancellable, callback, user_data);
}

/* Returns (transfer full) the events (RndimgEvent), or NULL with @error
 * set; @missed is how many events after @since are no longer kept. */
GPtrArray *
rndimg_broker_history_finish (RndimgBroker *self, GAsyncResult *result, gint64 *missed,
                              GError **error)
{
  g_return_val_if_fail (RNDIMG_IS_BROKER (self), NULL);
  g_return_val_if_fail (missed != NULL, NULL);

  return RNDIMG_BROKER_GET_IFACE (self)->history_finish (self, result, missed, error);
}

/* The id of the newest event known here, 0 before the first. */
gint64
rndimg_broker_get_newest_id (RndimgBroker *self)
{
  g_return_val_if_fail (RNDIMG_IS_BROKER (self), 0);

  return RNDIMG_BROKER_GET_IFACE (self)->get_newest_id (self);
}

/* For implementations: tells every subscriber about @event. */
void
rndimg_broker_emit_published (RndimgBroker *self, RndimgEvent *event)
{
  g_return_if_fail (RNDIMG_IS_BROKER (self));

  g_signal_emit (self, signals[PUBLISHED], 0, event);
}
