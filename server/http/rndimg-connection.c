/* SPDX-License-Identifier: MIT */
/* The connections we accept, each one record (RndimgConnection, as
 * libsoup's SoupServerConnection is for libsoup): its socket, the TLS
 * connection over it, the bytes read and not yet used, who holds it now
 * (the hot path, the SoupServer through the gate, or an answer written by
 * us: rndimg-connection.h's RndimgHolder), whether a request is in
 * progress, and the watch on its socket.
 *
 * Every watched socket sits in one epoll set whose descriptor is the only
 * one the main loop polls for them: a watch costs one epoll_ctl(), not a
 * GSource that GLib adds to and removes from a list of every descriptor
 * (a cost that grows with the number of connections). Over TLS, reads and
 * writes are watched on the TLS streams instead (they may hold decrypted
 * bytes the socket no longer shows); a hang-up still shows on the socket.
 *
 * What libsoup 3.2 does not do is done here: a connection idle for
 * --idle-timeout, or whose client closed it while idle (libsoup leaves
 * that one in CLOSE_WAIT; fixed in 3.4), and one whose request head takes
 * longer than --header-timeout, is closed by a sweep once a second. One
 * libsoup holds is taken from it first, through the request it answered
 * last (rndimg_connection_set_soup_last()), and the gate keeps its
 * client's close from libsoup meanwhile: else libsoup 3.2 keeps its own
 * connection object until the server stops. */
#include "rndimg-connection.h"
#include "rndimg-busy-poll.h"
#include "rndimg-gate.h"
#include "rndimg-send-batch.h"

#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bytes read at once. */
#define READ_SIZE 16384

/* A connection is found from a libsoup message by its peer's address and
 * port (a message made from a stream we handed over does not know its
 * socket). Looked up a few times a request: a binary key, no formatting. */
typedef struct {
  guint8 address[16];         /* IPv4 or IPv6, as bytes */
  guint16 length;
  guint16 port;
} PeerKey;

struct _RndimgConnection
{
  guint ref_count;
  RndimgConnections *owner;       /* borrowed; outlives its open connections */

  /* Owned */
  GSocketConnection *socket_connection;
  GIOStream *transport;           /* the TLS connection over it, or itself */
  GByteArray *input;              /* read, not yet used; NULL when empty */
  gpointer hot_data;              /* the hot path's state for it */
  GDestroyNotify free_hot_data;
  GSource *tls_read, *tls_write;  /* TLS: the streams' sources instead of epoll */
  char *remote_host;              /* made when first asked for */
  GIOStream *gate;                /* the stream libsoup reads through, once made; it
                                   * holds a reference on us until we close */
  SoupServerMessage *soup_last;   /* idle with libsoup: the request it answered last */

  /* Borrowed */
  GSocket *socket;                /* socket_connection's */

  PeerKey key;
  int fd;
  gboolean tls;
  RndimgHolder holder;
  gboolean busy;                  /* a request is read, held or answered */
  gint64 idle_since;              /* monotonic; meaningless while busy */
  gint64 head_started;            /* a head is arriving since (monotonic), or 0 */
  guint32 epoll_events;           /* registered in the set; 0: not in it */
  guint32 epoll_wanted;           /* of them, what the watcher asked for */
  RndimgConnectionEvents watched;
  RndimgConnectionFunc func;
  gpointer func_data;
};

struct _RndimgConnections
{
  /* Borrowed */
  SoupServer *server;         /* where connections for libsoup go; outlives us */

  /* Owned */
  char *server_header;        /* its "server-header", read once */
  int epoll_fd;
  GSource *epoll_source;
  GSource *busy_poll;         /* NULL: --busy-poll 0 */
  GHashTable *all;            /* RndimgConnection * (a reference), open ones */
  GHashTable *by_peer;        /* PeerKey * (in its record) -> RndimgConnection * */
  GQueue later;               /* Later *: see rndimg_connections_run_later() */
  guint later_id;
  gboolean in_pass;           /* on_epoll() is dispatching its batch */
  GQueue after_pass;          /* Later *: see rndimg_connections_run_after_pass() */
  RndimgSendBatch *sends;     /* NULL where io_uring cannot be used */
  guint sends_open;           /* rndimg_connections_begin_sends() calls not ended yet */
  guint64 batched_sends;
  RndimgConnectionsHotFunc hot_path;   /* NULL: every connection goes to libsoup */
  gpointer hot_path_data;
  RndimgConnectionsRefuseFunc refuse;
  gpointer refuse_data;
};

static gboolean
peer_key (GSocketAddress *address, PeerKey *key)
{
  GInetAddress *inet;
  gsize length;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return FALSE;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  length = g_inet_address_get_native_size (inet);
  memset (key, 0, sizeof *key);
  memcpy (key->address, g_inet_address_to_bytes (inet), MIN (length, sizeof key->address));
  key->length = (guint16) length;
  key->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
  return TRUE;
}

static guint
peer_key_hash (gconstpointer data)
{
  const PeerKey *key = data;
  guint hash = 2166136261u;

  for (gsize i = 0; i < key->length; i++)
    hash = (hash ^ key->address[i]) * 16777619u;
  return (hash ^ key->port) * 16777619u;
}

