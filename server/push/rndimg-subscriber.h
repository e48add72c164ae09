/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-access.h"
#include "rndimg-connection.h"
#include "rndimg-event.h"
#include "rndimg-exchange.h"

G_BEGIN_DECLS

typedef struct _RndimgSubscriber RndimgSubscriber;
typedef struct _RndimgSubscribers RndimgSubscribers;

/* What became of a subscriber after something was sent to it. */
typedef enum {
  RNDIMG_SUBSCRIBER_KEEP,    /* still following */
  RNDIMG_SUBSCRIBER_DONE,    /* answered for good: leaves the registry */
  RNDIMG_SUBSCRIBER_CUT,     /* too slow: connection closed, nothing more written */
} RndimgSubscriberState;

/* What one way of following events (long-poll, SSE, WebSocket) does
 * differently; the registry (rndimg-subscribers.c) does the rest. Every
 * subscriber of a registry shares one const table, as in nchan's
 * subscriber_fn_t. */
typedef struct {
  const char *kind;          /* for logs */
  /* The event as this kind sends it, as @look says (the reader's base
   * URL, what it missed, how much of a private album's event it may
   * see). Made once per event and look. */
  GBytes  *(*render)    (const RndimgEvent     *event,
                         const RndimgEventLook *look);
  /* Sends @payload. */
  RndimgSubscriberState (*deliver) (RndimgSubscriber *sub,
                         GBytes            *payload);
  /* Payloads sent back to back may go joined, in one write (a stream's
   * frames): events published in one pass of the main loop after the
   * first are then sent together at its end (one send per subscriber,
   * not one per event). */
  gboolean joins_payloads;
  /* Sends what a resuming client missed (oldest first, @missed more are
   * gone) with rndimg_subscribers_send_event(). NULL: each event is
   * rendered and delivered. FALSE: the subscriber left. */
  gboolean (*replay)    (RndimgSubscriber  *sub,
                         GPtrArray         *events,
                         gint64             missed);
  /* Optional: a keep-alive every --heartbeat seconds. */
  RndimgSubscriberState (*heartbeat) (RndimgSubscriber *sub);
  /* Timeout or shutdown. FALSE: done now; TRUE: leaves by itself soon
   * (a WebSocket's close handshake). */
  gboolean (*end)       (RndimgSubscriber  *sub);
  void     (*free)      (RndimgSubscriber  *sub);
} RndimgSubscriberFuncs;

/* The part every subscriber has; kinds embed it first in their own struct. */
struct _RndimgSubscriber
{
  const RndimgSubscriberFuncs *fn;
  RndimgSubscribers *registry;   /* borrowed: it owns us */
  RndimgExchange *exchange;      /* owned: the request */
  RndimgConnection *watched;     /* owned: its connection, taken, watched for a hang-up; or NULL */
  char *base_url;                /* the Host the client used */
  gint64 last_id;                /* as nchan's last_msgid: replay and live never overlap */
  gboolean replaying;            /* live events wait until the replay is sent */
  guint index;                   /* in the registry's array */
  GCancellable *cancellable;     /* history asked for this subscriber */
  GStrv albums;                  /* only events of these albums; NULL: all */
  RndimgAccess *access;          /* what its credential may read (private albums' events) */
};

void rndimg_subscriber_init  (RndimgSubscriber            *sub,
                              const RndimgSubscriberFuncs *fn,
                              RndimgExchange              *exchange);
void rndimg_subscriber_clear (RndimgSubscriber            *sub);
void rndimg_subscriber_watch_hangup (RndimgSubscriber     *sub,
                                     RndimgConnection     *connection);
void rndimg_subscriber_mute_hangup  (RndimgSubscriber     *sub);
gboolean rndimg_subscriber_read_albums (RndimgExchange    *exchange,
                                        GHashTable        *query,
                                        GStrv             *albums);
void rndimg_subscriber_gone  (gpointer                     sub);
GBytes *rndimg_subscriber_render_json (const RndimgEvent     *event,
                                       const RndimgEventLook *look);

G_END_DECLS
