/* SPDX-License-Identifier: MIT */
/* libsoup's executor: the router's table and rules run on libsoup's
 * requests. Each message gets an exchange (rndimg-exchange.c) once its
 * headers are parsed: the router admits it then, before its body is read
 * (libsoup's early handler), and answers it once the body is in (its
 * handler). The exchange's headers are the message's own; its status and
 * body are put on the message when its handler returns or its pause ends.
 *
 * Every request libsoup reads (those it answers by itself too, a
 * malformed one, say) is reported to the request watch, as the hot path
 * reports its own: started with its first byte, finished with the bytes
 * of body libsoup wrote, or 499 when the client left first (libsoup 3.2
 * gives such a message status 500, as if we had failed it). */
#include "rndimg-soup-executor.h"
#include "rndimg-http.h"

struct _RndimgSoupExecutor
{
  /* Borrowed: each outlives us */
  SoupServer *server;
  RndimgConnections *connections;
  RndimgRouter *router;
  RndimgRefusals *refusals;
  const RndimgRequestWatch *watch;

  /* Owned */
  guint wrote_body_data_id, wrote_body_id;
  gulong body_data_hook_id, body_hook_id;
};

/* What is known of a message in flight, kept on it: its exchange (weak,
 * see below) and its trace. */
typedef struct {
  RndimgSoupExecutor *executor;
  RndimgExchange *exchange;       /* owned; NULL until the headers are in */
  gint64 started;                 /* monotonic */
  guint64 bytes_sent;
  gboolean answered;              /* the whole answer written */
  gulong disconnected_id;         /* while paused */
  gulong wrote_headers_id, finished_id;   /* while a stream's head is written */
} MessageState;

static GQuark state_quark;

static void
message_state_free (MessageState *state)
{
  g_clear_pointer (&state->exchange, rndimg_exchange_unref);
  g_free (state);
}

static MessageState *
state_of (SoupServerMessage *msg)
{
  return g_object_get_qdata (G_OBJECT (msg), state_quark);
}

/* The exchange's message (borrowed), or NULL once it is finalized: an
 * exchange may outlive it (a render's wait), not the other way round. */
static SoupServerMessage *
message_of (RndimgExchange *exchange)
{
  SoupServerMessage **msg = rndimg_exchange_get_executor_data (exchange);

  return *msg;
}

static void
send_answer (RndimgExchange *exchange)
{
  SoupServerMessage *msg = message_of (exchange);
  GBytes *body = rndimg_exchange_get_response_body (exchange);

  if (msg == NULL)
    return;
  /* A WebSocket's upgrade sets the message's status itself. */
  if (rndimg_exchange_get_status (exchange) != 0)
    soup_server_message_set_status (msg, rndimg_exchange_get_status (exchange), NULL);
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  if (body != NULL)
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static void
on_disconnected (SoupServerMessage *msg, gpointer exchange)
{
  rndimg_exchange_set_gone (exchange);
}

static void
pause_answer (RndimgExchange *exchange)
{
  SoupServerMessage *msg = message_of (exchange);
  MessageState *state = msg != NULL ? state_of (msg) : NULL;

  if (msg == NULL)
    {
      rndimg_exchange_set_gone (exchange);
      return;
    }
  state->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), exchange);
  soup_server_message_pause (msg);
}

/* The answer is put on the message by an idle queued first
 * (rndimg_exchange_unpause()): libsoup resumes the message's I/O in an
 * idle of its own. */
static void
unpause_answer (RndimgExchange *exchange)
{
  SoupServerMessage *msg = message_of (exchange);

  if (msg == NULL)
    return;
  g_clear_signal_handler (&state_of (msg)->disconnected_id, msg);
  soup_server_message_unpause (msg);
}

