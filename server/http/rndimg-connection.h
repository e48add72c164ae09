/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef void (*RndimgHangupFunc) (SoupServerMessage *msg,
                                  gpointer           user_data);

typedef struct _RndimgHangupWatch RndimgHangupWatch;

RndimgHangupWatch *rndimg_connection_watch_hangup (SoupServerMessage *msg,
                                         RndimgHangupFunc   callback,
                                         gpointer           user_data);
void     rndimg_connection_unwatch_hangup (RndimgHangupWatch *watch);
void     rndimg_connection_mute_hangup  (RndimgHangupWatch *watch);
GSocket *rndimg_connection_get_socket   (SoupServerMessage *msg);
void     rndimg_connection_mark_busy    (SoupServerMessage *msg);
void     rndimg_connection_mark_idle    (SoupServerMessage *msg);
guint    rndimg_connection_sweep_idle   (guint              idle_seconds);
void     rndimg_connection_register     (GSocketConnection *connection,
                                         GIOStream         *tls);
gboolean rndimg_connection_is_tls       (SoupServerMessage *msg);
GIOStream *rndimg_connection_steal     (SoupServerMessage *msg);
void     rndimg_connection_give_back    (GIOStream         *stream);
void     rndimg_connection_attach_server (SoupServer       *server);
void     rndimg_connection_detach_server (SoupServer       *server);
SoupServer *rndimg_connection_get_server (void);
void     rndimg_connection_abort        (SoupServerMessage *msg);

G_END_DECLS
