/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-broker.h"
#include "rndimg-catalogue.h"
#include "rndimg-connection.h"
#include "rndimg-metrics.h"
#include "rndimg-rate-limiter.h"
#include "rndimg-trash.h"
#include "rndimg-router.h"
#include "rndimg-subscribers.h"
#include "rndimg-picture-variants.h"

G_BEGIN_DECLS

/* The parts whose state the metrics read. */
typedef struct {
  RndimgSubscribers *long_polls;
  RndimgSubscribers *streams;
  RndimgSubscribers *sockets;
  RndimgCatalogue *catalogue;
  RndimgPictureVariants *variants;
  RndimgBroker *broker;
  RndimgRateLimiter *writes;
  RndimgRateLimiter *renders;
  RndimgTrash *trash;
  RndimgConnections *connections;
} RndimgInstrumentedPush;

typedef struct _RndimgInstrument RndimgInstrument;

RndimgInstrument *rndimg_instrument_new (RndimgMetrics             *metrics);
void rndimg_instrument_free          (RndimgInstrument             *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgInstrument, rndimg_instrument_free)
void rndimg_instrument_watch_requests (RndimgInstrument            *self,
                                      RndimgRouter                 *router,
                                      gboolean                      access_log);
void rndimg_instrument_request_started  (RndimgInstrument          *self);
void rndimg_instrument_request_finished (RndimgInstrument          *self,
                                         const RndimgFinishedRequest *request);
void rndimg_instrument_time_fan_out  (RndimgInstrument             *self,
                                      RndimgBroker                 *broker);
void rndimg_instrument_add_readings  (RndimgMetrics                *metrics,
                                      const RndimgInstrumentedPush *push);
/* user_data: the RndimgMetrics, or NULL when metrics are turned off. */
void rndimg_instrument_serve_metrics (RndimgExchange               *exchange,
                                      const char                   *path,
                                      GHashTable                   *query,
                                      gpointer                      user_data);

G_END_DECLS
