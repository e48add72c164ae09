/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-api.h"

G_BEGIN_DECLS

void rndimg_catalogue_api_delete_picture (RndimgExchange *exchange, const char *path,
                                          GHashTable *query, gpointer api_context);
void rndimg_catalogue_api_edit_picture   (RndimgExchange *exchange, const char *path,
                                          GHashTable *query, gpointer api_context);
void rndimg_catalogue_api_create_album   (RndimgExchange *exchange, const char *path,
                                          GHashTable *query, gpointer api_context);
void rndimg_catalogue_api_edit_album     (RndimgExchange *exchange, const char *path,
                                          GHashTable *query, gpointer api_context);
void rndimg_catalogue_api_delete_album   (RndimgExchange *exchange, const char *path,
                                          GHashTable *query, gpointer api_context);
char *rndimg_catalogue_api_text_payload  (const RndimgPicture *image);
char *rndimg_catalogue_api_album_payload (RndimgCatalogue     *catalogue,
                                          const char          *name);

G_END_DECLS
