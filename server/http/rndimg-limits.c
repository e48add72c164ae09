/* SPDX-License-Identifier: MIT */
/* Limits on what one client can hold: a request's headers must arrive
 * within --header-timeout seconds (a client trickling them a byte at a
 * time would otherwise hold its connection for good: libsoup 3.2 has no
 * such timeout), and one address may hold at most
 * --max-connections-per-address connections. The idle timeout of
 * keep-alive connections is rndimg-connection.c's sweep. Held long-polls
 * and event streams have their headers in and are not touched. */
#include "rndimg-limits.h"
#include "rndimg-connection.h"
#include "rndimg-refusal.h"

#include <errno.h>
#include <sys/socket.h>

struct _RndimgLimits
{
  const RndimgConfig *config;          /* borrowed */
  RndimgConnections *connections;     /* borrowed */
  RndimgRefusals *refusals;           /* borrowed */
  GHashTable *reading;        /* SoupServerMessage * (weak) -> HeaderWait *: headers maybe not all in */
  GHashTable *by_address;     /* "ip" -> GPtrArray of GSocket (strong): its connections */
  guint check_id;
};

/* A request whose headers were not all in when it was last looked at.
 * Nothing is done per request beyond noting it: whether its headers have
 * come is read once a second (a message has its method once they are
 * parsed), and its socket is looked up only to cut it. */
typedef struct {
  RndimgLimits *limits;
  SoupServerMessage *msg;     /* weak: NULL once finalized */
  gint64 since;
} HeaderWait;

static void
on_message_gone (gpointer user_data, GObject *gone)
{
  RndimgLimits *self = user_data;
  HeaderWait *wait = g_hash_table_lookup (self->reading, gone);

  if (wait == NULL)
    return;
  wait->msg = NULL;
  g_hash_table_remove (self->reading, gone);
}

static void
header_wait_free (HeaderWait *wait)
{
  if (wait->msg != NULL)
    g_object_weak_unref (G_OBJECT (wait->msg), on_message_gone, wait->limits);
  g_free (wait);
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgLimits *self = user_data;
  HeaderWait *wait = g_new (HeaderWait, 1);

  *wait = (HeaderWait) { self, msg, g_get_monotonic_time () };
  g_hash_table_replace (self->reading, msg, wait);
  g_object_weak_ref (G_OBJECT (msg), on_message_gone, self);
}

/* Headers too slow: shutting the socket down makes libsoup see the end of
 * the stream, end the request and close the connection itself. Requests
 * whose headers are in (libsoup has parsed their request line) leave the
 * table, cut or not. */
static void
cut_slow_headers (RndimgLimits *self, gint64 now)
{
  gint64 limit_usec = (gint64) self->config->header_timeout_seconds * G_USEC_PER_SEC;
  GHashTableIter iter;
  HeaderWait *wait;

  g_hash_table_iter_init (&iter, self->reading);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &wait))
    {
      GSocket *socket;

      if (soup_server_message_get_method (wait->msg) != NULL)
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      if (now - wait->since <= limit_usec)
        continue;
      g_debug ("request headers not in after %d s: closing", self->config->header_timeout_seconds);
      socket = rndimg_connections_get_socket (self->connections, wait->msg);
      if (socket != NULL && !g_socket_is_closed (socket))
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
      g_hash_table_iter_remove (&iter);
    }
}

/* Forgets the closed connections of @sockets. */
static void
prune_closed (GPtrArray *sockets)
{
  for (guint i = sockets->len; i > 0; i--)
    if (g_socket_is_closed (g_ptr_array_index (sockets, i - 1)))
      g_ptr_array_remove_index_fast (sockets, i - 1);
}

/* A connection whose client has hung up, not yet closed by us (the idle
 * sweep does, once a second): it does not count against its address. */
static gboolean
peer_has_closed (GSocket *socket)
{
  char byte;
  gssize got = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  return got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR);
}

static guint
count_live (GPtrArray *sockets)
{
  guint live = 0;

  for (guint i = 0; i < sockets->len; i++)
    live += !peer_has_closed (g_ptr_array_index (sockets, i));
  return live;
}

static void
prune_addresses (RndimgLimits *self)
{
  GHashTableIter iter;
  GPtrArray *sockets;

  g_hash_table_iter_init (&iter, self->by_address);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &sockets))
    {
      prune_closed (sockets);
      if (sockets->len == 0)
        g_hash_table_iter_remove (&iter);
    }
}

static gboolean
check (gpointer user_data)
{
  RndimgLimits *self = user_data;

  cut_slow_headers (self, g_get_monotonic_time ());
  prune_addresses (self);
  return G_SOURCE_CONTINUE;
}

/* Limits for @server's requests, as @config says (it must outlive them). */
RndimgLimits *
rndimg_limits_new (SoupServer *server, const RndimgConfig *config, RndimgConnections *connections,
                   RndimgRefusals *refusals)
{
  RndimgLimits *self = g_new0 (RndimgLimits, 1);

  self->config = config;
  self->connections = connections;
  self->refusals = refusals;
  self->reading = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) header_wait_free);
  self->by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  self->check_id = g_timeout_add_seconds (1, check, self);
  return self;
}

void
rndimg_limits_free (RndimgLimits *self)
{
  g_clear_handle_id (&self->check_id, g_source_remove);
  g_hash_table_unref (self->reading);
  g_hash_table_unref (self->by_address);
  g_free (self);
}

static char *
address_of (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

/* Over the limit: a 503 in plain text, or on a TLS port only the close,
 * since a client there expects a handshake first, and making one for an
 * address already over its share would spend what the limit saves. */
static void
refuse_over_limit (RndimgLimits *self, GSocketConnection *connection, gboolean answer_in_plain_text)
{
  if (answer_in_plain_text)
    rndimg_refusal_refuse_connection (self->refusals, connection, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                      "too many connections from your address");
  else
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

/* Whether @connection may be served: its address holds fewer than
 * --max-connections-per-address. If not, it is refused and closed. */
gboolean
rndimg_limits_admit_connection (RndimgLimits *self, GSocketConnection *connection, gboolean answer_in_plain_text)
{
  g_autofree char *address = address_of (connection);
  GPtrArray *sockets;

  if (address == NULL)
    return TRUE;
  sockets = g_hash_table_lookup (self->by_address, address);
  if (sockets == NULL)
    {
      sockets = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->by_address, g_strdup (address), sockets);
    }
  /* Closed connections leave the list once a second (check()); the
   * exact count (a look at each connection) only when the cheap one is
   * over: an accept costs O(1), not O(connections from that address). */
  if (sockets->len >= (guint) self->config->max_connections_per_address)
    prune_closed (sockets);
  if (sockets->len >= (guint) self->config->max_connections_per_address &&
      count_live (sockets) >= (guint) self->config->max_connections_per_address)
    {
      g_debug ("%s holds %u connections: refusing another", address, sockets->len);
      refuse_over_limit (self, connection, answer_in_plain_text);
      return FALSE;
    }
  g_ptr_array_add (sockets, g_object_ref (g_socket_connection_get_socket (connection)));
  return TRUE;
}
