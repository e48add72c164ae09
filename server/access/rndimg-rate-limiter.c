/* SPDX-License-Identifier: MIT */
/* A token bucket per client (a token's name, else an address): each
 * client may spend up to its burst at once and then its rate, whatever
 * other clients do; a client over its share is refused (429) before it
 * can fill what every client shares (the render queue's 503).
 *
 * Bounded: at most max_clients buckets. When the table is full, buckets
 * that have filled up again are dropped (a full bucket is what a new one
 * would be); if none has, the newcomers share one bucket until some do. */
#include "rndimg-rate-limiter.h"

#include <math.h>

typedef struct {
  double tokens;
  gint64 updated_usec;
} Bucket;

struct _RndimgRateLimiter
{
  char *name;
  double per_second;        /* 0: no limit */
  double burst;
  guint max_clients;
  GHashTable *buckets;      /* client -> Bucket */
  Bucket overflow;          /* shared by clients beyond max_clients */
  guint64 refused;
};

/* A limiter named @name ("writes", "renders") giving each client @burst
 * at once and @per_second after (0: no limit), for at most @max_clients
 * clients at a time. */
RndimgRateLimiter *
rndimg_rate_limiter_new (const char *name, double per_second, guint burst, guint max_clients)
{
  RndimgRateLimiter *self = g_new0 (RndimgRateLimiter, 1);

  self->name = g_strdup (name);
  self->per_second = per_second > 0 ? per_second : 0;
  self->burst = MAX (burst, 1);
  self->max_clients = MAX (max_clients, 1);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->overflow.tokens = self->burst;
  return self;
}

void
rndimg_rate_limiter_free (RndimgRateLimiter *self)
{
  g_hash_table_unref (self->buckets);
  g_free (self->name);
  g_free (self);
}

gboolean
rndimg_rate_limiter_enabled (RndimgRateLimiter *self)
{
  return self->per_second > 0;
}

const char *
rndimg_rate_limiter_get_name (RndimgRateLimiter *self)
{
  return self->name;
}

double
rndimg_rate_limiter_get_rate (RndimgRateLimiter *self)
{
  return self->per_second;
}

static void
refill (RndimgRateLimiter *self, Bucket *bucket, gint64 now_usec)
{
  double elapsed = (double) MAX (now_usec - bucket->updated_usec, 0) / G_USEC_PER_SEC;

  bucket->tokens = MIN (self->burst, bucket->tokens + elapsed * self->per_second);
  bucket->updated_usec = now_usec;
}

/* Drops the buckets that are full again. */
static void
sweep (RndimgRateLimiter *self, gint64 now_usec)
{
  GHashTableIter iter;
  Bucket *bucket;

  g_hash_table_iter_init (&iter, self->buckets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &bucket))
    {
      refill (self, bucket, now_usec);
      if (bucket->tokens >= self->burst)
        g_hash_table_iter_remove (&iter);
    }
}

static Bucket *
bucket_for (RndimgRateLimiter *self, const char *client, gint64 now_usec)
{
  Bucket *bucket = g_hash_table_lookup (self->buckets, client);

  if (bucket != NULL)
    return bucket;
  if (g_hash_table_size (self->buckets) >= self->max_clients)
    sweep (self, now_usec);
  if (g_hash_table_size (self->buckets) >= self->max_clients)
    return &self->overflow;
  bucket = g_new (Bucket, 1);
  bucket->tokens = self->burst;
  bucket->updated_usec = now_usec;
  g_hash_table_insert (self->buckets, g_strdup (client), bucket);
  return bucket;
}

/* Takes one token from @client's bucket at @now_usec; FALSE when it is
 * empty (the request is refused). @verdict says what the headers tell. */
gboolean
rndimg_rate_limiter_take (RndimgRateLimiter *self, const char *client, gint64 now_usec, RndimgRateVerdict *verdict)
{
  Bucket *bucket;

  *verdict = (RndimgRateVerdict) { .allowed = TRUE, .limit = (guint) self->burst, .remaining = (guint) self->burst };
  if (self->per_second <= 0)
    return TRUE;
  bucket = bucket_for (self, client, now_usec);
  refill (self, bucket, now_usec);
  verdict->allowed = bucket->tokens >= 1;
  if (verdict->allowed)
    bucket->tokens -= 1;
  else
    self->refused++;
  verdict->remaining = (guint) floor (bucket->tokens);
  verdict->retry_after = verdict->allowed ? 0 : (guint) MAX (1, ceil ((1 - bucket->tokens) / self->per_second));
  verdict->reset = (guint) ceil ((self->burst - bucket->tokens) / self->per_second);
  verdict->window = (guint) MAX (1, ceil (self->burst / self->per_second));
  return verdict->allowed;
}

guint64
rndimg_rate_limiter_get_refused (RndimgRateLimiter *self)
{
  return self->refused;
}

guint
rndimg_rate_limiter_get_clients (RndimgRateLimiter *self)
{
  return g_hash_table_size (self->buckets);
}
