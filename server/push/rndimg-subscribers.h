/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-broker.h"
#include "rndimg-subscriber.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_SUBSCRIBERS (rndimg_subscribers_get_type ())
G_DECLARE_FINAL_TYPE (RndimgSubscribers, rndimg_subscribers, RNDIMG, SUBSCRIBERS, GObject)

RndimgSubscribers *rndimg_subscribers_new           (RndimgBroker                *broker,
                                                     RndimgConnections           *connections,
                                                     const RndimgSubscriberFuncs *fn,
                                                     guint                        max_subscribers,
                                                     const char                  *full_message,
                                                     gpointer                     kind_data,
                                                     GDestroyNotify               kind_data_free);
void               rndimg_subscribers_set_heartbeat (RndimgSubscribers           *self,
                                                     double                       seconds);
double             rndimg_subscribers_get_heartbeat (RndimgSubscribers           *self);
gboolean           rndimg_subscribers_admit         (RndimgSubscribers           *self,
                                                     SoupServerMessage           *msg);
void               rndimg_subscribers_add           (RndimgSubscribers           *self,
                                                     RndimgSubscriber            *sub,
                                                     gint64                       since,
                                                     const char                  *epoch);
gboolean           rndimg_subscribers_send_event    (RndimgSubscriber            *sub,
                                                     const RndimgEvent           *event,
                                                     gint64                       missed);
void               rndimg_subscribers_end           (RndimgSubscribers           *self,
                                                     RndimgSubscriber            *sub);
void               rndimg_subscribers_remove        (RndimgSubscribers           *self,
                                                     RndimgSubscriber            *sub);
void               rndimg_subscribers_drop          (RndimgSubscribers           *self,
                                                     RndimgSubscriber            *sub,
                                                     const char                  *why);
void               rndimg_subscribers_close_all     (RndimgSubscribers           *self);
guint              rndimg_subscribers_get_count     (RndimgSubscribers           *self);
RndimgBroker      *rndimg_subscribers_get_broker    (RndimgSubscribers           *self);
RndimgConnections *rndimg_subscribers_get_connections (RndimgSubscribers         *self);
gpointer           rndimg_subscribers_get_kind_data (RndimgSubscribers           *self);
guint64            rndimg_subscribers_get_slow_readers_dropped (RndimgSubscribers *self);

G_END_DECLS
