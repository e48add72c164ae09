/* SPDX-License-Identifier: MIT */
/* Live mode: follows the server's events over SSE (read from the async
 * input stream, parsed line by line) or, when SSE cannot be had, over
 * long-polling; always resuming after the last event id, reconnecting with
 * backoff. Emits "event" (RndimgAnswer *) and notifies "state". */
#include "rndimg-live.h"
#include "rndimg-backoff.h"
#include "rndimg-sse-parser.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define READ_CHUNK_BYTES 8192
#define SSE_FAILURES_BEFORE_FALLBACK 3
#define POLL_TIMEOUT_SECONDS 25

struct _RndimgLive
{
  GObject parent_instance;

  RndimgClient *client;
  RndimgTransport transport;          /* asked for */
  RndimgTransport active;             /* in use: SSE or LONG_POLL */
  RndimgLiveState state;
  char *reason;

  GCancellable *cancellable;          /* the connection in flight */
  RndimgSseParser *parser;
  GInputStream *stream;
  gboolean ever_connected;
  guint failures;
  RndimgBackoff backoff;
  guint retry_id;
  char *last_id;
};

G_DEFINE_FINAL_TYPE (RndimgLive, rndimg_live, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *properties[N_PROPS];
enum { EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
rndimg_transport_from_string (const char *text, RndimgTransport *transport)
{
  if (g_strcmp0 (text, "auto") == 0)
    *transport = RNDIMG_TRANSPORT_AUTO;
  else if (g_strcmp0 (text, "sse") == 0)
    *transport = RNDIMG_TRANSPORT_SSE;
  else if (g_strcmp0 (text, "longpoll") == 0)
    *transport = RNDIMG_TRANSPORT_LONG_POLL;
  else
    return FALSE;
  return TRUE;
}

const char *
rndimg_transport_to_string (RndimgTransport transport)
{
  switch (transport)
    {
    case RNDIMG_TRANSPORT_SSE: return "sse";
    case RNDIMG_TRANSPORT_LONG_POLL: return "longpoll";
    default: return "auto";
    }
}

static void connect_now (RndimgLive *self);

static void
set_state (RndimgLive *self, RndimgLiveState state, const char *reason)
{
  if (self->state == state && g_strcmp0 (self->reason, reason) == 0)
    return;
  self->state = state;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
close_connection (RndimgLive *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_handle_id (&self->retry_id, g_source_remove);
}

static gboolean
on_retry (gpointer user_data)
{
  RndimgLive *self = user_data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* A connection failed or ended: say why, then try again after a backoff
 * (never sooner than the stream's own retry:), or fall back to long-poll
 * when SSE never worked. */
static void
connection_lost (RndimgLive *self, const GError *error)
{
  g_autoptr(GError) classified = rndimg_client_classify_error (error);
  gint64 stream_retry = rndimg_sse_parser_get_retry (self->parser);
  guint delay;

  close_connection (self);
  self->failures++;
  if (self->active == RNDIMG_TRANSPORT_SSE && self->transport == RNDIMG_TRANSPORT_AUTO &&
      !self->ever_connected && self->failures >= SSE_FAILURES_BEFORE_FALLBACK)
    {
      g_debug ("SSE never worked (%s): falling back to long-poll", classified->message);
      self->active = RNDIMG_TRANSPORT_LONG_POLL;
      self->failures = 0;
    }
  delay = rndimg_backoff_next (&self->backoff);
  if (self->active == RNDIMG_TRANSPORT_SSE && stream_retry > 0)
    delay = MAX (delay, (guint) MIN (stream_retry, 60000));
  set_state (self, RNDIMG_LIVE_RECONNECTING, classified->message);
  self->retry_id = g_timeout_add (delay, on_retry, self);
}

static void
connected (RndimgLive *self)
{
  self->ever_connected = TRUE;
  self->failures = 0;
  rndimg_backoff_reset (&self->backoff);
  set_state (self, RNDIMG_LIVE_CONNECTED, NULL);
}

static void
deliver (RndimgLive *self, const char *data, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgAnswer) answer = rndimg_answer_parse (data, (gssize) length, &error);

  if (answer == NULL)
    {
      g_warning ("ignoring an unreadable event: %s", error->message);
      return;
    }
  if (answer->id >= 0)
    {
      g_free (self->last_id);
      self->last_id = g_strdup_printf ("%" G_GINT64_FORMAT, answer->id);
    }
  g_signal_emit (self, signals[EVENT], 0, answer);
}

/* ---- Server-Sent Events ---- */

static void
on_sse_event (const char *type, const char *data, const char *id, gpointer user_data)
{
  if (g_strcmp0 (type, "image") == 0)
    deliver (user_data, data, strlen (data));
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
        : g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "the server closed the event stream");
      connection_lost (self, ended);
      return;
    }
  rndimg_sse_parser_feed (self->parser, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
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
                   "Bad answer: the event stream answered HTTP %u (%s)",
                   soup_message_get_status (msg), type ? type : "no content type");
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

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (stream == NULL || !check_stream_answer (msg, &error))
        connection_lost (self, error);
      else
        {
          self->stream = g_steal_pointer (&stream);
          connected (self);
          read_more (self);
        }
    }
}

static void
connect_sse (RndimgLive *self)
{
  g_autofree char *url = rndimg_client_url (self->client, "/polling/api/v1.0/events");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  rndimg_sse_parser_reset (self->parser);
  if (self->last_id != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Last-Event-ID", self->last_id);
  soup_session_send_async (rndimg_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                           self->cancellable, on_sse_opened, g_object_ref (self));
}

/* ---- long-poll ---- */

static void poll_next (RndimgLive *self);

static void
on_poll_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgLive) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = msg != NULL ? soup_message_get_status (msg) : 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    connection_lost (self, error);
  else if (status != SOUP_STATUS_OK && status != SOUP_STATUS_NO_CONTENT)
    {
      g_autoptr(GError) bad = g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                                           "Bad answer: the long-poll answered HTTP %u", status);
      connection_lost (self, bad);
    }
  else
    {
      if (status == SOUP_STATUS_OK)
        deliver (self, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      if (self->cancellable != NULL && !g_cancellable_is_cancelled (self->cancellable))
        poll_next (self);
    }
}

