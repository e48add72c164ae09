/* SPDX-License-Identifier: MIT */
/* A request paused while other work answers it (a worker, the broker),
 * whichever executor runs it: the pause is the exchange's, and resuming
 * says whether there is still someone to answer (libsoup 3.2 objects to
 * unpausing a message whose client is gone: its executor watches for
 * that from the pause on). */
#include "rndimg-paused.h"

struct _RndimgPaused
{
  RndimgExchange *exchange;
};

/* Pauses @exchange (a reference is kept until rndimg_paused_free()). */
RndimgPaused *
rndimg_paused_new (RndimgExchange *exchange)
{
  RndimgPaused *paused = g_new0 (RndimgPaused, 1);

  paused->exchange = rndimg_exchange_ref (exchange);
  rndimg_exchange_pause (exchange);
  return paused;
}

/* Ends the pause: TRUE when the client is still there, then answer it
 * (or pause it again) before returning to the main loop, which is when
 * the answer goes out. */
gboolean
rndimg_paused_resume (RndimgPaused *paused)
{
  return rndimg_exchange_unpause (paused->exchange);
}

RndimgExchange *
rndimg_paused_exchange (RndimgPaused *paused)
{
  return paused->exchange;
}

void
rndimg_paused_free (RndimgPaused *paused)
{
  rndimg_exchange_unref (paused->exchange);
  g_free (paused);
}
