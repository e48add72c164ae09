/* SPDX-License-Identifier: MIT */
/* The connections we accept and hand to libsoup, watched where libsoup 3.2
 * does not look. Held requests (long-polls, event streams) sit paused with
 * nothing to read or write, so libsoup would only notice a vanished client
 * at the next write: a hangup watch notices it at once. An idle keep-alive
 * connection that its client closes is never closed by libsoup 3.2 (fixed
 * in 3.4): a sweep once a second closes it, and any connection idle too
 * long, taking it from libsoup first through the request answered last on
 * it, so that libsoup lets go of its own connection object too (the gate
 * keeps the close from libsoup meanwhile: see rndimg-gate.c). RndimgConnections holds all this for one SoupServer, with the
 * work a fan-out leaves for after its pass (rndimg_connections_run_later()). */
#include "rndimg-connection.h"
#include "rndimg-gate.h"

#include <errno.h>
#include <netinet/in.h>
#include <glib-unix.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

/* Every watched connection sits in one epoll set, and the main loop polls
 * only that set's descriptor: holding or releasing a client costs one
 * epoll_ctl(), not a GSource that GLib adds to and removes from a list of
 * every descriptor (a cost that grows with the number of held clients). */
struct _RndimgHangupWatch
{
  RndimgConnections *owner;
  int fd;
  SoupServerMessage *msg;
  RndimgHangupFunc callback;
  gpointer user_data;
};

struct _RndimgConnections
{
  /* Borrowed */
  SoupServer *server;         /* where our connections go; outlives us */

  /* Owned */
  char *server_header;        /* its "server-header", read once */
  int hangup_epoll;           /* -1 until the first watch */
  guint hangup_source_id;
  GHashTable *by_peer;        /* PeerKey * (in its ConnectionState) -> GSocketConnection (weak) */
  GHashTable *states;         /* every ConnectionState still watched (a set) */
  GQueue later;               /* Later *: see rndimg_connections_run_later() */
  guint later_id;
};

/* EPOLLRDHUP: the peer sent its FIN. Unlike "readable", it is not set by
 * a pipelined request or stray bytes, which stay for libsoup, and it is
 * not hidden behind them. EPOLLHUP and EPOLLERR come with any mask. */
static gboolean
on_hangups (gint epoll_fd, GIOCondition condition, gpointer user_data)
{
  struct epoll_event events[64];
  int count = epoll_wait (epoll_fd, events, G_N_ELEMENTS (events), 0);

  /* Each callback ends only its own watch, so the rest of the batch stays valid. */
  for (int i = 0; i < count; i++)
    {
      RndimgHangupWatch *watch = events[i].data.ptr;

      if (watch->callback != NULL)   /* NULL: muted, ended soon */
        watch->callback (watch->msg, watch->user_data);
    }
  return G_SOURCE_CONTINUE;
}

/* Connections we accepted and handed to libsoup are found by the peer's
 * address and port: a message made from a handed-over stream does not
 * know its socket, and the hangup watch needs it. Entries leave with
 * their connection. Looked up twice a request: a binary key, no
 * formatting. */
typedef struct {
  guint8 address[16];         /* IPv4 or IPv6, as bytes */
  guint16 length;
  guint16 port;
} PeerKey;

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

/* What we know of a connection (qdata on it, so it lives as long). */
typedef struct {
  RndimgConnections *owner;
  GSocketConnection *connection;   /* weak */
  PeerKey key;
  gint64 idle_since;          /* monotonic; meaningless while busy */
  gboolean busy;              /* a request is being read, held or answered */
  GIOStream *tls;             /* the TLS connection over it (weak), or NULL */
  SoupServerMessage *last;    /* idle: the request libsoup answered last on it, to take it back */
} ConnectionState;

static void drop_last (ConnectionState *state);

