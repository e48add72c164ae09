/* SPDX-License-Identifier: MIT */
/* The registry of one kind of subscriber (the role of nchan's spool.c and
 * subscribers/common.c): the table, the --max-* limit with 503, the hangup
 * watch, the heartbeat, shutdown, the count, and the one rule that keeps
 * ids in order: register first, replay from history, then go live, never
 * sending an id twice. The fan-out renders each event once per base URL. */
#include "rndimg-subscribers.h"
#include "rndimg-album.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"

#include <string.h>

#define RETRY_AFTER_SECONDS "5"

struct _RndimgSubscribers
{
  GObject parent_instance;

  RndimgBroker *broker;
  RndimgConnections *connections;   /* borrowed: outlives us */
  const RndimgSubscriberFuncs *fn;
  gpointer kind_data;               /* owned, freed with kind_data_free */
  GDestroyNotify kind_data_free;
  GPtrArray *subscribers;     /* RndimgSubscriber, in no order */
  guint max_subscribers;
  char *full_message;
  double heartbeat_seconds;
  guint heartbeat_id;
  guint64 slow_readers_dropped;
};

G_DEFINE_FINAL_TYPE (RndimgSubscribers, rndimg_subscribers, G_TYPE_OBJECT)

void
rndimg_subscriber_init (RndimgSubscriber *sub, const RndimgSubscriberFuncs *fn, SoupServerMessage *msg)
{
  sub->fn = fn;
  sub->msg = g_object_ref (msg);
  sub->base_url = rndimg_http_base_url (msg);
}

void
rndimg_subscriber_clear (RndimgSubscriber *sub)
{
  if (sub->cancellable != NULL)
    g_cancellable_cancel (sub->cancellable);
  g_clear_object (&sub->cancellable);
  g_clear_pointer (&sub->hangup_watch, rndimg_connection_unwatch_hangup);
  g_signal_handlers_disconnect_by_data (sub->msg, sub);
  g_clear_object (&sub->msg);
  g_clear_pointer (&sub->base_url, g_free);
  g_clear_pointer (&sub->albums, g_strfreev);
}

/* Most albums one subscriber may follow. */
#define MAX_FOLLOWED_ALBUMS 16

/* ?album=A[,B]: the albums a subscriber follows (events of a sub-album are
 * its parent's too). An album that does not exist yet may come: only the
 * names are checked. FALSE with a 400 sent when one is not an album name. */
gboolean
rndimg_subscriber_read_albums (SoupServerMessage *msg, GHashTable *query, GStrv *albums)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, "album") : NULL;
  g_auto(GStrv) names = NULL;
  guint count;

  *albums = NULL;
  if (text == NULL)
    return TRUE;
  names = g_strsplit (text, ",", MAX_FOLLOWED_ALBUMS + 1);
  count = g_strv_length (names);
  for (guint i = 0; i < count; i++)
    if (!rndimg_album_name_is_valid (names[i]))
      count = 0;
  if (rndimg_http_query_value_has_nul (msg, "album"))
    count = 0;
  if (count == 0 || count > MAX_FOLLOWED_ALBUMS)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "album must be 1 to %d album names separated by commas, each one or two segments "
                              "(dogs, dogs/puppies) of lower-case letters, digits, '-' and '_'", MAX_FOLLOWED_ALBUMS);
      return FALSE;
    }
  *albums = g_steal_pointer (&names);
  return TRUE;
}

/* A render function for kinds that send the event JSON as it is. */
GBytes *
rndimg_subscriber_render_json (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  return rndimg_event_to_json_bytes (event, base_url, missed);
}

/* Forgets @sub and frees it. Safe while the fan-out walks the array: the
 * last entry moves into the gap, and the walk goes from the end. */
void
rndimg_subscribers_remove (RndimgSubscribers *self, RndimgSubscriber *sub)
{
  guint last = self->subscribers->len - 1;
  RndimgSubscriber *moved = g_ptr_array_index (self->subscribers, last);

  g_assert (g_ptr_array_index (self->subscribers, sub->index) == sub);
  self->subscribers->pdata[sub->index] = moved;
  moved->index = sub->index;
  g_ptr_array_set_size (self->subscribers, last);
  sub->fn->free (sub);
}

/* Ends @sub's connection without another byte: gone or too slow. */
void
rndimg_subscribers_drop (RndimgSubscribers *self, RndimgSubscriber *sub, const char *why)
{
  g_autoptr(SoupServerMessage) msg = g_object_ref (sub->msg);

  g_debug ("%s dropped: %s", self->fn->kind, why);
  rndimg_subscribers_remove (self, sub);
  rndimg_connections_abort (self->connections, msg);
}

