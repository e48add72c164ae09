/* SPDX-License-Identifier: MIT */
/* Refusing a request before its body is read. libsoup 3.2 reads (and
 * keeps) the whole body even when an early handler has set an error
 * status, so a client announcing a gigabyte would be answered only once
 * the server held it all. Instead the connection is taken (from libsoup,
 * or from the hot path, which never reads such a body), the JSON error
 * written by us and the connection closed: the body never enters memory.
 * Heads the gate refuses and connections over a limit are refused the
 * same way, with the same bytes whoever refuses. RndimgRefusals holds the
 * connections still lingering after their answer. */
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
  GList *lingering;                 /* Linger *, owned: ended by _free() */
};

typedef struct {
  RndimgRefusals *owner;
  RndimgConnection *connection;     /* owned */
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
  rndimg_connection_close (linger->connection);
  rndimg_connection_unref (linger->connection);
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

/* Writes @answer on @connection, then lingers and closes. */
static void
send_and_close (RndimgRefusals *self, RndimgConnection *connection, const char *answer)
{
  Linger *linger = g_new0 (Linger, 1);
  GSocket *socket = rndimg_connection_get_socket (connection);
  GIOStream *transport = rndimg_connection_get_transport (connection);

  rndimg_connection_take (connection);
  linger->owner = self;
  linger->connection = rndimg_connection_ref (connection);
  /* A fresh connection's send buffer is empty: the few hundred bytes fit.
   * Through the transport, which may be TLS. */
  g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (transport)),
                                              answer, strlen (answer), NULL, NULL);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);

  /* What comes now is thrown away, straight from the socket. */
  linger->readable = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (linger->readable, G_SOURCE_FUNC (on_linger_readable), linger, NULL);
  g_source_attach (linger->readable, NULL);
  linger->timeout_id = g_timeout_add (LINGER_MS, on_linger_timeout, linger);
  self->lingering = g_list_prepend (self->lingering, linger);
}

/* Answers @connection with @status and a JSON error carrying @message
 * (and, unless NULL, Access-Control-Allow-Origin: @allow_origin), then
 * closes it without reading what the client sends after its head; over
 * TLS, through its TLS connection. Whoever held it gives it up. */
void
rndimg_refusal_refuse (RndimgRefusals *self, RndimgConnection *connection, guint status,
                       const char *message, const char *allow_origin)
{
  g_autofree char *answer = error_answer (status, message, allow_origin);

  if (rndimg_connection_get_holder (connection) == RNDIMG_HOLDER_CLOSED)
    return;
  send_and_close (self, connection, answer);
}

RndimgRefusals *
rndimg_refusals_new (void)
{
  return g_new0 (RndimgRefusals, 1);
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
