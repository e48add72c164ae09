/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-publisher.h"
#include "rndimg-router.h"

G_BEGIN_DECLS

void rndimg_api_random      (RndimgService *service, SoupServerMessage *msg,
                             const char *path, GHashTable *query);
void rndimg_api_list_images (RndimgService *service, SoupServerMessage *msg,
                             const char *path, GHashTable *query);

void rndimg_api_publish     (RndimgService *service, SoupServerMessage *msg,
                             const char *path, GHashTable *query);
void rndimg_api_stats       (RndimgService *service, SoupServerMessage *msg,
                             const char *path, GHashTable *query);
void rndimg_api_send_event  (SoupServerMessage *msg, const RndimgEvent *event);

G_END_DECLS
