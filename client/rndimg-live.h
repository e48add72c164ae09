/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-client.h"

G_BEGIN_DECLS

typedef enum {
  RNDIMG_LIVE_OFF,
  RNDIMG_LIVE_CONNECTING,
  RNDIMG_LIVE_CONNECTED,
  RNDIMG_LIVE_RECONNECTING,
} RndimgLiveState;

typedef enum {
  RNDIMG_TRANSPORT_AUTO,       /* SSE, long-poll when SSE cannot be had */
  RNDIMG_TRANSPORT_SSE,
  RNDIMG_TRANSPORT_LONG_POLL,
} RndimgTransport;

gboolean    rndimg_transport_from_string (const char      *text,
                                          RndimgTransport *transport);
const char *rndimg_transport_to_string   (RndimgTransport  transport);

#define RNDIMG_TYPE_LIVE (rndimg_live_get_type ())
G_DECLARE_FINAL_TYPE (RndimgLive, rndimg_live, RNDIMG, LIVE, GObject)

RndimgLive      *rndimg_live_new            (RndimgClient    *client,
                                             RndimgTransport  transport);
void             rndimg_live_start          (RndimgLive      *self);
void             rndimg_live_set_transport  (RndimgLive      *self,
                                             RndimgTransport  transport);
void             rndimg_live_stop           (RndimgLive      *self);
RndimgLiveState  rndimg_live_get_state      (RndimgLive      *self);
RndimgTransport  rndimg_live_get_active_transport (RndimgLive *self);
const char      *rndimg_live_get_reason     (RndimgLive      *self);
gint64           rndimg_live_get_retry_time (RndimgLive      *self);
guint            rndimg_live_get_failed_attempts (RndimgLive *self);
void             rndimg_live_retry_now      (RndimgLive      *self);

G_END_DECLS