static gboolean
peer_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (PeerKey)) == 0;
}

RndimgConnection *
rndimg_connection_ref (RndimgConnection *connection)
{
  connection->ref_count++;
  return connection;
}

void
rndimg_connection_unref (RndimgConnection *connection)
{
  if (--connection->ref_count > 0)
    return;
  g_assert (connection->holder == RNDIMG_HOLDER_CLOSED);
  g_clear_pointer (&connection->input, g_byte_array_unref);
  g_free (connection->remote_host);
  g_object_unref (connection->transport);
  g_object_unref (connection->socket_connection);
  g_free (connection);
}

RndimgConnections *
rndimg_connection_get_owner (RndimgConnection *connection)
{
  return connection->owner;
}

RndimgHolder
rndimg_connection_get_holder (RndimgConnection *connection)
{
  return connection->holder;
}

/* The socket itself (borrowed): for its options and the idle sweep, never
 * for bytes, which go through the transport. */
GSocket *
rndimg_connection_get_socket (RndimgConnection *connection)
{
  return connection->socket;
}

/* What the bytes go through (borrowed): the TLS connection, or the
 * socket's. */
GIOStream *
rndimg_connection_get_transport (RndimgConnection *connection)
{
  return connection->transport;
}

gboolean
rndimg_connection_is_tls (RndimgConnection *connection)
{
  return connection->tls;
}

/* The client's address as text ("127.0.0.1"), for the access log. */
const char *
rndimg_connection_get_remote_host (RndimgConnection *connection)
{
  if (connection->remote_host == NULL)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_bytes (connection->key.address,
                                                                        connection->key.length == 16
                                                                        ? G_SOCKET_FAMILY_IPV6
                                                                        : G_SOCKET_FAMILY_IPV4);

      connection->remote_host = g_inet_address_to_string (address);
    }
  return connection->remote_host;
}

/* The bytes read and not yet used (borrowed; NULL when there are none). */
GByteArray *
rndimg_connection_get_input (RndimgConnection *connection)
{
  return connection->input;
}

/* Reads what the transport has now, up to @most bytes, at the end of the
 * input: the count, 0 at the end of the stream, -1 with @error
 * (G_IO_ERROR_WOULD_BLOCK: nothing now). */
gssize
rndimg_connection_read (RndimgConnection *connection, gsize most, GError **error)
{
  guint8 chunk[READ_SIZE];
  gssize got;

  most = MIN (most, sizeof chunk);
  if (connection->tls)
    got = g_pollable_input_stream_read_nonblocking (
      G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (connection->transport)), chunk, most, NULL, error);
  else
    {
      /* Straight to the socket: no GError made for every "nothing now". */
      do
        got = recv (connection->fd, chunk, most, 0);
      while (got < 0 && errno == EINTR);
      if (got < 0)
        g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno), g_strerror (errno));
    }
  if (got > 0)
    {
      if (connection->input == NULL)
        connection->input = g_byte_array_sized_new ((guint) got);
      g_byte_array_append (connection->input, chunk, (guint) got);
    }
  return got;
}

/* Writes what the transport takes now of @pieces (@count of them, in
 * order): the count of bytes, -1 with @error (G_IO_ERROR_WOULD_BLOCK:
 * nothing now). Plain TCP takes them in one sendmsg(); over TLS only the
 * first piece goes, and a write that would block must be repeated with
 * the same bytes. */
gssize
rndimg_connection_write (RndimgConnection *connection, const struct iovec *pieces, guint count, GError **error)
{
  gssize sent;

  if (connection->tls)
    {
      GOutputStream *output = g_io_stream_get_output_stream (connection->transport);

      return g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (output), pieces[0].iov_base,
                                                         pieces[0].iov_len, NULL, error);
    }
  /* Straight to the socket, as rndimg_connection_read() reads. */
  do
    sent = sendmsg (connection->fd, &(struct msghdr) { .msg_iov = (struct iovec *) pieces, .msg_iovlen = count },
                    MSG_NOSIGNAL | MSG_DONTWAIT);
  while (sent < 0 && errno == EINTR);
  if (sent < 0)
    g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno), g_strerror (errno));
  return sent;
}

/* Sends @bytes in the batch open on @connection's owner
 * (rndimg_connections_begin_sends()): @done(@user_data) gets the result
 * when the batch ends. FALSE when there is none, or over TLS: write it
 * now. @ticket is for rndimg_connection_forget_send(). */
gboolean
rndimg_connection_send_in_batch (RndimgConnection *connection, GBytes *bytes, RndimgSendDone done, gpointer user_data,
                                 guint64 *ticket)
{
  RndimgConnections *owner = connection->owner;

  if (owner->sends_open == 0 || owner->sends == NULL || connection->tls)
    return FALSE;
  *ticket = rndimg_send_batch_add (owner->sends, connection->fd, bytes, done, user_data);
  owner->batched_sends++;
  return TRUE;
}