static void
state_free (ConnectionState *state)
{
  drop_last (state);
  if (state->tls != NULL)
    g_object_remove_weak_pointer (G_OBJECT (state->tls), (gpointer *) &state->tls);
  g_free (state);
}

static GQuark
state_quark (void)
{
  return g_quark_from_static_string ("rndimg-connection-state");
}

static void
on_connection_gone (gpointer data, GObject *connection)
{
  ConnectionState *state = data;
  RndimgConnections *self = state->owner;

  /* A newer connection from the same address may have taken the slot. */
  if (g_hash_table_lookup (self->by_peer, &state->key) == connection)
    g_hash_table_remove (self->by_peer, &state->key);
  g_hash_table_remove (self->states, state);
}

static GSocketConnection *
connection_of (RndimgConnections *self, SoupServerMessage *msg)
{
  PeerKey key;

  if (!peer_key (soup_server_message_get_remote_address (msg), &key))
    return NULL;
  return g_hash_table_lookup (self->by_peer, &key);
}

/* @connection was accepted; @tls (or NULL) is the TLS connection over it
 * that libsoup gets, and that goes back to libsoup after a taken answer. */
void
rndimg_connections_register (RndimgConnections *self, GSocketConnection *connection, GIOStream *tls)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  ConnectionState *state = g_new0 (ConnectionState, 1);

  if (remote == NULL || !peer_key (remote, &state->key))
    {
      g_free (state);
      return;
    }
  state->owner = self;
  state->connection = connection;
  /* Idle from the start: a client that connects and says nothing for the
   * idle limit is closed too. */
  state->idle_since = g_get_monotonic_time ();
  /* The TLS connection holds the socket's: it goes first, and clears this. */
  state->tls = tls;
  if (tls != NULL)
    g_object_add_weak_pointer (G_OBJECT (tls), (gpointer *) &state->tls);
  g_object_set_qdata_full (G_OBJECT (connection), state_quark (), state, (GDestroyNotify) state_free);
  g_hash_table_replace (self->by_peer, &state->key, connection);
  g_hash_table_add (self->states, state);
  g_object_weak_ref (G_OBJECT (connection), on_connection_gone, state);
}

static ConnectionState *
state_of (GSocketConnection *connection)
{
  return connection != NULL ? g_object_get_qdata (G_OBJECT (connection), state_quark ()) : NULL;
}

/* TRUE when @msg came over TLS: what is written to it must go through its
 * stream, never straight to the socket. */
gboolean
rndimg_connections_is_tls (RndimgConnections *self, SoupServerMessage *msg)
{
  ConnectionState *state = state_of (connection_of (self, msg));

  return state != NULL && state->tls != NULL;
}

/* What @connection's bytes go through (borrowed): its TLS connection, or
 * itself. */
GIOStream *
rndimg_connections_transport (RndimgConnections *self, GSocketConnection *connection)
{
  ConnectionState *state = state_of (connection);

  return state != NULL && state->tls != NULL ? state->tls : G_IO_STREAM (connection);
}

/* The socket under @msg (borrowed), or NULL. */
GSocket *
rndimg_connections_get_socket (RndimgConnections *self, SoupServerMessage *msg)
{
  GSocketConnection *connection;

  if (soup_server_message_get_socket (msg) != NULL)
    return soup_server_message_get_socket (msg);
  connection = connection_of (self, msg);
  return connection != NULL ? g_socket_connection_get_socket (connection) : NULL;
}

/* Calls @callback once the peer of @msg hangs up; the callback, or the
 * owner when the request ends first, must end the watch with
 * rndimg_connection_unwatch_hangup(). NULL when @msg has no socket. */
