/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/events: a Server-Sent Events subscriber. A stream
 * resumes after Last-Event-ID from history, is kept alive by comment
 * heartbeats, and is dropped when its reader falls too far behind (unsent
 * data over a bound) instead of growing memory. The executor writes the
 * head (libsoup), or hands it over as the first frame (the hot path); the
 * frames are written by a RndimgFrameWriter, one send each, and the body
 * ends when the connection closes. */
#include "rndimg-sse.h"
#include "rndimg-event-id.h"
#include "rndimg-frame-writer.h"
#include "rndimg-http.h"
#include "rndimg-json-text.h"

#include <string.h>

#define MAX_UNSENT_BYTES (256 * 1024)
#define PREAMBLE "retry: 3000\n\n"
#define HEARTBEAT ": heartbeat\n\n"

typedef struct {
  RndimgSubscriber parent;
  RndimgFrameWriter *writer;
} Stream;

/* "id: N\nevent: KIND\ndata: JSON\n\n", made once per event and base
 * URL for every stream (the JSON has no line break). A published picture
 * is the event "image" (what clients have always listened for); a change
 * is named by its type ("removed", "changed", "moved", "album-changed",
 * "album-removed"), so an older client that listens for "image" alone is
 * never told a deletion is a new picture. */
static GBytes *
sse_render (const RndimgEvent *event, const RndimgEventLook *look)
{
  g_autoptr(GBytes) json = rndimg_event_look_json (event, look);
  RndimgEventKind kind = rndimg_event_look_kind (event, look);
  gsize size;
  const char *data = g_bytes_get_data (json, &size);
  GString *frame = g_string_sized_new (size + 64);

  g_string_append_len (frame, "id: ", 4);
  rndimg_json_text_append_number (frame, (guint64) MAX (event->id, 0));
  g_string_append_len (frame, "\nevent: ", 8);
  g_string_append (frame, kind == RNDIMG_EVENT_PUBLISHED ? "image" : rndimg_event_kind_to_string (kind));
  g_string_append_len (frame, "\ndata: ", 7);
  g_string_append_len (frame, data, (gssize) size);
  g_string_append_len (frame, "\n\n", 2);
  return g_string_free_to_bytes (frame);
}

/* Queues @payload for the client, unless the reader is too slow. */
static RndimgSubscriberState
sse_deliver (RndimgSubscriber *sub, GBytes *payload)
{
  Stream *stream = (Stream *) sub;

  return rndimg_frame_writer_write (stream->writer, payload) ? RNDIMG_SUBSCRIBER_KEEP
                                                             : RNDIMG_SUBSCRIBER_CUT;
}

/* A replay larger than half the unsent bound keeps the newest events and
 * counts the older ones as missed, so a long history never gets a client
 * dropped for being "slow" before it could read anything. */
static gboolean
sse_replay (RndimgSubscriber *sub, GPtrArray *events, gint64 missed)
{
  gsize budget = MAX_UNSENT_BYTES / 2, used = 0;
  guint first;

  for (first = events->len; first > 0; first--)
    {
      RndimgEventLook look = { sub->base_url, 0, RNDIMG_EVENT_VIEW_WHOLE, NULL };
      g_autoptr(GBytes) frame = sse_render (g_ptr_array_index (events, first - 1), &look);

      if (used + g_bytes_get_size (frame) > budget)
        break;
      used += g_bytes_get_size (frame);
    }
  missed += first;
  for (guint i = first; i < events->len; i++)
    {
      /* The first event sent says how many came before it unsent. */
      if (!rndimg_subscribers_send_event (sub, g_ptr_array_index (events, i), i == first ? missed : 0))
        return FALSE;
    }
  return TRUE;
}

static RndimgSubscriberState
sse_heartbeat (RndimgSubscriber *sub)
{
  static GBytes *heartbeat;

  if (heartbeat == NULL)
    heartbeat = g_bytes_new_static (HEARTBEAT, strlen (HEARTBEAT));
  return sse_deliver (sub, heartbeat);
}

static GBytes *
preamble (void)
{
  static GBytes *bytes;

  if (bytes == NULL)
    bytes = g_bytes_new_static (PREAMBLE, strlen (PREAMBLE));
  return bytes;
}

