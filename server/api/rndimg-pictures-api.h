/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"
#include "rndimg-credentials.h"
#include "rndimg-placeholders.h"
#include "rndimg-url-signer.h"

G_BEGIN_DECLS

/* What the picture handlers read, given to them by the service (borrowed). */
typedef struct {
  RndimgCatalogue *catalogue;
  RndimgPlaceholders *placeholders;
  RndimgCredentials *credentials;  /* who may see private albums */
  RndimgUrlSigner *signer;         /* their pictures' URLs */
} RndimgPicturesApi;

#define RNDIMG_LIST_MAX_LIMIT 1000

void rndimg_pictures_api_albums  (RndimgExchange *exchange, const char *path,
                                  GHashTable *query, gpointer pictures_api);
void rndimg_pictures_api_album   (RndimgExchange *exchange, const char *path,
                                  GHashTable *query, gpointer pictures_api);
void rndimg_pictures_api_picture (RndimgExchange *exchange, const char *path,
                                  GHashTable *query, gpointer pictures_api);
void rndimg_pictures_api_list    (RndimgExchange *exchange, const char *path,
                                  GHashTable *query, gpointer pictures_api);

G_END_DECLS
