/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long to wait before the next reconnect: doubling from @base_ms up
 * to @max_ms, each delay drawn from its upper half so that many clients
 * cut off together do not come back together. */
typedef struct {
  guint base_ms;
  guint max_ms;
  guint attempt;
  GRand *rand;
} RndimgBackoff;

void  rndimg_backoff_init  (RndimgBackoff *self,
                            guint          base_ms,
                            guint          max_ms,
                            guint32        seed);
void  rndimg_backoff_clear (RndimgBackoff *self);
guint rndimg_backoff_next  (RndimgBackoff *self);
void  rndimg_backoff_reset (RndimgBackoff *self);

G_END_DECLS
