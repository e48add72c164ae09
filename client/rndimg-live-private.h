/* SPDX-License-Identifier: MIT */
/* What the follower (rndimg-live.c) and its two transports
 * (rndimg-live-sse.c, rndimg-live-long-poll.c) share. */
#pragma once

#include "rndimg-backoff.h"
#include "rndimg-live.h"
#include "rndimg-sse-parser.h"

G_BEGIN_DECLS

struct _RndimgLive
{
  GObject parent_instance;

  /* Owned references */
  RndimgClient *client;
  GCancellable *cancellable;          /* the connection in flight */
  char *reason;

  /* The follower */
  RndimgTransport transport;          /* asked for */
  RndimgTransport active;             /* in use: SSE or LONG_POLL */
  RndimgLiveState state;
  gboolean ever_connected;
  gint64 connected_usec;              /* when the connection in use was made */
  guint failures;                     /* SSE attempts that failed, for the fallback */
  guint attempts_failed;              /* attempts failed since the last connection */
  gint64 retry_usec;                  /* when the next attempt is due (monotonic); 0: none */
  RndimgBackoff backoff;
  guint retry_id;                     /* the next connection or poll, later */
  void (*later_then) (RndimgLive *self);
  GQueue *recent;                     /* the data of the last events, to drop repeats */
  GHashTable *recent_set;
  gint64 newest_id;                   /* the newest answer id delivered, or -1 */
  char *epoch;                        /* the history newest_id belongs to, or NULL */

  /* Server-Sent Events */
  RndimgSseParser *parser;            /* keeps the stream's last id: across connections */
  GInputStream *stream;

  /* Long-poll */
  char *poll_etag;                    /* what the last answer said, sent back (nchan's way) */
  char *poll_last_modified;
  gint64 poll_started_usec;
};

void     rndimg_live_connected           (RndimgLive   *self);
void     rndimg_live_connection_lost     (RndimgLive   *self,
                                          const GError *error);
gboolean rndimg_live_deliver             (RndimgLive   *self,
                                          const char   *data,
                                          gsize         length);
void     rndimg_live_later               (RndimgLive   *self,
                                          guint         delay_ms,
                                          void        (*then) (RndimgLive *self));

void     rndimg_live_sse_connect         (RndimgLive   *self);
void     rndimg_live_long_poll_connect   (RndimgLive   *self);

G_END_DECLS
