/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef void (*RndimgHangupFunc) (SoupServerMessage *msg,
                                  gpointer           user_data);

GSource *rndimg_connection_watch_hangup (SoupServerMessage *msg,
                                         RndimgHangupFunc   callback,
                                         gpointer           user_data);
GSocket *rndimg_connection_get_socket   (SoupServerMessage *msg);
void     rndimg_connection_watch_idle   (SoupServerMessage *msg,
                                         guint              idle_seconds);
void     rndimg_connection_register     (GSocketConnection *connection);
GIOStream *rndimg_connection_steal     (SoupServerMessage *msg);
void     rndimg_connection_abort        (SoupServerMessage *msg);

G_END_DECLS
