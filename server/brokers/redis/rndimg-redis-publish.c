/* SPDX-License-Identifier: MIT */
/* The Redis broker's publish_async(), and what its answer promises.
 *
 * A publish runs publish.lua on the command link with a deadline on
 * Redis's own clock (the link knows a lower bound of it): Redis runs the
 * script before the deadline or the script does nothing. The publish is
 * answered:
 *
 * - published, once this node's follow link has read the event back (so
 *   its own subscribers have it first), or at the time limit if Redis
 *   said it published it;
 * - RNDIMG_BROKER_ERROR_NOT_PUBLISHED when that is certain: the link was
 *   down (nothing was sent), Redis refused it, Redis ran it too late, or,
 *   after the time limit (the deadline has passed on Redis's clock, so it
 *   can never run), a read of the stream that began after the limit does
 *   not hold the event (its token: each entry names the publish it came
 *   from);
 * - RNDIMG_BROKER_ERROR_OUTCOME_UNKNOWN when none of that can be known in
 *   time (the follow link is down too, or the read is late): it may have
 *   been published before the deadline. The same Idempotency-Key then
 *   publishes it at most once, on any node: the script records the key
 *   with the event, atomically.
 *
 * A key whose publish is still under way on this node answers
 * RNDIMG_BROKER_ERROR_KEY_IN_FLIGHT. */
#include "rndimg-redis-broker-private.h"
#include "rndimg-redis-scripts.h"

#define LEASE_KEY "rndimg:slideshow-lease"
#define PICTURES_KEY "rndimg:pictures"
#define PICTURE_PREFIX "rndimg:picture:"
#define KEY_PREFIX "rndimg:idempotency:"
#define KEY_INDEX "rndimg:idempotency"
/* Past the time limit, Redis's clock has passed the deadline, even with
 * the clocks' rates a little apart. */
#define DEADLINE_MARGIN_MS 50
/* How long a publish in doubt waits for the read that settles it. */
#define VERDICT_TIMEOUT_MS (RNDIMG_REDIS_BLOCK_MS * 2 + RNDIMG_REDIS_PROBE_TIMEOUT_MS)

typedef enum {
  PUBLISH_SENT,        /* the script was sent, nothing heard */
  PUBLISH_WRITTEN,     /* Redis said it published it: waiting for the follow link */
  PUBLISH_IN_DOUBT,    /* it can no longer run: waiting for a read that settles it */
} PublishState;

typedef struct {
  int refs;                    /* the tables' (while unanswered) and each script's */
  RndimgRedisPublishes *publishes;
  GTask *task;                 /* NULL once answered */
  RndimgEvent *pending;        /* the name, source and time asked for */
  RndimgPublishKey *key;       /* NULL: none */
  char *token;                 /* in its stream entry */
  RndimgEvent *event;          /* as Redis answered it */
  PublishState state;
  guint timer_id;
  guint settling_read;         /* IN_DOUBT: reads numbered above it settle it; 0: not yet */
  gint64 seen_id;              /* the follow link read its entry; 0: not yet */
  gboolean picture_asked;
} Publish;

struct _RndimgRedisPublishes
{
  RndimgRedisBroker *broker;   /* borrowed: it owns us */
  GHashTable *by_token;        /* token -> Publish, unanswered ones (a reference each) */
  GHashTable *by_key;          /* key record -> Publish, unanswered ones with a key */
  GHashTable *by_seen_id;      /* id -> Publish whose entry was read, not yet told */
};

static Publish *
publish_ref (Publish *publish)
{
  publish->refs++;
  return publish;
}

static void
publish_unref (Publish *publish)
{
  if (--publish->refs > 0)
    return;
  g_warn_if_fail (publish->task == NULL && publish->timer_id == 0);
  rndimg_event_unref (publish->pending);
  g_clear_pointer (&publish->event, rndimg_event_unref);
  g_clear_pointer (&publish->key, rndimg_publish_key_free);
  g_free (publish->token);
  g_free (publish);
}

RndimgRedisPublishes *
rndimg_redis_publishes_new (RndimgRedisBroker *broker)
{
  RndimgRedisPublishes *self = g_new0 (RndimgRedisPublishes, 1);

  self->broker = broker;
  self->by_token = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_seen_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  return self;
}

