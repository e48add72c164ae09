/* SPDX-License-Identifier: MIT */
/* The broker shared by every node: one Redis Stream holds the history.
 *
 * Publishing runs one Lua script on the command connection: it increments
 * the id in a hash, XADDs the event with that id (the stream trimmed to
 * --history) and returns the id and the epoch, so ids are assigned once,
 * in order, for the whole cluster. Every node follows the stream on a
 * second connection with XREAD BLOCK from the last id it saw (never "$"),
 * keeps the events in a ring like the memory broker and emits "published"
 * for each, whoever published it: a reconnect loses nothing still in the
 * stream, and no event is seen twice.
 *
 * Keys: rndimg:meta {s: newest id, e: epoch} and rndimg:events (entries
 * "ID-0" with name, source, at, epoch). After a flush the first publisher
 * seeds s with the newest id it saw, so ids keep growing, under a new
 * epoch that tells clients the old history is gone.
 *
 * hiredis 0.14 has no timeouts: each command gets a GLib timeout that
 * drops the connection; a dropped connection is retried every second. */
#include "rndimg-redis-broker.h"

#include <hiredis/adapters/glib.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>

#define META_KEY "rndimg:meta"
#define LEASE_KEY "rndimg:slideshow-lease"
#define STREAM_KEY "rndimg:events"
#define COMMAND_TIMEOUT_MS 2000
#define BLOCK_MS 2000
#define RECONNECT_MS 1000

/* ARGV: name, source, at, proposed epoch, floor id, --history, node,
 * lease ms. A "timer" publish (lease ms > 0) needs the slideshow lease:
 * free, or this node's (renewed); else nothing is published ({0, ""}). */
static const char publish_script[] =
  "if ARGV[8] ~= '0' then\n"
  "  local holder = redis.call('GET', KEYS[3])\n"
  "  if holder and holder ~= ARGV[7] then return {0, ''} end\n"
  "  redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[8])\n"
  "end\n"
  "if redis.call('HEXISTS', KEYS[1], 's') == 0 then redis.call('HSET', KEYS[1], 's', ARGV[5]) end\n"
  "redis.call('HSETNX', KEYS[1], 'e', ARGV[4])\n"
  "local id = redis.call('HINCRBY', KEYS[1], 's', 1)\n"
  "local epoch = redis.call('HGET', KEYS[1], 'e')\n"
  "redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], id .. '-0', 'name', ARGV[1], 'source', ARGV[2],"
  " 'at', ARGV[3], 'epoch', epoch)\n"
  "return {id, epoch}\n";

/* One hiredis connection and the GSource that drives it. */
typedef struct {
  RndimgRedisBroker *owner;
  redisAsyncContext *context;
  GSource *source;
  guint retry_id;
  guint watchdog_id;          /* the answer we wait for is late: drop */
} Link;

struct _RndimgRedisBroker
{
  GObject parent_instance;

  char *host;
  int port;
  int database;
  char *url;
  char *problem;
  guint history_length;
  GQueue history;            /* RndimgEvent, oldest first: the stream as followed */
  gint64 last_seen;
  char *epoch;
  Link command;
  Link follow;
  gboolean following;        /* the follow link has read the stream at least once */
  GQueue parked;             /* Publish waiting for the follower to see its id */
  gboolean disposing;
  char *node;                /* random: who holds the slideshow lease */
  guint lease_ms;            /* 0: every node's timer publishes */
};

typedef struct {
  GTask *task;
  RndimgEvent *event;
  guint timeout_id;
  gboolean answered;
} Publish;

static void broker_iface_init (RndimgBrokerInterface *iface);
static void connect_link (RndimgRedisBroker *self, Link *link);
static void follow_next (RndimgRedisBroker *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (RndimgRedisBroker, rndimg_redis_broker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RNDIMG_TYPE_BROKER, broker_iface_init))

/* ---- connections ---- */

/* NULL for a context we already let go of. */
static Link *
link_of (RndimgRedisBroker *self, const redisAsyncContext *context)
{
  if (context == self->command.context)
    return &self->command;
  return context == self->follow.context ? &self->follow : NULL;
}