RndimgHangupWatch *
rndimg_connections_watch_hangup (RndimgConnections *self, SoupServerMessage *msg,
                                 RndimgHangupFunc callback, gpointer user_data)
{
  GSocket *socket = rndimg_connections_get_socket (self, msg);
  RndimgHangupWatch *watch;
  struct epoll_event event = { .events = EPOLLRDHUP };

  if (socket == NULL)
    return NULL;
  if (self->hangup_epoll < 0)
    {
      self->hangup_epoll = epoll_create1 (EPOLL_CLOEXEC);
      g_assert (self->hangup_epoll >= 0);
      self->hangup_source_id = g_unix_fd_add (self->hangup_epoll, G_IO_IN, on_hangups, NULL);
    }
  watch = g_new (RndimgHangupWatch, 1);
  *watch = (RndimgHangupWatch) { self, g_socket_get_fd (socket), msg, callback, user_data };
  event.data.ptr = watch;
  if (epoll_ctl (self->hangup_epoll, EPOLL_CTL_ADD, watch->fd, &event) != 0)
    {
      g_warning ("cannot watch a connection: %s", g_strerror (errno));
      g_free (watch);
      return NULL;
    }
  return watch;
}

/* Silences @watch at once, without a system call: a fan-out releasing
 * thousands of clients leaves the unwatching for after. */
void
rndimg_connection_mute_hangup (RndimgHangupWatch *watch)
{
  watch->callback = NULL;
}

void
rndimg_connection_unwatch_hangup (RndimgHangupWatch *watch)
{
  /* The socket may be closed already, which left the set by itself. */
  epoll_ctl (watch->owner->hangup_epoll, EPOLL_CTL_DEL, watch->fd, NULL);
  g_free (watch);
}

static GQuark
base_quark (void)
{
  return g_quark_from_static_string ("rndimg-connection-base");
}

static GQuark
stolen_quark (void)
{
  return g_quark_from_static_string ("rndimg-stolen");
}

/* Returns (transfer full) @msg's connection, taken from libsoup, or NULL
 * when it was taken before: libsoup 3.2 drops a reference on the message
 * at every steal, so a second one would free it under its owners. */
GIOStream *
rndimg_connections_steal (RndimgConnections *self, SoupServerMessage *msg)
{
  g_autoptr(SoupServerMessage) keep = g_object_ref (msg);
  GSocketConnection *connection = connection_of (self, msg);
  GIOStream *stream;

  if (g_object_get_qdata (G_OBJECT (msg), stolen_quark ()) != NULL)
    return NULL;
  g_object_set_qdata (G_OBJECT (msg), stolen_quark (), GINT_TO_POINTER (TRUE));
  rndimg_connections_mark_busy (self, msg);   /* ours from now on: never swept */
  if (connection != NULL)
    rndimg_gate_pass_through (connection);
  stream = soup_server_message_steal_connection (msg);
  /* libsoup is done with the message, but its handlers on it stay
   * connected, each watched by the server: GObject keeps an object's
   * watched closures in one array, grown and searched one by one, so with
   * thousands of held messages every new request and every answer would
   * walk them all. */
  g_signal_handlers_disconnect_by_data (msg, self->server);
  /* libsoup's wrapper, which may hold bytes it read ahead; the connection
   * under it is kept too, for base_of(). */
  if (stream != NULL && connection != NULL && stream != G_IO_STREAM (connection))
    g_object_set_qdata_full (G_OBJECT (stream), base_quark (), g_object_ref (connection), g_object_unref);
  return stream;
}

/* The connection we accepted under @stream, one taken with
 * rndimg_connections_steal() (borrowed), or NULL. */
static GSocketConnection *
base_of (GIOStream *stream)
{
  if (G_IS_SOCKET_CONNECTION (stream))
    return G_SOCKET_CONNECTION (stream);
  return g_object_get_qdata (G_OBJECT (stream), base_quark ());
}

/* Takes the connection away from libsoup and closes it: for a client that
 * is gone or that we must drop, with nothing more written to it. */
