/* SPDX-License-Identifier: MIT */
/* One hiredis connection on GLib's main loop (hiredis's GLib adapter),
 * kept up, that tells the truth about itself:
 *
 * - It is up only once Redis has answered on it (a TIME after connecting;
 *   a TCP connect alone proves nothing, a proxy or a frozen Redis accepts
 *   too), down as soon as it is lost, and a lost connection is retried
 *   every second or so.
 * - Every command has a time limit (hiredis 0.14 has none of its own):
 *   answers come in the order commands were sent, so one watchdog waits
 *   for the oldest command's limit; past it the connection is dropped and
 *   every waiting command gets a NULL answer.
 * - An idle link (with probe_when_idle) asks TIME every
 *   RNDIMG_REDIS_PROBE_INTERVAL_MS and allows RNDIMG_REDIS_PROBE_TIMEOUT_MS
 *   for the answer, so a link that stops answering is noticed within
 *   1.5 s even when nothing else is asked of it. A link that always has a
 *   command out (a blocking XREAD) is watched by that command's limit.
 * - The answers to TIME (and what the owner learns from its scripts) give
 *   a lower bound of Redis's clock here (rndimg_redis_link_redis_now_ms()),
 *   so a command can carry a deadline Redis checks itself. */
#include "rndimg-redis-link.h"

#include <hiredis/adapters/glib.h>
#include <hiredis/async.h>
#include <stdlib.h>

#define RECONNECT_MS 1000

typedef struct {
  RndimgRedisLink *link;
  RndimgRedisReplyFunc callback;   /* NULL: nobody waits for the answer */
  gpointer user_data;
  gint64 deadline_usec;            /* monotonic */
} Waiting;

struct _RndimgRedisLink
{
  char *host;
  int port;
  int database;
  gboolean probe_when_idle;
  RndimgRedisLinkChanged changed;
  gpointer user_data;
  redisAsyncContext *context;   /* NULL while down */
  GSource *source;
  gboolean up;                  /* Redis answered on this context */
  GQueue waiting;               /* Waiting, oldest first: answers come in this order */
  guint retry_id;
  guint watchdog_id;            /* the oldest command's limit */
  guint probe_id;
  gint64 clock_offset_usec;     /* Redis's clock minus ours (monotonic), at most */
  gboolean clock_known;
  gint64 last_answer_usec;      /* monotonic; 0: never */
  guint64 losses;
  gboolean closing;
};

static void arm_watchdog (RndimgRedisLink *self);
static gboolean on_probe (gpointer user_data);

/* hiredis still touches the source while it frees a context, after our
 * callbacks: the source goes once it is done. */
static gboolean
release_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

static gboolean
on_retry (gpointer user_data)
{
  RndimgRedisLink *self = user_data;

  self->retry_id = 0;
  rndimg_redis_link_connect (self);
  return G_SOURCE_REMOVE;
}

/* The context is gone (hiredis frees it, or we do): its source goes, the
 * owner hears why, and a new connection is tried after a moment. */
static void
lost (RndimgRedisLink *self, const char *why)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->probe_id, g_source_remove);
  if (self->source != NULL)
    g_idle_add (release_source, g_steal_pointer (&self->source));
  self->context = NULL;
  if (self->up)
    self->losses++;
  self->up = FALSE;
  if (self->closing)
    return;
  self->changed (self, why, self->user_data);
  if (self->retry_id == 0)
    self->retry_id = g_timeout_add (RECONNECT_MS + g_random_int_range (0, 250), on_retry, self);
}

/* A context we already let go of is no longer ours: its calls are ignored. */
static void
on_disconnected (const redisAsyncContext *context, int status)
{
  RndimgRedisLink *self = context->data;

  if (self->context == context)
    lost (self, context->errstr[0] ? context->errstr : "connection closed");
}

/* ---- Redis's clock ---- */

/* Redis said its clock read @redis_usec before this answer arrived: its
 * clock is at least that much ahead of ours. The newest sample wins, so a
 * clock set back in Redis is followed. */
static void
learn_time_usec (RndimgRedisLink *self, gint64 redis_usec)
{
  self->clock_offset_usec = redis_usec - g_get_monotonic_time ();
  self->clock_known = TRUE;
}

/* A lower bound of Redis's clock now, in milliseconds since the epoch
 * (0 while no answer told it). */
gint64
rndimg_redis_link_redis_now_ms (RndimgRedisLink *self)
{
  return self->clock_known ? (g_get_monotonic_time () + self->clock_offset_usec) / 1000 : 0;
}

/* The owner's script said Redis's clock read @redis_ms. */
void
rndimg_redis_link_learn_time (RndimgRedisLink *self, gint64 redis_ms)
{
  learn_time_usec (self, redis_ms * 1000);
}

/* ---- commands and their limits ---- */

