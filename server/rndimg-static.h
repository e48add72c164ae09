/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

void rndimg_static_serve_image (RndimgService *service, SoupServerMessage *msg,
                                const char *path, GHashTable *query);
void rndimg_static_serve_web   (RndimgService *service, SoupServerMessage *msg,
                                const char *path, GHashTable *query);

G_END_DECLS
