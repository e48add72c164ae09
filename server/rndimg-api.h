#pragma once

#include "rndimg-router.h"

G_BEGIN_DECLS

void rndimg_api_random      (RndimgService *service, SoupServerMessage *msg,
                             const char *path, GHashTable *query);
void rndimg_api_list_images (RndimgService *service, SoupServerMessage *msg,
                             const char *path, GHashTable *query);

G_END_DECLS
