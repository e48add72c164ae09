/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-subscribers.h"

G_BEGIN_DECLS

RndimgSubscribers *rndimg_sse_new   (RndimgBroker      *broker,
                                     RndimgConnections *connections,
                                     guint              max_streams,
                                     double             heartbeat_seconds);
void               rndimg_sse_serve (RndimgExchange    *exchange,
                                     const char        *path,
                                     GHashTable        *query,
                                     gpointer           streams);

G_END_DECLS
