/* SPDX-License-Identifier: MIT */
/* The Redis broker's parts, for its three files: rndimg-redis-broker.c
 * (the links, following the stream, the history), rndimg-redis-publish.c
 * (publishing and what a publish's answer promises) and
 * rndimg-redis-sync.c (waiting until this node holds every event). */
#pragma once

#include "rndimg-redis-broker.h"
#include "rndimg-redis-link.h"

G_BEGIN_DECLS

#define RNDIMG_REDIS_META_KEY "rndimg:meta"
#define RNDIMG_REDIS_STREAM_KEY "rndimg:events"
/* A command's time limit (hiredis 0.14 has none: the link's watchdog). */
#define RNDIMG_REDIS_COMMAND_TIMEOUT_MS 2000
/* An XREAD waits this long for news before answering nil. */
#define RNDIMG_REDIS_BLOCK_MS 500
#define RNDIMG_REDIS_READ_COUNT 100

typedef struct _RndimgRedisPublishes RndimgRedisPublishes;
typedef struct _RndimgRedisSyncs RndimgRedisSyncs;

struct _RndimgRedisBroker
{
  GObject parent_instance;

  char *host;
  int port;
  int database;
  char *url;
  char *command_down;        /* why the command link is down; NULL: up */
  char *follow_down;         /* why the follow link is down; NULL: up */
  char *problem;             /* for /readyz and /stats; NULL: none */
  guint history_length;
  RndimgGone *gone;          /* what is known of the events that left it */
  GQueue history;            /* RndimgEvent, oldest first: the stream as followed */
  gint64 last_seen;
  char *epoch;
  RndimgRedisLink *command;  /* owned: scripts, pictures */
  RndimgRedisLink *follow;   /* owned: XREAD BLOCK, and the pictures of events read */
  gboolean following;        /* the follow link has read the stream since it came up */
  gboolean caught_up;        /* ...and its last read reached the end of the stream */
  guint reads_sent;          /* XREADs sent so far: the one out is number reads_sent */
  gint64 floor_held_usec;    /* when hold_floor() last ran */
  GQueue unheard;            /* RndimgEvent read, not yet told: waiting for its picture */
  gboolean disposing;
  char *node;                /* random: who holds the slideshow lease */
  guint lease_ms;            /* 0: every node's timer publishes */
  char *state_file;          /* NULL: the newest id is not kept on disk */
  gint64 saved_id;           /* the newest id the state file had at start */
  guint save_id;
  gint64 client_hint;        /* the newest id a client resumed from */
  const RndimgRedisPictureHooks *pictures;
  gpointer pictures_data;
  RndimgEventDescriber describer;
  RndimgRedisPublishes *publishes;   /* owned */
  RndimgRedisSyncs *syncs;           /* owned */
};

gint64 rndimg_redis_broker_floor_id (RndimgRedisBroker *self);

/* rndimg-redis-publish.c */
RndimgRedisPublishes *rndimg_redis_publishes_new        (RndimgRedisBroker      *broker);
void                  rndimg_redis_publishes_free       (RndimgRedisPublishes   *self);
void                  rndimg_redis_publishes_start      (RndimgRedisPublishes   *self,
                                                         const char             *name,
                                                         const char             *source,
                                                         const RndimgPublishKey *key,
                                                         GCancellable           *cancellable,
                                                         GAsyncReadyCallback     callback,
                                                         gpointer                user_data);
void                  rndimg_redis_publishes_entry_read (RndimgRedisPublishes   *self,
                                                         const char             *token,
                                                         gint64                  id);
void                  rndimg_redis_publishes_told       (RndimgRedisPublishes   *self,
                                                         RndimgEvent            *event);
void                  rndimg_redis_publishes_read_done  (RndimgRedisPublishes   *self,
                                                         guint                   read,
                                                         gboolean                complete);
guint                 rndimg_redis_publishes_count      (RndimgRedisPublishes   *self);

/* rndimg-redis-sync.c */
RndimgRedisSyncs     *rndimg_redis_syncs_new            (RndimgRedisBroker      *broker);
void                  rndimg_redis_syncs_free           (RndimgRedisSyncs       *self);
void                  rndimg_redis_syncs_wait           (RndimgRedisSyncs       *self,
                                                         GTask                  *task);
void                  rndimg_redis_syncs_ask            (RndimgRedisSyncs       *self);
void                  rndimg_redis_syncs_check          (RndimgRedisSyncs       *self);

G_END_DECLS
