/* SPDX-License-Identifier: MIT */
/* The registry of one kind of subscriber (the role of nchan's spool.c and
 * subscribers/common.c): the table, the --max-* limit with 503, the hangup
 * watch, the heartbeat, shutdown, the count, and the one rule that keeps
 * ids in order: register first, replay from history, then go live, never
 * sending an id twice. The fan-out renders each event once per base URL
 * and look: a private album's event reaches only the subscribers whose
 * credential may read the album (a move across the line looks like a
 * removal or an addition to the others), with its picture's URL signed. */
#include "rndimg-subscribers.h"
#include "rndimg-album.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"
#include "rndimg-request-access.h"

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
  RndimgCatalogue *catalogue;       /* borrowed: which albums are private; NULL: none is */
  RndimgCredentials *credentials;   /* borrowed: who subscribers are; NULL: anonymous */
  RndimgUrlSigner *signer;          /* borrowed: private pictures' URLs; NULL: unsigned */
  gboolean fanned_out_in_pass;      /* joins_payloads: an event went out in this pass */
  GPtrArray *held;                  /* RndimgEvent published since, sent at its end */
};

G_DEFINE_FINAL_TYPE (RndimgSubscribers, rndimg_subscribers, G_TYPE_OBJECT)

void
rndimg_subscriber_init (RndimgSubscriber *sub, const RndimgSubscriberFuncs *fn, RndimgExchange *exchange)
{
  sub->fn = fn;
  sub->exchange = rndimg_exchange_ref (exchange);
  sub->base_url = rndimg_http_base_url (exchange);
}

void
rndimg_subscriber_clear (RndimgSubscriber *sub)
{
  if (sub->cancellable != NULL)
    g_cancellable_cancel (sub->cancellable);
  g_clear_object (&sub->cancellable);
  rndimg_subscriber_mute_hangup (sub);
  g_clear_pointer (&sub->exchange, rndimg_exchange_unref);
  g_clear_pointer (&sub->base_url, g_free);
  g_clear_pointer (&sub->albums, g_strfreev);
  g_clear_pointer (&sub->access, rndimg_access_unref);
}

/* Most albums one subscriber may follow. */
#define MAX_FOLLOWED_ALBUMS 16

/* ?album=A[,B]: the albums a subscriber follows (events of a sub-album are
 * its parent's too). An album that does not exist yet may come: only the
 * names are checked. FALSE with a 400 sent when one is not an album name. */
gboolean
rndimg_subscriber_read_albums (RndimgExchange *exchange, GHashTable *query, GStrv *albums)
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
  if (rndimg_http_query_value_has_nul (exchange, "album"))
    count = 0;
  if (count == 0 || count > MAX_FOLLOWED_ALBUMS)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "album must be 1 to %d album names separated by commas, each one or two segments "
                              "(dogs, dogs/puppies) of lower-case letters, digits, '-' and '_'", MAX_FOLLOWED_ALBUMS);
      return FALSE;
    }
  *albums = g_steal_pointer (&names);
  return TRUE;
}

/* A render function for kinds that send the event JSON as it is. */
GBytes *
rndimg_subscriber_render_json (const RndimgEvent *event, const RndimgEventLook *look)
{
  return rndimg_event_look_json (event, look);
}

/* ---- private albums ---- */

/* Whether @album (NULL: the top, never private) is private now, or @was. */
static gboolean
is_private (RndimgSubscribers *self, const char *album, gboolean was)
{
  return was || (album != NULL && self->catalogue != NULL &&
                 rndimg_catalogue_album_is_private (self->catalogue, album));
}

static char *
album_of (const char *name)
{
  const char *slash = name != NULL ? strrchr (name, '/') : NULL;

  return slash != NULL ? g_strndup (name, (gsize) (slash - name)) : NULL;
}

/* Whether @sub may see what is in @album (private now, or @was). Its
 * access is looked at only then: a public event's fan-out reads nothing
 * of its subscribers but what they follow. */
static gboolean
may_see_album (RndimgSubscribers *self, RndimgSubscriber *sub, const char *album, gboolean was, gint64 now_seconds)
{
  return !is_private (self, album, was) ||
         rndimg_access_may_read (rndimg_access_valid_at (sub->access, now_seconds), album);
}

