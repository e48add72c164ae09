/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

/* /healthz: user_data unused (NULL). /readyz: user_data is the
 * RndimgApiContext (the catalogue's count, the broker's problem). */
void rndimg_health_alive (RndimgExchange *exchange, const char *path,
                          GHashTable *query, gpointer user_data);
void rndimg_health_ready (RndimgExchange *exchange, const char *path,
                          GHashTable *query, gpointer user_data);

G_END_DECLS