static void
refuse_request (RndimgExchange *exchange, guint status, const char *message)
{
  SoupServerMessage *msg = message_of (exchange);
  MessageState *state = state_of (msg);
  g_autofree char *allow_origin = g_strdup (soup_message_headers_get_one (rndimg_exchange_get_response_headers (exchange),
                                                                          "Access-Control-Allow-Origin"));
  RndimgConnection *connection = NULL;
  g_autoptr(GIOStream) stream = rndimg_connections_steal (state->executor->connections, msg, &connection);

  if (stream != NULL)
    rndimg_refusal_refuse (state->executor->refusals, connection, status, message, allow_origin);
}

static RndimgConnection *
take_connection_of (RndimgExchange *exchange)
{
  SoupServerMessage *msg = message_of (exchange);
  MessageState *state = state_of (msg);
  RndimgConnection *connection = NULL;
  g_autoptr(GIOStream) stream = rndimg_connections_steal (state->executor->connections, msg, &connection);

  /* The answer goes through the connection's own transport; libsoup's
   * wrapper of it is let go, not closed. */
  return stream != NULL ? connection : NULL;
}

static void
stop_watching_stream (SoupServerMessage *msg)
{
  MessageState *state = state_of (msg);

  g_clear_signal_handler (&state->wrote_headers_id, msg);
  g_clear_signal_handler (&state->finished_id, msg);
}

static void
on_wrote_headers (SoupServerMessage *msg, gpointer exchange)
{
  stop_watching_stream (msg);
  rndimg_exchange_stream_ready (exchange, take_connection_of (exchange), NULL);
}

/* The message ended before its head was out: its client left. */
static void
on_stream_finished (SoupServerMessage *msg, gpointer exchange)
{
  stop_watching_stream (msg);
  rndimg_exchange_stream_ready (exchange, NULL, NULL);
}

/* libsoup writes the head; the stream is ours once it has. */
static void
start_stream (RndimgExchange *exchange)
{
  SoupServerMessage *msg = message_of (exchange);
  MessageState *state = state_of (msg);

  send_answer (exchange);
  state->wrote_headers_id = g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_wrote_headers), exchange);
  state->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_stream_finished), exchange);
}

static void
forget_message (RndimgExchange *exchange)
{
  SoupServerMessage **msg = rndimg_exchange_get_executor_data (exchange);

  g_clear_weak_pointer (msg);
  g_free (msg);
}

static const RndimgExecutor soup_executor = {
  .name = "libsoup",
  .send = send_answer,
  .pause = pause_answer,
  .unpause = unpause_answer,
  .refuse = refuse_request,
  .take = take_connection_of,
  .stream = start_stream,
  .finalize = forget_message,
};

/* The message of @exchange, one run by libsoup's executor (borrowed),
 * or NULL: for what only libsoup does (a WebSocket's upgrade). */
SoupServerMessage *
rndimg_soup_executor_message (RndimgExchange *exchange)
{
  return rndimg_exchange_get_executor (exchange) == &soup_executor ? message_of (exchange) : NULL;
}

static RndimgExchange *
exchange_for (RndimgSoupExecutor *self, SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  SoupServerMessage **weak = g_new0 (SoupServerMessage *, 1);
  RndimgExchangeRequest request = {
    .method = soup_server_message_get_method (msg),
    .http_version = soup_server_message_get_http_version (msg),
    .path = g_uri_get_path (uri),
    .query = g_uri_get_query (uri),
    .scheme = g_uri_get_scheme (uri),
    .host = g_uri_get_host (uri),
    .port = g_uri_get_port (uri),
    .request_headers = soup_server_message_get_request_headers (msg),
    .response_headers = soup_server_message_get_response_headers (msg),
  };

  g_set_weak_pointer (weak, msg);
  /* Every message comes on a connection we accepted. */
  return rndimg_exchange_new (&soup_executor, weak, rndimg_connections_lookup (self->connections, msg),
                              &request, self->watch);
}

/* A chunked body has no length up front: counted while it arrives and
 * refused once it passes the limit, before it can fill memory. */
