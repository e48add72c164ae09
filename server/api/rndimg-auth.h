/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

#include "rndimg-config.h"

G_BEGIN_DECLS

gboolean rndimg_auth_allows_write (const RndimgConfig *config,
                                   RndimgExchange   *exchange);
gboolean rndimg_auth_writes_enabled (const RndimgConfig *config);

G_END_DECLS