static void
set_problem (RndimgRedisBroker *self, const char *why)
{
  if (why != NULL && self->problem == NULL)
    g_warning ("Redis at %s: %s; writes answer 503 until it is back", self->url, why);
  else if (why == NULL && self->problem != NULL)
    g_message ("Redis at %s is back", self->url);
  g_free (self->problem);
  self->problem = why != NULL ? g_strdup_printf ("Redis at %s is unreachable (%s)", self->url, why) : NULL;
}

static gboolean
on_retry (gpointer user_data)
{
  Link *link = user_data;

  link->retry_id = 0;
  connect_link (link->owner, link);
  return G_SOURCE_REMOVE;
}

/* hiredis still touches the source while it frees a context, after our
 * callbacks: the source goes once it is done. */
static gboolean
release_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

/* The context is gone (hiredis frees it): drop its source, try again. */
static void
link_lost (RndimgRedisBroker *self, Link *link, const char *why)
{
  g_clear_handle_id (&link->watchdog_id, g_source_remove);
  if (link->source != NULL)
    g_idle_add (release_source, g_steal_pointer (&link->source));
  link->context = NULL;
  if (self->disposing)
    return;
  if (link == &self->command)
    set_problem (self, why);
  if (link == &self->follow)
    self->following = FALSE;
  if (link->retry_id == 0)
    link->retry_id = g_timeout_add (RECONNECT_MS + g_random_int_range (0, 250), on_retry, link);
}

static void
on_disconnected (const redisAsyncContext *context, int status)
{
  RndimgRedisBroker *self = context->data;
  Link *link = link_of (self, context);

  if (link != NULL)
    link_lost (self, link, context->errstr[0] ? context->errstr : "connection closed");
}

static void on_epoch (redisAsyncContext *context, void *reply, void *user_data);

static void
on_connected (const redisAsyncContext *context, int status)
{
  RndimgRedisBroker *self = context->data;
  Link *link = link_of (self, context);

  if (link == NULL)
    return;
  if (status != REDIS_OK)
    {
      link_lost (self, link, context->errstr);
      return;
    }
  g_debug ("Redis %s: %s connection up", self->url, link == &self->command ? "command" : "follow");
  if (link == &self->command)
    {
      g_autofree char *proposed_epoch = rndimg_broker_new_epoch ();

      set_problem (self, NULL);
      /* An empty Redis gets its epoch now, so /stats has one at once. */
      redisAsyncCommand (link->context, NULL, NULL, "HSETNX %s e %s", META_KEY, proposed_epoch);
      redisAsyncCommand (link->context, on_epoch, self, "HGET %s e", META_KEY);
    }
  else
    follow_next (self);
}

static void
connect_link (RndimgRedisBroker *self, Link *link)
{
  redisAsyncContext *context = redisAsyncConnect (self->host, self->port);

  if (context == NULL || context->err)
    {
      g_autofree char *why = g_strdup (context != NULL ? context->errstr : "out of memory");

      link_lost (self, link, why);
      if (context != NULL)
        redisAsyncFree (context);
      return;
    }
  context->data = self;
  link->context = context;
  link->source = redis_source_new (context);
  g_source_attach (link->source, NULL);
  redisAsyncSetConnectCallback (context, on_connected);
  redisAsyncSetDisconnectCallback (context, on_disconnected);
  if (self->database != 0)
    redisAsyncCommand (context, NULL, NULL, "SELECT %d", self->database);
}

/* Lets go of @link's context now, whatever it waits for: its callbacks
 * get a NULL reply, and no longer know it. */
static void
drop_link (Link *link, const char *why)
{
  redisAsyncContext *context = link->context;

  link_lost (link->owner, link, why);
  if (context != NULL)
    redisAsyncFree (context);
}

static gboolean
on_watchdog (gpointer user_data)
{
  Link *link = user_data;

  link->watchdog_id = 0;
  g_warning ("Redis did not answer in %d ms; reconnecting", COMMAND_TIMEOUT_MS);
  drop_link (link, "no answer in time");
  return G_SOURCE_REMOVE;
}

