/* SPDX-License-Identifier: MIT */
/* Live over Server-Sent Events, as a browser's EventSource does it:
 * "Accept: text/event-stream", events of the default type "message" (or
 * our "image", and the catalogue's changes: "removed", "changed",
 * "moved", "album-changed", "album-removed"), and on reconnect "Last-Event-ID" with the last id: field
 * the stream sent, whatever the events' data say. The answer is read
 * chunk by chunk into the bounded parser. */
#include "rndimg-live-private.h"
#include "rndimg-api-prefix.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define READ_CHUNK_BYTES 8192

static void
on_sse_event (const char *type, const char *data, const char *id, gpointer user_data)
{
  static const char *const followed[] = {
    "message", "image", "removed", "changed", "moved", "album-changed", "album-removed", NULL,
  };

  if (type != NULL && g_strv_contains (followed, type))
    rndimg_live_deliver (user_data, data, strlen (data));
}

static void read_more (RndimgLive *self);

static void
on_sse_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgLive) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (chunk == NULL || g_bytes_get_size (chunk) == 0)
    {
      g_autoptr(GError) ended = error ? g_steal_pointer (&error)
        : g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, _("the server closed the event stream"));
      rndimg_live_connection_lost (self, ended);
      return;
    }
  if (!rndimg_sse_parser_feed (self->parser, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk), &error))
    {
      g_autoptr(GError) bad = g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                                           _("Bad answer: %s"), error->message);
      rndimg_live_connection_lost (self, bad);
      return;
    }
  /* The parser may have delivered an event whose handler stopped us. */
  if (self->stream != NULL)
    read_more (self);
}

static void
read_more (RndimgLive *self)
{
  g_input_stream_read_bytes_async (self->stream, READ_CHUNK_BYTES, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_sse_read, g_object_ref (self));
}

static gboolean
check_stream_answer (SoupMessage *msg, GError **error)
{
  const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);

  if (soup_message_get_status (msg) != SOUP_STATUS_OK || g_strcmp0 (type, "text/event-stream") != 0)
    {
      g_set_error (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                   _("Bad answer: the event stream answered HTTP %u (%s)"),
                   soup_message_get_status (msg), type ? type : _("no content type"));
      return FALSE;
    }
  return TRUE;
}

static void
on_sse_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgLive) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (stream == NULL || !check_stream_answer (msg, &error))
    {
      rndimg_live_connection_lost (self, error);
      return;
    }
  self->stream = g_steal_pointer (&stream);
  rndimg_live_connected (self);
  read_more (self);
}

void
rndimg_live_sse_connect (RndimgLive *self)
{
  g_autofree char *epoch = self->epoch != NULL ? g_uri_escape_string (self->epoch, NULL, FALSE) : NULL;
  /* The epoch says which history Last-Event-ID belongs to. */
  g_autofree char *album = rndimg_client_album_query (self->client, epoch != NULL ? "&" : "?");
  g_autofree char *path = epoch != NULL ? g_strconcat (RNDIMG_API_PREFIX "/events?epoch=", epoch, album, NULL)
                                        : g_strconcat (RNDIMG_API_PREFIX "/events", album, NULL);
  g_autofree char *url = rndimg_client_url (self->client, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  const char *last_id;

  if (self->parser == NULL)
    self->parser = rndimg_sse_parser_new (on_sse_event, self);
  rndimg_sse_parser_reset (self->parser);
  last_id = rndimg_sse_parser_get_last_event_id (self->parser);
  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  if (last_id != NULL && *last_id != '\0')
    soup_message_headers_replace (headers, "Last-Event-ID", last_id);
  soup_session_send_async (rndimg_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                           self->cancellable, on_sse_opened, g_object_ref (self));
}