void
rndimg_connections_abort (RndimgConnections *self, SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = rndimg_connections_steal (self, msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static void on_end_held (GSocketConnection *connection, gpointer user_data);

static void
drop_last (ConnectionState *state)
{
  g_autoptr(SoupServerMessage) last = g_steal_pointer (&state->last);

  if (last != NULL)
    g_signal_handlers_disconnect_by_data (last, state);
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

/* @last: the request libsoup answered last on it, kept while it idles
 * (NULL: busy, or its request was taken from libsoup). */
static void
set_busy (GSocketConnection *connection, gboolean busy, SoupServerMessage *last)
{
  ConnectionState *state = state_of (connection);

  if (state == NULL)
    return;
  state->busy = busy;
  state->idle_since = g_get_monotonic_time ();
  drop_last (state);
  if (last != NULL)
    {
      state->last = g_object_ref (last);
      /* libsoup closing it itself (no keep-alive, shutdown): nothing to
       * take back, and the request would keep libsoup's connection. */
      g_signal_connect_swapped (last, "disconnected", G_CALLBACK (drop_last), state);
      rndimg_connections_run_later (state->owner, trim, g_object_ref (last));
    }
  rndimg_gate_hold_end (connection, last != NULL, on_end_held, state->owner);
}

/* A request began on @msg's connection: not idle until it is answered. */
void
rndimg_connections_mark_busy (RndimgConnections *self, SoupServerMessage *msg)
{
  set_busy (connection_of (self, msg), TRUE, NULL);
}

/* @msg is answered and its connection waits for the next request. */
void
rndimg_connections_mark_idle (RndimgConnections *self, SoupServerMessage *msg)
{
  gboolean taken = g_object_get_qdata (G_OBJECT (msg), stolen_quark ()) != NULL;

  set_busy (connection_of (self, msg), FALSE, taken ? NULL : msg);
}

/* Gives @stream (taken with rndimg_connections_steal() and fully answered)
 * back to the server, which reads the next request on it. */
void
rndimg_connections_give_back (RndimgConnections *self, GIOStream *stream)
{
  GSocketConnection *connection = base_of (stream);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *next;

  /* The gate lets libsoup read nothing past the end of a request, so
   * libsoup's wrapper holds nothing ahead: the gate's stream goes back,
   * not the wrapper, or a connection carrying thousands of long-polls
   * would gather a wrapper for each. Not when the gate did not follow
   * the body (chunked): that connection ends here. */
  if (connection == NULL || !rndimg_gate_expect_request (connection))
    {
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  next = rndimg_gate_of (connection);
  local = g_socket_connection_get_local_address (connection, NULL);
  remote = g_socket_connection_get_remote_address (connection, NULL);
  set_busy (connection, FALSE, NULL);
  if (local == NULL || remote == NULL ||
      !soup_server_accept_iostream (self->server, next, local, remote, &error))
    {
      g_debug ("cannot give a connection back: %s", error != NULL ? error->message : "no address");
      g_io_stream_close (stream, NULL, NULL);
    }
}

/* The connections handed to @server (borrowed: it must outlive the
 * result). */
RndimgConnections *
rndimg_connections_new (SoupServer *server)
{
  RndimgConnections *self = g_new0 (RndimgConnections, 1);

  self->server = server;
  g_object_get (server, "server-header", &self->server_header, NULL);
  self->hangup_epoll = -1;
  self->by_peer = g_hash_table_new (peer_key_hash, peer_key_equal);
  self->states = g_hash_table_new (NULL, NULL);
  g_queue_init (&self->later);
  return self;
}

/* Runs the work still waiting, then forgets every connection (each may
 * outlive us; its state stays on it, unused). */
void
rndimg_connections_free (RndimgConnections *self)
{
  GHashTableIter iter;
  gpointer state;

  rndimg_connections_flush_later (self);
  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, &state, NULL))
    g_object_weak_unref (G_OBJECT (((ConnectionState *) state)->connection), on_connection_gone, state);
  g_hash_table_unref (self->states);
  g_hash_table_unref (self->by_peer);
  g_clear_handle_id (&self->hangup_source_id, g_source_remove);
  if (self->hangup_epoll >= 0)
    close (self->hangup_epoll);
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

/* Runs everything still waiting (at shutdown). */
void
rndimg_connections_flush_later (RndimgConnections *self)
{
  g_clear_handle_id (&self->later_id, g_source_remove);
  on_later (self);
}

/* An idle connection's end: closed by its client (recv gives 0 or an
 * error), which libsoup 3.2 would leave in CLOSE_WAIT, or idle too long. */
static gboolean
should_close (GSocket *socket, const ConnectionState *state, gint64 now, gint64 idle_limit_usec)
{
  char byte;
  gssize got;

  if (now - state->idle_since > idle_limit_usec)
    return TRUE;
  got = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR);
}

/* Takes an idle connection from libsoup through the request it answered
 * last on it: libsoup disconnects and drops its connection object. */
static void
let_go (ConnectionState *state)
{
  g_autoptr(SoupServerMessage) last = state->last != NULL ? g_object_ref (state->last) : NULL;
  g_autoptr(GIOStream) stream = NULL;

  if (last == NULL)
    return;
  drop_last (state);
  stream = soup_server_message_steal_connection (last);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

/* The client closed @connection (taken, a reference) between requests. */
static void
close_idle (gpointer data)
{
  g_autoptr(GSocketConnection) connection = data;
  ConnectionState *state = state_of (connection);
  GSocket *socket = g_socket_connection_get_socket (connection);

  if (state == NULL || state->busy || g_socket_is_closed (socket))
    return;
  g_debug ("closing an idle connection (closed by the client)");
  let_go (state);
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_socket_close (socket, NULL);
}

/* Told by the gate from within libsoup's read: closed after it. */
static void
on_end_held (GSocketConnection *connection, gpointer user_data)
{
  rndimg_connections_run_later (user_data, close_idle, g_object_ref (connection));
}

/* Once a second, one pass over the idle connections: cheaper than a watch
 * per connection, which GLib would add and remove at every request. */
typedef struct {
  RndimgConnections *connections;
  guint idle_seconds;
} Sweep;

static gboolean
sweep_idle (gpointer user_data)
{
  Sweep *sweep = user_data;
  gint64 idle_limit_usec = sweep->idle_seconds * G_USEC_PER_SEC;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) closing = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer connection;

  g_hash_table_iter_init (&iter, sweep->connections->by_peer);
  while (g_hash_table_iter_next (&iter, NULL, &connection))
    {
      ConnectionState *state = g_object_get_qdata (connection, state_quark ());
      GSocket *socket = g_socket_connection_get_socket (connection);

      if (state != NULL && !state->busy && !g_socket_is_closed (socket) &&
          should_close (socket, state, now, idle_limit_usec))
        g_ptr_array_add (closing, g_object_ref (connection));
    }
  /* Apart from the walk: a connection libsoup lets go of may go at once,
   * and leave the table. */
  for (guint i = 0; i < closing->len; i++)
    {
      GSocketConnection *idle = g_ptr_array_index (closing, i);
      ConnectionState *state = g_object_get_qdata (G_OBJECT (idle), state_quark ());
      GSocket *socket = g_socket_connection_get_socket (idle);

      g_debug ("closing an idle connection (%s)",
               now - state->idle_since > idle_limit_usec ? "idle too long" : "closed by the client");
      let_go (state);
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
      g_socket_close (socket, NULL);
    }
  return G_SOURCE_CONTINUE;
}

/* Closes, once a second, the idle connections their clients closed and
 * those idle more than @idle_seconds. Returns the source id. */
guint
rndimg_connections_sweep_idle (RndimgConnections *self, guint idle_seconds)
{
  Sweep *sweep = g_new (Sweep, 1);

  *sweep = (Sweep) { self, idle_seconds };
  return g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 1, sweep_idle, sweep, g_free);
}
