/* SPDX-License-Identifier: MIT */
/* The hot path: the router's table and rules (rndimg-router.c) run on
 * requests we read and answer ourselves, beside libsoup, for what is most
 * of the traffic: a head read with one recv() and a strict parser
 * (rndimg-request-head.c), the answer written with one sendmsg() of its
 * head and body, and the connection kept for its next request. libsoup
 * 3.2 spends about 60 us per message around the same work (signals
 * connected per message, its finalization, a header buffer regrown and
 * a printf per header: bench/README.md); here a request costs what its
 * handler costs, and the system calls.
 *
 * What is unusual goes to libsoup, bytes untouched, through the gate:
 * a head the strict parser does not take (HTTP/1.0, chunked bodies,
 * Range, Expect, an odd target...), and the routes only libsoup runs
 * (uploads, WebSocket). That connection then stays libsoup's (until a
 * long-poll's answer hands it back here).
 *
 * An answer's head is written as libsoup writes it (write_headers() in
 * soup-server-message-io-http1.c: the status line, the headers in their
 * SoupMessageHeaders order, Content-Length made from the body), so both
 * executors give the same bytes for the same request; tests/test-executors.c
 * compares them. */
#include "rndimg-hot-path.h"
#include "rndimg-http.h"
#include "rndimg-request-head.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Bytes read at once, and at most before a request is answered. */
#define READ_SIZE 16384

#define MAX_STATUS 600

struct _RndimgHotPath
{
  /* Borrowed: each outlives us */
  RndimgConnections *connections;
  RndimgRouter *router;
  RndimgRefusals *refusals;
  const RndimgRequestWatch *watch;

  /* Owned: what every answer repeats, made once */
  char *status_lines[MAX_STATUS];   /* "HTTP/1.1 200 OK\r\n", made when first used */
  char date[64];                    /* the Date of this second */
  gint64 date_second;
};

/* The hot path's state of one connection (its record's hot data). */
typedef struct {
  RndimgHotPath *hot;
  RndimgConnection *connection;     /* borrowed: it owns us */
  RndimgExchange *exchange;         /* the request being answered (owned), or NULL */
  SoupMessageHeaders *request_headers, *response_headers;   /* kept from one request to the next */
  RndimgExchange *headers_user;     /* the last exchange made with them until it is freed, or NULL */
  GString *head;                    /* the answer's head, made once per answer */
  GBytes *body;                     /* its body to write, or NULL */
  gsize written;                    /* of head and body */
  gboolean close_after;             /* the answer is the connection's last */
  gboolean processing;              /* process() runs: answered() leaves the next request to it */
  gint64 prepared_second;           /* the headers are ready for a request in this second; -1: not */
} HotConnection;

static void process (HotConnection *conn);

static void
hot_connection_free (HotConnection *conn)
{
  /* A request still unanswered when its connection closes: its client
   * left (or the server stops); a pause ending later finds it gone. */
  if (conn->exchange != NULL)
    {
      rndimg_exchange_set_gone (conn->exchange);
      rndimg_exchange_report (conn->exchange, RNDIMG_STATUS_CLIENT_CLOSED, 0);
    }
  g_clear_pointer (&conn->exchange, rndimg_exchange_unref);
  g_clear_pointer (&conn->request_headers, soup_message_headers_unref);
  g_clear_pointer (&conn->response_headers, soup_message_headers_unref);
  g_clear_pointer (&conn->body, g_bytes_unref);
  g_string_free (conn->head, TRUE);
  g_free (conn);
}

/* The state of @exchange's connection while the hot path holds it, or
 * NULL (closed, or taken). */
static HotConnection *
hot_connection_of (RndimgExchange *exchange)
{
  RndimgConnection *connection = rndimg_exchange_get_connection (exchange);

  if (rndimg_connection_get_holder (connection) != RNDIMG_HOLDER_HOT)
    return NULL;
  return rndimg_connection_get_hot_data (connection);
}

/* The current second as an HTTP date, made again only when it changes. */
static const char *
date_now (RndimgHotPath *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now != self->date_second)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (now);
      g_autofree char *formatted = soup_date_time_to_string (date, SOUP_DATE_HTTP);

      g_strlcpy (self->date, formatted, sizeof self->date);
      self->date_second = now;
    }
  return self->date;
}

