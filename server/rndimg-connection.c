/* SPDX-License-Identifier: MIT */
/* The connections we accept and hand to libsoup, watched where libsoup 3.2
 * does not look. Held requests (long-polls, event streams) sit paused with
 * nothing to read or write, so libsoup would only notice a vanished client
 * at the next write: a hangup watch notices it at once. An idle keep-alive
 * connection that its client closes is never closed by libsoup 3.2 (fixed
 * in 3.4): an idle watch closes it, and any connection idle too long. */
#include "rndimg-connection.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* How often a held connection with unread bytes is checked for its end. */
#define STATE_CHECK_USEC (G_USEC_PER_SEC / 2)

typedef struct {
  GSource source;
  gpointer fd_tag;
  int fd;
  SoupServerMessage *msg;
  RndimgHangupFunc callback;
  gpointer user_data;
} HangupSource;

/* The kernel's word: has the peer sent its FIN (or reset)? */
static gboolean
peer_has_closed (int fd)
{
  struct tcp_info info;
  socklen_t length = sizeof info;

  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
    return TRUE;
  return info.tcpi_state == TCP_CLOSE_WAIT || info.tcpi_state == TCP_CLOSE;
}

/* Readable while held means the client closed (recv gives 0 or an error)
 * or sent more: a pipelined request, or stray bytes before it closes.
 * Those bytes stay for libsoup; as they hide the end of the connection
 * from poll(), the watch then asks the TCP state now and then instead. */
static gboolean
hangup_dispatch (GSource *source, GSourceFunc unused, gpointer unused_data)
{
  HangupSource *self = (HangupSource *) source;
  GIOCondition ready = g_source_query_unix_fd (source, self->fd_tag);
  char byte;

  if (ready != 0)
    {
      gssize got = recv (self->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

      if (got > 0)
        {
          g_source_modify_unix_fd (source, self->fd_tag, 0);
          g_source_set_ready_time (source, g_get_monotonic_time () + STATE_CHECK_USEC);
          return G_SOURCE_CONTINUE;
        }
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    }
  else if (!peer_has_closed (self->fd))
    {
      g_source_set_ready_time (source, g_get_monotonic_time () + STATE_CHECK_USEC);
      return G_SOURCE_CONTINUE;
    }
  self->callback (self->msg, self->user_data);
  return G_SOURCE_REMOVE;
}

static GSourceFuncs hangup_funcs = {
  .dispatch = hangup_dispatch,
};

/* Connections we accepted and handed to libsoup, by "address:port" of the
 * peer: a message made from a handed-over stream does not know its socket,
 * and the hangup watch needs it. Entries leave with their connection. */
static GHashTable *connections;   /* char * -> GSocketConnection (weak) */

static char *
peer_key (GSocketAddress *address)
{
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static void
on_connection_gone (gpointer key, GObject *connection)
{
  /* A newer connection from the same address may have taken the slot. */
  if (g_hash_table_lookup (connections, key) == connection)
    g_hash_table_remove (connections, key);
  g_free (key);
}

void
rndimg_connection_register (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  char *key = remote != NULL ? peer_key (remote) : NULL;

  if (key == NULL)
    return;
  if (connections == NULL)
    connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_replace (connections, g_strdup (key), connection);
  g_object_weak_ref (G_OBJECT (connection), (GWeakNotify) on_connection_gone, key);
}

/* The socket under @msg (borrowed), or NULL. */
GSocket *
rndimg_connection_get_socket (SoupServerMessage *msg)
{
  g_autofree char *key = NULL;
  GSocketConnection *connection;

  if (soup_server_message_get_socket (msg) != NULL)
    return soup_server_message_get_socket (msg);
  key = peer_key (soup_server_message_get_remote_address (msg));
  connection = key != NULL && connections != NULL ? g_hash_table_lookup (connections, key) : NULL;
  return connection != NULL ? g_socket_connection_get_socket (connection) : NULL;
}

/* Returns (transfer full) an attached source calling @callback once when
 * the peer of @msg hangs up; destroy it when the request ends first.
 * NULL when the message has no socket. */
GSource *
rndimg_connection_watch_hangup (SoupServerMessage *msg, RndimgHangupFunc callback, gpointer user_data)
{
  GSocket *socket = rndimg_connection_get_socket (msg);
  HangupSource *watch;

  if (socket == NULL)
    return NULL;
  watch = (HangupSource *) g_source_new (&hangup_funcs, sizeof (HangupSource));
  watch->fd = g_socket_get_fd (socket);
  watch->fd_tag = g_source_add_unix_fd (&watch->source, watch->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  watch->msg = msg;
  watch->callback = callback;
  watch->user_data = user_data;
  g_source_attach (&watch->source, NULL);
  return &watch->source;
}

/* Returns (transfer full) @msg's connection, taken from libsoup, or NULL
 * when it was taken before: libsoup 3.2 drops a reference on the message
 * at every steal, so a second one would free it under its owners. */
GIOStream *
rndimg_connection_steal (SoupServerMessage *msg)
{
  g_autoptr(SoupServerMessage) keep = g_object_ref (msg);

  if (g_object_get_data (G_OBJECT (msg), "rndimg-stolen") != NULL)
    return NULL;
  g_object_set_data (G_OBJECT (msg), "rndimg-stolen", GINT_TO_POINTER (TRUE));
  return soup_server_message_steal_connection (msg);
}

/* Takes the connection away from libsoup and closes it: for a client that
 * is gone or that we must drop, with nothing more written to it. */
void
rndimg_connection_abort (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = rndimg_connection_steal (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

/* Readable while idle: a new request (leave it to libsoup) or the end
 * (close the socket, which libsoup 3.2 would leave in CLOSE_WAIT). No
 * condition at all: the ready time passed, idle too long. */
static gboolean
on_idle_socket_ready (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  GSocketConnection *connection = user_data;
  char byte;

  if (condition != 0 && recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
    {
      g_object_set_data (G_OBJECT (connection), "rndimg-idle-watch", NULL);
      return G_SOURCE_REMOVE;
    }
  g_debug ("closing an idle connection (%s)", condition != 0 ? "closed by the client" : "idle too long");
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_socket_close (socket, NULL);
  g_object_set_data (G_OBJECT (connection), "rndimg-idle-watch", NULL);
  return G_SOURCE_REMOVE;
}

static void
destroy_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

/* Call when @msg's answer is out and its connection stays open for the
 * next request: watches the connection until that request comes, closing
 * it when the client does, or after @idle_seconds without a request. */
void
rndimg_connection_watch_idle (SoupServerMessage *msg, guint idle_seconds)
{
  g_autofree char *key = peer_key (soup_server_message_get_remote_address (msg));
  GSocketConnection *connection = key != NULL && connections != NULL ? g_hash_table_lookup (connections, key) : NULL;
  GSocket *socket;
  GSource *source;

  if (connection == NULL)
    return;
  socket = g_socket_connection_get_socket (connection);
  if (g_socket_is_closed (socket))
    return;
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_ready_time (source, g_get_monotonic_time () + (gint64) idle_seconds * G_USEC_PER_SEC);
  g_source_set_callback (source, G_SOURCE_FUNC (on_idle_socket_ready), connection, NULL);
  g_source_attach (source, NULL);
  /* The connection owns its watch: both go together. */
  g_object_set_data_full (G_OBJECT (connection), "rndimg-idle-watch", source, (GDestroyNotify) destroy_source);
}
