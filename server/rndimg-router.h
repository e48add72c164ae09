/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-service.h"

G_BEGIN_DECLS

typedef void (*RndimgHandler) (RndimgService     *service,
                               SoupServerMessage *msg,
                               const char        *path,
                               GHashTable        *query);

const char *rndimg_router_route_label (const char *path);
void rndimg_router_install (RndimgService *service,
                            SoupServer    *server);

G_END_DECLS