/* Timeout or shutdown: the kind's clean end. */
void
rndimg_subscribers_end (RndimgSubscribers *self, RndimgSubscriber *sub)
{
  if (!sub->fn->end (sub))
    rndimg_subscribers_remove (self, sub);
}

/* Acts on what a send did to @sub; FALSE when it left the registry. */
static gboolean
settle (RndimgSubscriber *sub, RndimgSubscriberState state)
{
  switch (state)
    {
    case RNDIMG_SUBSCRIBER_KEEP:
      return TRUE;
    case RNDIMG_SUBSCRIBER_DONE:
      rndimg_subscribers_remove (sub->registry, sub);
      return FALSE;
    case RNDIMG_SUBSCRIBER_CUT:
    default:
      sub->registry->slow_readers_dropped++;
      rndimg_subscribers_drop (sub->registry, sub, "the reader is too slow");
      return FALSE;
    }
}

static gboolean
deliver (RndimgSubscriber *sub, gint64 id, GBytes *payload)
{
  sub->last_id = id;
  return settle (sub, sub->fn->deliver (sub, payload));
}

/* Renders @event for @sub alone and sends it (replays, resends). FALSE:
 * the subscriber is done and already removed. */
gboolean
rndimg_subscribers_send_event (RndimgSubscriber *sub, const RndimgEvent *event, gint64 missed)
{
  g_autoptr(GBytes) payload = sub->fn->render (event, sub->base_url, missed);

  return deliver (sub, event->id, payload);
}

/* The payload for @base_url, made at most once per event: nearly every
 * client shares one base URL, so this list stays one or two long. */
typedef struct {
  char *base_url;
  GBytes *payload;
} Rendered;

static GBytes *
rendered_for (GArray *cache, const RndimgSubscriberFuncs *fn, const RndimgEvent *event,
              const char *base_url)
{
  Rendered fresh;

  for (guint i = 0; i < cache->len; i++)
    {
      Rendered *known = &g_array_index (cache, Rendered, i);

      if (g_str_equal (known->base_url, base_url))
        return known->payload;
    }
  fresh.base_url = g_strdup (base_url);
  /* A live subscriber has had every event this node had before this one. */
  fresh.payload = fn->render (event, base_url, event->lost_before);
  g_array_append_val (cache, fresh);
  return fresh.payload;
}

static void
rendered_clear (Rendered *rendered)
{
  g_free (rendered->base_url);
  g_bytes_unref (rendered->payload);
}

static void
on_published (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  RndimgSubscribers *self = user_data;
  g_autoptr(GArray) cache = g_array_sized_new (FALSE, FALSE, sizeof (Rendered), 2);

  g_array_set_clear_func (cache, (GDestroyNotify) rendered_clear);
  for (guint i = self->subscribers->len; i > 0; i--)
    {
      RndimgSubscriber *sub;

      if (i > self->subscribers->len)
        continue;
      sub = g_ptr_array_index (self->subscribers, i - 1);
      if (sub->replaying || event->id <= sub->last_id ||
          !rndimg_event_in_albums (event, (const char *const *) sub->albums))
        continue;
      deliver (sub, event->id, rendered_for (cache, self->fn, event, sub->base_url));
    }
}

static void ask_history (RndimgSubscriber *sub);

static gboolean
replay (RndimgSubscriber *sub, GPtrArray *events, gint64 missed)
{
  if (sub->fn->replay != NULL)
    return sub->fn->replay (sub, events, missed);
  for (guint i = 0; i < events->len; i++)
    {
      if (!rndimg_subscribers_send_event (sub, g_ptr_array_index (events, i), i == 0 ? missed : 0))
        return FALSE;
    }
  return TRUE;
}

/* The history answer. The subscriber may be gone (then the request was
 * cancelled and @user_data is not touched). Events published while the
 * question was out are not in the answer: ask again until caught up. */
