/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgConnections RndimgConnections;

typedef void (*RndimgHangupFunc) (SoupServerMessage *msg,
                                  gpointer           user_data);

typedef struct _RndimgHangupWatch RndimgHangupWatch;

RndimgConnections *rndimg_connections_new        (SoupServer        *server);
void        rndimg_connections_free              (RndimgConnections *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgConnections, rndimg_connections_free)
void        rndimg_connections_register          (RndimgConnections *self,
                                                  GSocketConnection *connection,
                                                  GIOStream         *tls);
gboolean    rndimg_connections_is_tls            (RndimgConnections *self,
                                                  SoupServerMessage *msg);
GIOStream  *rndimg_connections_transport         (RndimgConnections *self,
                                                  GSocketConnection *connection);
GSocket    *rndimg_connections_get_socket        (RndimgConnections *self,
                                                  SoupServerMessage *msg);
RndimgHangupWatch *rndimg_connections_watch_hangup (RndimgConnections *self,
                                                  SoupServerMessage *msg,
                                                  RndimgHangupFunc   callback,
                                                  gpointer           user_data);
void        rndimg_connection_unwatch_hangup     (RndimgHangupWatch *watch);
void        rndimg_connection_mute_hangup        (RndimgHangupWatch *watch);
void        rndimg_connections_mark_busy         (RndimgConnections *self,
                                                  SoupServerMessage *msg);
void        rndimg_connections_mark_idle         (RndimgConnections *self,
                                                  SoupServerMessage *msg);
guint       rndimg_connections_sweep_idle        (RndimgConnections *self,
                                                  guint              idle_seconds);
GIOStream  *rndimg_connections_steal             (RndimgConnections *self,
                                                  SoupServerMessage *msg);
void        rndimg_connections_give_back         (RndimgConnections *self,
                                                  GIOStream         *stream);
void        rndimg_connections_abort             (RndimgConnections *self,
                                                  SoupServerMessage *msg);
SoupServer *rndimg_connections_get_server        (RndimgConnections *self);
const char *rndimg_connections_get_server_header (RndimgConnections *self);
void        rndimg_connections_run_later         (RndimgConnections *self,
                                                  GDestroyNotify     func,
                                                  gpointer           data);
void        rndimg_connections_flush_later       (RndimgConnections *self);

G_END_DECLS
