/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void rndimg_static_serve_image (SoupServerMessage *msg, const char *path,
                                GHashTable *query, gpointer api_context);
void rndimg_static_serve_web   (SoupServerMessage *msg, const char *path,
                                GHashTable *query, gpointer api_context);

G_END_DECLS
