/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-subscribers.h"

G_BEGIN_DECLS

RndimgSubscribers *rndimg_long_poll_new   (RndimgBroker      *broker,
                                           RndimgConnections *connections,
                                           guint              max_waiters);
void               rndimg_long_poll_serve (RndimgExchange    *exchange,
                                           const char        *path,
                                           GHashTable        *query,
                                           gpointer           long_polls);

G_END_DECLS
