/* SPDX-License-Identifier: MIT */
/* Live mode, the follower: keeps one connection to the server's push
 * (SSE, or long-poll when SSE cannot be had), reconnects with backoff,
 * and hands on each new event once: an event it already has is dropped,
 * so a server that repeats itself cannot make us spin. Emits "event"
 * (RndimgAnswer *) and notifies "state" and, while it reconnects,
 * "retry-time" (when it tries next). The transports are in
 * rndimg-live-sse.c and rndimg-live-long-poll.c. */
#include "rndimg-live-private.h"

#include <glib/gi18n-lib.h>

#define SSE_FAILURES_BEFORE_FALLBACK 3
#define RECENT_EVENTS_KEPT 64
#define LASTING_CONNECTION_USEC (10 * G_USEC_PER_SEC)

G_DEFINE_FINAL_TYPE (RndimgLive, rndimg_live, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_RETRY_TIME, N_PROPS };
static GParamSpec *properties[N_PROPS];
enum { EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
rndimg_transport_from_string (const char *text, RndimgTransport *transport)
{
  if (g_strcmp0 (text, "auto") == 0)
    *transport = RNDIMG_TRANSPORT_AUTO;
  else if (g_strcmp0 (text, "sse") == 0)
    *transport = RNDIMG_TRANSPORT_SSE;
  else if (g_strcmp0 (text, "longpoll") == 0)
    *transport = RNDIMG_TRANSPORT_LONG_POLL;
  else
    return FALSE;
  return TRUE;
}

const char *
rndimg_transport_to_string (RndimgTransport transport)
{
  switch (transport)
    {
    case RNDIMG_TRANSPORT_SSE: return "sse";
    case RNDIMG_TRANSPORT_LONG_POLL: return "longpoll";
    default: return "auto";
    }
}

static void
set_state (RndimgLive *self, RndimgLiveState state, const char *reason)
{
  if (self->state == state && g_strcmp0 (self->reason, reason) == 0)
    return;
  self->state = state;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
close_connection (RndimgLive *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_usec = 0;
}

static void
connect_now (RndimgLive *self)
{
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->retry_usec != 0)
    {
      self->retry_usec = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_TIME]);
    }
  if (self->state != RNDIMG_LIVE_RECONNECTING)
    set_state (self, RNDIMG_LIVE_CONNECTING, NULL);
  if (self->active == RNDIMG_TRANSPORT_SSE)
    rndimg_live_sse_connect (self);
  else
    rndimg_live_long_poll_connect (self);
}

static gboolean
on_later (gpointer user_data)
{
  RndimgLive *self = user_data;

  self->retry_id = 0;
  self->later_then (self);
  return G_SOURCE_REMOVE;
}

/* Runs @then after @delay_ms, unless the connection is closed first. */
void
rndimg_live_later (RndimgLive *self, guint delay_ms, void (*then) (RndimgLive *self))
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->later_then = then;
  self->retry_id = g_timeout_add (delay_ms, on_later, self);
}

/* A connection failed or ended: say why, then try again after a backoff
 * (never sooner than the stream's own retry:), or fall back to long-poll
 * when SSE never worked. */
void
rndimg_live_connection_lost (RndimgLive *self, const GError *error)
{
  g_autoptr(GError) classified = rndimg_client_classify_error (error);
  gint64 stream_retry = self->parser ? rndimg_sse_parser_get_retry (self->parser) : -1;
  guint delay;

  /* A connection that held a while was a good one: start the backoff over. */
  if (self->state == RNDIMG_LIVE_CONNECTED &&
      g_get_monotonic_time () - self->connected_usec >= LASTING_CONNECTION_USEC)
    rndimg_backoff_reset (&self->backoff);
  close_connection (self);
  self->failures++;
  if (self->active == RNDIMG_TRANSPORT_SSE && self->transport == RNDIMG_TRANSPORT_AUTO &&
      !self->ever_connected && self->failures >= SSE_FAILURES_BEFORE_FALLBACK)
    {
      g_debug ("SSE never worked (%s): falling back to long-poll", classified->message);
      self->active = RNDIMG_TRANSPORT_LONG_POLL;
      self->failures = 0;
    }
  delay = rndimg_backoff_next (&self->backoff);
  if (self->active == RNDIMG_TRANSPORT_SSE && stream_retry > 0)
    delay = MAX (delay, (guint) MIN (stream_retry, 60000));
  self->attempts_failed++;
  set_state (self, RNDIMG_LIVE_RECONNECTING, classified->message);
  rndimg_live_later (self, delay, connect_now);
  self->retry_usec = g_get_monotonic_time () + (gint64) delay * 1000;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_TIME]);
}

/* The server is there. The backoff is reset by a new event (see deliver)
 * or a connection that lasted, not by this: a server that accepts and
 * hangs up at once is still backed off. */
void
rndimg_live_connected (RndimgLive *self)
{
  self->ever_connected = TRUE;
  self->connected_usec = g_get_monotonic_time ();
  self->failures = 0;
  self->attempts_failed = 0;
  set_state (self, RNDIMG_LIVE_CONNECTED, NULL);
}

/* Remembers @data as had; FALSE when it was had already. */
static gboolean
remember (RndimgLive *self, const char *data, gsize length)
{
  char *copy = g_strndup (data, length);

  if (g_hash_table_contains (self->recent_set, copy))
    {
      g_free (copy);
      return FALSE;
    }
  g_hash_table_add (self->recent_set, copy);
  g_queue_push_tail (self->recent, copy);
  if (g_queue_get_length (self->recent) > RECENT_EVENTS_KEPT)
    g_hash_table_remove (self->recent_set, g_queue_pop_head (self->recent));
  return TRUE;
}

