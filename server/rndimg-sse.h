/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-publisher.h"
#include "rndimg-router.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_SSE (rndimg_sse_get_type ())
G_DECLARE_FINAL_TYPE (RndimgSse, rndimg_sse, RNDIMG, SSE, GObject)

RndimgSse *rndimg_sse_new        (RndimgPublisher *publisher,
                                  guint            max_streams,
                                  double           heartbeat_seconds);
guint      rndimg_sse_get_open   (RndimgSse       *self);
guint64    rndimg_sse_get_slow_readers_dropped (RndimgSse *self);
void       rndimg_sse_close_all  (RndimgSse       *self);

void       rndimg_sse_serve      (RndimgService     *service,
                                  SoupServerMessage *msg,
                                  const char        *path,
                                  GHashTable        *query);

G_END_DECLS
