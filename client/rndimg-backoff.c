/* SPDX-License-Identifier: MIT */
#include "rndimg-backoff.h"

/* @seed 0 draws a random seed; tests pass their own to be repeatable. */
void
rndimg_backoff_init (RndimgBackoff *self, guint base_ms, guint max_ms, guint32 seed)
{
  self->base_ms = MAX (base_ms, 1);
  self->max_ms = MAX (max_ms, self->base_ms);
  self->attempt = 0;
  self->rand = seed != 0 ? g_rand_new_with_seed (seed) : g_rand_new ();
}

void
rndimg_backoff_clear (RndimgBackoff *self)
{
  g_clear_pointer (&self->rand, g_rand_free);
}

/* The delay before the next try, in ms: within [ceiling/2, ceiling] where
 * the ceiling is base * 2^attempts, at most max. */
guint
rndimg_backoff_next (RndimgBackoff *self)
{
  guint64 ceiling = self->base_ms;

  for (guint i = 0; i < self->attempt && ceiling < self->max_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, self->max_ms);
  self->attempt++;
  return (guint) (ceiling / 2 + g_rand_int_range (self->rand, 0, (gint32) (ceiling - ceiling / 2) + 1));
}

/* After a success: the next failure starts again from base. */
void
rndimg_backoff_reset (RndimgBackoff *self)
{
  self->attempt = 0;
}
