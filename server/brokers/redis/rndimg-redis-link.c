/* SPDX-License-Identifier: MIT */
/* One hiredis connection on GLib's main loop (hiredis's GLib adapter),
 * kept up: a lost connection is retried every second, and a watchdog
 * drops one whose answer is late (hiredis 0.14 has no timeouts of its
 * own). Whoever owns the link hears when it comes up or goes, and sends
 * its commands on rndimg_redis_link_get_context(). */
#include "rndimg-redis-link.h"

#include <hiredis/adapters/glib.h>
#include <hiredis/hiredis.h>

#define RECONNECT_MS 1000

struct _RndimgRedisLink
{
  char *host;
  int port;
  int database;
  RndimgRedisLinkChanged changed;
  gpointer user_data;
  redisAsyncContext *context;   /* NULL while down */
  GSource *source;
  guint retry_id;
  guint watchdog_id;            /* the answer we wait for is late: drop */
  guint watchdog_ms;
  gboolean closing;
};

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

/* The context is gone (hiredis frees it): drop its source, try again. */
static void
lost (RndimgRedisLink *self, const char *why)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (self->source != NULL)
    g_idle_add (release_source, g_steal_pointer (&self->source));
  self->context = NULL;
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
  self->changed (self, NULL, self->user_data);
}

/* A link to Redis at @host:@port, database @database, down until
 * rndimg_redis_link_connect(); @changed is told each change. */
RndimgRedisLink *
rndimg_redis_link_new (const char *host, int port, int database, RndimgRedisLinkChanged changed,
                       gpointer user_data)
{
  RndimgRedisLink *self = g_new0 (RndimgRedisLink, 1);

  self->host = g_strdup (host);
  self->port = port;
  self->database = database;
  self->changed = changed;
  self->user_data = user_data;
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
  if (self->database != 0)
    redisAsyncCommand (context, NULL, NULL, "SELECT %d", self->database);
}

/* Where commands go (borrowed), or NULL while the link is down. */
redisAsyncContext *
rndimg_redis_link_get_context (RndimgRedisLink *self)
{
  return self->context;
}

/* Lets go of the context now, whatever it waits for: its callbacks get a
 * NULL reply. The link retries as for any loss. */
void
rndimg_redis_link_drop (RndimgRedisLink *self, const char *why)
{
  redisAsyncContext *context = self->context;

  lost (self, why);
  if (context != NULL)
    redisAsyncFree (context);
}

static gboolean
on_watchdog (gpointer user_data)
{
  RndimgRedisLink *self = user_data;

  self->watchdog_id = 0;
  g_warning ("Redis did not answer in %u ms; reconnecting", self->watchdog_ms);
  rndimg_redis_link_drop (self, "no answer in time");
  return G_SOURCE_REMOVE;
}

/* Drops the link unless rndimg_redis_link_disarm_watchdog() is called
 * within @ms (an answer came). */
void
rndimg_redis_link_arm_watchdog (RndimgRedisLink *self, guint ms)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  self->watchdog_ms = ms;
  self->watchdog_id = g_timeout_add (ms, on_watchdog, self);
}

void
rndimg_redis_link_disarm_watchdog (RndimgRedisLink *self)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
}

/* Closes the link: the callbacks of commands still waiting get a NULL
 * reply; @changed is not called again. */
void
rndimg_redis_link_free (RndimgRedisLink *self)
{
  self->closing = TRUE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  rndimg_redis_link_drop (self, "closing");
  g_free (self->host);
  g_free (self);
}
