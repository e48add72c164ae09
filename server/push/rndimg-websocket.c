/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/ws[?since=ID]: a WebSocket subscriber. Each event
 * is one text message holding the event JSON (as long-poll answers it);
 * `since` replays as long-poll and SSE do. The handshake, framing and
 * ping keep-alive are libsoup's (soup_websocket_server_process_handshake,
 * SoupWebsocketConnection); bad parameters and the limit are answered as
 * JSON before the upgrade. At shutdown each socket is closed with 1001. */
#include "rndimg-websocket.h"
#include "rndimg-connection.h"
#include "rndimg-event-id.h"
#include "rndimg-http.h"

/* libsoup queues what the socket cannot take without a bound: past this
 * many events sent while the socket was full, the reader is too slow. */
#define MAX_BACKLOG_EVENTS 256

typedef struct {
  RndimgSubscriber parent;
  SoupWebsocketConnection *connection;   /* NULL until the upgrade is written */
  GSocket *tcp;                          /* under it (TLS or not), or NULL */
  GQueue early;                          /* GBytes sent before that */
  guint ping_seconds;
  guint backlog;
} Socket;

/* The kernel takes nothing more: what libsoup sends now waits in its queue.
 * The TCP socket's, since the connection's stream is libsoup's wrapper
 * (of a TLS connection, maybe). */
static gboolean
socket_is_full (GSocket *tcp)
{
  return tcp != NULL && g_socket_condition_check (tcp, G_IO_OUT) == 0;
}

static RndimgSubscriberState
websocket_deliver (RndimgSubscriber *sub, GBytes *payload)
{
  Socket *socket = (Socket *) sub;

  if (socket->connection == NULL)
    {
      g_queue_push_tail (&socket->early, g_bytes_ref (payload));
      return RNDIMG_SUBSCRIBER_KEEP;
    }
  if (soup_websocket_connection_get_state (socket->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return RNDIMG_SUBSCRIBER_KEEP;   /* closing: "closed" removes it */
  socket->backlog = socket_is_full (socket->tcp) ? socket->backlog + 1 : 0;
  if (socket->backlog > MAX_BACKLOG_EVENTS)
    return RNDIMG_SUBSCRIBER_CUT;
  soup_websocket_connection_send_message (socket->connection, SOUP_WEBSOCKET_DATA_TEXT, payload);
  return RNDIMG_SUBSCRIBER_KEEP;
}

/* Shutdown: "going away" (1001); the socket leaves once closed. */
static gboolean
websocket_end (RndimgSubscriber *sub)
{
  Socket *socket = (Socket *) sub;

  if (socket->connection == NULL)
    return FALSE;
  if (soup_websocket_connection_get_state (socket->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (socket->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                     "the server is shutting down");
  return TRUE;
}

static void
websocket_free (RndimgSubscriber *sub)
{
  Socket *socket = (Socket *) sub;

  if (socket->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (socket->connection, socket);
      if (soup_websocket_connection_get_state (socket->connection) != SOUP_WEBSOCKET_STATE_CLOSED)
        g_io_stream_close (soup_websocket_connection_get_io_stream (socket->connection), NULL, NULL);
      g_object_unref (socket->connection);
    }
  g_clear_object (&socket->tcp);
  g_queue_clear_full (&socket->early, (GDestroyNotify) g_bytes_unref);
  rndimg_subscriber_clear (sub);
  g_free (socket);
}

static const RndimgSubscriberFuncs websocket_funcs = {
  .kind = "websocket",
  .render = rndimg_subscriber_render_json,
  .deliver = websocket_deliver,
  .end = websocket_end,
  .free = websocket_free,
};

/* WebSocket subscribers of @broker, at most @max_sockets at once, pinged
 * every @ping_seconds. */
RndimgSubscribers *
rndimg_websocket_new (RndimgBroker *broker, RndimgConnections *connections, guint max_sockets,
                      double ping_seconds)
{
  RndimgSubscribers *sockets = rndimg_subscribers_new (broker, connections, &websocket_funcs, max_sockets,
                                                       "too many open WebSockets", NULL, NULL);

  rndimg_subscribers_set_heartbeat (sockets, ping_seconds);
  return sockets;
}

static void
on_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  RndimgSubscriber *sub = user_data;

  g_debug ("websocket closed (%u)", soup_websocket_connection_get_close_code (connection));
  rndimg_subscribers_remove (sub->registry, sub);
}

/* The 101 is out: the connection is libsoup's WebSocket from now on. */
static void
on_upgraded (SoupServerMessage *msg, gpointer user_data)
{
  Socket *socket = user_data;
  RndimgConnections *connections = rndimg_subscribers_get_connections (socket->parent.registry);
  GSocket *tcp = rndimg_connections_get_socket (connections, msg);   /* before the steal: then unknown */
  g_autoptr(GIOStream) stream = NULL;
  GBytes *early;

  socket->tcp = tcp != NULL ? g_object_ref (tcp) : NULL;
  stream = rndimg_connections_steal (connections, msg);

  if (stream == NULL)
    {
      rndimg_subscribers_remove (socket->parent.registry, &socket->parent);
      return;
    }
  socket->connection = soup_websocket_connection_new (stream, soup_server_message_get_uri (msg),
                                                      SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL, NULL);
  /* The connection reads the socket from now on and sees its end itself
   * ("closed"); the registry's hangup watch would only trip on pongs. */
  g_clear_pointer (&socket->parent.hangup_watch, rndimg_connection_unwatch_hangup);
  soup_websocket_connection_set_keepalive_interval (socket->connection, socket->ping_seconds);
  g_signal_connect (socket->connection, "closed", G_CALLBACK (on_closed), socket);
  while ((early = g_queue_pop_head (&socket->early)) != NULL)
    {
      soup_websocket_connection_send_message (socket->connection, SOUP_WEBSOCKET_DATA_TEXT, early);
      g_bytes_unref (early);
    }
}

void
rndimg_websocket_serve (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer sockets)
{
  RndimgSubscribers *registry = sockets;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) albums = NULL;
  gint64 since = -1;
  Socket *socket;

  if (rndimg_event_id_from_query (msg, "since", &since) == RNDIMG_EVENT_ID_INVALID)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "since must be an event id (" RNDIMG_EVENT_ID_RULE ")");
      return;
    }
  if (!rndimg_subscriber_read_albums (msg, query, &albums))
    return;
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "this endpoint takes a WebSocket handshake: %s",
                              error->message);
      return;
    }
  if (!rndimg_subscribers_admit (registry, msg))
    return;
  soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL);

  socket = g_new0 (Socket, 1);
  rndimg_subscriber_init (&socket->parent, &websocket_funcs, msg);
  socket->parent.albums = g_steal_pointer (&albums);
  g_queue_init (&socket->early);
  socket->ping_seconds = MAX ((guint) rndimg_subscribers_get_heartbeat (registry), 1);
  g_signal_connect (msg, "wrote-informational", G_CALLBACK (on_upgraded), socket);
  rndimg_subscribers_add (registry, &socket->parent, since,
                          query != NULL ? g_hash_table_lookup (query, "epoch") : NULL);
}