/* How much of @event @sub may see, @now_seconds. */
static RndimgEventView
view_for (RndimgSubscribers *self, RndimgSubscriber *sub, const RndimgEvent *event, gint64 now_seconds)
{
  g_autofree char *album = rndimg_event_album (event);
  g_autofree char *from_album = NULL;
  gboolean may_see, may_see_from;

  may_see = may_see_album (self, sub, album, event->is_private, now_seconds);
  if (event->kind != RNDIMG_EVENT_MOVED || event->from == NULL)
    return may_see ? RNDIMG_EVENT_VIEW_WHOLE : RNDIMG_EVENT_VIEW_HIDDEN;
  from_album = album_of (event->from);
  may_see_from = may_see_album (self, sub, from_album, event->from_private, now_seconds);
  if (may_see && may_see_from)
    return RNDIMG_EVENT_VIEW_WHOLE;
  if (may_see)
    return RNDIMG_EVENT_VIEW_AS_ADDED;
  return may_see_from ? RNDIMG_EVENT_VIEW_AS_REMOVED : RNDIMG_EVENT_VIEW_HIDDEN;
}

/* The signature a private picture's URL carries in @event, made now;
 * NULL when it needs none. */
static char *
signature_for (RndimgSubscribers *self, const RndimgEvent *event, gint64 now_seconds)
{
  g_autofree char *album = rndimg_event_album (event);

  if (self->signer == NULL || rndimg_event_is_about_albums (event) || event->kind == RNDIMG_EVENT_REMOVED ||
      !is_private (self, album, event->is_private))
    return NULL;
  return rndimg_url_signer_query (self->signer, event->name, now_seconds);
}

/* Private albums are told only to their readers: @catalogue says which
 * albums are private, @credentials who a subscriber is, @signer signs
 * their pictures' URLs (all borrowed; they must outlive the registry). */
void
rndimg_subscribers_set_privacy (RndimgSubscribers *self, RndimgCatalogue *catalogue, RndimgCredentials *credentials,
                                RndimgUrlSigner *signer)
{
  self->catalogue = catalogue;
  self->credentials = credentials;
  self->signer = signer;
}

/* Returns (transfer full) what @exchange's credential (Authorization, or
 * ?access_token= for browsers' EventSource and WebSocket) may read: the
 * anonymous access without one; NULL with 401 sent for a refused one. */
