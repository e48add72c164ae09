/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-broker.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_REDIS_BROKER (rndimg_redis_broker_get_type ())
G_DECLARE_FINAL_TYPE (RndimgRedisBroker, rndimg_redis_broker, RNDIMG, REDIS_BROKER, GObject)

RndimgBroker *rndimg_redis_broker_new (const char  *url,
                                       guint        history_length,
                                       GError     **error);
gboolean      rndimg_redis_broker_parse_url (const char  *url,
                                             char       **host,
                                             int         *port,
                                             int         *database,
                                             GError     **error);
gboolean      rndimg_redis_broker_is_following (RndimgRedisBroker *self);
void          rndimg_redis_broker_set_slideshow_lease (RndimgRedisBroker *self,
                                                       guint              ms);

void          rndimg_redis_broker_put_picture (RndimgRedisBroker   *self,
                                               const char          *name,
                                               GBytes              *bytes);
void          rndimg_redis_broker_get_picture_async  (RndimgRedisBroker   *self,
                                                      const char          *name,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GBytes       *rndimg_redis_broker_get_picture_finish (RndimgRedisBroker   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
