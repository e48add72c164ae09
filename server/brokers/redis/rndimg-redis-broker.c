/* SPDX-License-Identifier: MIT */
/* The broker shared by every node: one Redis Stream holds the history.
 *
 * Publishing runs one Lua script on the command connection (see
 * rndimg-redis-publish.c): it increments the id in a hash, XADDs the
 * event with that id (the stream trimmed to --history) and returns the id
 * and the epoch, so ids are assigned once, in order, for the whole
 * cluster. Every node follows the stream on a second connection with
 * XREAD BLOCK from the last id it saw (never "$"), keeps the events in a
 * ring like the memory broker and emits "published" for each, whoever
 * published it: a reconnect loses nothing still in the stream, and no
 * event is seen twice. A client resuming after an id this node has not
 * read yet waits until it has (rndimg-redis-sync.c).
 *
 * Keys: rndimg:meta {s: newest id, r: newest id in the stream, e: epoch},
 * rndimg:events (entries "ID-0" with name, source, at, epoch, prev: the
 * entry before it, token: the publish it came from), rndimg:picture:NAME
 * (a picture's bytes), rndimg:pictures (NAME -> newest id naming it),
 * rndimg:idempotency:DIGEST (an Idempotency-Key's record) and
 * rndimg:idempotency (the records by id, to keep the newest ones).
 *
 * Ids never go back: every node keeps the counter at least at the newest
 * id it saw (at each publish, at each connect, and each second it waits
 * for news), and keeps that id in --state-file; after a flush, the first
 * publisher also takes the newest id a client resumed from. A new epoch
 * tells clients the old history is gone.
 *
 * A follower that finds "prev" beyond the last id it saw was away while
 * the stream was trimmed past it: the next event carries how many it lost
 * (lost_before), and its subscribers are told them as "missed".
 *
 * Pictures: an event for a picture this node lacks is held until its bytes
 * are fetched (on the follow connection, so order is kept; at most the
 * command timeout), so a client never hears of a picture before this node
 * can serve it. A picture stays in Redis while an event of the stream
 * names it; a publish naming a picture Redis lacks has it put first.
 *
 * The scripts are publish.lua and floor.lua beside this file (embedded at
 * build time); the two connections are RndimgRedisLinks
 * (rndimg-redis-link.c): up only once Redis answered, every command with
 * a time limit, the idle one probed, a dropped connection retried every
 * second. The node's problem (/readyz, /stats) follows both links. */
#include "rndimg-redis-broker-private.h"
#include "rndimg-history-file.h"
#include "rndimg-redis-scripts.h"

#include <stdlib.h>
#include <string.h>

#define PICTURE_PREFIX "rndimg:picture:"
#define SAVE_DELAY_MS 1000
#define FLOOR_EVERY_USEC G_USEC_PER_SEC
/* A picture put in Redis whose publish never came: gone after an hour. */
#define UNCLAIMED_PICTURE_MS 3600000
/* The most a client's word can move ids (2^50: JavaScript still counts
 * exactly far beyond). */
#define CLIENT_HINT_MAX (G_GINT64_CONSTANT (1) << 50)

static void broker_iface_init (RndimgBrokerInterface *iface);
static void follow_next (RndimgRedisBroker *self);
static void hold_floor (RndimgRedisBroker *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (RndimgRedisBroker, rndimg_redis_broker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RNDIMG_TYPE_BROKER, broker_iface_init))

/* ---- connections ---- */

/* The problem follows both links: publishing needs the command link, and
 * this node's clients hear of events only through the follow link. */
static void
update_problem (RndimgRedisBroker *self)
{
  g_autofree char *problem = NULL;

  if (self->command_down != NULL)
    problem = g_strdup_printf ("Redis at %s is unreachable (%s)", self->url, self->command_down);
  else if (self->follow_down != NULL)
    problem = g_strdup_printf ("Redis at %s does not answer this node's reads (%s)", self->url, self->follow_down);
  if (problem != NULL && self->problem == NULL)
    g_warning ("%s; writes answer 503 until it is back", problem);
  else if (problem == NULL && self->problem != NULL)
    g_message ("Redis at %s is back (it answered)", self->url);
  g_free (self->problem);
  self->problem = g_steal_pointer (&problem);
}

static void
set_down (char **down, const char *why)
{
  g_free (*down);
  *down = g_strdup (why);
}

