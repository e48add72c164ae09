/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <hiredis/async.h>

G_BEGIN_DECLS

typedef struct _RndimgRedisLink RndimgRedisLink;

/* The link is up (@why NULL) or was lost (@why says why; it retries by
 * itself). Never called once the link is being freed. */
typedef void (*RndimgRedisLinkChanged) (RndimgRedisLink *link,
                                        const char      *why,
                                        gpointer         user_data);

RndimgRedisLink   *rndimg_redis_link_new            (const char             *host,
                                                     int                     port,
                                                     int                     database,
                                                     RndimgRedisLinkChanged  changed,
                                                     gpointer                user_data);
void               rndimg_redis_link_free           (RndimgRedisLink        *self);
void               rndimg_redis_link_connect        (RndimgRedisLink        *self);
redisAsyncContext *rndimg_redis_link_get_context    (RndimgRedisLink        *self);
void               rndimg_redis_link_arm_watchdog   (RndimgRedisLink        *self,
                                                     guint                   ms);
void               rndimg_redis_link_disarm_watchdog (RndimgRedisLink       *self);
void               rndimg_redis_link_drop           (RndimgRedisLink        *self,
                                                     const char             *why);

G_END_DECLS
