/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/rndimg/poll?since=ID&timeout=SECONDS
 *
 * Answers at once from history when the client is behind; otherwise the
 * request is paused (no CPU, no timer but its own timeout) until the next
 * publish or the timeout. A client that hangs up while held is noticed at
 * once through a watch on its socket, and its waiter dropped. */
#include "rndimg-longpoll.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"

#include <string.h>

#define DEFAULT_TIMEOUT_SECONDS 30
#define MAX_TIMEOUT_SECONDS 300
#define RETRY_AFTER_SECONDS "5"

struct _RndimgLongPoll
{
  GObject parent_instance;

  RndimgPublisher *publisher;
  GHashTable *waiters;        /* SoupServerMessage -> Waiter */
  guint max_waiters;
};

G_DEFINE_FINAL_TYPE (RndimgLongPoll, rndimg_long_poll, G_TYPE_OBJECT)

typedef struct {
  RndimgLongPoll *owner;
  SoupServerMessage *msg;
  char *base_url;
  GSource *timeout;
  GSource *hangup_watch;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  if (waiter->timeout != NULL)
    g_source_destroy (waiter->timeout);
  g_clear_pointer (&waiter->timeout, g_source_unref);
  if (waiter->hangup_watch != NULL)
    g_source_destroy (waiter->hangup_watch);
  g_clear_pointer (&waiter->hangup_watch, g_source_unref);
  g_signal_handlers_disconnect_by_data (waiter->msg, waiter);
  g_object_unref (waiter->msg);
  g_free (waiter->base_url);
  g_free (waiter);
}

static void
send_event (SoupServerMessage *msg, const RndimgEvent *event, const char *base_url, gint64 missed)
{
  char *json = rndimg_event_to_json (event, base_url, missed);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
}

/* Ends a held request with @event (or 204 when NULL) and forgets it. */
static void
release (RndimgLongPoll *self, SoupServerMessage *msg, const RndimgEvent *event)
{
  g_autoptr(SoupServerMessage) keep = g_object_ref (msg);
  Waiter *waiter = g_hash_table_lookup (self->waiters, msg);

  if (event != NULL)
    send_event (msg, event, waiter->base_url, 0);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  g_hash_table_remove (self->waiters, msg);
  soup_server_message_unpause (msg);
}

static void
on_published (RndimgPublisher *publisher, RndimgEvent *event, gpointer user_data)
{
  RndimgLongPoll *self = user_data;
  g_autoptr(GList) held = g_hash_table_get_keys (self->waiters);

  for (GList *link = held; link != NULL; link = link->next)
    release (self, link->data, event);
}

static gboolean
on_timeout (gpointer user_data)
{
  Waiter *waiter = user_data;

  release (waiter->owner, waiter->msg, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_hangup (SoupServerMessage *msg, gpointer user_data)
{
  Waiter *waiter = user_data;
  RndimgLongPoll *self = waiter->owner;

  g_debug ("long-poll client went away");
  g_object_ref (msg);
  g_hash_table_remove (self->waiters, msg);
  rndimg_connection_abort (msg);
  g_object_unref (msg);
}

static void
on_message_finished (SoupServerMessage *msg, gpointer user_data)
{
  Waiter *waiter = user_data;

  g_hash_table_remove (waiter->owner->waiters, msg);
}

static void
hold (RndimgLongPoll *self, SoupServerMessage *msg, guint timeout_seconds)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  waiter->owner = self;
  waiter->msg = g_object_ref (msg);
  waiter->base_url = rndimg_http_base_url (msg);
  /* Not _seconds(): that one may fire up to a second early, batched. */
  waiter->timeout = g_timeout_source_new (timeout_seconds * 1000);
  g_source_set_callback (waiter->timeout, on_timeout, waiter, NULL);
  g_source_attach (waiter->timeout, NULL);
  waiter->hangup_watch = rndimg_connection_watch_hangup (msg, on_hangup, waiter);
  g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), waiter);
  g_hash_table_insert (self->waiters, msg, waiter);
  soup_server_message_pause (msg);
}