/* The result of the send of @ticket is not wanted any more. */
void
rndimg_connection_forget_send (RndimgConnection *connection, guint64 ticket)
{
  rndimg_send_batch_forget (connection->owner->sends, ticket);
}

/* The first @length bytes of the input are used. */
void
rndimg_connection_consume (RndimgConnection *connection, gsize length)
{
  g_assert (connection->input != NULL && length <= connection->input->len);
  g_byte_array_remove_range (connection->input, 0, (guint) length);
  /* An idle connection keeps no buffer. */
  if (connection->input->len == 0)
    g_clear_pointer (&connection->input, g_byte_array_unref);
}

static void
dispatch (RndimgConnection *connection, RndimgConnectionEvents events)
{
  events &= connection->watched;
  if (events != 0 && connection->func != NULL && connection->holder != RNDIMG_HOLDER_CLOSED)
    connection->func (connection, events, connection->func_data);
}

/* A socket stays registered for these after its watcher stops asking
 * for them (rndimg_connection_watch()): the hot path reading (readable)
 * and a held long-poll (hung up) then share one registration, and a
 * long-poll held and answered on a kept connection costs no epoll_ctl().
 * The set is level-triggered: one of them that comes unasked is reported,
 * and the registration is narrowed then (narrow_if_unasked()). */
#define KEPT_EVENTS (EPOLLIN | EPOLLRDHUP)

static void
set_epoll_events (RndimgConnection *connection, guint32 wanted)
{
  int epoll_fd = connection->owner->epoll_fd;
  struct epoll_event event = { .events = wanted, .data.ptr = connection };
  int operation = connection->epoll_events == 0 ? EPOLL_CTL_ADD : wanted == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;

  if (wanted == connection->epoll_events)
    return;
  /* A socket already closed has left the set by itself. */
  if (epoll_ctl (epoll_fd, operation, connection->fd, &event) != 0 && operation != EPOLL_CTL_DEL)
    g_debug ("cannot watch a connection: %s", g_strerror (errno));
  connection->epoll_events = wanted;
}

/* Of @flags, those that came unasked (kept, KEPT_EVENTS) by the watcher
 * they go to; none while the connection is muted, which lasts until the
 * next watch, within the pass. */
static guint32
unasked (RndimgConnection *connection, guint32 flags)
{
  return connection->watched != 0 ? flags & connection->epoll_events & ~connection->epoll_wanted : 0;
}

/* After the pass's dispatch: events that came unasked (@unasked_flags)
 * and are still not asked for would be reported again at every pass while
 * true (level-triggered), so the registration is narrowed to what the
 * watcher asks for. */
static void
narrow_if_unasked (RndimgConnection *connection, guint32 unasked_flags)
{
  if (unasked_flags != 0 && connection->holder != RNDIMG_HOLDER_CLOSED &&
      unasked (connection, unasked_flags) != 0)
    set_epoll_events (connection, connection->epoll_wanted);
}

static void run_after_pass (RndimgConnections *self);

/* Every socket ready in the set, in one pass. A callback may close other
 * connections of the batch: each is kept until the pass is over. */
