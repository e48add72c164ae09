/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <hiredis/hiredis.h>

G_BEGIN_DECLS

typedef struct _RndimgRedisLink RndimgRedisLink;

/* The link is up (@why NULL: Redis answered) or down (@why says why; it
 * retries by itself). Called at each change, and at each failed attempt
 * while down; never once the link is being freed. */
typedef void (*RndimgRedisLinkChanged) (RndimgRedisLink *link,
                                        const char      *why,
                                        gpointer         user_data);

/* A command's answer; NULL when the link dropped before it came (the
 * command may or may not have run). */
typedef void (*RndimgRedisReplyFunc)   (redisReply      *reply,
                                        gpointer         user_data);

/* How fast a link that stops answering is noticed (see the .c file). */
#define RNDIMG_REDIS_PROBE_INTERVAL_MS 500
#define RNDIMG_REDIS_PROBE_TIMEOUT_MS 1000

RndimgRedisLink *rndimg_redis_link_new           (const char             *host,
                                                  int                     port,
                                                  int                     database,
                                                  gboolean                probe_when_idle,
                                                  RndimgRedisLinkChanged  changed,
                                                  gpointer                user_data);
void             rndimg_redis_link_free          (RndimgRedisLink        *self);
void             rndimg_redis_link_connect       (RndimgRedisLink        *self);
gboolean         rndimg_redis_link_is_up         (RndimgRedisLink        *self);
gboolean         rndimg_redis_link_send          (RndimgRedisLink        *self,
                                                  guint                   timeout_ms,
                                                  RndimgRedisReplyFunc    callback,
                                                  gpointer                user_data,
                                                  const char             *format,
                                                  ...);
gboolean         rndimg_redis_link_send_argv     (RndimgRedisLink        *self,
                                                  guint                   timeout_ms,
                                                  RndimgRedisReplyFunc    callback,
                                                  gpointer                user_data,
                                                  int                     argc,
                                                  const char            **argv,
                                                  const size_t           *lengths);
void             rndimg_redis_link_drop          (RndimgRedisLink        *self,
                                                  const char             *why);
gint64           rndimg_redis_link_redis_now_ms  (RndimgRedisLink        *self);
void             rndimg_redis_link_learn_time    (RndimgRedisLink        *self,
                                                  gint64                  redis_ms);
gint64           rndimg_redis_link_last_answer_usec (RndimgRedisLink     *self);
guint64          rndimg_redis_link_get_losses    (RndimgRedisLink        *self);

G_END_DECLS