static gboolean
parse_parameters (SoupServerMessage *msg, GHashTable *query, gboolean *has_since,
                  guint64 *since, guint64 *timeout)
{
  const char *since_text = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  const char *timeout_text = query != NULL ? g_hash_table_lookup (query, "timeout") : NULL;

  *has_since = since_text != NULL;
  *timeout = DEFAULT_TIMEOUT_SECONDS;
  if (since_text != NULL && !rndimg_http_parse_number (since_text, 0, G_MAXINT64, since))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "since must be an event id (a whole number, 0 or more)");
      return FALSE;
    }
  if (timeout_text != NULL && !rndimg_http_parse_number (timeout_text, 1, MAX_TIMEOUT_SECONDS, timeout))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "timeout must be a whole number of seconds from 1 to %d",
                              MAX_TIMEOUT_SECONDS);
      return FALSE;
    }
  return TRUE;
}

/* The event to answer at once, or NULL to wait for the next one. */
static RndimgEvent *
immediate_event (RndimgPublisher *publisher, gboolean has_since, gint64 since, gint64 *missed)
{
  *missed = 0;
  if (!has_since)
    return NULL;
  /* An id from the future: the server restarted. Sync the client up. */
  if (since > rndimg_publisher_get_newest_id (publisher))
    return rndimg_publisher_get_newest (publisher);
  return rndimg_publisher_next_after (publisher, since, missed);
}

void
rndimg_long_poll_serve (RndimgService *service, SoupServerMessage *msg,
                        const char *path, GHashTable *query)
{
  RndimgLongPoll *self = rndimg_service_get_long_poll (service);
  g_autoptr(RndimgEvent) event = NULL;
  g_autofree char *base_url = NULL;
  gboolean has_since;
  guint64 since = 0, timeout;
  gint64 missed;

  rndimg_http_set_no_store (msg);
  if (!parse_parameters (msg, query, &has_since, &since, &timeout))
    return;

  event = immediate_event (self->publisher, has_since, (gint64) since, &missed);
  if (event != NULL)
    {
      base_url = rndimg_http_base_url (msg);
      send_event (msg, event, base_url, missed);
      return;
    }
  if (g_hash_table_size (self->waiters) >= self->max_waiters)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", RETRY_AFTER_SECONDS);
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                              "too many clients are waiting; retry later");
      return;
    }
  hold (self, msg, (guint) timeout);
}

static void
rndimg_long_poll_dispose (GObject *object)
{
  RndimgLongPoll *self = RNDIMG_LONG_POLL (object);

  if (self->publisher != NULL)
    g_signal_handlers_disconnect_by_data (self->publisher, self);
  g_clear_object (&self->publisher);
  if (self->waiters != NULL)
    g_hash_table_remove_all (self->waiters);
  G_OBJECT_CLASS (rndimg_long_poll_parent_class)->dispose (object);
}

static void
rndimg_long_poll_finalize (GObject *object)
{
  g_hash_table_unref (RNDIMG_LONG_POLL (object)->waiters);
  G_OBJECT_CLASS (rndimg_long_poll_parent_class)->finalize (object);
}

static void
rndimg_long_poll_class_init (RndimgLongPollClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rndimg_long_poll_dispose;
  G_OBJECT_CLASS (klass)->finalize = rndimg_long_poll_finalize;
}

static void
rndimg_long_poll_init (RndimgLongPoll *self)
{
  self->waiters = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) waiter_free);
}

RndimgLongPoll *
rndimg_long_poll_new (RndimgPublisher *publisher, guint max_waiters)
{
  RndimgLongPoll *self = g_object_new (RNDIMG_TYPE_LONG_POLL, NULL);

  self->publisher = g_object_ref (publisher);
  self->max_waiters = max_waiters;
  g_signal_connect (publisher, "published", G_CALLBACK (on_published), self);
  return self;
}

guint
rndimg_long_poll_get_waiting (RndimgLongPoll *self)
{
  return g_hash_table_size (self->waiters);
}

/* Shutdown: every held request ends now with 204, as after a timeout. */
void
rndimg_long_poll_close_all (RndimgLongPoll *self)
{
  g_autoptr(GList) held = g_hash_table_get_keys (self->waiters);

  for (GList *link = held; link != NULL; link = link->next)
    release (self, link->data, NULL);
}