static void
poll_next (RndimgLive *self)
{
  g_autofree char *path = g_strdup_printf ("/polling/api/v1.0/rndimg/poll?timeout=%d%s%s",
                                           POLL_TIMEOUT_SECONDS, self->last_id ? "&since=" : "",
                                           self->last_id ? self->last_id : "");
  g_autofree char *url = rndimg_client_url (self->client, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  soup_session_send_and_read_async (rndimg_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_poll_answer, g_object_ref (self));
}

/* The newest event id in a /stats answer, as text, or NULL. */
static char *
newest_id_from_stats (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "newest_id"))
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (object, "newest_id"));
}

/* A held poll says nothing until an event or its timeout: ask /stats
 * first, so "connected" means the server is really there, and start from
 * its newest id, so an event published before the poll arrives still
 * reaches us. */
static void
on_poll_probe (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgLive) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (body == NULL)
        connection_lost (self, error);
      else if (soup_message_get_status (msg) != SOUP_STATUS_OK)
        {
          g_autoptr(GError) bad = g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                                               "Bad answer: HTTP %u", soup_message_get_status (msg));
          connection_lost (self, bad);
        }
      else
        {
          if (self->last_id == NULL)
            self->last_id = newest_id_from_stats (body);
          connected (self);
          poll_next (self);
        }
    }
}

static void
connect_long_poll (RndimgLive *self)
{
  g_autofree char *url = rndimg_client_url (self->client, "/polling/api/v1.0/stats");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  soup_session_send_and_read_async (rndimg_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_poll_probe, g_object_ref (self));
}

static void
connect_now (RndimgLive *self)
{
  self->cancellable = g_cancellable_new ();
  if (self->state != RNDIMG_LIVE_RECONNECTING)
    set_state (self, RNDIMG_LIVE_CONNECTING, NULL);
  if (self->active == RNDIMG_TRANSPORT_SSE)
    connect_sse (self);
  else
    connect_long_poll (self);
}

void
rndimg_live_start (RndimgLive *self)
{
  rndimg_live_stop (self);
  self->active = self->transport == RNDIMG_TRANSPORT_LONG_POLL ? RNDIMG_TRANSPORT_LONG_POLL
                                                               : RNDIMG_TRANSPORT_SSE;
  self->ever_connected = FALSE;
  self->failures = 0;
  rndimg_backoff_reset (&self->backoff);
  connect_now (self);
}

void
rndimg_live_stop (RndimgLive *self)
{
  close_connection (self);
  set_state (self, RNDIMG_LIVE_OFF, NULL);
}

RndimgLiveState
rndimg_live_get_state (RndimgLive *self)
{
  return self->state;
}

RndimgTransport
rndimg_live_get_active_transport (RndimgLive *self)
{
  return self->active;
}

/* Why the last connection failed, for a person; NULL when all is well. */
const char *
rndimg_live_get_reason (RndimgLive *self)
{
  return self->reason;
}

static void
rndimg_live_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RndimgLive *self = RNDIMG_LIVE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_live_dispose (GObject *object)
{
  RndimgLive *self = RNDIMG_LIVE (object);

  close_connection (self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (rndimg_live_parent_class)->dispose (object);
}

static void
rndimg_live_finalize (GObject *object)
{
  RndimgLive *self = RNDIMG_LIVE (object);

  rndimg_sse_parser_free (self->parser);
  rndimg_backoff_clear (&self->backoff);
  g_free (self->reason);
  g_free (self->last_id);
  G_OBJECT_CLASS (rndimg_live_parent_class)->finalize (object);
}

static void
rndimg_live_class_init (RndimgLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rndimg_live_get_property;
  object_class->dispose = rndimg_live_dispose;
  object_class->finalize = rndimg_live_finalize;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, RNDIMG_LIVE_OFF, RNDIMG_LIVE_RECONNECTING,
                                             RNDIMG_LIVE_OFF, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (RndimgLive *, RndimgAnswer *) */
  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
rndimg_live_init (RndimgLive *self)
{
  self->parser = rndimg_sse_parser_new (on_sse_event, self);
  rndimg_backoff_init (&self->backoff, 1000, 30000, 0);
}

RndimgLive *
rndimg_live_new (RndimgClient *client, RndimgTransport transport)
{
  RndimgLive *self = g_object_new (RNDIMG_TYPE_LIVE, NULL);

  self->client = g_object_ref (client);
  self->transport = transport;
  self->active = transport == RNDIMG_TRANSPORT_LONG_POLL ? RNDIMG_TRANSPORT_LONG_POLL : RNDIMG_TRANSPORT_SSE;
  return self;
}
