/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-publisher.h"
#include "rndimg-router.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_LONG_POLL (rndimg_long_poll_get_type ())
G_DECLARE_FINAL_TYPE (RndimgLongPoll, rndimg_long_poll, RNDIMG, LONG_POLL, GObject)

RndimgLongPoll *rndimg_long_poll_new         (RndimgPublisher *publisher,
                                              guint            max_waiters);
guint           rndimg_long_poll_get_waiting (RndimgLongPoll  *self);
void            rndimg_long_poll_close_all   (RndimgLongPoll  *self);

void            rndimg_long_poll_serve       (RndimgService     *service,
                                              SoupServerMessage *msg,
                                              const char        *path,
                                              GHashTable        *query);

G_END_DECLS