static void
on_command_link (RndimgRedisLink *link, const char *why, gpointer user_data)
{
  RndimgRedisBroker *self = user_data;

  set_down (&self->command_down, why);
  update_problem (self);
  if (why != NULL)
    return;
  g_debug ("Redis %s: command connection up", self->url);
  /* An empty Redis gets its epoch now, so /stats has one at once. */
  hold_floor (self);
  rndimg_redis_syncs_ask (self->syncs);
}

static void
on_follow_link (RndimgRedisLink *link, const char *why, gpointer user_data)
{
  RndimgRedisBroker *self = user_data;

  set_down (&self->follow_down, why);
  update_problem (self);
  if (why != NULL)
    {
      self->following = FALSE;
      self->caught_up = FALSE;
      return;
    }
  g_debug ("Redis %s: follow connection up", self->url);
  follow_next (self);
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
  /* Gone with the old history: a client resuming from one of its ids is
   * told what it missed (ids go on above them), not left to think it
   * missed nothing. */
  rndimg_gone_evict (self->gone, &self->history, 0);
}

static void
on_epoch (redisReply *reply, gpointer user_data)
{
  RndimgRedisBroker *self = user_data;

  if (self->disposing || reply == NULL)
    return;
  if (reply->type == REDIS_REPLY_STRING)
    adopt_epoch (self, reply->str);
  else if (reply->type == REDIS_REPLY_ERROR)
    g_warning ("Redis: %s", reply->str);
}

/* The newest id this node knows for sure: what it followed, or what its
 * state file kept from before a restart. */
gint64
rndimg_redis_broker_floor_id (RndimgRedisBroker *self)
{
  return MAX (self->last_seen, self->saved_id);
}

/* Keeps Redis's counter at least at floor_id() (a Redis flushed or
 * restarted empty under this node gets its ids back) and its epoch made;
 * adopts the epoch Redis has. */
static void
hold_floor (RndimgRedisBroker *self)
{
  g_autofree char *floor = g_strdup_printf ("%" G_GINT64_FORMAT, rndimg_redis_broker_floor_id (self));
  g_autofree char *proposed_epoch = rndimg_broker_new_epoch ();

  self->floor_held_usec = g_get_monotonic_time ();
  rndimg_redis_link_send (self->command, RNDIMG_REDIS_COMMAND_TIMEOUT_MS, on_epoch, self, "EVAL %s 1 %s %s %s",
                          floor_script, RNDIMG_REDIS_META_KEY, floor, proposed_epoch);
}

/* ---- the newest id on disk ---- */

static gboolean
save_now (gpointer user_data)
{
  RndimgRedisBroker *self = user_data;
  g_autoptr(GError) error = NULL;
  GQueue none = G_QUEUE_INIT;

  self->save_id = 0;
  if (self->epoch != NULL && self->last_seen > 0 &&
      !rndimg_history_file_save (self->state_file, self->epoch, rndimg_redis_broker_floor_id (self), &none, FALSE,
                                 &error))
    g_warning ("newest id not saved: %s", error->message);
  return G_SOURCE_REMOVE;
}

/* At most once a second: a node killed loses its last second, which the
 * other nodes and Redis still know. */
static void
schedule_save (RndimgRedisBroker *self)
{
  if (self->state_file != NULL && self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_DELAY_MS, save_now, self);
}

/* ---- following the stream ---- */

static const char *
field (redisReply *fields, const char *name)
{
  for (size_t i = 0; fields != NULL && i + 1 < fields->elements; i += 2)
    if (fields->element[i]->type == REDIS_REPLY_STRING && g_str_equal (fields->element[i]->str, name) &&
        fields->element[i + 1]->type == REDIS_REPLY_STRING)
      return fields->element[i + 1]->str;
  return NULL;
}

/* Tells this node's subscribers about @event (transfer full). */
static void
tell (RndimgRedisBroker *self, RndimgEvent *event)
{
  adopt_epoch (self, event->epoch);
  /* Events are lost before it: what is kept ends there, so a client
   * resuming from before is told what it missed, like any gap. */
  if (event->lost_before > 0)
    {
      g_warning ("Redis at %s: %" G_GINT64_FORMAT " events before #%" G_GINT64_FORMAT
                 " left the stream before this node read them; its clients are told they missed them",
                 self->url, event->lost_before, event->id);
      rndimg_gone_evict (self->gone, &self->history, 0);
    }
  g_queue_push_tail (&self->history, event);
  rndimg_gone_evict (self->gone, &self->history, self->history_length);
  self->last_seen = event->id;
  schedule_save (self);
  rndimg_broker_emit_published (RNDIMG_BROKER (self), event);
  rndimg_redis_publishes_told (self->publishes, event);
}

