/* SPDX-License-Identifier: MIT */
/* How many connections one client may hold: one address may hold at most
 * --max-connections-per-address at once. (The header timeout and the
 * idle timeout are rndimg-connection.c's sweep.) */
#include "rndimg-limits.h"

#include <errno.h>
#include <sys/socket.h>

struct _RndimgLimits
{
  const RndimgConfig *config;          /* borrowed */
  RndimgRefusals *refusals;           /* borrowed */
  GHashTable *by_address;     /* "ip" -> GPtrArray of GSocket (strong): its connections */
  guint check_id;
};

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

  prune_addresses (self);
  return G_SOURCE_CONTINUE;
}

/* Limits as @config says, refused through @refusals (both must outlive
 * them). */
RndimgLimits *
rndimg_limits_new (const RndimgConfig *config, RndimgRefusals *refusals)
{
  RndimgLimits *self = g_new0 (RndimgLimits, 1);

  self->config = config;
  self->refusals = refusals;
  self->by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->check_id = g_timeout_add_seconds (1, check, self);
  return self;
}

void
rndimg_limits_free (RndimgLimits *self)
{
  g_clear_handle_id (&self->check_id, g_source_remove);
  g_hash_table_unref (self->by_address);
  g_free (self);
}

/* Over the limit: a 503 in plain text, or on a TLS port only the close,
 * since a client there expects a handshake first, and making one for an
 * address already over its share would spend what the limit saves. */
static void
refuse_over_limit (RndimgLimits *self, RndimgConnection *connection)
{
  if (!rndimg_connection_is_tls (connection))
    rndimg_refusal_refuse (self->refusals, connection, SOUP_STATUS_SERVICE_UNAVAILABLE,
                           "too many connections from your address", "*");
  else
    rndimg_connection_close (connection);
}

/* Whether @connection may be served: its address holds fewer than
 * --max-connections-per-address. If not, it is refused and closed. */
gboolean
rndimg_limits_admit_connection (RndimgLimits *self, RndimgConnection *connection)
{
  const char *address = rndimg_connection_get_remote_host (connection);
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
      refuse_over_limit (self, connection);
      return FALSE;
    }
  g_ptr_array_add (sockets, g_object_ref (rndimg_connection_get_socket (connection)));
  return TRUE;
}