static void
on_history (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  RndimgSubscriber *sub;
  gint64 missed = 0, answered_up_to;

  events = rndimg_broker_history_finish (RNDIMG_BROKER (source), result, &missed, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  sub = user_data;
  if (events == NULL)
    {
      g_warning ("history for a %s failed: %s", sub->fn->kind, error->message);
      rndimg_subscribers_drop (sub->registry, sub, "no history");
      return;
    }
  /* Ids at or below last_id were already sent (a repeated question). */
  while (events->len > 0 && ((RndimgEvent *) g_ptr_array_index (events, 0))->id <= sub->last_id)
    g_ptr_array_remove_index (events, 0);
  /* Other albums' events are passed over, but passed: not asked again. */
  answered_up_to = events->len > 0 ? ((RndimgEvent *) g_ptr_array_index (events, events->len - 1))->id : sub->last_id;
  for (guint i = events->len; i > 0; i--)
    if (!rndimg_event_in_albums (g_ptr_array_index (events, i - 1), (const char *const *) sub->albums))
      g_ptr_array_remove_index (events, i - 1);
  if (events->len > 0 && !replay (sub, events, missed))
    return;
  sub->last_id = MAX (sub->last_id, answered_up_to);
  if (rndimg_broker_get_newest_id (RNDIMG_BROKER (source)) > sub->last_id)
    ask_history (sub);
  else
    sub->replaying = FALSE;
}

static void
ask_history (RndimgSubscriber *sub)
{
  if (sub->cancellable == NULL)
    sub->cancellable = g_cancellable_new ();   /* only subscribers that replay need one */
  sub->replaying = TRUE;
  rndimg_broker_history_async (sub->registry->broker, sub->last_id, (const char *const *) sub->albums,
                               sub->cancellable, on_history, sub);
}

/* @sub's client is gone (a hangup, a failed write): it is dropped. */
void
rndimg_subscriber_gone (gpointer sub)
{
  rndimg_subscribers_drop (((RndimgSubscriber *) sub)->registry, sub, "the client went away");
}

static void
on_hangup (SoupServerMessage *msg, gpointer user_data)
{
  RndimgSubscriber *sub = user_data;

  g_clear_pointer (&sub->hangup_watch, rndimg_connection_unwatch_hangup);
  rndimg_subscriber_gone (sub);
}

static void
on_message_finished (SoupServerMessage *msg, gpointer user_data)
{
  RndimgSubscriber *sub = user_data;

  rndimg_subscribers_remove (sub->registry, sub);
}

/* TRUE when there is room for one more; else answers 503 + Retry-After. */
gboolean
rndimg_subscribers_admit (RndimgSubscribers *self, SoupServerMessage *msg)
{
  if (self->subscribers->len < self->max_subscribers)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", RETRY_AFTER_SECONDS);
  rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "%s", self->full_message);
  return FALSE;
}

/* Follows events after @since (-1: only events from now on) of history
 * @epoch (NULL: not said) for @sub, this node's history complete. An id
 * newer than any (from before a restart) gets the newest event, so the
 * client is in step. */
static void
start (RndimgSubscriber *sub, gint64 since, const char *epoch)
{
  RndimgBroker *broker = sub->registry->broker;
  gint64 newest;

  since = rndimg_broker_resume_point (broker, since, epoch);
  newest = rndimg_broker_get_newest_id (broker);
  sub->replaying = FALSE;
  if (since > newest)
    since = MAX (newest - 1, 0);
  sub->last_id = since >= 0 ? since : newest;
  if (since >= 0 && since < newest)
    ask_history (sub);
}

/* Where a subscriber resumes from, kept while this node catches up. */
typedef struct {
  RndimgSubscriber *sub;     /* untouched once the sync is cancelled: it is gone */
  gint64 since;
  char *epoch;
} Resume;

static void
resume_free (Resume *resume)
{
  g_free (resume->epoch);
  g_free (resume);
}

static void
on_synced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Resume *resume = user_data;
  g_autoptr(GError) error = NULL;

  if (rndimg_broker_sync_finish (RNDIMG_BROKER (source), result, &error))
    start (resume->sub, resume->since, resume->epoch);
  resume_free (resume);
}

/* Takes @sub (made with rndimg_subscriber_init) and follows events after
 * @since for it (see start()). A subscriber is never resumed after an id
 * this node has not read yet (another node's, or one this node is still
 * catching up to after a start or a reconnect), nor started "from now"
 * while this node catches up: it waits, with nothing sent, until this
 * node holds every event published before it came. Else what this node
 * reads next would reach it a second time (or as news). */
void
rndimg_subscribers_add (RndimgSubscribers *self, RndimgSubscriber *sub, gint64 since, const char *epoch)
{
  Resume *resume;

  sub->registry = self;
  sub->index = self->subscribers->len;
  g_ptr_array_add (self->subscribers, sub);
  sub->hangup_watch = rndimg_connections_watch_hangup (self->connections, sub->msg, on_hangup, sub);
  g_signal_connect (sub->msg, "finished", G_CALLBACK (on_message_finished), sub);

  /* Behind what this node has: its history answers, and the events it
   * reads next come after. */
  if (since >= 0 ? since <= rndimg_broker_get_newest_id (self->broker) : rndimg_broker_is_current (self->broker))
    {
      start (sub, since, epoch);
      return;
    }
  if (sub->cancellable == NULL)
    sub->cancellable = g_cancellable_new ();
  sub->replaying = TRUE;
  resume = g_new0 (Resume, 1);
  resume->sub = sub;
  resume->since = since;
  resume->epoch = g_strdup (epoch);
  rndimg_broker_sync_async (self->broker, sub->cancellable, on_synced, resume);
}

