/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

void rndimg_instrument_attach        (RndimgService     *service,
                                      SoupServer        *server);
void rndimg_instrument_serve_metrics (RndimgService     *service,
                                      SoupServerMessage *msg,
                                      const char        *path,
                                      GHashTable        *query);

G_END_DECLS
