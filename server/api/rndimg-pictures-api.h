/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"
#include "rndimg-placeholders.h"

G_BEGIN_DECLS

/* What the picture handlers read, given to them by the service (borrowed). */
typedef struct {
  RndimgCatalogue *catalogue;
  RndimgPlaceholders *placeholders;
} RndimgPicturesApi;

#define RNDIMG_LIST_MAX_LIMIT 1000

void rndimg_pictures_api_albums  (SoupServerMessage *msg, const char *path,
                                  GHashTable *query, gpointer pictures_api);
void rndimg_pictures_api_picture (SoupServerMessage *msg, const char *path,
                                  GHashTable *query, gpointer pictures_api);
void rndimg_pictures_api_list    (SoupServerMessage *msg, const char *path,
                                  GHashTable *query, gpointer pictures_api);
char    *rndimg_pictures_api_event_url_path (const char *name,
                                             gpointer    pictures_api);
gboolean rndimg_pictures_api_describe_event (const char *name, GString *members,
                                             gpointer pictures_api);

G_END_DECLS