static void
handle_events (RndimgConnections *self, struct epoll_event *events, int count)
{
  self->in_pass = TRUE;
  for (int i = 0; i < count; i++)
    rndimg_connection_ref (events[i].data.ptr);
  for (int i = 0; i < count; i++)
    {
      RndimgConnection *connection = events[i].data.ptr;
      guint32 flags = events[i].events;
      guint32 unasked_flags = unasked (connection, flags);
      RndimgConnectionEvents ready = 0;

      if (flags & (EPOLLIN | EPOLLHUP | EPOLLERR))
        ready |= RNDIMG_CONNECTION_READABLE;
      if (flags & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        ready |= RNDIMG_CONNECTION_WRITABLE;
      if (flags & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        ready |= RNDIMG_CONNECTION_HUNG_UP;
      dispatch (connection, ready);
      narrow_if_unasked (connection, unasked_flags);
    }
  for (int i = 0; i < count; i++)
    rndimg_connection_unref (events[i].data.ptr);
  run_after_pass (self);
}

static gboolean
on_epoll (gint epoll_fd, GIOCondition condition, gpointer user_data)
{
  struct epoll_event events[64];
  int count = epoll_wait (epoll_fd, events, G_N_ELEMENTS (events), 0);

  handle_events (user_data, events, count);
  return G_SOURCE_CONTINUE;
}

/* --busy-poll: asks the set without sleeping until something is ready
 * (handled at once: TRUE) or @until (monotonic µs) passes. */
static gboolean
spin_on_epoll (gpointer user_data, gint64 until)
{
  RndimgConnections *self = user_data;
  struct epoll_event events[64];

  do
    {
      int count = epoll_wait (self->epoll_fd, events, G_N_ELEMENTS (events), 0);

      if (count > 0)
        {
          handle_events (self, events, count);
          return TRUE;
        }
    }
  while (g_get_monotonic_time () < until);
  return FALSE;
}

static gboolean
on_tls_readable (GObject *stream, gpointer user_data)
{
  dispatch (user_data, RNDIMG_CONNECTION_READABLE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_tls_writable (GObject *stream, gpointer user_data)
{
  dispatch (user_data, RNDIMG_CONNECTION_WRITABLE);
  return G_SOURCE_CONTINUE;
}

static GSource *
tls_source (RndimgConnection *connection, gboolean output, GSourceFunc func)
{
  GSource *source;

  if (output)
    source = g_pollable_output_stream_create_source (
      G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (connection->transport)), NULL);
  else
    source = g_pollable_input_stream_create_source (
      G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (connection->transport)), NULL);
  g_source_set_callback (source, func, connection, NULL);
  g_source_attach (source, NULL);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Calls @func (with the events among @events that happen) until the
 * next watch or unwatch: one watcher at a time, its holder. A hang-up is
 * the peer's FIN (or a reset): bytes before it are still readable. */
void
rndimg_connection_watch (RndimgConnection *connection, RndimgConnectionEvents events,
                         RndimgConnectionFunc func, gpointer user_data)
{
  guint32 wanted = 0;

  connection->watched = events;
  connection->func = func;
  connection->func_data = user_data;
  if (events & RNDIMG_CONNECTION_HUNG_UP)
    wanted |= EPOLLRDHUP;
  if (!connection->tls)
    {
      if (events & RNDIMG_CONNECTION_READABLE)
        wanted |= EPOLLIN;
      if (events & RNDIMG_CONNECTION_WRITABLE)
        wanted |= EPOLLOUT;
    }
  else
    {
      if ((events & RNDIMG_CONNECTION_READABLE) && connection->tls_read == NULL)
        connection->tls_read = tls_source (connection, FALSE, G_SOURCE_FUNC (on_tls_readable));
      else if (!(events & RNDIMG_CONNECTION_READABLE))
        clear_source (&connection->tls_read);
      if ((events & RNDIMG_CONNECTION_WRITABLE) && connection->tls_write == NULL)
        connection->tls_write = tls_source (connection, TRUE, G_SOURCE_FUNC (on_tls_writable));
      else if (!(events & RNDIMG_CONNECTION_WRITABLE))
        clear_source (&connection->tls_write);
    }
  connection->epoll_wanted = wanted;
  /* Over TLS, the socket's readable is never watched: its TLS stream is. */
  if ((wanted & KEPT_EVENTS) != 0 && !connection->tls)
    wanted |= KEPT_EVENTS;
  set_epoll_events (connection, wanted);
}

void
rndimg_connection_unwatch (RndimgConnection *connection)
{
  rndimg_connection_watch (connection, 0, NULL, NULL);
}

/* Stops calling the watcher at once, without a system call: the socket
 * stays in the epoll set as it is until the next watch (none then when
 * it asks for what is registered: KEPT_EVENTS), so a fan-out releasing
 * thousands of clients does none. */
void
rndimg_connection_mute (RndimgConnection *connection)
{
  connection->watched = 0;
  connection->func = NULL;
  clear_source (&connection->tls_read);
  clear_source (&connection->tls_write);
}

static void
drop_soup_last (RndimgConnection *connection)
{
  g_autoptr(SoupServerMessage) last = g_steal_pointer (&connection->soup_last);

  if (last != NULL)
    g_signal_handlers_disconnect_by_data (last, connection);
}

/* A request is in progress (not idle) or not (idle since now). */
void
rndimg_connection_set_busy (RndimgConnection *connection, gboolean busy)
{
  connection->busy = busy;
  connection->idle_since = g_get_monotonic_time ();
  if (!busy)
    return;
  drop_soup_last (connection);
  if (connection->gate != NULL)
    rndimg_gate_hold_end (connection->gate, FALSE);
}

/* A request kept to take its connection back later: its headers and
 * bodies are done with. Not before libsoup is (it reads the headers after
 * "request-finished", to decide whether to keep the connection). */
static void
trim (gpointer data)
{
  g_autoptr(SoupServerMessage) msg = data;

  soup_message_body_truncate (soup_server_message_get_request_body (msg));
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_clear (soup_server_message_get_request_headers (msg));
  soup_message_headers_clear (soup_server_message_get_response_headers (msg));
}

/* libsoup answered @msg on @connection, which it keeps for a next
 * request. libsoup 3.2 never lets go of a connection whose client closes
 * it while it idles (it reads the end with a placeholder request that
 * has no completion callback; fixed upstream by d20c6601, in 3.4): about
 * 2.8 KB kept until the server stops, for every such client. @msg is kept
 * so that closing the connection takes it from libsoup first
 * (soup_server_message_steal_connection(): libsoup then drops its own
 * object); dropped when libsoup closes the connection itself. */
void
rndimg_connection_set_soup_last (RndimgConnection *connection, SoupServerMessage *msg)
{
  drop_soup_last (connection);
  connection->soup_last = g_object_ref (msg);
  g_signal_connect_swapped (msg, "disconnected", G_CALLBACK (drop_soup_last), connection);
  rndimg_connections_run_later (connection->owner, trim, g_object_ref (msg));
  if (connection->gate != NULL)
    rndimg_gate_hold_end (connection->gate, TRUE);
}

/* Takes @connection from libsoup through the request it answered last on
 * it: libsoup disconnects and drops its connection object. */
static void
let_go_of_soup (RndimgConnection *connection)
{
  g_autoptr(SoupServerMessage) last = connection->soup_last != NULL ? g_object_ref (connection->soup_last) : NULL;
  g_autoptr(GIOStream) stream = NULL;

  if (last == NULL)
    return;
  drop_soup_last (connection);
  stream = soup_server_message_steal_connection (last);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

/* A request head began to arrive at @usec (monotonic), or 0: none is. */
void
rndimg_connection_set_head_started (RndimgConnection *connection, gint64 usec)
{
  connection->head_started = usec;
}

/* A request head began to arrive, unless one is arriving already (the
 * first is timed from the connection's start). */
void
rndimg_connection_head_begins (RndimgConnection *connection)
{
  if (connection->head_started == 0)
    connection->head_started = g_get_monotonic_time ();
}

/* The hot path's own state for @connection, freed with @free_data when
 * it is closed or replaced. */
void
rndimg_connection_set_hot_data (RndimgConnection *connection, gpointer data, GDestroyNotify free_data)
{
  gpointer old = connection->hot_data;
  GDestroyNotify free_old = connection->free_hot_data;

  connection->hot_data = data;
  connection->free_hot_data = free_data;
  if (old != NULL && free_old != NULL)
    free_old (old);
}

gpointer
rndimg_connection_get_hot_data (RndimgConnection *connection)
{
  return connection->hot_data;
}

static void
forget (RndimgConnection *connection)
{
  RndimgConnections *self = connection->owner;

  if (g_hash_table_lookup (self->by_peer, &connection->key) == connection)
    g_hash_table_remove (self->by_peer, &connection->key);
  g_hash_table_remove (self->all, connection);   /* the set's reference */
}

/* Closes @connection for good (its transport, so its socket), whoever
 * holds it; the record lives on while others keep a reference. */
void
rndimg_connection_close (RndimgConnection *connection)
{
  g_autoptr(RndimgConnection) keep = rndimg_connection_ref (connection);

  RndimgHolder holder = connection->holder;

  if (holder == RNDIMG_HOLDER_CLOSED)
    return;
  rndimg_connection_unwatch (connection);
  connection->holder = RNDIMG_HOLDER_CLOSED;
  if (holder == RNDIMG_HOLDER_SOUP)
    let_go_of_soup (connection);
  drop_soup_last (connection);
  rndimg_connection_set_hot_data (connection, NULL, NULL);
  g_io_stream_close (connection->transport, NULL, NULL);
  g_clear_object (&connection->gate);   /* libsoup may still hold it: closed, its input ends */
  forget (connection);
}

/* The gate refused a head: answered (by whoever the service named) and closed. */
static void
on_gate_refused (gpointer data, guint status, const char *message)
{
  RndimgConnection *connection = data;
  RndimgConnections *self = connection->owner;

  connection->holder = RNDIMG_HOLDER_TAKEN;
  self->refuse (connection, status, message, self->refuse_data);
}

/* The client closed a connection libsoup holds, idle (the gate kept the
 * end from libsoup): closed, taken from libsoup first. */
static void
close_idle (gpointer data)
{
  g_autoptr(RndimgConnection) connection = data;

  if (connection->holder == RNDIMG_HOLDER_SOUP && !connection->busy)
    {
      g_debug ("closing a connection: closed by the client");
      rndimg_connection_close (connection);
    }
}

/* Told by the gate from within libsoup's read: closed after it. */
static void
on_gate_ended (gpointer data)
{
  RndimgConnection *connection = data;

  rndimg_connections_run_later (connection->owner, close_idle, rndimg_connection_ref (connection));
}

/* The SoupServer closed the gate's stream: the connection is done. */
static void
on_gate_closed (gpointer data)
{
  RndimgConnection *connection = data;

  drop_soup_last (connection);   /* libsoup is letting go itself: nothing to take */
  rndimg_connection_close (connection);
}

static GIOStream *
gate_of (RndimgConnection *connection)
{
  if (connection->gate == NULL)
    {
      RndimgGateOwner owner = {
        .transport = connection->transport,
        .input = &connection->input,
        .head_started = &connection->head_started,
        .refused = on_gate_refused,
        .closed = on_gate_closed,
        .ended = on_gate_ended,
        .data = rndimg_connection_ref (connection),
        .free_data = (GDestroyNotify) rndimg_connection_unref,
      };
      /* Ours until we close: libsoup lets go of it at a steal (a long-poll
       * taken), and it is needed again after. */
      connection->gate = rndimg_gate_new (&owner);
      return g_object_ref (connection->gate);
    }
  rndimg_gate_expect_request (connection->gate);
  return g_object_ref (connection->gate);
}

/* Hands @connection to the SoupServer, which reads its next request
 * (through the gate; the bytes already read first). */
void
rndimg_connection_give_to_soup (RndimgConnection *connection)
{
  RndimgConnections *self = connection->owner;
  g_autoptr(GIOStream) gate = NULL;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection->socket_connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection->socket_connection, NULL);
  g_autoptr(GError) error = NULL;

  if (connection->gate != NULL && !rndimg_gate_can_take_request (connection->gate))
    {
      rndimg_connection_close (connection);
      return;
    }
  rndimg_connection_unwatch (connection);
  rndimg_connection_set_hot_data (connection, NULL, NULL);
  connection->holder = RNDIMG_HOLDER_SOUP;
  rndimg_connection_set_busy (connection, FALSE);
  gate = gate_of (connection);
  if (local == NULL || remote == NULL || !soup_server_accept_iostream (self->server, gate, local, remote, &error))
    {
      g_debug ("cannot give a connection to libsoup: %s", error != NULL ? error->message : "no address");
      rndimg_connection_close (connection);
    }
}

/* An answer of ours is under way on @connection (a held long-poll, a
 * stream, a refusal): nobody else reads or writes it, and it is never
 * swept. */
void
rndimg_connection_take (RndimgConnection *connection)
{
  rndimg_connection_mute (connection);
  connection->holder = RNDIMG_HOLDER_TAKEN;
  rndimg_connection_set_busy (connection, TRUE);
  connection->head_started = 0;
  if (connection->gate != NULL)
    rndimg_gate_pass_through (connection->gate);
}

/* @connection's next request is read by the hot path, or by libsoup
 * when there is none: a connection just accepted, or one whose answer
 * (written by us) is all sent. */
void
rndimg_connection_serve (RndimgConnection *connection)
{
  RndimgConnections *self = connection->owner;

  if (connection->holder == RNDIMG_HOLDER_CLOSED)
    return;
  if (self->hot_path == NULL)
    {
      rndimg_connection_give_to_soup (connection);
      return;
    }
  connection->holder = RNDIMG_HOLDER_HOT;
  rndimg_connection_set_busy (connection, FALSE);
  self->hot_path (connection, self->hot_path_data);
}

/* A connection accepted (@tls: the TLS connection over it that carries
 * its bytes, or NULL), not yet served: see rndimg_connection_serve(). */
RndimgConnection *
rndimg_connections_accept (RndimgConnections *self, GSocketConnection *socket_connection, GIOStream *tls)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (socket_connection, NULL);
  RndimgConnection *connection = g_new0 (RndimgConnection, 1);

  connection->ref_count = 1;   /* the set's */
  connection->owner = self;
  connection->socket_connection = g_object_ref (socket_connection);
  connection->socket = g_socket_connection_get_socket (socket_connection);
  connection->fd = g_socket_get_fd (connection->socket);
  connection->tls = tls != NULL;
  connection->transport = g_object_ref (tls != NULL ? tls : G_IO_STREAM (socket_connection));
  if (remote != NULL)
    peer_key (remote, &connection->key);
  /* Idle from the start: a client that connects and says nothing for the
   * idle limit is closed too; its first head is timed from now. */
  connection->idle_since = g_get_monotonic_time ();
  connection->head_started = connection->idle_since;
  g_hash_table_add (self->all, connection);
  g_hash_table_replace (self->by_peer, &connection->key, connection);
  connection->holder = RNDIMG_HOLDER_TAKEN;
  return connection;
}

/* The connection @msg came on (borrowed), or NULL. */
RndimgConnection *
rndimg_connections_lookup (RndimgConnections *self, SoupServerMessage *msg)
{
  PeerKey key;

  if (!peer_key (soup_server_message_get_remote_address (msg), &key))
    return NULL;
  return g_hash_table_lookup (self->by_peer, &key);
}

/* Returns (transfer full) @msg's stream, taken from libsoup, and sets
 * @connection to its record (borrowed); NULL when it was taken before:
 * libsoup 3.2 drops a reference on the message at every steal, so a
 * second one would free it under its owners. */
GIOStream *
rndimg_connections_steal (RndimgConnections *self, SoupServerMessage *msg, RndimgConnection **connection)
{
  g_autoptr(SoupServerMessage) keep = g_object_ref (msg);
  RndimgConnection *found = rndimg_connections_lookup (self, msg);
  GIOStream *stream;

  *connection = found;
  if (found == NULL || found->holder != RNDIMG_HOLDER_SOUP)
    return NULL;
  rndimg_connection_take (found);
  stream = soup_server_message_steal_connection (msg);
  /* libsoup is done with the message, but its handlers on it stay
   * connected, each watched by the server: GObject keeps an object's
   * watched closures in one array, grown and searched one by one, so with
   * thousands of held messages every new request and every answer would
   * walk them all. */
  g_signal_handlers_disconnect_by_data (msg, self->server);
  return stream;
}

/* The connections of @server (borrowed: it must outlive the result). */
RndimgConnections *
rndimg_connections_new (SoupServer *server)
{
  RndimgConnections *self = g_new0 (RndimgConnections, 1);

  self->server = server;
  g_object_get (server, "server-header", &self->server_header, NULL);
  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  g_assert (self->epoll_fd >= 0);
  /* May recurse: GLib "blocks" any other source while it is dispatched,
   * taking its descriptor out of the poll and putting it back, and each
   * of those writes the main context's wakeup eventfd, which wakes the
   * next poll at once: two system calls and a pass of the loop for every
   * pass. on_epoll() never runs the main loop itself. */
  self->epoll_source = g_unix_fd_source_new (self->epoll_fd, G_IO_IN);
  g_source_set_callback (self->epoll_source, G_SOURCE_FUNC (on_epoll), self, NULL);
  g_source_set_can_recurse (self->epoll_source, TRUE);
  g_source_attach (self->epoll_source, NULL);
  self->all = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) rndimg_connection_unref, NULL);
  self->by_peer = g_hash_table_new (peer_key_hash, peer_key_equal);
  g_queue_init (&self->later);
  g_queue_init (&self->after_pass);
  self->sends = rndimg_send_batch_new ();
  return self;
}

