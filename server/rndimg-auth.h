/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

gboolean rndimg_auth_allows_write (RndimgService     *service,
                                   SoupServerMessage *msg);
gboolean rndimg_auth_writes_enabled (const RndimgConfig *config);

G_END_DECLS