RndimgAccess *
rndimg_subscribers_read_access (RndimgSubscribers *self, RndimgExchange *exchange)
{
  if (self->credentials == NULL)
    return rndimg_access_new_anonymous (FALSE);
  return rndimg_request_access (self->credentials, exchange, TRUE);
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

/* Ends @sub's connection without another byte: gone or too slow. Its
 * kind closes the connection it took; one not taken yet (a stream whose
 * head libsoup is still writing) is taken and closed here. */
void
rndimg_subscribers_drop (RndimgSubscribers *self, RndimgSubscriber *sub, const char *why)
{
  g_autoptr(RndimgExchange) exchange = rndimg_exchange_ref (sub->exchange);
  RndimgConnection *untaken;

  g_debug ("%s dropped: %s", self->fn->kind, why);
  rndimg_subscribers_remove (self, sub);
  if (rndimg_exchange_is_paused (exchange))
    return;
  untaken = rndimg_exchange_get_connection (exchange);
  if (untaken != NULL && (rndimg_connection_get_holder (untaken) == RNDIMG_HOLDER_SOUP ||
                          rndimg_connection_get_holder (untaken) == RNDIMG_HOLDER_HOT) &&
      (untaken = rndimg_exchange_take (exchange)) != NULL)
    rndimg_connection_close (untaken);
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

/* Renders @event for @sub alone and sends it (replays, resends); an event
 * it may not see is passed over. FALSE: the subscriber is done and
 * already removed. */
gboolean
rndimg_subscribers_send_event (RndimgSubscriber *sub, const RndimgEvent *event, gint64 missed)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  RndimgEventView view = view_for (sub->registry, sub, event, now);
  g_autofree char *signature = view == RNDIMG_EVENT_VIEW_WHOLE || view == RNDIMG_EVENT_VIEW_AS_ADDED
                               ? signature_for (sub->registry, event, now) : NULL;
  RndimgEventLook look = { sub->base_url, missed, view, signature };
  g_autoptr(GBytes) payload = NULL;

  if (view == RNDIMG_EVENT_VIEW_HIDDEN)
    return TRUE;
  payload = sub->fn->render (event, &look);
  return deliver (sub, event->id, payload);
}

/* The payload for @base_url and @view, made at most once per event:
 * nearly every client shares one base URL and sees all, so this list
 * stays one or two long. */
typedef struct {
  char *base_url;
  RndimgEventView view;
  GBytes *payload;
} Rendered;

static GBytes *
rendered_for (GArray *cache, const RndimgSubscriberFuncs *fn, const RndimgEvent *event,
              const char *base_url, RndimgEventView view, const char *signature)
{
  /* A live subscriber has had every event this node had before this one. */
  RndimgEventLook look = { base_url, event->lost_before, view, signature };
  Rendered fresh;

  for (guint i = 0; i < cache->len; i++)
    {
      Rendered *known = &g_array_index (cache, Rendered, i);

      if (known->view == view && g_str_equal (known->base_url, base_url))
        return known->payload;
    }
  fresh.base_url = g_strdup (base_url);
  fresh.view = view;
  fresh.payload = fn->render (event, &look);
  g_array_append_val (cache, fresh);
  return fresh.payload;
}

static void
rendered_clear (Rendered *rendered)
{
  g_free (rendered->base_url);
  g_bytes_unref (rendered->payload);
}

/* Whether @sub gets @event live, and how it sees it. */
static gboolean
follows (RndimgSubscribers *self, RndimgSubscriber *sub, const RndimgEvent *event, gint64 now,
         RndimgEventView *view)
{
  return !sub->replaying && event->id > sub->last_id &&
         (*view = view_for (self, sub, event, now)) != RNDIMG_EVENT_VIEW_HIDDEN &&
         rndimg_event_in_albums_viewed (event, (const char *const *) sub->albums, *view);
}

/* One event's payloads, made at most once per look, and its signature. */
typedef struct {
  const RndimgEvent *event;
  char *signature;
  GArray *cache;     /* Rendered */
} Outgoing;

static void
outgoing_init (Outgoing *out, RndimgSubscribers *self, const RndimgEvent *event, gint64 now)
{
  out->event = event;
  out->signature = signature_for (self, event, now);
  out->cache = g_array_sized_new (FALSE, FALSE, sizeof (Rendered), 2);
  g_array_set_clear_func (out->cache, (GDestroyNotify) rendered_clear);
}

static void
outgoing_clear (Outgoing *out)
{
  g_free (out->signature);
  g_array_unref (out->cache);
}

static GBytes *
outgoing_payload (RndimgSubscribers *self, Outgoing *out, RndimgSubscriber *sub, RndimgEventView view)
{
  return rendered_for (out->cache, self->fn, out->event, sub->base_url, view,
                       view == RNDIMG_EVENT_VIEW_AS_REMOVED ? NULL : out->signature);
}

/* Whether the sends of a fan-out go out together (one system call for
 * all, rndimg_connections_begin_sends()): for more than one subscriber;
 * one alone is sent at once. */
static gboolean
begin_sends (RndimgSubscribers *self)
{
  if (self->connections == NULL || self->subscribers->len < 2)
    return FALSE;
  rndimg_connections_begin_sends (self->connections);
  return TRUE;
}

static void
end_sends (RndimgSubscribers *self, gboolean began)
{
  if (began)
    rndimg_connections_end_sends (self->connections);
}

static void
fan_out (RndimgSubscribers *self, RndimgEvent *event)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean batched = begin_sends (self);
  Outgoing out;

  outgoing_init (&out, self, event, now);
  for (guint i = self->subscribers->len; i > 0; i--)
    {
      RndimgSubscriber *sub;
      RndimgEventView view;

      if (i > self->subscribers->len)
        continue;
      sub = g_ptr_array_index (self->subscribers, i - 1);
      if (follows (self, sub, event, now, &view))
        deliver (sub, event->id, outgoing_payload (self, &out, sub, view));
    }
  outgoing_clear (&out);
  end_sends (self, batched);
}