static void
arm_watchdog (Link *link, guint ms)
{
  g_clear_handle_id (&link->watchdog_id, g_source_remove);
  link->watchdog_id = g_timeout_add (ms, on_watchdog, link);
}

/* ---- the history as followed ---- */

/* A history we did not know: what we kept belongs to another epoch. */
static void
adopt_epoch (RndimgRedisBroker *self, const char *epoch)
{
  if (g_strcmp0 (self->epoch, epoch) == 0)
    return;
  if (self->epoch != NULL)
    g_warning ("Redis at %s has a new history (epoch %s, was %s): older events are gone",
               self->url, epoch, self->epoch);
  g_free (self->epoch);
  self->epoch = g_strdup (epoch);
  g_queue_clear_full (&self->history, (GDestroyNotify) rndimg_event_unref);
}

static void
on_epoch (redisAsyncContext *context, void *reply_pointer, void *user_data)
{
  RndimgRedisBroker *self = user_data;
  redisReply *reply = reply_pointer;

  if (self->disposing || reply == NULL || reply->type != REDIS_REPLY_STRING)
    return;
  adopt_epoch (self, reply->str);
}

static void
finish_publish (Publish *publish, RndimgEvent *event, GError *error)
{
  if (publish->answered)
    return;
  publish->answered = TRUE;
  g_clear_handle_id (&publish->timeout_id, g_source_remove);
  if (event != NULL)
    g_task_return_pointer (publish->task, rndimg_event_ref (event), (GDestroyNotify) rndimg_event_unref);
  else
    g_task_return_error (publish->task, error);
}

static void
publish_free (Publish *publish)
{
  g_clear_handle_id (&publish->timeout_id, g_source_remove);
  g_clear_pointer (&publish->event, rndimg_event_unref);
  g_object_unref (publish->task);
  g_free (publish);
}

/* Publishes answered once this node's subscribers have the event. */
static void
release_parked (RndimgRedisBroker *self)
{
  while (!g_queue_is_empty (&self->parked) &&
         ((Publish *) g_queue_peek_head (&self->parked))->event->id <= self->last_seen)
    {
      Publish *publish = g_queue_pop_head (&self->parked);

      finish_publish (publish, publish->event, NULL);
      publish_free (publish);
    }
}

static const char *
field (redisReply *fields, const char *name)
{
  for (size_t i = 0; fields != NULL && i + 1 < fields->elements; i += 2)
    if (fields->element[i]->type == REDIS_REPLY_STRING && g_str_equal (fields->element[i]->str, name) &&
        fields->element[i + 1]->type == REDIS_REPLY_STRING)
      return fields->element[i + 1]->str;
  return NULL;
}

/* One stream entry ["ID-0", [name, N, source, S, at, T, epoch, E]]. */
static void
take_entry (RndimgRedisBroker *self, redisReply *entry)
{
  redisReply *fields;
  const char *name, *epoch;
  gint64 id;
  RndimgEvent *event;

  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING)
    return;
  id = g_ascii_strtoll (entry->element[0]->str, NULL, 10);
  fields = entry->element[1]->type == REDIS_REPLY_ARRAY ? entry->element[1] : NULL;
  name = field (fields, "name");
  epoch = field (fields, "epoch");
  if (id <= self->last_seen || name == NULL || epoch == NULL)
    return;
  adopt_epoch (self, epoch);
  event = rndimg_event_new_full (id, name, field (fields, "source"), self->epoch, field (fields, "at"));
  g_queue_push_tail (&self->history, event);
  while (self->history.length > self->history_length)
    rndimg_event_unref (g_queue_pop_head (&self->history));
  self->last_seen = id;
  rndimg_broker_emit_published (RNDIMG_BROKER (self), event);
}

/* XREAD's answer: nil after BLOCK_MS without news, else
 * [[stream, [entry, …]]]. */