static void tell_unheard (RndimgRedisBroker *self);

/* The bytes of the picture of the first unheard event, or NULL (none in
 * Redis, or the connection dropped: the event goes out all the same). */
static void
on_picture_read (redisReply *reply, gpointer user_data)
{
  RndimgRedisBroker *self = user_data;
  RndimgEvent *event;

  if (self->disposing || (event = g_queue_pop_head (&self->unheard)) == NULL)
    return;
  if (reply != NULL && reply->type == REDIS_REPLY_STRING && self->pictures != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (reply->str, reply->len);

      self->pictures->fetched (event->name, bytes, self->pictures_data);
    }
  tell (self, event);
  if (reply == NULL)
    {
      /* The rest is read again after the reconnect. */
      g_queue_clear_full (&self->unheard, (GDestroyNotify) rndimg_event_unref);
      rndimg_redis_syncs_check (self->syncs);
      return;
    }
  tell_unheard (self);
}

/* Tells the events read, in order; one whose picture this node lacks
 * waits until the picture is fetched. Then reads on. */
static void
tell_unheard (RndimgRedisBroker *self)
{
  RndimgEvent *event;

  while ((event = g_queue_peek_head (&self->unheard)) != NULL)
    {
      if (self->pictures != NULL && self->pictures->missing (event->name, self->pictures_data))
        {
          g_autofree char *key = g_strconcat (PICTURE_PREFIX, event->name, NULL);

          if (rndimg_redis_link_send (self->follow, RNDIMG_REDIS_COMMAND_TIMEOUT_MS, on_picture_read, self,
                                      "GET %s", key))
            return;
        }
      tell (self, g_queue_pop_head (&self->unheard));
    }
  rndimg_redis_syncs_check (self->syncs);
  follow_next (self);
}

/* One stream entry ["ID-0", [name, N, source, S, at, T, epoch, E, prev,
 * P]] read after @after (the last id read) into the unheard events. */
static void
take_entry (RndimgRedisBroker *self, redisReply *entry, gint64 *after, const char **epoch_so_far, gboolean *gap)
{
  redisReply *fields;
  const char *name, *epoch, *prev_text;
  gint64 id, prev;
  RndimgEvent *event;

  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING)
    return;
  id = g_ascii_strtoll (entry->element[0]->str, NULL, 10);
  fields = entry->element[1]->type == REDIS_REPLY_ARRAY ? entry->element[1] : NULL;
  name = field (fields, "name");
  epoch = field (fields, "epoch");
  prev_text = field (fields, "prev");
  if (id <= *after || name == NULL || epoch == NULL)
    return;
  prev = prev_text != NULL ? g_ascii_strtoll (prev_text, NULL, 10) : id - 1;
  event = rndimg_event_new_full (id, name, field (fields, "source"), epoch, field (fields, "at"));
  /* Lost: the stream had events after the last one read here, and they
   * are gone (a node that just started has read none: nothing lost). */
  if (*after > 0 && prev > *after && event->epoch == *epoch_so_far)
    event->lost_before = prev - *after;
  *gap = *gap || event->lost_before > 0;
  rndimg_redis_publishes_entry_read (self->publishes, field (fields, "token"), id);
  *after = id;
  *epoch_so_far = event->epoch;
  g_queue_push_tail (&self->unheard, event);
}

/* XREAD's answer: nil after RNDIMG_REDIS_BLOCK_MS without news, else
 * [[stream, [entry, …]]]. */
static void
on_read (redisReply *reply, gpointer user_data)
{
  RndimgRedisBroker *self = user_data;
  guint read = self->reads_sent;
  gboolean complete = FALSE, gap = FALSE;

  if (self->disposing || reply == NULL)
    return;
  self->following = TRUE;
  if (reply->type == REDIS_REPLY_ERROR)
    g_warning ("Redis XREAD: %s", reply->str);
  else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
           reply->element[0]->type == REDIS_REPLY_ARRAY && reply->element[0]->elements == 2 &&
           reply->element[0]->element[1]->type == REDIS_REPLY_ARRAY)
    {
      redisReply *entries = reply->element[0]->element[1];
      gint64 after = self->last_seen;
      const char *epoch_so_far = self->epoch != NULL ? g_intern_string (self->epoch) : NULL;

      for (size_t i = 0; i < entries->elements; i++)
        take_entry (self, entries->element[i], &after, &epoch_so_far, &gap);
      complete = entries->elements < RNDIMG_REDIS_READ_COUNT;
    }
  else if (reply->type == REDIS_REPLY_NIL)
    {
      complete = TRUE;
      /* Without news: a Redis flushed meanwhile gets its counter back
       * before a node that knows nothing publishes. */
      if (g_get_monotonic_time () - self->floor_held_usec >= FLOOR_EVERY_USEC)
        hold_floor (self);
    }
  self->caught_up = complete;
  rndimg_redis_publishes_read_done (self->publishes, read, complete && !gap);
  tell_unheard (self);
}

