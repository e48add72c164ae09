/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

void rndimg_health_alive (RndimgService *service, SoupServerMessage *msg,
                          const char *path, GHashTable *query);
void rndimg_health_ready (RndimgService *service, SoupServerMessage *msg,
                          const char *path, GHashTable *query);

G_END_DECLS