/* Accepted connections go to @take (the hot path) first, not libsoup. */
void
rndimg_connections_set_hot_path (RndimgConnections *self, RndimgConnectionsHotFunc take, gpointer user_data)
{
  self->hot_path = take;
  self->hot_path_data = user_data;
}

/* The main loop polls without sleeping for @window_usec after any
 * connection was readable (rndimg-busy-poll.c); 0: it sleeps at once. */
static void
stop_busy_poll (RndimgConnections *self)
{
  if (self->busy_poll == NULL)
    return;
  g_source_destroy (self->busy_poll);
  g_clear_pointer (&self->busy_poll, g_source_unref);
}

void
rndimg_connections_set_busy_poll (RndimgConnections *self, guint window_usec)
{
  stop_busy_poll (self);
  if (window_usec == 0)
    return;
  self->busy_poll = rndimg_busy_poll_source_new (self->epoll_fd, window_usec, spin_on_epoll, self);
  g_source_attach (self->busy_poll, NULL);
}

/* Heads the gate refuses are answered by @refuse. */
void
rndimg_connections_set_refuse (RndimgConnections *self, RndimgConnectionsRefuseFunc refuse, gpointer user_data)
{
  self->refuse = refuse;
  self->refuse_data = user_data;
}

/* The open connections, each with a reference: a snapshot to walk
 * while some close. */