/* "HTTP/1.1 @status Phrase\r\n", as libsoup writes it. */
static const char *
status_line (RndimgHotPath *self, guint status)
{
  if (status >= MAX_STATUS)
    status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  if (self->status_lines[status] == NULL)
    self->status_lines[status] = g_strdup_printf ("HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  return self->status_lines[status];
}

/* libsoup's write_headers() for a HTTP/1.1 answer with @body: the status
 * line, the headers in order, Content-Length made from the body (none for
 * 1xx and 204); TRUE when the body is to be written (not for HEAD, 204,
 * 304, 1xx). */
static gboolean
write_head (RndimgHotPath *self, GString *out, RndimgExchange *exchange, GBytes *body)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  guint status = rndimg_exchange_get_status (exchange);
  SoupEncoding claimed = soup_message_headers_get_encoding (headers);
  gboolean no_body = rndimg_exchange_is_head (exchange) || status == SOUP_STATUS_NO_CONTENT ||
                     status == SOUP_STATUS_NOT_MODIFIED || SOUP_STATUS_IS_INFORMATIONAL (status);
  SoupMessageHeadersIter iter;
  const char *name, *value, *line;

  if (status == 0)
    {
      status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
      rndimg_exchange_set_status (exchange, status);
    }
  g_string_truncate (out, 0);
  line = status_line (self, status);
  rndimg_http_append (out, line, strlen (line));
  if (status == SOUP_STATUS_NO_CONTENT || SOUP_STATUS_IS_INFORMATIONAL (status))
    soup_message_headers_remove (headers, "Content-Length");
  /* The header, not soup_message_headers_get_content_length(): headers
   * cleared for the next request keep the last length. */
  else if (claimed == SOUP_ENCODING_CONTENT_LENGTH && soup_message_headers_get_one (headers, "Content-Length") == NULL)
    soup_message_headers_set_content_length (headers, body != NULL ? g_bytes_get_size (body) : 0);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      rndimg_http_append (out, name, strlen (name));
      rndimg_http_append (out, ": ", 2);
      rndimg_http_append (out, value, strlen (value));
      rndimg_http_append (out, "\r\n", 2);
    }
  rndimg_http_append (out, "\r\n", 2);
  return !no_body && claimed != SOUP_ENCODING_EOF;
}

/* Writes what the kernel takes now of the answer's head and body (over
 * TLS, a piece at a time). TRUE when all is written or the rest waits for
 * the socket; FALSE when the connection failed. */
static gboolean
write_some (HotConnection *conn, gboolean *done)
{
  gsize body_size = conn->body != NULL ? g_bytes_get_size (conn->body) : 0;
  const guint8 *body = conn->body != NULL ? g_bytes_get_data (conn->body, NULL) : NULL;
  gsize total = conn->head->len + body_size;

  while (conn->written < total)
    {
      g_autoptr(GError) error = NULL;
      struct iovec pieces[2];
      guint count = 0;
      gsize from_head = MIN (conn->written, conn->head->len);
      gssize sent;

      if (from_head < conn->head->len)
        pieces[count++] = (struct iovec) { conn->head->str + from_head, conn->head->len - from_head };
      if (body_size > 0)
        {
          gsize from_body = conn->written - from_head;

          pieces[count++] = (struct iovec) { (void *) (body + from_body), body_size - from_body };
        }
      sent = rndimg_connection_write (conn->connection, pieces, count, &error);
      if (sent < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (sent < 0)
        return FALSE;
      conn->written += (gsize) sent;
    }
  *done = conn->written == total;
  return TRUE;
}

static void on_event (RndimgConnection *connection, RndimgConnectionEvents events, gpointer user_data);
static void prepare_headers (HotConnection *conn);

/* The answer is all written: reported, and the next request read. */
static void
answered (HotConnection *conn)
{
  RndimgExchange *exchange = g_steal_pointer (&conn->exchange);
  gsize body_bytes = conn->body != NULL ? g_bytes_get_size (conn->body) : 0;

  g_clear_pointer (&conn->body, g_bytes_unref);
  rndimg_exchange_report (exchange, rndimg_exchange_get_status (exchange), body_bytes);
  rndimg_exchange_unref (exchange);
  rndimg_connection_set_busy (conn->connection, FALSE);
  if (conn->close_after)
    {
      rndimg_connection_close (conn->connection);   /* frees @conn */
      return;
    }
  prepare_headers (conn);
  rndimg_connection_watch (conn->connection, RNDIMG_CONNECTION_READABLE, on_event, conn);
  if (!conn->processing)
    process (conn);
}

/* Goes on writing the answer; when it is out, the next request. */
static void
write_answer (HotConnection *conn)
{
  gboolean done = FALSE;

  if (!write_some (conn, &done))
    {
      g_debug ("an answer could not be written: the client left");
      rndimg_exchange_report (conn->exchange, RNDIMG_STATUS_CLIENT_CLOSED, 0);
      rndimg_connection_close (conn->connection);
      return;
    }
  if (done)
    answered (conn);
  else
    rndimg_connection_watch (conn->connection, RNDIMG_CONNECTION_WRITABLE, on_event, conn);
}

/* Whether the connection ends after this answer, as libsoup decides it
 * (soup_server_message_is_keepalive()): the client or the answer said
 * Connection: close, or the body runs to the connection's end. */
static gboolean
is_last_answer (HotConnection *conn, RndimgExchange *exchange)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  return conn->close_after || soup_message_headers_get_encoding (headers) == SOUP_ENCODING_EOF ||
         soup_message_headers_header_contains (headers, "Connection", "close");
}

