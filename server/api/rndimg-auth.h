/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-config.h"

G_BEGIN_DECLS

gboolean rndimg_auth_allows_write (const RndimgConfig *config,
                                   SoupServerMessage  *msg);
gboolean rndimg_auth_writes_enabled (const RndimgConfig *config);

G_END_DECLS