static void
on_read (redisAsyncContext *context, void *reply_pointer, void *user_data)
{
  RndimgRedisBroker *self = user_data;
  redisReply *reply = reply_pointer;

  if (self->disposing || reply == NULL)
    return;
  g_clear_handle_id (&self->follow.watchdog_id, g_source_remove);
  self->following = TRUE;
  if (reply->type == REDIS_REPLY_ERROR)
    g_warning ("Redis XREAD: %s", reply->str);
  else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
           reply->element[0]->type == REDIS_REPLY_ARRAY && reply->element[0]->elements == 2 &&
           reply->element[0]->element[1]->type == REDIS_REPLY_ARRAY)
    {
      redisReply *entries = reply->element[0]->element[1];

      for (size_t i = 0; i < entries->elements; i++)
        take_entry (self, entries->element[i]);
      release_parked (self);
    }
  follow_next (self);
}

static void
follow_next (RndimgRedisBroker *self)
{
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT "-0", self->last_seen);

  if (self->follow.context == NULL)
    return;
  /* The first read after connecting catches up without waiting. */
  redisAsyncCommand (self->follow.context, on_read, self, "XREAD COUNT 100 BLOCK %d STREAMS %s %s",
                     self->following ? BLOCK_MS : 1, STREAM_KEY, after);
  arm_watchdog (&self->follow, BLOCK_MS + COMMAND_TIMEOUT_MS);
}

/* ---- RndimgBroker ---- */

static gboolean
on_publish_timeout (gpointer user_data)
{
  Publish *publish = user_data;
  RndimgRedisBroker *self = g_task_get_source_object (publish->task);

  publish->timeout_id = 0;
  if (publish->event != NULL)
    {
      /* Written but not yet read back: it is published all the same. */
      g_queue_remove (&self->parked, publish);
      finish_publish (publish, publish->event, NULL);
      publish_free (publish);
      return G_SOURCE_REMOVE;
    }
  finish_publish (publish, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                              "Redis did not answer in %d ms", COMMAND_TIMEOUT_MS));
  /* A Redis that hangs: the reply callback runs (NULL) as the link drops. */
  drop_link (&self->command, "no answer in time");
  return G_SOURCE_REMOVE;
}

static void
on_published_reply (redisAsyncContext *context, void *reply_pointer, void *user_data)
{
  Publish *publish = user_data;
  RndimgRedisBroker *self = g_task_get_source_object (publish->task);
  redisReply *reply = reply_pointer;
  RndimgEvent *pending = g_task_get_task_data (publish->task);

  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2)
    {
      finish_publish (publish, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "Redis: %s",
                                                  reply != NULL && reply->type == REDIS_REPLY_ERROR ? reply->str
                                                  : "the connection was lost"));
      publish_free (publish);
      return;
    }
  if (reply->element[0]->integer == 0)
    {
      finish_publish (publish, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY,
                                                          "another node runs the slideshow"));
      publish_free (publish);
      return;
    }
  publish->event = rndimg_event_new_full (reply->element[0]->integer, pending->name, pending->source,
                                          reply->element[1]->str, pending->published_at);
  if (publish->answered || self->disposing || publish->event->id <= self->last_seen)
    {
      finish_publish (publish, publish->event, NULL);
      publish_free (publish);
      return;
    }
  g_queue_push_tail (&self->parked, publish);
}

static void
redis_publish_async (RndimgBroker *broker, const char *name, const char *source,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (broker);
  Publish *publish = g_new0 (Publish, 1);
  RndimgEvent *pending = rndimg_event_new (0, name, source);
  g_autofree char *proposed_epoch = rndimg_broker_new_epoch ();
  g_autofree char *floor = g_strdup_printf ("%" G_GINT64_FORMAT, self->last_seen);
  g_autofree char *length = g_strdup_printf ("%u", self->history_length);
  g_autofree char *lease = g_strdup_printf ("%u", g_str_equal (source, "timer") ? self->lease_ms : 0);

  publish->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_task_data (publish->task, pending, (GDestroyNotify) rndimg_event_unref);
  if (self->command.context == NULL)
    {
      finish_publish (publish, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                                          self->problem ? self->problem : "Redis is unreachable"));
      publish_free (publish);
      return;
    }
  if (redisAsyncCommand (self->command.context, on_published_reply, publish,
                         "EVAL %s 3 %s %s %s %s %s %s %s %s %s %s %s", publish_script, META_KEY, STREAM_KEY,
                         LEASE_KEY, name, source, pending->published_at, proposed_epoch, floor, length,
                         self->node, lease) != REDIS_OK)
    {
      finish_publish (publish, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                                          "Redis is closing the connection"));
      publish_free (publish);
      return;
    }
  publish->timeout_id = g_timeout_add (COMMAND_TIMEOUT_MS, on_publish_timeout, publish);
}

