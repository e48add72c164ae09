/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-router.h"

G_BEGIN_DECLS

/* user_data of both: the RndimgCatalogue. */
void rndimg_health_alive (SoupServerMessage *msg, const char *path,
                          GHashTable *query, gpointer user_data);
void rndimg_health_ready (SoupServerMessage *msg, const char *path,
                          GHashTable *query, gpointer user_data);

G_END_DECLS