/* Answers @publish: @event (borrowed) or @error (taken); once. */
static void
answer (Publish *publish, RndimgEvent *event, gboolean replayed, GError *error)
{
  RndimgRedisPublishes *self = publish->publishes;
  g_autoptr(GTask) task = g_steal_pointer (&publish->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  g_clear_handle_id (&publish->timer_id, g_source_remove);
  g_hash_table_remove (self->by_token, publish->token);
  if (publish->key != NULL && g_hash_table_lookup (self->by_key, publish->key->record) == publish)
    g_hash_table_remove (self->by_key, publish->key->record);
  if (publish->seen_id > 0)
    g_hash_table_remove (self->by_seen_id, &publish->seen_id);
  if (event != NULL)
    rndimg_broker_return_published (task, event, replayed);
  else
    g_task_return_error (task, error);
  publish_unref (publish);
}

static void
answer_error (Publish *publish, RndimgBrokerError code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
answer_error (Publish *publish, RndimgBrokerError code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  answer (publish, NULL, FALSE, g_error_new_literal (RNDIMG_BROKER_ERROR, code, message));
}

/* ---- settling a publish in doubt ---- */

static gboolean
on_verdict_late (gpointer user_data)
{
  Publish *publish = user_data;

  publish->timer_id = 0;
  answer_error (publish, RNDIMG_BROKER_ERROR_OUTCOME_UNKNOWN,
                "Redis did not answer in %d ms and the stream could not be read since: the picture may or may "
                "not have been published (a retry with the same Idempotency-Key publishes it at most once)",
                RNDIMG_REDIS_COMMAND_TIMEOUT_MS);
  return G_SOURCE_REMOVE;
}

/* The script can no longer run (or has run): the next read of the stream
 * that begins from now on settles whether it published. */
static void
await_verdict (Publish *publish)
{
  RndimgRedisBroker *broker = publish->publishes->broker;

  g_clear_handle_id (&publish->timer_id, g_source_remove);
  if (!rndimg_redis_link_is_up (broker->follow))
    {
      answer_error (publish, RNDIMG_BROKER_ERROR_OUTCOME_UNKNOWN,
                    "Redis did not answer in %d ms and cannot be read: the picture may or may not have been "
                    "published (a retry with the same Idempotency-Key publishes it at most once)",
                    RNDIMG_REDIS_COMMAND_TIMEOUT_MS);
      return;
    }
  publish->state = PUBLISH_IN_DOUBT;
  publish->settling_read = broker->reads_sent;
  publish->timer_id = g_timeout_add (VERDICT_TIMEOUT_MS, on_verdict_late, publish);
}

/* A read of the stream, number @read, is done; @complete: it reached the
 * end of the stream (fewer entries than it asked for) with no gap. A
 * publish in doubt whose entry it did not hold was not published. */
void
rndimg_redis_publishes_read_done (RndimgRedisPublishes *self, guint read, gboolean complete)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) settled = g_ptr_array_new ();

  if (!complete)
    return;
  g_hash_table_iter_init (&iter, self->by_token);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Publish *publish = value;

      if (publish->state == PUBLISH_IN_DOUBT && publish->settling_read < read && publish->seen_id == 0)
        g_ptr_array_add (settled, publish);
    }
  for (guint i = 0; i < settled->len; i++)
    answer_error (settled->pdata[i], RNDIMG_BROKER_ERROR_NOT_PUBLISHED,
                  "Redis did not run it in %d ms; it never will (the deadline passed)",
                  RNDIMG_REDIS_COMMAND_TIMEOUT_MS);
}

/* The follow link read the entry of token @token, id @id (not told yet). */
void
rndimg_redis_publishes_entry_read (RndimgRedisPublishes *self, const char *token, gint64 id)
{
  Publish *publish = token != NULL ? g_hash_table_lookup (self->by_token, token) : NULL;

  if (publish == NULL || publish->seen_id > 0)
    return;
  publish->seen_id = id;
  g_hash_table_insert (self->by_seen_id, &publish->seen_id, publish);
}

/* The follow link told this node's subscribers of @event: its publish,
 * if it was this node's, is answered with it. */
void
rndimg_redis_publishes_told (RndimgRedisPublishes *self, RndimgEvent *event)
{
  Publish *publish = g_hash_table_lookup (self->by_seen_id, &event->id);

  if (publish != NULL)
    answer (publish, event, FALSE, NULL);
}

/* ---- the script ---- */

static gboolean send_script (Publish *publish);

/* The time limit: Redis's clock is past the deadline now. */
static gboolean
on_time_limit (gpointer user_data)
{
  Publish *publish = user_data;

  publish->timer_id = 0;
  if (publish->state == PUBLISH_WRITTEN)
    /* Published; the follow link is slow to read it back. */
    answer (publish, publish->event, FALSE, NULL);
  else
    await_verdict (publish);
  return G_SOURCE_REMOVE;
}

