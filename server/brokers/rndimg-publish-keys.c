/* SPDX-License-Identifier: MIT */
/* The Idempotency-Keys of a broker in this process: each key with the
 * fingerprint of its request and the event it published (its id, name,
 * source, time and epoch: about 250 bytes a record, never the event handed
 * out with its JSON), for
 * RNDIMG_PUBLISH_KEY_LIFETIME_SECONDS, at most RNDIMG_PUBLISH_KEYS_KEPT
 * of them (the oldest go first). The Redis broker keeps the same records
 * in Redis, written by its publish script. */
#include "rndimg-publish-keys.h"

typedef struct {
  char *record;
  char *fingerprint;
  RndimgEvent *event;
  gint64 expires_usec;       /* monotonic */
} Record;

struct _RndimgPublishKeys
{
  GHashTable *records;       /* record digest -> Record (owned by the queue) */
  GQueue order;              /* Record, oldest first */
};

static void
record_free (Record *record)
{
  g_free (record->record);
  g_free (record->fingerprint);
  rndimg_event_unref (record->event);
  g_free (record);
}

RndimgPublishKeys *
rndimg_publish_keys_new (void)
{
  RndimgPublishKeys *self = g_new0 (RndimgPublishKeys, 1);

  self->records = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->order);
  return self;
}

void
rndimg_publish_keys_free (RndimgPublishKeys *self)
{
  g_hash_table_unref (self->records);
  g_queue_clear_full (&self->order, (GDestroyNotify) record_free);
  g_free (self);
}

/* Drops records past their lifetime, and the oldest beyond the limit. */
static void
forget_old (RndimgPublishKeys *self)
{
  gint64 now = g_get_monotonic_time ();
  Record *oldest;

  while ((oldest = g_queue_peek_head (&self->order)) != NULL &&
         (oldest->expires_usec <= now || self->order.length > RNDIMG_PUBLISH_KEYS_KEPT))
    {
      g_hash_table_remove (self->records, oldest->record);
      record_free (g_queue_pop_head (&self->order));
    }
}

/* A bare copy of @event: what it is, none of what was made of it. */
static RndimgEvent *
bare_copy (const RndimgEvent *event)
{
  return rndimg_event_new_full (event->id, event->name, event->source, event->epoch, event->published_at);
}

/* The event @key published (transfer full: a copy of its own), NULL if it
 * published none (or its record expired); NULL with
 * RNDIMG_BROKER_ERROR_KEY_REUSED when it came with another request. */
RndimgEvent *
rndimg_publish_keys_find (RndimgPublishKeys *self, const RndimgPublishKey *key, GError **error)
{
  Record *record;

  forget_old (self);
  record = g_hash_table_lookup (self->records, key->record);
  if (record == NULL)
    return NULL;
  if (!g_str_equal (record->fingerprint, key->fingerprint))
    {
      g_set_error_literal (error, RNDIMG_BROKER_ERROR, RNDIMG_BROKER_ERROR_KEY_REUSED,
                           "this Idempotency-Key was used with another request");
      return NULL;
    }
  return bare_copy (record->event);
}

/* @key published @event. */
void
rndimg_publish_keys_record (RndimgPublishKeys *self, const RndimgPublishKey *key, RndimgEvent *event)
{
  Record *record = g_new0 (Record, 1);

  g_return_if_fail (!g_hash_table_contains (self->records, key->record));
  record->record = g_strdup (key->record);
  record->fingerprint = g_strdup (key->fingerprint);
  record->event = bare_copy (event);
  record->expires_usec = g_get_monotonic_time () + (gint64) RNDIMG_PUBLISH_KEY_LIFETIME_SECONDS * G_USEC_PER_SEC;
  g_queue_push_tail (&self->order, record);
  g_hash_table_insert (self->records, record->record, record);
  forget_old (self);
}

/* Records kept now. */
guint
rndimg_publish_keys_count (RndimgPublishKeys *self)
{
  return self->order.length;
}
