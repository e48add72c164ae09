/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-broker.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_REDIS_BROKER (rndimg_redis_broker_get_type ())
G_DECLARE_FINAL_TYPE (RndimgRedisBroker, rndimg_redis_broker, RNDIMG, REDIS_BROKER, GObject)

RndimgBroker *rndimg_redis_broker_new (const char  *url,
                                       guint        history_length,
                                       GError     **error);
gboolean      rndimg_redis_broker_is_following (RndimgRedisBroker *self);
void          rndimg_redis_broker_set_slideshow_lease (RndimgRedisBroker *self,
                                                       guint              ms);

G_END_DECLS