/* The executor's send: the handler's answer, head and body in one write. */
static void
send_answer (RndimgExchange *exchange)
{
  HotConnection *conn = hot_connection_of (exchange);
  GBytes *body = rndimg_exchange_get_response_body (exchange);

  if (conn == NULL || conn->exchange != exchange)
    return;
  conn->written = 0;
  if (write_head (conn->hot, conn->head, exchange, body) && body != NULL)
    conn->body = g_bytes_ref (body);
  conn->close_after = is_last_answer (conn, exchange);
  write_answer (conn);
}

/* Nothing is read meanwhile (a pipelined request waits); a client that
 * hangs up is let go. */
static void
pause_answer (RndimgExchange *exchange)
{
  HotConnection *conn = hot_connection_of (exchange);

  if (conn != NULL)
    rndimg_connection_watch (conn->connection, RNDIMG_CONNECTION_HUNG_UP, on_event, conn);
}

/* Back from a pause: the answer goes out once the main loop runs on
 * (rndimg_exchange_unpause() queues it), as libsoup's would. */
static void
unpause_answer (RndimgExchange *exchange)
{
}

static void
refuse_request (RndimgExchange *exchange, guint status, const char *message)
{
  RndimgHotPath *self = rndimg_exchange_get_executor_data (exchange);
  const char *allow_origin = soup_message_headers_get_one (rndimg_exchange_get_response_headers (exchange),
                                                           "Access-Control-Allow-Origin");

  rndimg_refusal_refuse (self->refusals, rndimg_exchange_get_connection (exchange), status, message, allow_origin);
  rndimg_exchange_report (exchange, status, 0);
}

/* The connection leaves the hot path with its request: whoever takes it
 * answers and reports it. */
static RndimgConnection *
take_connection_of (RndimgExchange *exchange)
{
  HotConnection *conn = hot_connection_of (exchange);
  RndimgConnection *connection = rndimg_exchange_get_connection (exchange);

  if (conn == NULL)
    return NULL;
  if (conn->exchange == exchange)
    g_clear_pointer (&conn->exchange, rndimg_exchange_unref);
  rndimg_connection_take (connection);
  return connection;
}

/* The head goes out as the stream's first frame: the caller writes it. */
static void
start_stream (RndimgExchange *exchange)
{
  HotConnection *conn = hot_connection_of (exchange);
  g_autoptr(GBytes) head = NULL;

  if (conn == NULL)
    {
      rndimg_exchange_stream_ready (exchange, NULL, NULL);
      return;
    }
  write_head (conn->hot, conn->head, exchange, NULL);
  head = g_bytes_new (conn->head->str, conn->head->len);
  rndimg_exchange_stream_ready (exchange, take_connection_of (exchange), head);
}

static void forget_exchange (RndimgExchange *exchange);

static const RndimgExecutor hot_executor = {
  .name = "hot",
  .send = send_answer,
  .pause = pause_answer,
  .unpause = unpause_answer,
  .refuse = refuse_request,
  .take = take_connection_of,
  .stream = start_stream,
  .finalize = forget_exchange,
};

/* The headers objects for the next request: the last one's, emptied
 * (no allocation), unless an exchange still holds them (a long-poll's,
 * reported, not yet freed); the answer's begin as libsoup's do: Server,
 * then Date, then what the router gives every answer. Made when an
 * answer is out, for the request after it (they are most of the
 * thousands of instructions libsoup's headers cost a request), and made
 * again if that request comes in another second (the Date). */
