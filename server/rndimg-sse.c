/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/events: a Server-Sent Events stream of every
 * published picture. A stream resumes after Last-Event-ID from history, is
 * kept alive by comment heartbeats, and is dropped when its reader falls
 * too far behind (unsent data over a bound) instead of growing memory. */
#include "rndimg-sse.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"

#include <string.h>

#define MAX_UNSENT_BYTES (256 * 1024)
#define RETRY_AFTER_SECONDS "5"
#define PREAMBLE "retry: 3000\n\n"
#define HEARTBEAT ": heartbeat\n\n"

struct _RndimgSse
{
  GObject parent_instance;

  RndimgPublisher *publisher;
  GHashTable *streams;        /* SoupServerMessage -> Stream */
  guint max_streams;
  guint heartbeat_id;
  guint64 slow_readers_dropped;
};

G_DEFINE_FINAL_TYPE (RndimgSse, rndimg_sse, G_TYPE_OBJECT)

typedef struct {
  RndimgSse *owner;
  SoupServerMessage *msg;
  char *base_url;
  gsize unsent;
  GSource *hangup_watch;
} Stream;

static void
stream_free (Stream *stream)
{
  if (stream->hangup_watch != NULL)
    g_source_destroy (stream->hangup_watch);
  g_clear_pointer (&stream->hangup_watch, g_source_unref);
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_object_unref (stream->msg);
  g_free (stream->base_url);
  g_free (stream);
}

static void
drop (Stream *stream, const char *why)
{
  g_autoptr(SoupServerMessage) msg = g_object_ref (stream->msg);

  g_debug ("event stream dropped: %s", why);
  g_hash_table_remove (stream->owner->streams, msg);
  rndimg_connection_abort (msg);
}

/* Queues @data for the client; FALSE when the stream had to be dropped. */
static gboolean
stream_write (Stream *stream, const char *data, gsize length)
{
  if (stream->unsent + length > MAX_UNSENT_BYTES)
    {
      stream->owner->slow_readers_dropped++;
      drop (stream, "the reader is too slow");
      return FALSE;
    }
  stream->unsent += length;
  soup_message_body_append (soup_server_message_get_response_body (stream->msg),
                            SOUP_MEMORY_COPY, data, length);
  soup_server_message_unpause (stream->msg);
  return TRUE;
}

static char *
event_frame (const Stream *stream, const RndimgEvent *event, gint64 missed)
{
  g_autofree char *json = rndimg_event_to_json (event, stream->base_url, missed);

  return g_strdup_printf ("id: %" G_GINT64_FORMAT "\nevent: image\ndata: %s\n\n", event->id, json);
}

static gboolean
stream_write_event (Stream *stream, const RndimgEvent *event, gint64 missed)
{
  g_autofree char *frame = event_frame (stream, event, missed);

  return stream_write (stream, frame, strlen (frame));
}

static void
on_wrote_body_data (SoupServerMessage *msg, guint chunk_size, gpointer user_data)
{
  Stream *stream = user_data;

  stream->unsent -= MIN (stream->unsent, chunk_size);
}

static void
on_finished (SoupServerMessage *msg, gpointer user_data)
{
  Stream *stream = user_data;

  g_hash_table_remove (stream->owner->streams, msg);
}

static void
on_hangup (SoupServerMessage *msg, gpointer user_data)
{
  Stream *stream = user_data;

  g_clear_pointer (&stream->hangup_watch, g_source_unref);
  drop (stream, "the client went away");
}

static void
on_published (RndimgPublisher *publisher, RndimgEvent *event, gpointer user_data)
{
  RndimgSse *self = user_data;
  g_autoptr(GList) streams = g_hash_table_get_values (self->streams);

  for (GList *link = streams; link != NULL; link = link->next)
    stream_write_event (link->data, event, 0);
}

static gboolean
on_heartbeat (gpointer user_data)
{
  RndimgSse *self = user_data;
  g_autoptr(GList) streams = g_hash_table_get_values (self->streams);

  for (GList *link = streams; link != NULL; link = link->next)
    stream_write (link->data, HEARTBEAT, strlen (HEARTBEAT));
  return G_SOURCE_CONTINUE;
}

/* Last-Event-ID (header, or ?lastEventId= for clients that cannot set
 * headers): -1 when absent, -2 when malformed. */
static gint64
resume_id (SoupServerMessage *msg, GHashTable *query)
{
  const char *text = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Last-Event-ID");
  guint64 id;

  if (text == NULL && query != NULL)
    text = g_hash_table_lookup (query, "lastEventId");
  if (text == NULL || *text == '\0')
    return -1;
  return rndimg_http_parse_number (text, 0, G_MAXINT64, &id) ? (gint64) id : -2;
}