static RndimgEvent *
redis_publish_finish (RndimgBroker *broker, GAsyncResult *result, GError **error)
{
  return rndimg_broker_propagate_event (broker, result, error);
}

/* From the ring, which holds what the stream holds once followed. */
static void
redis_history_async (RndimgBroker *broker, gint64 since, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (broker);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  gint64 missed;
  GPtrArray *events = rndimg_broker_events_after (&self->history, since, &missed);

  rndimg_broker_return_history (task, events, missed);
}

static GPtrArray *
redis_history_finish (RndimgBroker *broker, GAsyncResult *result, gint64 *missed, GError **error)
{
  return rndimg_broker_propagate_history (broker, result, missed, error);
}

static gint64
redis_get_newest_id (RndimgBroker *broker)
{
  return RNDIMG_REDIS_BROKER (broker)->last_seen;
}

static const char *
redis_get_epoch (RndimgBroker *broker)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (broker);

  return self->epoch != NULL ? self->epoch : "";
}

static const char *
redis_get_problem (RndimgBroker *broker)
{
  return RNDIMG_REDIS_BROKER (broker)->problem;
}

static void
broker_iface_init (RndimgBrokerInterface *iface)
{
  iface->publish_async = redis_publish_async;
  iface->publish_finish = redis_publish_finish;
  iface->history_async = redis_history_async;
  iface->history_finish = redis_history_finish;
  iface->get_newest_id = redis_get_newest_id;
  iface->get_epoch = redis_get_epoch;
  iface->get_problem = redis_get_problem;
}

static void
close_link (Link *link)
{
  g_clear_handle_id (&link->retry_id, g_source_remove);
  drop_link (link, "closing");
}

static void
rndimg_redis_broker_finalize (GObject *object)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (object);

  self->disposing = TRUE;
  close_link (&self->follow);
  close_link (&self->command);
  g_queue_clear_full (&self->history, (GDestroyNotify) rndimg_event_unref);
  g_free (self->host);
  g_free (self->url);
  g_free (self->epoch);
  g_free (self->problem);
  g_free (self->node);
  G_OBJECT_CLASS (rndimg_redis_broker_parent_class)->finalize (object);
}

static void
rndimg_redis_broker_class_init (RndimgRedisBrokerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_redis_broker_finalize;
}

static void
rndimg_redis_broker_init (RndimgRedisBroker *self)
{
  g_queue_init (&self->history);
  g_queue_init (&self->parked);
  self->command.owner = self;
  self->node = rndimg_broker_new_epoch ();
  self->follow.owner = self;
}

/* Reads redis://HOST[:PORT][/DB]; every out argument may be NULL (the
 * settings only check a URL). */
gboolean
rndimg_redis_broker_parse_url (const char *url, char **host, int *port, int *database, GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  guint64 number = 0;

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "redis") != 0 || g_uri_get_host (uri) == NULL ||
      (path != NULL && *path != '\0' && !g_str_equal (path, "/") &&
       !g_ascii_string_to_unsigned (path + 1, 10, 0, 15, &number, NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--broker %s is not redis://HOST:PORT[/DB] (DB from 0 to 15)", url);
      return FALSE;
    }
  if (host != NULL)
    *host = g_strdup (g_uri_get_host (uri));
  if (port != NULL)
    *port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 6379;
  if (database != NULL)
    *database = (int) number;
  return TRUE;
}