static void
on_reply (redisAsyncContext *context, void *reply, void *data)
{
  Waiting *waiting = data;
  RndimgRedisLink *self = waiting->link;

  g_warn_if_fail (g_queue_peek_head (&self->waiting) == waiting);
  g_queue_remove (&self->waiting, waiting);
  if (reply != NULL)
    self->last_answer_usec = g_get_monotonic_time ();
  if (self->context == context && reply != NULL)
    arm_watchdog (self);
  if (waiting->callback != NULL)
    waiting->callback (reply, waiting->user_data);
  g_free (waiting);
}

static gboolean
on_watchdog (gpointer user_data)
{
  RndimgRedisLink *self = user_data;

  self->watchdog_id = 0;
  if (self->up)
    g_warning ("Redis at %s:%d did not answer in time; reconnecting", self->host, self->port);
  rndimg_redis_link_drop (self, "no answer in time");
  return G_SOURCE_REMOVE;
}

/* Waits for the oldest command's limit, or probes an idle link. */
static void
arm_watchdog (RndimgRedisLink *self)
{
  Waiting *oldest = g_queue_peek_head (&self->waiting);
  gint64 left_ms;

  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (oldest == NULL)
    {
      if (self->probe_when_idle && self->up && self->probe_id == 0)
        self->probe_id = g_timeout_add (RNDIMG_REDIS_PROBE_INTERVAL_MS, on_probe, self);
      return;
    }
  left_ms = MAX ((oldest->deadline_usec - g_get_monotonic_time ()) / 1000, 0);
  self->watchdog_id = g_timeout_add ((guint) left_ms, on_watchdog, self);
}

static Waiting *
wait_for (RndimgRedisLink *self, guint timeout_ms, RndimgRedisReplyFunc callback, gpointer user_data)
{
  Waiting *waiting = g_new0 (Waiting, 1);

  waiting->link = self;
  waiting->callback = callback;
  waiting->user_data = user_data;
  waiting->deadline_usec = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  return waiting;
}

static void
sent (RndimgRedisLink *self, Waiting *waiting)
{
  g_queue_push_tail (&self->waiting, waiting);
  g_clear_handle_id (&self->probe_id, g_source_remove);
  if (self->watchdog_id == 0)
    arm_watchdog (self);
}

/* Sends a command on a connected context (up or not yet), its answer to
 * @callback within @timeout_ms or the link drops. */
static gboolean
send_on_context (RndimgRedisLink *self, guint timeout_ms, RndimgRedisReplyFunc callback, gpointer user_data,
                 const char *format, va_list ap)
{
  Waiting *waiting;

  if (self->context == NULL)
    return FALSE;
  waiting = wait_for (self, timeout_ms, callback, user_data);
  if (redisvAsyncCommand (self->context, on_reply, waiting, format, ap) != REDIS_OK)
    {
      g_free (waiting);
      return FALSE;
    }
  sent (self, waiting);
  return TRUE;
}

/* Sends a command while the link is up: FALSE (and @callback is never
 * called) when it is not, so the command surely did not run. Else
 * @callback gets the answer, or NULL if the link drops first (no answer
 * within @timeout_ms drops it). */
gboolean
rndimg_redis_link_send (RndimgRedisLink *self, guint timeout_ms, RndimgRedisReplyFunc callback,
                        gpointer user_data, const char *format, ...)
{
  gboolean done;
  va_list ap;

  if (!self->up)
    return FALSE;
  va_start (ap, format);
  done = send_on_context (self, timeout_ms, callback, user_data, format, ap);
  va_end (ap);
  return done;
}

/* rndimg_redis_link_send() with the command's words as they are. */
gboolean
rndimg_redis_link_send_argv (RndimgRedisLink *self, guint timeout_ms, RndimgRedisReplyFunc callback,
                             gpointer user_data, int argc, const char **argv, const size_t *lengths)
{
  Waiting *waiting;

  if (!self->up)
    return FALSE;
  waiting = wait_for (self, timeout_ms, callback, user_data);
  if (redisAsyncCommandArgv (self->context, on_reply, waiting, argc, argv, lengths) != REDIS_OK)
    {
      g_free (waiting);
      return FALSE;
    }
  sent (self, waiting);
  return TRUE;
}

static gboolean
send_internal (RndimgRedisLink *self, guint timeout_ms, RndimgRedisReplyFunc callback, const char *format, ...)
{
  gboolean done;
  va_list ap;

  va_start (ap, format);
  done = send_on_context (self, timeout_ms, callback, self, format, ap);
  va_end (ap);
  return done;
}

/* ---- coming up, staying up ---- */

static gboolean
read_time (redisReply *reply, gint64 *usec)
{
  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_STRING)
    return FALSE;
  *usec = g_ascii_strtoll (reply->element[0]->str, NULL, 10) * G_USEC_PER_SEC +
          g_ascii_strtoll (reply->element[1]->str, NULL, 10);
  return TRUE;
}

