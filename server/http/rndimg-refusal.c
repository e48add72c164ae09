/* SPDX-License-Identifier: MIT */
/* Refusing a request before its body is read. libsoup 3.2 reads (and
 * keeps) the whole body even when an early handler has set an error
 * status, so a client announcing a gigabyte would be answered only once
 * the server held it all. Instead we take the connection from libsoup,
 * write the JSON error ourselves and close: the body never enters memory.
 * Connections over a limit are refused the same way. RndimgRefusals holds
 * the connections still lingering after their answer. */
#include "rndimg-refusal.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"

#include <string.h>
#include <sys/socket.h>

/* After the answer, what the client still sends is read and thrown away
 * for a moment before the close: closing a socket with unread data makes
 * the kernel send a reset, which can destroy the answer before the client
 * reads it. Bounded in time and bytes; nothing is kept. */
#define LINGER_MS 2000
#define LINGER_MAX_BYTES (4 * 1024 * 1024)

struct _RndimgRefusals
{
  RndimgConnections *connections;   /* borrowed */
  GList *lingering;                 /* Linger *, owned: ended by _free() */
};

typedef struct {
  RndimgRefusals *owner;
  GIOStream *stream;
  GSource *readable;
  guint timeout_id;
  gsize drained;
} Linger;

static void
linger_end (Linger *linger)
{
  linger->owner->lingering = g_list_remove (linger->owner->lingering, linger);
  g_source_destroy (linger->readable);
  g_source_unref (linger->readable);
  g_clear_handle_id (&linger->timeout_id, g_source_remove);
  g_io_stream_close (linger->stream, NULL, NULL);
  g_object_unref (linger->stream);
  g_free (linger);
}

static gboolean
on_linger_timeout (gpointer user_data)
{
  Linger *linger = user_data;

  linger->timeout_id = 0;
  linger_end (linger);
  return G_SOURCE_REMOVE;
}

static gboolean
on_linger_readable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  Linger *linger = user_data;
  char discard[16384];
  g_autoptr(GError) error = NULL;
  gssize got = g_socket_receive_with_blocking (socket, discard, sizeof discard, FALSE, NULL, &error);

  if (got > 0)
    linger->drained += (gsize) got;
  if (got == 0 || linger->drained > LINGER_MAX_BYTES ||
      (got < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
    {
      linger_end (linger);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* libsoup 3.2 knows no phrase for 431 (RFC 6585). */
static const char *
status_phrase (guint status)
{
  return status == 431 ? "Request Header Fields Too Large" : soup_status_get_phrase (status);
}

static char *
error_answer (guint status, const char *message, const char *allow_origin)
{
  g_autofree char *body = rndimg_http_error_json (message);

  return g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Cache-Control: no-store\r\n"
                          "%s%s%s"
                          "Connection: close\r\n"
                          "\r\n%s",
                          status, status_phrase (status), strlen (body),
                          allow_origin != NULL ? "Access-Control-Allow-Origin: " : "",
                          allow_origin != NULL ? allow_origin : "",
                          allow_origin != NULL ? "\r\n" : "",
                          body);
}

/* Writes @answer on @stream (whose socket is @socket), then lingers and closes. */
static void
send_and_close (RndimgRefusals *self, GIOStream *stream, GSocket *socket, const char *answer)
{
  Linger *linger = g_new0 (Linger, 1);

  linger->owner = self;
  /* A fresh connection's send buffer is empty: the few hundred bytes fit.
   * Through the stream, which may be TLS. */
  g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream)),
                                              answer, strlen (answer), NULL, NULL);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);

  linger->stream = g_object_ref (stream);
  linger->readable = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (linger->readable, G_SOURCE_FUNC (on_linger_readable), linger, NULL);
  g_source_attach (linger->readable, NULL);
  linger->timeout_id = g_timeout_add (LINGER_MS, on_linger_timeout, linger);
  self->lingering = g_list_prepend (self->lingering, linger);
}

/* Answers @msg with @status and a JSON error carrying @message (and the
 * CORS header already set on it), then closes the connection without
 * reading the request's body. */
void
rndimg_refusal_answer_and_close (RndimgRefusals *self, SoupServerMessage *msg, guint status,
                                 const char *message)
{
  const char *allow_origin = soup_message_headers_get_one (soup_server_message_get_response_headers (msg),
                                                           "Access-Control-Allow-Origin");
  g_autofree char *answer = error_answer (status, message, allow_origin);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) stream = NULL;

  /* The socket first: once stolen, the message no longer knows it. */
  if (rndimg_connections_get_socket (self->connections, msg) == NULL)
    return;
  socket = g_object_ref (rndimg_connections_get_socket (self->connections, msg));
  stream = rndimg_connections_steal (self->connections, msg);
  if (stream != NULL)
    send_and_close (self, stream, socket, answer);
}

/* Answers a connection libsoup has not parsed a request of (over a limit,
 * or refused by the gate) with @status and a JSON error, and closes it;
 * through its TLS connection when it has one. */
void
rndimg_refusal_refuse_connection (RndimgRefusals *self, GSocketConnection *connection, guint status,
                                  const char *message)
{
  g_autofree char *answer = error_answer (status, message, "*");

  send_and_close (self, rndimg_connections_transport (self->connections, connection),
                  g_socket_connection_get_socket (connection), answer);
}

/* Refusals of requests on @connections (borrowed: must outlive the result). */
RndimgRefusals *
rndimg_refusals_new (RndimgConnections *connections)
{
  RndimgRefusals *self = g_new0 (RndimgRefusals, 1);

  self->connections = connections;
  return self;
}

/* Closes at once the connections still lingering (at shutdown). */
void
rndimg_refusals_close_all (RndimgRefusals *self)
{
  while (self->lingering != NULL)
    linger_end (self->lingering->data);
}

void
rndimg_refusals_free (RndimgRefusals *self)
{
  rndimg_refusals_close_all (self);
  g_free (self);
}