/* The events held in this pass, each subscriber's joined in one payload. */
static void
fan_out_held (RndimgSubscribers *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->held);
  Outgoing *outs = g_new (Outgoing, held->len);
  gboolean batched = begin_sends (self);

  for (guint e = 0; e < held->len; e++)
    outgoing_init (&outs[e], self, g_ptr_array_index (held, e), now);
  for (guint i = self->subscribers->len; i > 0; i--)
    {
      g_autoptr(GByteArray) joined = NULL;
      RndimgSubscriber *sub;
      gint64 last_id = 0;

      if (i > self->subscribers->len)
        continue;
      sub = g_ptr_array_index (self->subscribers, i - 1);
      for (guint e = 0; e < held->len; e++)
        {
          RndimgEventView view;
          GBytes *payload;

          if (!follows (self, sub, outs[e].event, now, &view))
            continue;
          payload = outgoing_payload (self, &outs[e], sub, view);
          if (joined == NULL)
            joined = g_byte_array_sized_new ((guint) (g_bytes_get_size (payload) * (held->len - e)));
          g_byte_array_append (joined, g_bytes_get_data (payload, NULL), (guint) g_bytes_get_size (payload));
          last_id = outs[e].event->id;
        }
      if (joined != NULL)
        {
          g_autoptr(GBytes) payload = g_byte_array_free_to_bytes (g_steal_pointer (&joined));

          deliver (sub, last_id, payload);
        }
    }
  for (guint e = 0; e < held->len; e++)
    outgoing_clear (&outs[e]);
  g_free (outs);
  end_sends (self, batched);
}

static void
on_pass_over (gpointer user_data)
{
  RndimgSubscribers *self = user_data;

  self->fanned_out_in_pass = FALSE;
  if (self->held != NULL)
    fan_out_held (self);
  g_object_unref (self);
}

/* An event goes out at once; for a kind that joins payloads, those that
 * follow it in the same pass of the main loop (several publishes read at
 * once, under load) wait for the pass's end and go out together: one
 * send per subscriber for all of them. */
static void
on_published (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  RndimgSubscribers *self = user_data;

  /* Nobody follows this transport: nothing to make (one publish is told
   * to every transport's registry). */
  if (self->subscribers->len == 0 && !self->fanned_out_in_pass)
    return;
  if (self->fanned_out_in_pass)
    {
      if (self->held == NULL)
        self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_event_unref);
      g_ptr_array_add (self->held, rndimg_event_ref (event));
      return;
    }
  fan_out (self, event);
  if (self->fn->joins_payloads && self->connections != NULL)
    {
      self->fanned_out_in_pass = TRUE;
      rndimg_connections_run_after_pass (self->connections, on_pass_over, g_object_ref (self));
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
    {
      RndimgEvent *event = g_ptr_array_index (events, i - 1);
      RndimgEventView view = view_for (sub->registry, sub, event, g_get_real_time () / G_USEC_PER_SEC);

      if (view == RNDIMG_EVENT_VIEW_HIDDEN ||
          !rndimg_event_in_albums_viewed (event, (const char *const *) sub->albums, view))
        g_ptr_array_remove_index (events, i - 1);
    }
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
on_hangup (RndimgConnection *connection, RndimgConnectionEvents events, gpointer user_data)
{
  RndimgSubscriber *sub = user_data;

  rndimg_subscriber_mute_hangup (sub);
  rndimg_subscriber_gone (sub);
}

/* @connection, taken by @sub's kind, is watched: when its client hangs
 * up, the subscriber is dropped at once (a held request has nothing to
 * read or write: nothing else would notice). */
void
rndimg_subscriber_watch_hangup (RndimgSubscriber *sub, RndimgConnection *connection)
{
  rndimg_subscriber_mute_hangup (sub);
  sub->watched = rndimg_connection_ref (connection);
  rndimg_connection_watch (connection, RNDIMG_CONNECTION_HUNG_UP, on_hangup, sub);
}

/* No more hang-up for @sub, without a system call (see
 * rndimg_connection_mute()). */
void
rndimg_subscriber_mute_hangup (RndimgSubscriber *sub)
{
  if (sub->watched == NULL)
    return;
  if (rndimg_connection_get_holder (sub->watched) == RNDIMG_HOLDER_TAKEN)
    rndimg_connection_mute (sub->watched);
  g_clear_pointer (&sub->watched, rndimg_connection_unref);
}

/* TRUE when there is room for one more; else answers 503 + Retry-After. */
gboolean
rndimg_subscribers_admit (RndimgSubscribers *self, RndimgExchange *exchange)
{
  if (self->subscribers->len < self->max_subscribers)
    return TRUE;
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Retry-After", RETRY_AFTER_SECONDS);
  rndimg_http_send_error (exchange, SOUP_STATUS_SERVICE_UNAVAILABLE, "%s", self->full_message);
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
  g_clear_pointer (&self->held, g_ptr_array_unref);
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