static gint64
integer_at (redisReply *reply, size_t index)
{
  redisReply *element = index < reply->elements ? reply->element[index] : NULL;

  if (element == NULL)
    return 0;
  if (element->type == REDIS_REPLY_INTEGER)
    return element->integer;
  return element->type == REDIS_REPLY_STRING ? g_ascii_strtoll (element->str, NULL, 10) : 0;
}

static const char *
string_at (redisReply *reply, size_t index)
{
  redisReply *element = index < reply->elements ? reply->element[index] : NULL;

  return element != NULL && element->type == REDIS_REPLY_STRING ? element->str : NULL;
}

/* The key's record: its event, published for an earlier request. */
static void
answer_recorded (Publish *publish, redisReply *reply)
{
  const char *epoch = string_at (reply, 3);
  const char *name = string_at (reply, 4);
  g_autoptr(RndimgEvent) event = NULL;

  if (epoch == NULL || name == NULL)
    {
      answer_error (publish, RNDIMG_BROKER_ERROR_NOT_PUBLISHED, "the Idempotency-Key's record is unreadable");
      return;
    }
  event = rndimg_event_new_full (integer_at (reply, 2), name, string_at (reply, 5), epoch, string_at (reply, 6));
  answer (publish, event, TRUE, NULL);
}

/* Redis does not have the picture (gone with the events that named it,
 * or never put): this node puts it if it can, then publishes again. */
static void
share_picture (Publish *publish)
{
  RndimgRedisBroker *broker = publish->publishes->broker;

  if (publish->picture_asked || broker->pictures == NULL)
    {
      answer_error (publish, RNDIMG_BROKER_ERROR_NOT_PUBLISHED, "Redis does not have the picture %s",
                    publish->pending->name);
      return;
    }
  publish->picture_asked = TRUE;
  broker->pictures->share (publish->pending->name, broker->pictures_data);
  if (!send_script (publish))
    answer_error (publish, RNDIMG_BROKER_ERROR_NOT_PUBLISHED, "%s", broker->problem ? broker->problem
                  : "Redis is unreachable");
}

/* The script published: answered once the follow link reads it back. */
static void
written (Publish *publish, redisReply *reply)
{
  RndimgRedisBroker *broker = publish->publishes->broker;
  const char *epoch = string_at (reply, 2);

  publish->event = rndimg_event_new_full (integer_at (reply, 0), publish->pending->name, publish->pending->source,
                                          epoch != NULL ? epoch : "", publish->pending->published_at);
  publish->state = PUBLISH_WRITTEN;
  /* Read and told already (the follow link was faster than this answer). */
  if (publish->event->id <= broker->last_seen && g_strcmp0 (publish->event->epoch, broker->epoch) == 0 &&
      publish->seen_id == 0)
    answer (publish, publish->event, FALSE, NULL);
}

static void
on_script_reply (redisReply *reply, gpointer user_data)
{
  Publish *publish = user_data;
  RndimgRedisBroker *broker = publish->publishes->broker;
  gint64 code;

  if (publish->task == NULL || broker->disposing)
    goto done;
  if (reply == NULL)
    /* The link dropped: it may still run until the deadline (the time
     * limit's timer is still on), or may have run. */
    goto done;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2)
    {
      /* An error the script met: whatever it did is done; see what. */
      g_warning ("Redis publish: %s", reply->type == REDIS_REPLY_ERROR ? reply->str : "an unreadable answer");
      await_verdict (publish);
      goto done;
    }
  rndimg_redis_link_learn_time (broker->command, integer_at (reply, 1));
  code = integer_at (reply, 0);
  if (code > 0)
    written (publish, reply);
  else if (code == -1)
    share_picture (publish);
  else if (code == -2)
    answer_error (publish, RNDIMG_BROKER_ERROR_NOT_PUBLISHED,
                  "Redis ran it too late (after %d ms) and did nothing", RNDIMG_REDIS_COMMAND_TIMEOUT_MS);
  else if (code == -3)
    answer_error (publish, RNDIMG_BROKER_ERROR_KEY_REUSED, "this Idempotency-Key was used with another request");
  else if (code == -4)
    answer_recorded (publish, reply);
  else
    answer_error (publish, RNDIMG_BROKER_ERROR_NOT_LEASE_HOLDER, "another node runs the slideshow");
done:
  publish_unref (publish);
}

/* Runs publish.lua for @publish with a deadline a time limit from now;
 * FALSE when the command link is down (nothing was sent). */
