/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What one take from a client's bucket found. */
typedef struct {
  gboolean allowed;
  guint limit;              /* the bucket's size (the burst) */
  guint remaining;          /* whole tokens left after this take */
  guint retry_after;        /* refused: seconds until one token is back (at least 1) */
  guint reset;              /* seconds until the bucket is full again */
  guint window;             /* seconds the whole bucket takes to fill */
} RndimgRateVerdict;

typedef struct _RndimgRateLimiter RndimgRateLimiter;

RndimgRateLimiter *rndimg_rate_limiter_new     (const char        *name,
                                                double             per_second,
                                                guint              burst,
                                                guint              max_clients);
void               rndimg_rate_limiter_free    (RndimgRateLimiter *self);
gboolean           rndimg_rate_limiter_enabled (RndimgRateLimiter *self);
const char        *rndimg_rate_limiter_get_name (RndimgRateLimiter *self);
double             rndimg_rate_limiter_get_rate (RndimgRateLimiter *self);
gboolean           rndimg_rate_limiter_take    (RndimgRateLimiter *self,
                                                const char        *client,
                                                gint64             now_usec,
                                                RndimgRateVerdict *verdict);
guint64            rndimg_rate_limiter_get_refused (RndimgRateLimiter *self);
guint              rndimg_rate_limiter_get_clients (RndimgRateLimiter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgRateLimiter, rndimg_rate_limiter_free)

G_END_DECLS
