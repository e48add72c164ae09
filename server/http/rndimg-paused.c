/* SPDX-License-Identifier: MIT */
/* A request paused while other work answers it (a worker, the broker).
 * libsoup 3.2 objects to unpausing a message whose client is gone, so
 * the disconnect is watched from the pause on; resuming says whether
 * there is still someone to answer. */
#include "rndimg-paused.h"

struct _RndimgPaused
{
  SoupServerMessage *msg;
  gulong disconnected_id;
  gboolean gone;
};

static void
on_gone (SoupServerMessage *msg, gpointer gone)
{
  *(gboolean *) gone = TRUE;
}

/* Pauses @msg (a reference is kept until rndimg_paused_free()). */
RndimgPaused *
rndimg_paused_new (SoupServerMessage *msg)
{
  RndimgPaused *paused = g_new0 (RndimgPaused, 1);

  paused->msg = g_object_ref (msg);
  paused->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_gone), &paused->gone);
  soup_server_message_pause (msg);
  return paused;
}

/* Ends the pause: TRUE when the client is still there, then answer it
 * (or pause it again) before returning to the main loop, which is when
 * libsoup 3.2 resumes its I/O. */
gboolean
rndimg_paused_resume (RndimgPaused *paused)
{
  g_signal_handler_disconnect (paused->msg, paused->disconnected_id);
  if (!paused->gone)
    soup_server_message_unpause (paused->msg);
  return !paused->gone;
}

SoupServerMessage *
rndimg_paused_message (RndimgPaused *paused)
{
  return paused->msg;
}

void
rndimg_paused_free (RndimgPaused *paused)
{
  g_object_unref (paused->msg);
  g_free (paused);
}