static gboolean
send_script (Publish *publish)
{
  RndimgRedisBroker *broker = publish->publishes->broker;
  RndimgEvent *pending = publish->pending;
  gint64 now_ms = rndimg_redis_link_redis_now_ms (broker->command);
  g_autofree char *deadline = g_strdup_printf ("%" G_GINT64_FORMAT, now_ms + RNDIMG_REDIS_COMMAND_TIMEOUT_MS);
  g_autofree char *proposed_epoch = rndimg_broker_new_epoch ();
  g_autofree char *floor = g_strdup_printf ("%" G_GINT64_FORMAT, rndimg_redis_broker_floor_id (broker));
  g_autofree char *hint = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (rndimg_redis_broker_floor_id (broker),
                                                                    broker->client_hint));
  g_autofree char *length = g_strdup_printf ("%u", broker->history_length);
  g_autofree char *lease = g_strdup_printf ("%u", g_str_equal (pending->source, "timer") ? broker->lease_ms : 0);
  g_autofree char *picture_key = g_strconcat (PICTURE_PREFIX, pending->name, NULL);
  g_autofree char *record_key = g_strconcat (KEY_PREFIX, publish->key != NULL ? publish->key->record : "-", NULL);
  g_autofree char *record_ms = g_strdup_printf ("%d", RNDIMG_PUBLISH_KEY_LIFETIME_SECONDS * 1000);
  g_autofree char *records = g_strdup_printf ("%d", RNDIMG_PUBLISH_KEYS_KEPT);
  const char *check_picture = broker->pictures != NULL && !publish->picture_asked ? "1" : "0";
  const char *fingerprint = publish->key != NULL ? publish->key->fingerprint : "";
  const char *argv[] = {
    "EVAL", publish_script, "7",
    RNDIMG_REDIS_META_KEY, RNDIMG_REDIS_STREAM_KEY, LEASE_KEY, PICTURES_KEY, picture_key, record_key, KEY_INDEX,
    pending->name, pending->source, pending->published_at, proposed_epoch, floor, length, broker->node, lease,
    hint, check_picture, PICTURE_PREFIX, deadline, publish->token, fingerprint, record_ms, records,
  };

  if (now_ms == 0 ||
      !rndimg_redis_link_send_argv (broker->command, RNDIMG_REDIS_COMMAND_TIMEOUT_MS + DEADLINE_MARGIN_MS,
                                    on_script_reply, publish, G_N_ELEMENTS (argv), argv, NULL))
    return FALSE;
  publish_ref (publish);
  publish->state = PUBLISH_SENT;
  g_clear_handle_id (&publish->timer_id, g_source_remove);
  publish->timer_id = g_timeout_add (RNDIMG_REDIS_COMMAND_TIMEOUT_MS + DEADLINE_MARGIN_MS, on_time_limit, publish);
  return TRUE;
}

/* publish_async(): see the top of this file. */
void
rndimg_redis_publishes_start (RndimgRedisPublishes *self, const char *name, const char *source,
                              const RndimgPublishKey *key, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  Publish *publish = g_new0 (Publish, 1);

  publish->refs = 1;
  publish->publishes = self;
  publish->task = g_task_new (self->broker, cancellable, callback, user_data);
  g_task_set_source_tag (publish->task, (gpointer) (guintptr) rndimg_redis_publishes_start);
  publish->pending = rndimg_event_new (0, name, source);
  publish->key = key != NULL ? rndimg_publish_key_copy (key) : NULL;
  publish->token = rndimg_broker_new_epoch ();
  g_hash_table_insert (self->by_token, publish->token, publish);
  if (key != NULL && g_hash_table_contains (self->by_key, key->record))
    {
      answer_error (publish, RNDIMG_BROKER_ERROR_KEY_IN_FLIGHT,
                    "a publish with this Idempotency-Key is under way; ask again once it is answered");
      return;
    }
  if (key != NULL)
    g_hash_table_insert (self->by_key, publish->key->record, publish);
  if (!send_script (publish))
    answer_error (publish, RNDIMG_BROKER_ERROR_NOT_PUBLISHED, "%s",
                  self->broker->problem != NULL ? self->broker->problem : "Redis is unreachable");
}

/* Publishes not answered yet. */
guint
rndimg_redis_publishes_count (RndimgRedisPublishes *self)
{
  return g_hash_table_size (self->by_token);
}

/* The broker goes (its links are closed, so no script answer is left):
 * what is still unanswered cannot be known. */
void
rndimg_redis_publishes_free (RndimgRedisPublishes *self)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) left = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->by_token);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (left, value);
  for (guint i = 0; i < left->len; i++)
    answer_error (left->pdata[i], RNDIMG_BROKER_ERROR_OUTCOME_UNKNOWN, "the server is shutting down");
  g_hash_table_unref (self->by_token);
  g_hash_table_unref (self->by_key);
  g_hash_table_unref (self->by_seen_id);
  g_free (self);
}
