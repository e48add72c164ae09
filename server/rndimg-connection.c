/* Held requests (long-polls, event streams) sit paused with nothing to
 * read or write, so libsoup would only notice a vanished client at the
 * next write. These helpers notice it at once and end such a connection
 * without writing to it. */
#include "rndimg-connection.h"

#include <sys/socket.h>

typedef struct {
  SoupServerMessage *msg;
  RndimgHangupFunc callback;
  gpointer user_data;
} HangupWatch;

/* Readable while held means the client closed (recv gives 0 or an error)
 * or sent more (a pipelined request): stop watching either way, and call
 * back on a close. */
static gboolean
on_socket_ready (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  HangupWatch *watch = user_data;
  char byte;
  gssize got = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (got > 0)
    return G_SOURCE_REMOVE;
  watch->callback (watch->msg, watch->user_data);
  return G_SOURCE_REMOVE;
}

/* Returns (transfer full) an attached source calling @callback once when
 * the peer of @msg hangs up; destroy it when the request ends first.
 * NULL when the message has no socket. */
GSource *
rndimg_connection_watch_hangup (SoupServerMessage *msg, RndimgHangupFunc callback, gpointer user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  HangupWatch *watch;
  GSource *source;

  if (socket == NULL)
    return NULL;
  watch = g_new (HangupWatch, 1);
  *watch = (HangupWatch) { msg, callback, user_data };
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_socket_ready), watch, g_free);
  g_source_attach (source, NULL);
  return source;
}

/* Takes the connection away from libsoup and closes it: for a client that
 * is gone or that we must drop, with nothing more written to it. */
void
rndimg_connection_abort (SoupServerMessage *msg)
{
  g_autoptr(SoupServerMessage) keep = g_object_ref (msg);
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}