/* TIME's answer: Redis answers, and this is its clock. */
static void
on_time (redisReply *reply, gpointer user_data)
{
  RndimgRedisLink *self = user_data;
  gint64 usec;

  if (reply == NULL)
    return;   /* dropped: lost() said so */
  if (!read_time (reply, &usec))
    {
      rndimg_redis_link_drop (self, reply->type == REDIS_REPLY_ERROR ? reply->str : "TIME gave no time");
      return;
    }
  learn_time_usec (self, usec);
  if (!self->up)
    {
      self->up = TRUE;
      self->changed (self, NULL, self->user_data);
    }
}

static gboolean
on_probe (gpointer user_data)
{
  RndimgRedisLink *self = user_data;

  self->probe_id = 0;
  if (g_queue_is_empty (&self->waiting))
    send_internal (self, RNDIMG_REDIS_PROBE_TIMEOUT_MS, on_time, "TIME");
  return G_SOURCE_REMOVE;
}

static void
on_selected (redisReply *reply, gpointer user_data)
{
  RndimgRedisLink *self = user_data;

  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    rndimg_redis_link_drop (self, reply->str);
}

/* Connected: not up until Redis answers. */
static void
on_connected (const redisAsyncContext *context, int status)
{
  RndimgRedisLink *self = context->data;

  if (self->context != context)
    return;
  if (status != REDIS_OK)
    {
      lost (self, context->errstr);
      return;
    }
  if (self->database != 0)
    send_internal (self, RNDIMG_REDIS_PROBE_TIMEOUT_MS, on_selected, "SELECT %d", self->database);
  send_internal (self, RNDIMG_REDIS_PROBE_TIMEOUT_MS, on_time, "TIME");
}

/* A link to Redis at @host:@port, database @database, down until
 * rndimg_redis_link_connect(); @changed is told each change. With
 * @probe_when_idle, an idle link is probed (see above). */
RndimgRedisLink *
rndimg_redis_link_new (const char *host, int port, int database, gboolean probe_when_idle,
                       RndimgRedisLinkChanged changed, gpointer user_data)
{
  RndimgRedisLink *self = g_new0 (RndimgRedisLink, 1);

  self->host = g_strdup (host);
  self->port = port;
  self->database = database;
  self->probe_when_idle = probe_when_idle;
  self->changed = changed;
  self->user_data = user_data;
  g_queue_init (&self->waiting);
  return self;
}

void
rndimg_redis_link_connect (RndimgRedisLink *self)
{
  redisAsyncContext *context = redisAsyncConnect (self->host, self->port);

  if (context == NULL || context->err)
    {
      g_autofree char *why = g_strdup (context != NULL ? context->errstr : "out of memory");

      lost (self, why);
      if (context != NULL)
        redisAsyncFree (context);
      return;
    }
  context->data = self;
  self->context = context;
  self->source = redis_source_new (context);
  g_source_attach (self->source, NULL);
  redisAsyncSetConnectCallback (context, on_connected);
  redisAsyncSetDisconnectCallback (context, on_disconnected);
  /* The connect itself is a command with a limit: a SYN nobody answers. */
  arm_watchdog (self);
  if (self->watchdog_id == 0)
    self->watchdog_id = g_timeout_add (RNDIMG_REDIS_PROBE_TIMEOUT_MS, on_watchdog, self);
}

/* TRUE while Redis answers on this link. */
gboolean
rndimg_redis_link_is_up (RndimgRedisLink *self)
{
  return self->up;
}

/* Lets go of the context now, whatever it waits for: every waiting
 * command gets a NULL answer. The link retries as for any loss. */
void
rndimg_redis_link_drop (RndimgRedisLink *self, const char *why)
{
  redisAsyncContext *context = self->context;
  g_autofree char *reason = g_strdup (why);

  if (context == NULL)
    return;
  lost (self, reason);
  redisAsyncFree (context);
}

/* When Redis last answered on this link (monotonic µs; 0: never). */
gint64
rndimg_redis_link_last_answer_usec (RndimgRedisLink *self)
{
  return self->last_answer_usec;
}

/* How many times the link was lost after being up. */
guint64
rndimg_redis_link_get_losses (RndimgRedisLink *self)
{
  return self->losses;
}

/* Closes the link: the callbacks of commands still waiting get a NULL
 * answer; @changed is not called again. */
void
rndimg_redis_link_free (RndimgRedisLink *self)
{
  self->closing = TRUE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  rndimg_redis_link_drop (self, "closing");
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->probe_id, g_source_remove);
  g_warn_if_fail (g_queue_is_empty (&self->waiting));
  g_free (self->host);
  g_free (self);
}
