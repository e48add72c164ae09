/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

void rndimg_upload_serve (RndimgService     *service,
                          SoupServerMessage *msg,
                          const char        *path,
                          GHashTable        *query);

G_END_DECLS