static void
prepare_headers (HotConnection *conn)
{
  const char *server = rndimg_connections_get_server_header (conn->hot->connections);

  if (conn->headers_user != NULL || conn->request_headers == NULL)
    {
      g_clear_pointer (&conn->request_headers, soup_message_headers_unref);
      g_clear_pointer (&conn->response_headers, soup_message_headers_unref);
      conn->request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      conn->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
      conn->headers_user = NULL;
    }
  else
    {
      soup_message_headers_clear (conn->request_headers);
      soup_message_headers_clear (conn->response_headers);
    }
  soup_message_headers_set_encoding (conn->response_headers, SOUP_ENCODING_CONTENT_LENGTH);
  if (*server != '\0')
    soup_message_headers_append (conn->response_headers, "Server", server);
  soup_message_headers_append (conn->response_headers, "Date", date_now (conn->hot));
  rndimg_router_add_answer_headers (conn->response_headers);
  conn->prepared_second = conn->hot->date_second;
}

/* The headers for the request being read: those prepared, if still for
 * this second. */
static void
take_prepared_headers (HotConnection *conn)
{
  if (conn->prepared_second != g_get_real_time () / G_USEC_PER_SEC)
    prepare_headers (conn);
  conn->prepared_second = -1;   /* used: this request may add to them */
}

/* An exchange is freed: the headers it was made with are free again. */
static void
forget_exchange (RndimgExchange *exchange)
{
  HotConnection *conn = rndimg_connection_get_hot_data (rndimg_exchange_get_connection (exchange));

  if (conn != NULL && conn->headers_user == exchange)
    conn->headers_user = NULL;
}

/* Runs the request of @head, with @body, through the router. */
static void
run (HotConnection *conn, const RndimgRequestHead *head, GBytes *body)
{
  RndimgHotPath *hot = conn->hot;
  g_autoptr(GHashTable) query = NULL;
  RndimgExchangeRequest request = {
    .method = head->method,
    .http_version = SOUP_HTTP_1_1,
    .path = head->decoded_path != NULL ? head->decoded_path : head->path,
    .query = head->query,
    .scheme = "http",   /* as libsoup sees it through the gate, TLS or not */
    .host = head->host,
    .port = head->port,
    .request_headers = conn->request_headers,
    .response_headers = conn->response_headers,
    .request_body = body,
  };

  conn->close_after = head->close;
  conn->exchange = rndimg_exchange_new (&hot_executor, hot, conn->connection, &request, hot->watch);
  conn->headers_user = conn->exchange;
  if (hot->watch->started != NULL)
    hot->watch->started (hot->watch->data);
  if (!rndimg_router_admit (hot->router, conn->exchange))
    return;
  if (head->query != NULL)
    query = soup_form_decode (head->query);
  rndimg_router_dispatch (hot->router, conn->exchange, query);
}

/* Hands the connection, with the bytes not yet used, to libsoup. */
static void
hand_to_soup (HotConnection *conn)
{
  rndimg_connection_give_to_soup (conn->connection);   /* frees @conn */
}

/* What to do with the next request in the input. */
typedef enum {
  NEXT_WAIT,        /* more bytes are needed */
  NEXT_SOUP,        /* libsoup's */
  NEXT_RUN,         /* ours: @head (and @body) filled */
} Next;

static Next
next_request (HotConnection *conn, GByteArray *input, RndimgRequestHead *head, GBytes **body)
{
  const char *path;
  gsize limit;

  take_prepared_headers (conn);
  switch (rndimg_request_head_parse (input->data, input->len, head, conn->request_headers))
    {
    case RNDIMG_REQUEST_HEAD_INCOMPLETE:
      rndimg_connection_head_begins (conn->connection);   /* for --header-timeout */
      return NEXT_WAIT;
    case RNDIMG_REQUEST_HEAD_NOT_HOT:
      return NEXT_SOUP;
    case RNDIMG_REQUEST_HEAD_HOT:
      break;
    }
  path = head->decoded_path != NULL ? head->decoded_path : head->path;
  if (!rndimg_router_is_hot (conn->hot->router, path, head->method))
    return NEXT_SOUP;
  /* A body within the route's limit is read whole first; one over it is
   * refused by the router from the head alone, never read. */
  limit = rndimg_router_body_limit (conn->hot->router, path);
  if (head->body_length > 0 && head->body_length <= limit)
    {
      if (input->len < head->length + head->body_length)
        return NEXT_WAIT;
      *body = g_bytes_new (input->data + head->length, head->body_length);
    }
  return NEXT_RUN;
}

/* Reads and answers the requests in the input, one at a time, while the
 * hot path holds the connection and no answer is under way. */