/* Shutdown: the stream leaves now; closing its connection ends the body. */
static gboolean
sse_end (RndimgSubscriber *sub)
{
  return FALSE;
}

static void
sse_free (RndimgSubscriber *sub)
{
  Stream *stream = (Stream *) sub;

  rndimg_exchange_cancel_stream (sub->exchange);   /* a head libsoup still writes */
  rndimg_frame_writer_free (stream->writer);
  rndimg_subscriber_clear (sub);
  g_free (stream);
}

static const RndimgSubscriberFuncs sse_funcs = {
  .kind = "event stream",
  .render = sse_render,
  .deliver = sse_deliver,
  .joins_payloads = TRUE,
  .replay = sse_replay,
  .heartbeat = sse_heartbeat,
  .end = sse_end,
  .free = sse_free,
};

/* Event-stream subscribers of @broker, at most @max_streams at once. */
RndimgSubscribers *
rndimg_sse_new (RndimgBroker *broker, RndimgConnections *connections, guint max_streams,
                double heartbeat_seconds)
{
  RndimgSubscribers *streams = rndimg_subscribers_new (broker, connections, &sse_funcs, max_streams,
                                                       "too many open event streams", NULL, NULL);

  rndimg_subscribers_set_heartbeat (streams, heartbeat_seconds);
  return streams;
}

/* The head is out (or is the first frame, @head): the connection is ours. */
static void
on_stream_ready (RndimgExchange *exchange, RndimgConnection *connection, GBytes *head, gpointer user_data)
{
  Stream *stream = user_data;

  if (head != NULL)
    rndimg_frame_writer_write_first (stream->writer, head);
  if (connection == NULL || !rndimg_frame_writer_take_over (stream->writer, connection))
    {
      if (connection != NULL)
        rndimg_connection_close (connection);
      rndimg_subscriber_gone (stream);
      return;
    }
  rndimg_subscriber_watch_hangup (&stream->parent, connection);
}

/* Last-Event-ID (header, or ?lastEventId= for clients that cannot set
 * headers): -1 when absent, -2 when malformed. An empty header is absent:
 * a browser whose last id is empty sends none. */
static gint64
resume_id (RndimgExchange *exchange)
{
  const char *text = rndimg_exchange_get_header (exchange, "Last-Event-ID");
  gint64 id = -1;
  RndimgEventIdKind kind;

  if (text != NULL && *text != '\0')
    kind = rndimg_event_id_parse (text, &id);
  else
    kind = rndimg_event_id_from_query (exchange, "lastEventId", &id);
  return kind == RNDIMG_EVENT_ID_INVALID ? -2 : kind == RNDIMG_EVENT_ID_VALID ? id : -1;
}

static void
start_response (RndimgExchange *exchange)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  /* The body runs until we close the connection: no chunk framing. */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_EOF);
  soup_message_headers_replace (headers, "Connection", "close");
}

void
rndimg_sse_serve (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer streams)
{
  RndimgSubscribers *registry = streams;
  gint64 last_id = resume_id (exchange);
  g_auto(GStrv) albums = NULL;
  g_autoptr(RndimgAccess) access = NULL;
  Stream *stream;

  if (last_id == -2)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "Last-Event-ID and lastEventId must be an event id (" RNDIMG_EVENT_ID_RULE ")");
      return;
    }
  if (!rndimg_subscriber_read_albums (exchange, query, &albums) ||
      (access = rndimg_subscribers_read_access (registry, exchange)) == NULL ||
      !rndimg_subscribers_admit (registry, exchange))
    return;
  start_response (exchange);
  if (rndimg_exchange_is_head (exchange))
    return;

  stream = g_new0 (Stream, 1);
  rndimg_subscriber_init (&stream->parent, &sse_funcs, exchange);
  stream->parent.albums = g_steal_pointer (&albums);
  stream->parent.access = g_steal_pointer (&access);
  stream->writer = rndimg_frame_writer_new (MAX_UNSENT_BYTES, rndimg_subscriber_gone, stream);
  sse_deliver (&stream->parent, preamble ());
  rndimg_subscribers_add (registry, &stream->parent, last_id,
                          query != NULL ? g_hash_table_lookup (query, "epoch") : NULL);
  /* Registered first: a replay's frames wait in the writer meanwhile. */
  rndimg_exchange_start_stream (exchange, on_stream_ready, stream);
}
