/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>
#include <sys/uio.h>
#include "rndimg-send-batch.h"

G_BEGIN_DECLS

typedef struct _RndimgConnections RndimgConnections;
typedef struct _RndimgConnection RndimgConnection;

/* Who reads and writes a connection now. */
typedef enum {
  RNDIMG_HOLDER_HOT,      /* the hot path (rndimg-hot-path.c): its requests are read by us */
  RNDIMG_HOLDER_SOUP,     /* the SoupServer, through the gate (rndimg-gate.c) */
  RNDIMG_HOLDER_TAKEN,    /* an answer written by us: a held long-poll, a stream, a refusal */
  RNDIMG_HOLDER_CLOSED,
} RndimgHolder;

/* What the connection's socket says, for whoever watches it: readable,
 * writable, or hung up (the peer's FIN or an error). */
typedef enum {
  RNDIMG_CONNECTION_READABLE = 1 << 0,
  RNDIMG_CONNECTION_WRITABLE = 1 << 1,
  RNDIMG_CONNECTION_HUNG_UP = 1 << 2,
} RndimgConnectionEvents;

typedef void (*RndimgConnectionFunc) (RndimgConnection      *connection,
                                      RndimgConnectionEvents events,
                                      gpointer               user_data);

/* Gives the hot path a connection accepted or given back to it. */
typedef void (*RndimgConnectionsHotFunc) (RndimgConnection *connection,
                                          gpointer          user_data);
/* Answers a connection whose head the gate refused, and closes it. */
typedef void (*RndimgConnectionsRefuseFunc) (RndimgConnection *connection,
                                             guint             status,
                                             const char       *message,
                                             gpointer          user_data);

RndimgConnections *rndimg_connections_new        (SoupServer        *server);
void        rndimg_connections_free              (RndimgConnections *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgConnections, rndimg_connections_free)
void        rndimg_connections_set_hot_path      (RndimgConnections          *self,
                                                  RndimgConnectionsHotFunc    take,
                                                  gpointer                    user_data);
void        rndimg_connections_set_busy_poll     (RndimgConnections          *self,
                                                  guint                       window_usec);
void        rndimg_connections_set_refuse        (RndimgConnections          *self,
                                                  RndimgConnectionsRefuseFunc refuse,
                                                  gpointer                    user_data);
RndimgConnection *rndimg_connections_accept      (RndimgConnections *self,
                                                  GSocketConnection *socket_connection,
                                                  GIOStream         *tls);
RndimgConnection *rndimg_connections_lookup      (RndimgConnections *self,
                                                  SoupServerMessage *msg);
GIOStream  *rndimg_connections_steal             (RndimgConnections *self,
                                                  SoupServerMessage *msg,
                                                  RndimgConnection **connection);
guint       rndimg_connections_sweep             (RndimgConnections *self,
                                                  guint              idle_seconds,
                                                  guint              header_seconds);
SoupServer *rndimg_connections_get_server        (RndimgConnections *self);
const char *rndimg_connections_get_server_header (RndimgConnections *self);
guint       rndimg_connections_get_count         (RndimgConnections *self);
void        rndimg_connections_run_later         (RndimgConnections *self,
                                                  GDestroyNotify     func,
                                                  gpointer           data);
void        rndimg_connections_run_after_pass    (RndimgConnections *self,
                                                  GDestroyNotify     func,
                                                  gpointer           data);
void        rndimg_connections_flush_later       (RndimgConnections *self);
void        rndimg_connections_begin_sends       (RndimgConnections *self);
void        rndimg_connections_end_sends         (RndimgConnections *self);
guint64     rndimg_connections_get_batched_sends (RndimgConnections *self);
void        rndimg_connections_close_all         (RndimgConnections *self);

RndimgConnection *rndimg_connection_ref          (RndimgConnection *connection);
void        rndimg_connection_unref              (RndimgConnection *connection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgConnection, rndimg_connection_unref)
RndimgConnections *rndimg_connection_get_owner   (RndimgConnection *connection);
RndimgHolder rndimg_connection_get_holder        (RndimgConnection *connection);
GSocket    *rndimg_connection_get_socket         (RndimgConnection *connection);
GIOStream  *rndimg_connection_get_transport      (RndimgConnection *connection);
gboolean    rndimg_connection_is_tls             (RndimgConnection *connection);
const char *rndimg_connection_get_remote_host    (RndimgConnection *connection);
GByteArray *rndimg_connection_get_input          (RndimgConnection *connection);
gssize      rndimg_connection_read               (RndimgConnection *connection,
                                                  gsize              most,
                                                  GError           **error);
gssize      rndimg_connection_write              (RndimgConnection   *connection,
                                                  const struct iovec *pieces,
                                                  guint               count,
                                                  GError            **error);
gboolean    rndimg_connection_send_in_batch      (RndimgConnection   *connection,
                                                  GBytes             *bytes,
                                                  RndimgSendDone      done,
                                                  gpointer            user_data,
                                                  guint64            *ticket);
void        rndimg_connection_forget_send        (RndimgConnection   *connection,
                                                  guint64             ticket);
void        rndimg_connection_consume            (RndimgConnection *connection,
                                                  gsize              length);
void        rndimg_connection_watch              (RndimgConnection      *connection,
                                                  RndimgConnectionEvents events,
                                                  RndimgConnectionFunc   func,
                                                  gpointer               user_data);
void        rndimg_connection_unwatch            (RndimgConnection *connection);
void        rndimg_connection_mute               (RndimgConnection *connection);
void        rndimg_connection_set_busy           (RndimgConnection *connection,
                                                  gboolean          busy);
void        rndimg_connection_set_soup_last      (RndimgConnection  *connection,
                                                  SoupServerMessage *msg);
void        rndimg_connection_set_head_started   (RndimgConnection *connection,
                                                  gint64            usec);
void        rndimg_connection_head_begins        (RndimgConnection *connection);
void        rndimg_connection_set_hot_data       (RndimgConnection *connection,
                                                  gpointer          data,
                                                  GDestroyNotify    free_data);
gpointer    rndimg_connection_get_hot_data       (RndimgConnection *connection);
void        rndimg_connection_take               (RndimgConnection *connection);
void        rndimg_connection_give_to_soup       (RndimgConnection *connection);
void        rndimg_connection_serve              (RndimgConnection *connection);
void        rndimg_connection_close              (RndimgConnection *connection);

G_END_DECLS
