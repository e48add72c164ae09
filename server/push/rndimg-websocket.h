/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-subscribers.h"

G_BEGIN_DECLS

RndimgSubscribers *rndimg_websocket_new   (RndimgBroker      *broker,
                                           RndimgConnections *connections,
                                           guint              max_sockets,
                                           double             ping_seconds);
void               rndimg_websocket_serve (RndimgExchange    *exchange,
                                           const char        *path,
                                           GHashTable        *query,
                                           gpointer           sockets);

G_END_DECLS