static void
start_response (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gboolean http_1_0 = soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_headers_set_encoding (headers, http_1_0 ? SOUP_ENCODING_EOF : SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
}

/* Replays what a resuming client missed. An id newer than any we have
 * comes from before a restart: send the newest so the client is in step.
 * A replay larger than half the unsent bound keeps the newest events and
 * counts the older ones as missed, so a long history never gets a client
 * dropped for being "slow" before it could read anything. */
static void
replay (RndimgSse *self, Stream *stream, gint64 last_id)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  gsize budget = MAX_UNSENT_BYTES / 2, used = 0;
  gint64 missed = 0;
  guint first;

  if (last_id > rndimg_publisher_get_newest_id (self->publisher))
    {
      g_autoptr(RndimgEvent) newest = rndimg_publisher_get_newest (self->publisher);
      if (newest != NULL)
        stream_write_event (stream, newest, 0);
      return;
    }
  events = rndimg_publisher_all_after (self->publisher, last_id, &missed);
  for (first = events->len; first > 0; first--)
    {
      char *frame = event_frame (stream, g_ptr_array_index (events, first - 1), 0);

      if (used + strlen (frame) > budget)
        {
          g_free (frame);
          break;
        }
      used += strlen (frame);
      g_ptr_array_insert (frames, 0, frame);
    }
  missed += first;
  for (guint i = 0; i < frames->len; i++)
    {
      g_autofree char *with_missed = NULL;
      const char *frame = g_ptr_array_index (frames, i);

      /* The first event sent says how many came before it unsent. */
      if (i == 0 && missed > 0)
        frame = with_missed = event_frame (stream, g_ptr_array_index (events, first), missed);
      if (!stream_write (stream, frame, strlen (frame)))
        return;
    }
}

void
rndimg_sse_serve (RndimgService *service, SoupServerMessage *msg,
                  const char *path, GHashTable *query)
{
  RndimgSse *self = rndimg_service_get_sse (service);
  gint64 last_id = resume_id (msg, query);
  Stream *stream;

  if (last_id == -2)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "Last-Event-ID must be an event id");
      return;
    }
  if (g_hash_table_size (self->streams) >= self->max_streams)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", RETRY_AFTER_SECONDS);
      rndimg_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "too many open event streams");
      return;
    }
  start_response (msg);
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    return;

  stream = g_new0 (Stream, 1);
  stream->owner = self;
  stream->msg = g_object_ref (msg);
  stream->base_url = rndimg_http_base_url (msg);
  g_hash_table_insert (self->streams, msg, stream);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), stream);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), stream);
  stream->hangup_watch = rndimg_connection_watch_hangup (msg, on_hangup, stream);

  if (stream_write (stream, PREAMBLE, strlen (PREAMBLE)) && last_id >= 0)
    replay (self, stream, last_id);
}

static void
rndimg_sse_dispose (GObject *object)
{
  RndimgSse *self = RNDIMG_SSE (object);

  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  if (self->publisher != NULL)
    g_signal_handlers_disconnect_by_data (self->publisher, self);
  g_clear_object (&self->publisher);
  if (self->streams != NULL)
    g_hash_table_remove_all (self->streams);
  G_OBJECT_CLASS (rndimg_sse_parent_class)->dispose (object);
}

static void
rndimg_sse_finalize (GObject *object)
{
  g_hash_table_unref (RNDIMG_SSE (object)->streams);
  G_OBJECT_CLASS (rndimg_sse_parent_class)->finalize (object);
}

static void
rndimg_sse_class_init (RndimgSseClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rndimg_sse_dispose;
  G_OBJECT_CLASS (klass)->finalize = rndimg_sse_finalize;
}

static void
rndimg_sse_init (RndimgSse *self)
{
  self->streams = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) stream_free);
}

RndimgSse *
rndimg_sse_new (RndimgPublisher *publisher, guint max_streams, double heartbeat_seconds)
{
  RndimgSse *self = g_object_new (RNDIMG_TYPE_SSE, NULL);

  self->publisher = g_object_ref (publisher);
  self->max_streams = max_streams;
  g_signal_connect (publisher, "published", G_CALLBACK (on_published), self);
  if (heartbeat_seconds > 0)
    self->heartbeat_id = g_timeout_add ((guint) (heartbeat_seconds * 1000), on_heartbeat, self);
  return self;
}

guint
rndimg_sse_get_open (RndimgSse *self)
{
  return g_hash_table_size (self->streams);
}

/* Streams dropped so far because their reader fell too far behind. */
guint64
rndimg_sse_get_slow_readers_dropped (RndimgSse *self)
{
  return self->slow_readers_dropped;
}

/* Shutdown: end every stream cleanly (the final empty chunk is sent). */
void
rndimg_sse_close_all (RndimgSse *self)
{
  g_autoptr(GList) streams = g_hash_table_get_values (self->streams);

  for (GList *link = streams; link != NULL; link = link->next)
    {
      Stream *stream = link->data;

      soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
      soup_server_message_unpause (stream->msg);
    }
}