static gboolean
parse_url (RndimgRedisBroker *self, const char *url, GError **error)
{
  if (!rndimg_redis_broker_parse_url (url, &self->host, &self->port, &self->database, error))
    return FALSE;
  self->url = g_strdup (url);
  return TRUE;
}

/* A broker on the Redis at @url keeping @history_length events. It
 * connects in the background: until Redis answers, publishing fails (see
 * rndimg_broker_get_problem()) and the history is empty. */
RndimgBroker *
rndimg_redis_broker_new (const char *url, guint history_length, GError **error)
{
  g_autoptr(RndimgRedisBroker) self = g_object_new (RNDIMG_TYPE_REDIS_BROKER, NULL);

  if (!parse_url (self, url, error))
    return NULL;
  self->history_length = MAX (history_length, 1);
  self->problem = g_strdup_printf ("Redis at %s is not connected yet", url);
  connect_link (self, &self->command);
  connect_link (self, &self->follow);
  return RNDIMG_BROKER (g_steal_pointer (&self));
}

/* TRUE once the follow connection has read the stream (caught up). */
gboolean
rndimg_redis_broker_is_following (RndimgRedisBroker *self)
{
  return self->following;
}

/* Timer publishes need a lease of @ms, held by one node for the whole
 * cluster and renewed at each of its ticks: the slideshow advances once
 * per interval, and another node takes over @ms after its holder dies. */
void
rndimg_redis_broker_set_slideshow_lease (RndimgRedisBroker *self, guint ms)
{
  self->lease_ms = ms;
}

/* ---- pictures ---- */

#define PICTURE_KEY "rndimg:picture:%s"

/* Stores @bytes as picture @name for the other nodes. Sent on the command
 * connection before the publish that announces it, so Redis has the bytes
 * before any node reads the event. Nothing is sent while Redis is down
 * (the publish that follows fails too). */
void
rndimg_redis_broker_put_picture (RndimgRedisBroker *self, const char *name, GBytes *bytes)
{
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);
  g_autofree char *key = g_strdup_printf (PICTURE_KEY, name);

  if (self->command.context != NULL)
    redisAsyncCommand (self->command.context, NULL, NULL, "SET %s %b", key, data, size);
}

typedef struct {
  GTask *task;
  guint timeout_id;
} PictureRequest;

static void
on_picture (redisAsyncContext *context, void *reply_pointer, void *user_data)
{
  PictureRequest *request = user_data;
  redisReply *reply = reply_pointer;

  if (request->timeout_id != 0)
    {
      g_clear_handle_id (&request->timeout_id, g_source_remove);
      if (reply != NULL && reply->type == REDIS_REPLY_STRING)
        g_task_return_pointer (request->task, g_bytes_new (reply->str, reply->len), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such picture in Redis");
    }
  g_object_unref (request->task);
  g_free (request);
}

static gboolean
on_picture_timeout (gpointer user_data)
{
  PictureRequest *request = user_data;

  request->timeout_id = 0;
  g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Redis did not answer in %d ms", COMMAND_TIMEOUT_MS);
  return G_SOURCE_REMOVE;
}

/* Fetches the bytes of picture @name, stored by another node. */
void
rndimg_redis_broker_get_picture_async (RndimgRedisBroker *self, const char *name,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  PictureRequest *request = g_new0 (PictureRequest, 1);
  g_autofree char *key = g_strdup_printf (PICTURE_KEY, name);

  request->task = g_task_new (self, NULL, callback, user_data);
  if (self->command.context == NULL ||
      redisAsyncCommand (self->command.context, on_picture, request, "GET %s", key) != REDIS_OK)
    {
      g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "Redis is unreachable");
      g_object_unref (request->task);
      g_free (request);
      return;
    }
  request->timeout_id = g_timeout_add (COMMAND_TIMEOUT_MS, on_picture_timeout, request);
}

GBytes *
rndimg_redis_broker_get_picture_finish (RndimgRedisBroker *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
