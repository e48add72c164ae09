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

void          rndimg_redis_broker_set_state_file (RndimgRedisBroker *self,
                                                  const char        *path);
char         *rndimg_redis_broker_state_file_for (const char *state_file,
                                                  const char *url);

/* What a node does with pictures of events it follows. */
typedef struct {
  /* TRUE: this node cannot serve picture @name yet; it is fetched
   * before the event goes out. */
  gboolean (*missing) (const char *name,
                       gpointer    user_data);
  /* The bytes of a missing picture, fetched. */
  void     (*fetched) (const char *name,
                       GBytes     *bytes,
                       gpointer    user_data);
  /* Redis lacks picture @name, which this node publishes: put it with
   * rndimg_redis_broker_put_picture() if it can. */
  void     (*share)   (const char *name,
                       gpointer    user_data);
  /* Optional: another node changed its catalogue (@event removed, moved
   * or changed a picture, or changed an album): this node follows, before
   * the event is described and told. */
  void     (*apply)   (const RndimgEvent *event,
                       gpointer           user_data);
} RndimgRedisPictureHooks;

void          rndimg_redis_broker_set_picture_hooks (RndimgRedisBroker             *self,
                                                     const RndimgRedisPictureHooks *hooks,
                                                     gpointer                       user_data);
void          rndimg_redis_broker_put_picture (RndimgRedisBroker   *self,
                                               const char          *name,
                                               GBytes              *bytes);

G_END_DECLS