typedef struct {
  RndimgExchange *exchange;   /* borrowed: the message's */
  gsize limit;
} BodyLimit;

static void
on_body_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  BodyLimit *body = user_data;

  if (soup_server_message_get_request_body (msg)->length > (goffset) body->limit)
    {
      g_debug ("chunked body over %" G_GSIZE_FORMAT " bytes: refused", body->limit);
      rndimg_router_refuse_large_body (body->exchange, body->limit);
    }
}

static void
free_body_limit (gpointer body, GClosure *closure)
{
  g_free (body);
}

/* libsoup's early handler: the headers are in, the body not yet read. */
static void
on_headers (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  RndimgSoupExecutor *self = user_data;
  MessageState *state = state_of (msg);
  BodyLimit *body;

  if (state == NULL)
    return;
  state->exchange = exchange_for (self, msg);
  rndimg_router_add_answer_headers (soup_server_message_get_response_headers (msg));
  if (!rndimg_router_admit (self->router, state->exchange))
    return;
  if (soup_message_headers_get_encoding (soup_server_message_get_request_headers (msg)) == SOUP_ENCODING_CHUNKED)
    {
      body = g_new (BodyLimit, 1);
      *body = (BodyLimit) { state->exchange, rndimg_router_body_limit (self->router, path) };
      g_signal_connect_data (msg, "got-chunk", G_CALLBACK (on_body_chunk), body, free_body_limit, 0);
    }
}

/* libsoup's handler: the whole request is in. */
static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  RndimgSoupExecutor *self = user_data;
  MessageState *state = state_of (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;

  if (state == NULL || state->exchange == NULL)
    return;
  if (body->length > 0)
    {
      bytes = soup_message_body_flatten (body);
      rndimg_exchange_set_request_body (state->exchange, bytes);
    }
  rndimg_router_dispatch (self->router, state->exchange, query);
}

/* Every body chunk libsoup writes, for every message: one emission hook
 * rather than a handler connected to each message and disconnected at
 * its end. */
static gboolean
on_wrote_body_data (GSignalInvocationHint *hint, guint n_values, const GValue *values, gpointer user_data)
{
  MessageState *state = state_of (g_value_get_object (&values[0]));

  if (state != NULL)
    state->bytes_sent += g_value_get_uint (&values[1]);
  return TRUE;
}

static gboolean
on_wrote_body (GSignalInvocationHint *hint, guint n_values, const GValue *values, gpointer user_data)
{
  MessageState *state = state_of (g_value_get_object (&values[0]));

  if (state != NULL)
    state->answered = TRUE;
  return TRUE;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgSoupExecutor *self = user_data;
  MessageState *state = g_new0 (MessageState, 1);
  RndimgConnection *connection = rndimg_connections_lookup (self->connections, msg);

  state->executor = self;
  state->started = g_get_monotonic_time ();
  /* Resolved now, while the peer is surely there: the report reads it
   * after held requests end, maybe on a connection already closed. */
  soup_server_message_get_remote_host (msg);
  g_object_set_qdata_full (G_OBJECT (msg), state_quark, state, (GDestroyNotify) message_state_free);
  if (connection != NULL)
    rndimg_connection_set_busy (connection, TRUE);
  if (self->watch->started != NULL)
    self->watch->started (self->watch->data);
}

/* A request that never became an exchange: libsoup answered it by
 * itself (malformed, a bad Host...). */