static void
follow_next (RndimgRedisBroker *self)
{
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT "-0", self->last_seen);

  /* The first read after connecting catches up without waiting. */
  if (rndimg_redis_link_send (self->follow, RNDIMG_REDIS_BLOCK_MS + RNDIMG_REDIS_PROBE_TIMEOUT_MS, on_read, self,
                              "XREAD COUNT %d BLOCK %d STREAMS %s %s", RNDIMG_REDIS_READ_COUNT,
                              self->following ? RNDIMG_REDIS_BLOCK_MS : 1, RNDIMG_REDIS_STREAM_KEY, after))
    self->reads_sent++;
}

/* ---- RndimgBroker ---- */

static void
redis_publish_async (RndimgBroker *broker, const char *name, const char *source, const RndimgPublishKey *key,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  rndimg_redis_publishes_start (RNDIMG_REDIS_BROKER (broker)->publishes, name, source, key, cancellable,
                                callback, user_data);
}

/* Following, and the last read reached the end of the stream. */
static gboolean
redis_is_current (RndimgBroker *broker)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (broker);

  return rndimg_redis_link_is_up (self->follow) && self->following && self->caught_up &&
         g_queue_is_empty (&self->unheard);
}

static void
redis_sync_async (RndimgBroker *broker, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (broker, cancellable, callback, user_data);

  g_task_set_source_tag (task, (gpointer) (guintptr) redis_sync_async);
  rndimg_redis_syncs_wait (RNDIMG_REDIS_BROKER (broker)->syncs, task);
}

static void
redis_get_link (RndimgBroker *broker, RndimgBrokerLink *link)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (broker);

  link->up = self->problem == NULL;
  link->last_answer_usec = MAX (rndimg_redis_link_last_answer_usec (self->command),
                                rndimg_redis_link_last_answer_usec (self->follow));
  link->losses = rndimg_redis_link_get_losses (self->command) + rndimg_redis_link_get_losses (self->follow);
  link->publishes_pending = rndimg_redis_publishes_count (self->publishes);
}

/* From the ring, which holds what the stream holds once followed. */
static void
redis_history_async (RndimgBroker *broker, gint64 since, const char *const *albums, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  rndimg_broker_answer_history (broker, &RNDIMG_REDIS_BROKER (broker)->history,
                                RNDIMG_REDIS_BROKER (broker)->gone, since, albums,
                                cancellable, callback, user_data);
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

/* A client that resumed after @since: ids went at least that far. Only
 * taken when Redis has no counter (flushed) and this node knows no id. */
static void
redis_client_resumes (RndimgBroker *broker, gint64 since, const char *epoch)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (broker);

  self->client_hint = MAX (self->client_hint, MIN (since, CLIENT_HINT_MAX));
}

static RndimgEventDescriber *
redis_get_describer (RndimgBroker *broker)
{
  return &RNDIMG_REDIS_BROKER (broker)->describer;
}

static void
broker_iface_init (RndimgBrokerInterface *iface)
{
  iface->get_describer = redis_get_describer;
  iface->client_resumes = redis_client_resumes;
  iface->publish_async = redis_publish_async;
  iface->history_async = redis_history_async;
  iface->is_current = redis_is_current;
  iface->sync_async = redis_sync_async;
  iface->get_link = redis_get_link;
  iface->get_newest_id = redis_get_newest_id;
  iface->get_epoch = redis_get_epoch;
  iface->get_problem = redis_get_problem;
}

