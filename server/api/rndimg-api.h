/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

#include "rndimg-audit.h"
#include "rndimg-broker.h"
#include "rndimg-catalogue.h"
#include "rndimg-config.h"
#include "rndimg-credentials.h"
#include "rndimg-rate-limiter.h"
#include "rndimg-trash.h"
#include "rndimg-picture-store.h"
#include "rndimg-pictures-api.h"
#include "rndimg-subscribers.h"

G_BEGIN_DECLS

/* What the REST handlers serve, given to them by the service (borrowed). */
typedef struct {
  const RndimgConfig *config;
  RndimgCatalogue *catalogue;
  RndimgBroker *broker;
  RndimgSubscribers *long_polls;
  RndimgSubscribers *streams;
  RndimgSubscribers *sockets;
  RndimgPictureStore *pictures; /* NULL: pictures stay on this node */
  RndimgPicturesApi pictures_api;  /* albums, details, the list */
  RndimgCredentials *credentials;
  RndimgRateLimiter *writes;    /* each client's share of writes */
  RndimgTrash *trash;           /* where deleted pictures go */
  RndimgAudit *audit;
  guint64 requests;             /* answered so far */
  gint64 started_usec;          /* monotonic */
  GBytes *description;          /* docs/openapi.yaml as JSON, see rndimg_api_description() */
  char *description_etag;
} RndimgApiContext;

void rndimg_api_context_clear       (RndimgApiContext *api);
void rndimg_api_context_load_description (RndimgApiContext *api);

void rndimg_api_random      (RndimgExchange *exchange, const char *path,
                             GHashTable *query, gpointer api_context);
void rndimg_api_list_images (RndimgExchange *exchange, const char *path,
                             GHashTable *query, gpointer api_context);
void rndimg_api_publish     (RndimgExchange *exchange, const char *path,
                             GHashTable *query, gpointer api_context);
void rndimg_api_stats       (RndimgExchange *exchange, const char *path,
                             GHashTable *query, gpointer api_context);
void rndimg_api_description (RndimgExchange *exchange, const char *path,
                             GHashTable *query, gpointer api_context);
void rndimg_api_publish_and_answer (RndimgApiContext    *api,
                                    RndimgExchange   *exchange,
                                    const RndimgPicture *image,
                                    const char          *source);
void rndimg_api_publish_change_and_answer (RndimgApiContext        *api,
                                           RndimgExchange    *exchange,
                                           const RndimgEventChange *change,
                                           guint                    status);
RndimgAccess *rndimg_api_begin_write (RndimgApiContext  *api,
                                      RndimgExchange *exchange,
                                      const char        *action,
                                      const char        *target);

G_END_DECLS