static GPtrArray *
open_connections (RndimgConnections *self)
{
  GPtrArray *open = g_ptr_array_new_full (g_hash_table_size (self->all), (GDestroyNotify) rndimg_connection_unref);
  GHashTableIter iter;
  gpointer connection;

  g_hash_table_iter_init (&iter, self->all);
  while (g_hash_table_iter_next (&iter, &connection, NULL))
    g_ptr_array_add (open, rndimg_connection_ref (connection));
  return open;
}

/* Closes every connection we still hold (not those libsoup holds: it
 * closes them itself). */
void
rndimg_connections_close_all (RndimgConnections *self)
{
  g_autoptr(GPtrArray) open = open_connections (self);

  for (guint i = 0; i < open->len; i++)
    {
      RndimgConnection *connection = g_ptr_array_index (open, i);

      if (connection->holder == RNDIMG_HOLDER_HOT)
        rndimg_connection_close (connection);
    }
}

/* Runs the work still waiting, then forgets every connection (those
 * still referenced elsewhere are closed by their holders). */
void
rndimg_connections_free (RndimgConnections *self)
{
  GHashTableIter iter;
  gpointer connection;

  rndimg_connections_flush_later (self);
  g_hash_table_iter_init (&iter, self->all);
  while (g_hash_table_iter_next (&iter, &connection, NULL))
    {
      RndimgConnection *open = connection;

      rndimg_connection_unwatch (open);
      rndimg_connection_set_hot_data (open, NULL, NULL);
      open->holder = RNDIMG_HOLDER_CLOSED;
    }
  g_hash_table_unref (self->by_peer);
  g_hash_table_unref (self->all);
  g_source_destroy (self->epoll_source);
  g_source_unref (self->epoll_source);
  stop_busy_poll (self);
  g_clear_pointer (&self->sends, rndimg_send_batch_free);
  close (self->epoll_fd);
  g_free (self->server_header);
  g_free (self);
}