/* Hands on one event's data; FALSE when it brought nothing new (a repeat
 * of one we have, or unreadable). */
gboolean
rndimg_live_deliver (RndimgLive *self, const char *data, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgAnswer) answer = rndimg_answer_parse (data, (gssize) length, &error);

  if (answer == NULL)
    {
      g_warning ("ignoring an unreadable event: %s", error->message);
      return FALSE;
    }
  if (!remember (self, data, length))
    {
      g_debug ("dropping an event we already have (id %" G_GINT64_FORMAT ")", answer->id);
      return FALSE;
    }
  if (answer->id >= 0)
    self->newest_id = answer->id;
  if (answer->epoch != NULL && g_strcmp0 (answer->epoch, self->epoch) != 0)
    {
      g_free (self->epoch);
      self->epoch = g_strdup (answer->epoch);
    }
  rndimg_backoff_reset (&self->backoff);
  g_signal_emit (self, signals[EVENT], 0, answer);
  return TRUE;
}

void
rndimg_live_start (RndimgLive *self)
{
  rndimg_live_stop (self);
  self->active = self->transport == RNDIMG_TRANSPORT_LONG_POLL ? RNDIMG_TRANSPORT_LONG_POLL
                                                               : RNDIMG_TRANSPORT_SSE;
  self->ever_connected = FALSE;
  self->failures = 0;
  self->attempts_failed = 0;
  rndimg_backoff_reset (&self->backoff);
  connect_now (self);
}

/* While reconnecting: the next attempt now, not when it is due (the
 * backoff and the way of following are kept). */
void
rndimg_live_retry_now (RndimgLive *self)
{
  if (self->state != RNDIMG_LIVE_RECONNECTING || self->retry_id == 0)
    return;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  connect_now (self);
}

void
rndimg_live_stop (RndimgLive *self)
{
  close_connection (self);
  set_state (self, RNDIMG_LIVE_OFF, NULL);
}

/* A new way to follow; takes effect at once when Live is on. */
void
rndimg_live_set_transport (RndimgLive *self, RndimgTransport transport)
{
  if (self->transport == transport)
    return;
  self->transport = transport;
  if (self->state != RNDIMG_LIVE_OFF)
    rndimg_live_start (self);
}

RndimgLiveState
rndimg_live_get_state (RndimgLive *self)
{
  return self->state;
}

RndimgTransport
rndimg_live_get_active_transport (RndimgLive *self)
{
  return self->active;
}

/* When the next attempt is due (g_get_monotonic_time()'s clock) while
 * Live waits to reconnect; 0 otherwise. */
gint64
rndimg_live_get_retry_time (RndimgLive *self)
{
  return self->state == RNDIMG_LIVE_RECONNECTING ? self->retry_usec : 0;
}

/* How many attempts in a row failed since Live was last connected (or
 * started). */
guint
rndimg_live_get_failed_attempts (RndimgLive *self)
{
  return self->attempts_failed;
}

/* Why the last connection failed, for a person; NULL when all is well. */
const char *
rndimg_live_get_reason (RndimgLive *self)
{
  return self->reason;
}

static void
rndimg_live_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RndimgLive *self = RNDIMG_LIVE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_RETRY_TIME:
      g_value_set_int64 (value, rndimg_live_get_retry_time (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_live_dispose (GObject *object)
{
  RndimgLive *self = RNDIMG_LIVE (object);

  close_connection (self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (rndimg_live_parent_class)->dispose (object);
}

static void
rndimg_live_finalize (GObject *object)
{
  RndimgLive *self = RNDIMG_LIVE (object);

  g_clear_pointer (&self->parser, rndimg_sse_parser_free);
  rndimg_backoff_clear (&self->backoff);
  g_queue_free (self->recent);
  g_hash_table_unref (self->recent_set);
  g_free (self->reason);
  g_free (self->poll_etag);
  g_free (self->poll_last_modified);
  g_free (self->epoch);
  G_OBJECT_CLASS (rndimg_live_parent_class)->finalize (object);
}

static void
rndimg_live_class_init (RndimgLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rndimg_live_get_property;
  object_class->dispose = rndimg_live_dispose;
  object_class->finalize = rndimg_live_finalize;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, RNDIMG_LIVE_OFF, RNDIMG_LIVE_RECONNECTING,
                                             RNDIMG_LIVE_OFF, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_TIME] = g_param_spec_int64 ("retry-time", NULL, NULL, 0, G_MAXINT64, 0,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (RndimgLive *, RndimgAnswer *) */
  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
rndimg_live_init (RndimgLive *self)
{
  rndimg_backoff_init (&self->backoff, 1000, 30000, 0);
  self->recent = g_queue_new ();
  self->recent_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->newest_id = -1;
}

RndimgLive *
rndimg_live_new (RndimgClient *client, RndimgTransport transport)
{
  RndimgLive *self = g_object_new (RNDIMG_TYPE_LIVE, NULL);

  self->client = g_object_ref (client);
  self->transport = transport;
  self->active = transport == RNDIMG_TRANSPORT_LONG_POLL ? RNDIMG_TRANSPORT_LONG_POLL : RNDIMG_TRANSPORT_SSE;
  return self;
}
