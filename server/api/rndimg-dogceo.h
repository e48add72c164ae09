/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* dog.ceo caps random/N at this many, without an error. */
#define RNDIMG_DOGCEO_MAX_RANDOM 50

void rndimg_dogceo_serve (RndimgExchange *exchange, const char *path,
                          GHashTable *query, gpointer pictures_api);

G_END_DECLS