/* The server our connections are handed to. */
SoupServer *
rndimg_connections_get_server (RndimgConnections *self)
{
  return self->server;
}

/* The Server header libsoup writes ("rndimg/x libsoup/y"), or "". */
const char *
rndimg_connections_get_server_header (RndimgConnections *self)
{
  return self->server_header != NULL ? self->server_header : "";
}

/* How many connections are open. */
guint
rndimg_connections_get_count (RndimgConnections *self)
{
  return g_hash_table_size (self->all);
}

/* Work left for after the current pass of the main loop: what a fan-out
 * does for each client once every client has its answer. */
typedef struct {
  GDestroyNotify func;
  gpointer data;
} Later;

static gboolean
on_later (gpointer user_data)
{
  RndimgConnections *self = user_data;
  Later *item;

  self->later_id = 0;
  /* Items may queue more; they run in this same pass. */
  while ((item = g_queue_pop_head (&self->later)) != NULL)
    {
      item->func (item->data);
      g_free (item);
    }
  return G_SOURCE_REMOVE;
}

/* Runs @func(@data) after the current pass of the main loop, in order. */
void
rndimg_connections_run_later (RndimgConnections *self, GDestroyNotify func, gpointer data)
{
  Later *item = g_new (Later, 1);

  *item = (Later) { func, data };
  g_queue_push_tail (&self->later, item);
  if (self->later_id == 0)
    self->later_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_later, self, NULL);
}