static void
report_unparsed (RndimgSoupExecutor *self, SoupServerMessage *msg, guint status, const MessageState *state)
{
  GUri *uri = soup_server_message_get_uri (msg);   /* NULL for an unparsable request */
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  RndimgFinishedRequest finished = {
    .method = soup_server_message_get_method (msg),
    .path = uri != NULL ? g_uri_get_path (uri) : NULL,
    .query = uri != NULL ? g_uri_get_query (uri) : NULL,
    .http_version = soup_server_message_get_http_version (msg),
    .status = status,
    .bytes_sent = state->bytes_sent,
    .seconds = (double) (g_get_monotonic_time () - state->started) / G_USEC_PER_SEC,
    .remote_host = soup_server_message_get_remote_host (msg),
    .user_agent = soup_message_headers_get_one (headers, "User-Agent"),
    .referer = soup_message_headers_get_one (headers, "Referer"),
    .executor = soup_executor.name,
  };

  if (self->watch->finished != NULL)
    self->watch->finished (&finished, self->watch->data);
}

/* Once per request, answered or aborted (the client went away, or the
 * answer was a 500: libsoup reports both as aborted). */
static void
finish (RndimgSoupExecutor *self, SoupServerMessage *msg, gboolean aborted)
{
  MessageState *state = g_object_steal_qdata (G_OBJECT (msg), state_quark);
  RndimgConnection *connection = rndimg_connections_lookup (self->connections, msg);
  guint status = soup_server_message_get_status (msg);

  if (connection != NULL && rndimg_connection_get_holder (connection) == RNDIMG_HOLDER_SOUP)
    {
      rndimg_connection_set_busy (connection, FALSE);
      if (!aborted)
        rndimg_connection_set_soup_last (connection, msg);
    }
  if (state == NULL)
    return;
  g_clear_signal_handler (&state->disconnected_id, msg);
  if (aborted && !state->answered)
    status = RNDIMG_STATUS_CLIENT_CLOSED;
  if (state->exchange != NULL)
    rndimg_exchange_report (state->exchange, status, state->bytes_sent);   /* once: not if taken */
  else
    report_unparsed (self, msg, status, state);
  message_state_free (state);
}

static void
on_request_finished (SoupServer *server, SoupServerMessage *msg, gpointer self)
{
  finish (self, msg, FALSE);
}

static void
on_request_aborted (SoupServer *server, SoupServerMessage *msg, gpointer self)
{
  finish (self, msg, TRUE);
}

/* Runs @router on @server's requests, on the connections of
 * @connections (refused through @refusals), reporting each to @watch;
 * all borrowed, they must outlive the result. */
RndimgSoupExecutor *
rndimg_soup_executor_new (SoupServer *server, RndimgConnections *connections, RndimgRouter *router,
                          RndimgRefusals *refusals, const RndimgRequestWatch *watch)
{
  g_autoptr(GTypeClass) message_class = g_type_class_ref (SOUP_TYPE_SERVER_MESSAGE);
  RndimgSoupExecutor *self = g_new0 (RndimgSoupExecutor, 1);

  state_quark = g_quark_from_static_string ("rndimg-soup-executor");
  self->server = server;
  self->connections = connections;
  self->router = router;
  self->refusals = refusals;
  self->watch = watch;
  self->wrote_body_data_id = g_signal_lookup ("wrote-body-data", SOUP_TYPE_SERVER_MESSAGE);
  self->body_data_hook_id = g_signal_add_emission_hook (self->wrote_body_data_id, 0, on_wrote_body_data, NULL, NULL);
  self->wrote_body_id = g_signal_lookup ("wrote-body", SOUP_TYPE_SERVER_MESSAGE);
  self->body_hook_id = g_signal_add_emission_hook (self->wrote_body_id, 0, on_wrote_body, NULL, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (on_request_aborted), self);
  soup_server_add_early_handler (server, NULL, on_headers, self, NULL);
  soup_server_add_handler (server, NULL, on_request, self, NULL);
  return self;
}

void
rndimg_soup_executor_free (RndimgSoupExecutor *self)
{
  g_signal_handlers_disconnect_by_data (self->server, self);
  soup_server_remove_handler (self->server, NULL);
  g_signal_remove_emission_hook (self->wrote_body_data_id, self->body_data_hook_id);
  g_signal_remove_emission_hook (self->wrote_body_id, self->body_hook_id);
  g_free (self);
}