static gboolean
on_heartbeat (gpointer user_data)
{
  RndimgSubscribers *self = user_data;

  for (guint i = self->subscribers->len; i > 0; i--)
    {
      RndimgSubscriber *sub;

      if (i > self->subscribers->len)
        continue;
      sub = g_ptr_array_index (self->subscribers, i - 1);
      settle (sub, sub->fn->heartbeat (sub));
    }
  return G_SOURCE_CONTINUE;
}

/* Subscribers are kept alive every @seconds: by the kind's heartbeat if it
 * has one, else by the kind itself (a WebSocket's pings). */
void
rndimg_subscribers_set_heartbeat (RndimgSubscribers *self, double seconds)
{
  self->heartbeat_seconds = seconds;
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  if (seconds > 0 && self->fn->heartbeat != NULL)
    self->heartbeat_id = g_timeout_add ((guint) (seconds * 1000), on_heartbeat, self);
}

double
rndimg_subscribers_get_heartbeat (RndimgSubscribers *self)
{
  return self->heartbeat_seconds;
}

/* Shutdown: every subscriber gets its kind's clean end. */
void
rndimg_subscribers_close_all (RndimgSubscribers *self)
{
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  for (guint i = self->subscribers->len; i > 0; i--)
    {
      if (i <= self->subscribers->len)
        rndimg_subscribers_end (self, g_ptr_array_index (self->subscribers, i - 1));
    }
}

guint
rndimg_subscribers_get_count (RndimgSubscribers *self)
{
  return self->subscribers->len;
}

RndimgBroker *
rndimg_subscribers_get_broker (RndimgSubscribers *self)
{
  return self->broker;
}

RndimgConnections *
rndimg_subscribers_get_connections (RndimgSubscribers *self)
{
  return self->connections;
}

/* What the kind gave rndimg_subscribers_new() for itself. */
gpointer
rndimg_subscribers_get_kind_data (RndimgSubscribers *self)
{
  return self->kind_data;
}

static void
rndimg_subscribers_dispose (GObject *object)
{
  RndimgSubscribers *self = RNDIMG_SUBSCRIBERS (object);

  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  if (self->broker != NULL)
    g_signal_handlers_disconnect_by_data (self->broker, self);
  while (self->subscribers->len > 0)
    rndimg_subscribers_remove (self, g_ptr_array_index (self->subscribers, 0));
  if (self->kind_data_free != NULL)
    g_clear_pointer (&self->kind_data, self->kind_data_free);
  g_clear_object (&self->broker);
  G_OBJECT_CLASS (rndimg_subscribers_parent_class)->dispose (object);
}

static void
rndimg_subscribers_finalize (GObject *object)
{
  RndimgSubscribers *self = RNDIMG_SUBSCRIBERS (object);

  g_ptr_array_unref (self->subscribers);
  g_free (self->full_message);
  G_OBJECT_CLASS (rndimg_subscribers_parent_class)->finalize (object);
}

static void
rndimg_subscribers_class_init (RndimgSubscribersClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rndimg_subscribers_dispose;
  G_OBJECT_CLASS (klass)->finalize = rndimg_subscribers_finalize;
}

static void
rndimg_subscribers_init (RndimgSubscribers *self)
{
  self->subscribers = g_ptr_array_new ();
}

/* A registry of subscribers behaving as @fn says, following @broker, on
 * @connections (borrowed); at most @max_subscribers at once, beyond that
 * 503 with @full_message. @kind_data is the kind's own (owned, freed with
 * @kind_data_free once every subscriber has left). */
RndimgSubscribers *
rndimg_subscribers_new (RndimgBroker *broker, RndimgConnections *connections,
                        const RndimgSubscriberFuncs *fn, guint max_subscribers,
                        const char *full_message, gpointer kind_data, GDestroyNotify kind_data_free)
{
  RndimgSubscribers *self = g_object_new (RNDIMG_TYPE_SUBSCRIBERS, NULL);

  self->broker = g_object_ref (broker);
  self->connections = connections;
  self->kind_data = kind_data;
  self->kind_data_free = kind_data_free;
  self->fn = fn;
  self->max_subscribers = max_subscribers;
  self->full_message = g_strdup (full_message);
  g_signal_connect (broker, "published", G_CALLBACK (on_published), self);
  return self;
}

/* Subscribers cut off so far because their reader fell too far behind. */
guint64
rndimg_subscribers_get_slow_readers_dropped (RndimgSubscribers *self)
{
  return self->slow_readers_dropped;
}