static void
run_after_pass (RndimgConnections *self)
{
  Later *item;

  self->in_pass = FALSE;
  while ((item = g_queue_pop_head (&self->after_pass)) != NULL)
    {
      item->func (item->data);
      g_free (item);
    }
}

/* Runs @func(@data) once every socket ready in this pass of the epoll set
 * was served, before the main loop goes on (no pass of its own, unlike
 * rndimg_connections_run_later(), which it is outside such a pass): what
 * the requests read together share, such as one send per stream. */
void
rndimg_connections_run_after_pass (RndimgConnections *self, GDestroyNotify func, gpointer data)
{
  Later *item;

  if (!self->in_pass)
    {
      rndimg_connections_run_later (self, func, data);
      return;
    }
  item = g_new (Later, 1);
  *item = (Later) { func, data };
  g_queue_push_tail (&self->after_pass, item);
}

/* From now until the matching rndimg_connections_end_sends(), the sends
 * of frame writers (rndimg_connection_send_in_batch()) go out together,
 * in one system call, at the end: a fan-out's. */
void
rndimg_connections_begin_sends (RndimgConnections *self)
{
  self->sends_open++;
}

/* Sends made in batches so far. */
guint64
rndimg_connections_get_batched_sends (RndimgConnections *self)
{
  return self->batched_sends;
}

void
rndimg_connections_end_sends (RndimgConnections *self)
{
  g_return_if_fail (self->sends_open > 0);

  if (--self->sends_open == 0 && self->sends != NULL)
    rndimg_send_batch_submit (self->sends);
}

/* Runs everything still waiting (at shutdown). */
void
rndimg_connections_flush_later (RndimgConnections *self)
{
  g_clear_handle_id (&self->later_id, g_source_remove);
  on_later (self);
}

/* Whether the client closed @connection (recv gives 0 or an error). */
static gboolean
peer_has_closed (RndimgConnection *connection)
{
  char byte;
  gssize got = recv (connection->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  return got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR);
}

#define SLOW_HEAD "its request head took too long"

/* Why the sweep ends @connection now, or NULL. */
static const char *
sweep_verdict (RndimgConnection *connection, gint64 now, gint64 idle_limit, gint64 header_limit)
{
  if (connection->holder == RNDIMG_HOLDER_TAKEN || connection->holder == RNDIMG_HOLDER_CLOSED)
    return NULL;
  if (connection->head_started > 0 && now - connection->head_started > header_limit)
    return SLOW_HEAD;
  if (connection->busy)
    return NULL;
  if (now - connection->idle_since > idle_limit)
    return "idle too long";
  /* libsoup 3.2 leaves one its client closed in CLOSE_WAIT; we see ours. */
  if (connection->holder == RNDIMG_HOLDER_SOUP && peer_has_closed (connection))
    return "closed by the client";
  return NULL;
}

/* Ends @connection for @why. A head that takes too long on a connection
 * libsoup reads gets its socket shut down: libsoup sees the end of the
 * stream and ends the request itself. Any other is closed (an idle one
 * libsoup holds too: libsoup 3.2 would leave it in CLOSE_WAIT). */
static void
end (RndimgConnection *connection, gboolean slow_head)
{
  if (connection->holder == RNDIMG_HOLDER_SOUP && slow_head)
    {
      connection->head_started = 0;
      g_socket_shutdown (connection->socket, TRUE, TRUE, NULL);
      return;
    }
  rndimg_connection_close (connection);
}

typedef struct {
  RndimgConnections *connections;
  guint idle_seconds;
  guint header_seconds;
} Sweep;

static gboolean
sweep (gpointer user_data)
{
  Sweep *settings = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) open = open_connections (settings->connections);

  for (guint i = 0; i < open->len; i++)
    {
      RndimgConnection *connection = g_ptr_array_index (open, i);
      const char *why = sweep_verdict (connection, now, settings->idle_seconds * G_USEC_PER_SEC,
                                       settings->header_seconds * G_USEC_PER_SEC);

      if (why == NULL)
        continue;
      g_debug ("closing a connection: %s", why);
      end (connection, g_str_equal (why, SLOW_HEAD));
    }
  return G_SOURCE_CONTINUE;
}

/* Once a second (cheaper than a timer per connection, which GLib would
 * add and remove at every request), closes the connections idle more
 * than @idle_seconds, those whose client closed them while idle, and
 * those whose request head has taken more than @header_seconds (a client
 * trickling a head a byte at a time would otherwise hold its connection
 * for good: libsoup 3.2 has no such limit). Returns the source id. */
guint
rndimg_connections_sweep (RndimgConnections *self, guint idle_seconds, guint header_seconds)
{
  Sweep *settings = g_new (Sweep, 1);

  *settings = (Sweep) { self, idle_seconds, header_seconds };
  return g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 1, sweep, settings, g_free);
}
