/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

void rndimg_upload_serve (RndimgExchange *exchange,
                          const char        *path,
                          GHashTable        *query,
                          gpointer           api_context);

G_END_DECLS