static void
rndimg_redis_broker_finalize (GObject *object)
{
  RndimgRedisBroker *self = RNDIMG_REDIS_BROKER (object);

  self->disposing = TRUE;
  if (self->save_id != 0)
    {
      g_source_remove (self->save_id);
      save_now (self);
    }
  g_clear_pointer (&self->follow, rndimg_redis_link_free);
  g_clear_pointer (&self->command, rndimg_redis_link_free);
  g_clear_pointer (&self->publishes, rndimg_redis_publishes_free);
  g_clear_pointer (&self->syncs, rndimg_redis_syncs_free);
  g_queue_clear_full (&self->history, (GDestroyNotify) rndimg_event_unref);
  g_queue_clear_full (&self->unheard, (GDestroyNotify) rndimg_event_unref);
  g_clear_pointer (&self->gone, rndimg_gone_free);
  g_free (self->state_file);
  g_free (self->host);
  g_free (self->url);
  g_free (self->epoch);
  g_free (self->problem);
  g_free (self->command_down);
  g_free (self->follow_down);
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
  g_queue_init (&self->unheard);
  self->node = rndimg_broker_new_epoch ();
  self->publishes = rndimg_redis_publishes_new (self);
  self->syncs = rndimg_redis_syncs_new (self);
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
                   "--broker %s is not \"memory\" or redis://HOST:PORT[/DB] (DB from 0 to 15)", url);
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
  self->gone = rndimg_gone_new (self->history_length);
  self->command_down = g_strdup ("not connected yet");
  self->follow_down = g_strdup ("not connected yet");
  self->problem = g_strdup_printf ("Redis at %s is not connected yet", url);
  self->command = rndimg_redis_link_new (self->host, self->port, self->database, TRUE, on_command_link, self);
  self->follow = rndimg_redis_link_new (self->host, self->port, self->database, FALSE, on_follow_link, self);
  rndimg_redis_link_connect (self->command);
  rndimg_redis_link_connect (self->follow);
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

/* --state-file FILE.json: this Redis's file is FILE-redis-HOST-PORT-DB.json
 * beside it, so a node never overwrites an in-memory broker's history, nor
 * takes ids from another Redis. */
char *
rndimg_redis_broker_state_file_for (const char *state_file, const char *url)
{
  g_autofree char *host = NULL;
  g_autofree char *stem = g_str_has_suffix (state_file, ".json")
                          ? g_strndup (state_file, strlen (state_file) - strlen (".json")) : g_strdup (state_file);
  int port = 0, database = 0;

  if (!rndimg_redis_broker_parse_url (url, &host, &port, &database, NULL))
    return NULL;
  g_strcanon (host, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS ".-", '_');
  return g_strdup_printf ("%s-redis-%s-%d-%d.json", stem, host, port, database);
}

/* Keeps the newest id this node saw in @path (the memory broker's format,
 * with no events), and reads it back now: after a restart the node holds
 * Redis's counter at least there, even if Redis lost everything. */
void
rndimg_redis_broker_set_state_file (RndimgRedisBroker *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *epoch = NULL;
  GQueue events = G_QUEUE_INIT;
  gint64 newest_id = 0;

  g_free (self->state_file);
  self->state_file = g_strdup (path);
  if (path == NULL)
    return;
  if (rndimg_history_file_load (path, &epoch, &newest_id, &events, &error))
    self->saved_id = newest_id;
  else if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("%s", error->message);
  g_queue_clear_full (&events, (GDestroyNotify) rndimg_event_unref);
  g_debug ("%s: ids went at least to #%" G_GINT64_FORMAT, path, self->saved_id);
}

/* ---- pictures ---- */

/* @hooks (NULL: none) decide which pictures this node fetches before
 * telling an event, keep what is fetched, and put pictures Redis asks
 * for; they must outlive the broker or be unset. */
void
rndimg_redis_broker_set_picture_hooks (RndimgRedisBroker *self, const RndimgRedisPictureHooks *hooks,
                                       gpointer user_data)
{
  self->pictures = hooks;
  self->pictures_data = user_data;
}

/* Stores @bytes as picture @name for the other nodes. Sent on the command
 * connection before the publish that announces it, so Redis has the bytes
 * before any node reads the event; the publish keeps them as long as an
 * event names them (a picture whose publish never comes expires). Nothing
 * is sent while Redis is down (the publish that follows fails too). */
void
rndimg_redis_broker_put_picture (RndimgRedisBroker *self, const char *name, GBytes *bytes)
{
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);
  g_autofree char *key = g_strconcat (PICTURE_PREFIX, name, NULL);

  rndimg_redis_link_send (self->command, RNDIMG_REDIS_COMMAND_TIMEOUT_MS, NULL, NULL, "SET %s %b PX %d", key, data,
                          size, UNCLAIMED_PICTURE_MS);
}