static void
process (HotConnection *conn)
{
  g_autoptr(RndimgConnection) connection = rndimg_connection_ref (conn->connection);

  conn->processing = TRUE;
  /* @conn goes with the hot data when the connection closes or leaves. */
  while (rndimg_connection_get_hot_data (connection) == conn && conn->exchange == NULL &&
         rndimg_connection_get_holder (connection) == RNDIMG_HOLDER_HOT &&
         rndimg_connection_get_input (connection) != NULL)
    {
      GByteArray *input = rndimg_connection_get_input (connection);
      RndimgRequestHead head;
      g_autoptr(GBytes) body = NULL;
      Next next = next_request (conn, input, &head, &body);

      if (next == NEXT_WAIT)
        {
          rndimg_request_head_clear (&head);
          break;
        }
      if (next == NEXT_SOUP)
        {
          rndimg_request_head_clear (&head);
          hand_to_soup (conn);
          return;
        }
      rndimg_connection_consume (connection, head.length + (body != NULL ? g_bytes_get_size (body) : 0));
      rndimg_connection_set_head_started (connection, 0);
      rndimg_connection_set_busy (connection, TRUE);
      run (conn, &head, body);
      rndimg_request_head_clear (&head);
    }
  if (rndimg_connection_get_hot_data (connection) == conn)
    conn->processing = FALSE;
}

/* Reads what the socket has, then the requests in it. */
static void
read_input (HotConnection *conn)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GByteArray *input = rndimg_connection_get_input (conn->connection);
      gssize got;

      /* A request's head and small body at most: past that it is libsoup's. */
      if (input != NULL && input->len >= RNDIMG_REQUEST_HEAD_HOT_LIMIT + RNDIMG_ROUTER_SMALL_BODY_BYTES)
        break;
      got = rndimg_connection_read (conn->connection, READ_SIZE, &error);
      if (got < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (got <= 0)
        {
          /* A head cut short goes to libsoup as it is: it answers 400. */
          if (got == 0 && input != NULL && conn->exchange == NULL)
            hand_to_soup (conn);
          else
            rndimg_connection_close (conn->connection);
          return;
        }
      /* A plain socket says when more comes; TLS may hold decrypted bytes. */
      if (!rndimg_connection_is_tls (conn->connection) && got < READ_SIZE)
        break;
    }
  process (conn);
}

static void
on_event (RndimgConnection *connection, RndimgConnectionEvents events, gpointer user_data)
{
  HotConnection *conn = user_data;

  if (events & RNDIMG_CONNECTION_WRITABLE)
    write_answer (conn);
  else if (events & RNDIMG_CONNECTION_READABLE)
    read_input (conn);
  else if (events & RNDIMG_CONNECTION_HUNG_UP)   /* while an answer is paused */
    rndimg_connection_close (connection);
}

/* A connection accepted, or given back after an answer of ours: its
 * requests are read here. */
static void
take_connection (RndimgConnection *connection, gpointer user_data)
{
  RndimgHotPath *self = user_data;
  HotConnection *conn = rndimg_connection_get_hot_data (connection);

  if (conn == NULL)
    {
      conn = g_new0 (HotConnection, 1);
      conn->hot = self;
      conn->connection = connection;
      conn->head = g_string_sized_new (512);
      conn->prepared_second = -1;
      rndimg_connection_set_hot_data (connection, conn, (GDestroyNotify) hot_connection_free);
    }
  rndimg_connection_watch (connection, RNDIMG_CONNECTION_READABLE, on_event, conn);
  process (conn);
}

/* The hot path for the connections of @connections, answering from
 * @router, refusing through @refusals, reporting to @watch (all borrowed:
 * they must outlive it). From now on accepted connections come here
 * first. */
RndimgHotPath *
rndimg_hot_path_new (RndimgConnections *connections, RndimgRouter *router, RndimgRefusals *refusals,
                     const RndimgRequestWatch *watch)
{
  RndimgHotPath *self = g_new0 (RndimgHotPath, 1);

  self->connections = connections;
  self->router = router;
  self->refusals = refusals;
  self->watch = watch;
  self->date_second = -1;
  rndimg_connections_set_hot_path (connections, take_connection, self);
  return self;
}

void
rndimg_hot_path_free (RndimgHotPath *self)
{
  rndimg_connections_set_hot_path (self->connections, NULL, NULL);
  for (guint i = 0; i < MAX_STATUS; i++)
    g_free (self->status_lines[i]);
  g_free (self);
}
