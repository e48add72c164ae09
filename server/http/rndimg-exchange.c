/* SPDX-License-Identifier: MIT */
/* One request and its answer, as every handler sees it whichever executor
 * runs it: libsoup's (rndimg-soup-executor.c, an exchange over a
 * SoupServerMessage) or the hot path (rndimg-hot-path.c, an exchange over
 * a head we read ourselves and an answer we write in one send). The table
 * of routes and the rules it applies (rndimg-router.c) are one; the
 * executors only read requests and write answers.
 *
 * Headers are libsoup's SoupMessageHeaders on both paths (the message's
 * own, or the hot path's), so that what a handler sets comes out in the
 * same order whoever writes it. An answer is sent when its handler
 * returns, or, when the handler paused the exchange (a worker or the
 * broker answers it), once it is unpaused and the main loop runs again,
 * as libsoup does. A push answer takes the connection (rndimg_exchange_take,
 * rndimg_exchange_start_stream) and reports the request itself when done
 * (rndimg_exchange_report). */
#include "rndimg-exchange.h"

struct _RndimgExchange
{
  guint ref_count;
  const RndimgExecutor *executor;
  gpointer executor_data;
  RndimgConnection *connection;       /* owned, or NULL when not known */
  const RndimgRequestWatch *watch;    /* borrowed: the executor's */

  /* The request */
  const char *method;
  SoupHTTPVersion http_version;
  char *path, *query;
  const char *scheme;
  char *host;
  int port;
  SoupMessageHeaders *request_headers;
  GBytes *request_body;
  char *base_url;                     /* a GRefString */
  gint64 started;

  /* The answer */
  guint status;
  SoupMessageHeaders *response_headers;
  GBytes *response_body;
  gboolean paused;
  gboolean gone;                      /* the client left during a pause */
  gboolean reported;
  gboolean taken;                     /* by a push answer */
  gboolean streaming;
  RndimgStreamFunc stream_func;
  gpointer stream_data;
  RndimgReportedFunc reported_func;   /* one listener (the audit), or NULL */
  gpointer reported_data;
  GDestroyNotify reported_destroy;
};

RndimgExchange *
rndimg_exchange_new (const RndimgExecutor *executor, gpointer executor_data, RndimgConnection *connection,
                     const RndimgExchangeRequest *request, const RndimgRequestWatch *watch)
{
  RndimgExchange *exchange = g_new0 (RndimgExchange, 1);

  exchange->ref_count = 1;
  exchange->executor = executor;
  exchange->executor_data = executor_data;
  exchange->connection = connection != NULL ? rndimg_connection_ref (connection) : NULL;
  exchange->watch = watch;
  exchange->method = request->method;
  exchange->http_version = request->http_version;
  exchange->path = g_strdup (request->path);
  exchange->query = g_strdup (request->query);
  exchange->scheme = request->scheme;
  exchange->host = g_strdup (request->host);
  exchange->port = request->port;
  exchange->request_headers = soup_message_headers_ref (request->request_headers);
  exchange->response_headers = soup_message_headers_ref (request->response_headers);
  exchange->request_body = request->request_body != NULL ? g_bytes_ref (request->request_body) : NULL;
  exchange->started = g_get_monotonic_time ();
  return exchange;
}

RndimgExchange *
rndimg_exchange_ref (RndimgExchange *exchange)
{
  exchange->ref_count++;
  return exchange;
}

void
rndimg_exchange_unref (RndimgExchange *exchange)
{
  if (--exchange->ref_count > 0)
    return;
  if (exchange->executor->finalize != NULL)
    exchange->executor->finalize (exchange);
  g_clear_pointer (&exchange->connection, rndimg_connection_unref);
  g_free (exchange->path);
  g_free (exchange->query);
  g_free (exchange->host);
  soup_message_headers_unref (exchange->request_headers);
  soup_message_headers_unref (exchange->response_headers);
  g_clear_pointer (&exchange->request_body, g_bytes_unref);
  g_clear_pointer (&exchange->response_body, g_bytes_unref);
  g_clear_pointer (&exchange->base_url, g_ref_string_release);
  if (exchange->reported_destroy != NULL)
    exchange->reported_destroy (exchange->reported_data);
  g_free (exchange);
}

const char *
rndimg_exchange_get_method (RndimgExchange *exchange)
{
  return exchange->method;
}

gboolean
rndimg_exchange_is_head (RndimgExchange *exchange)
{
  return exchange->method == SOUP_METHOD_HEAD;
}

SoupHTTPVersion
rndimg_exchange_get_http_version (RndimgExchange *exchange)
{
  return exchange->http_version;
}

/* The path, decoded (%2F is a '/'), as routes see it. */
const char *
rndimg_exchange_get_path (RndimgExchange *exchange)
{
  return exchange->path;
}

/* The query as the client sent it (without '?'), or NULL. */
const char *
rndimg_exchange_get_query (RndimgExchange *exchange)
{
  return exchange->query;
}

/* "http" or "https", as libsoup reads the request (over our own TLS, the
 * gate shows it none: "http"; rndimg-origin.c knows). */
const char *
rndimg_exchange_get_scheme (RndimgExchange *exchange)
{
  return exchange->scheme;
}

/* The host the request addressed (its Host), no brackets around IPv6. */
const char *
rndimg_exchange_get_host (RndimgExchange *exchange)
{
  return exchange->host;
}

/* The port the request addressed; the scheme's when its Host has none. */
int
rndimg_exchange_get_port (RndimgExchange *exchange)
{
  return exchange->port;
}

SoupMessageHeaders *
rndimg_exchange_get_request_headers (RndimgExchange *exchange)
{
  return exchange->request_headers;
}

/* A request header's value (the last, for a name sent twice), or NULL. */
const char *
rndimg_exchange_get_header (RndimgExchange *exchange, const char *name)
{
  return soup_message_headers_get_one (exchange->request_headers, name);
}

/* The request's body (borrowed), empty when it has none. */
GBytes *
rndimg_exchange_get_request_body (RndimgExchange *exchange)
{
  if (exchange->request_body == NULL)
    exchange->request_body = g_bytes_new_static ("", 0);
  return exchange->request_body;
}

void
rndimg_exchange_set_request_body (RndimgExchange *exchange, GBytes *body)
{
  g_clear_pointer (&exchange->request_body, g_bytes_unref);
  exchange->request_body = body != NULL ? g_bytes_ref (body) : NULL;
}

/* What absolute URLs in the answer start with (set by the router). */
const char *
rndimg_exchange_get_base_url (RndimgExchange *exchange)
{
  return exchange->base_url;
}

/* @base_url is a GRefString: acquired, not copied, since the router
 * hands the same one to many requests. */
void
rndimg_exchange_set_base_url (RndimgExchange *exchange, char *base_url)
{
  g_clear_pointer (&exchange->base_url, g_ref_string_release);
  exchange->base_url = g_ref_string_acquire (base_url);
}

const char *
rndimg_exchange_get_remote_host (RndimgExchange *exchange)
{
  return exchange->connection != NULL ? rndimg_connection_get_remote_host (exchange->connection) : NULL;
}

/* The connection the request came on (borrowed), or NULL if unknown. */
RndimgConnection *
rndimg_exchange_get_connection (RndimgExchange *exchange)
{
  return exchange->connection;
}

/* What the executor keeps for it (libsoup's: the SoupServerMessage). */
gpointer
rndimg_exchange_get_executor_data (RndimgExchange *exchange)
{
  return exchange->executor_data;
}

/* Its executor's functions: which executor runs it. */
const RndimgExecutor *
rndimg_exchange_get_executor (RndimgExchange *exchange)
{
  return exchange->executor;
}

/* When it began (monotonic). */
gint64
rndimg_exchange_get_started (RndimgExchange *exchange)
{
  return exchange->started;
}

void
rndimg_exchange_set_status (RndimgExchange *exchange, guint status)
{
  exchange->status = status;
}

/* 0 until a handler sets one. */
guint
rndimg_exchange_get_status (RndimgExchange *exchange)
{
  return exchange->status;
}

SoupMessageHeaders *
rndimg_exchange_get_response_headers (RndimgExchange *exchange)
{
  return exchange->response_headers;
}

/* The answer's body (@body NULL: none) and, with one, its Content-Type
 * (as soup_server_message_set_response() does). */
void
rndimg_exchange_set_response (RndimgExchange *exchange, const char *content_type, GBytes *body)
{
  g_clear_pointer (&exchange->response_body, g_bytes_unref);
  if (content_type != NULL)
    {
      soup_message_headers_replace (exchange->response_headers, "Content-Type", content_type);
      exchange->response_body = body != NULL ? g_bytes_ref (body) : NULL;
    }
  else
    soup_message_headers_remove (exchange->response_headers, "Content-Type");
}

/* The answer's body, its Content-Type left as set. */
void
rndimg_exchange_set_body (RndimgExchange *exchange, GBytes *body)
{
  g_clear_pointer (&exchange->response_body, g_bytes_unref);
  exchange->response_body = body != NULL ? g_bytes_ref (body) : NULL;
}

/* The answer's body (borrowed), or NULL. */
GBytes *
rndimg_exchange_get_response_body (RndimgExchange *exchange)
{
  return exchange->response_body;
}

/* @status (a 3xx) to @url, as soup_server_message_set_redirect() does. */
void
rndimg_exchange_set_redirect (RndimgExchange *exchange, guint status, const char *url)
{
  exchange->status = status;
  soup_message_headers_replace (exchange->response_headers, "Location", url);
}

/* No answer until rndimg_exchange_unpause(): a worker or the broker
 * answers it. A second pause while paused does nothing. */
void
rndimg_exchange_pause (RndimgExchange *exchange)
{
  if (exchange->paused)
    return;
  exchange->paused = TRUE;
  exchange->executor->pause (exchange);
}

/* Sends the answer, unless the exchange was paused again meanwhile. */
static void
send_unless_paused (gpointer data)
{
  RndimgExchange *exchange = data;

  if (!exchange->paused && !exchange->gone)
    exchange->executor->send (exchange);
  rndimg_exchange_unref (exchange);
}

/* Ends the pause: TRUE when the client is still there, then set the
 * answer (or pause again) before returning to the main loop, which is
 * when it is sent, as libsoup does (the send is queued before the
 * executor resumes: libsoup's own resume is an idle queued after it). */
gboolean
rndimg_exchange_unpause (RndimgExchange *exchange)
{
  if (!exchange->paused)
    return !exchange->gone;
  exchange->paused = FALSE;
  if (exchange->gone)
    return FALSE;
  rndimg_connections_run_later (rndimg_connection_get_owner (exchange->connection), send_unless_paused,
                                rndimg_exchange_ref (exchange));
  exchange->executor->unpause (exchange);
  return TRUE;
}

gboolean
rndimg_exchange_is_paused (RndimgExchange *exchange)
{
  return exchange->paused;
}

/* The executor saw the client leave while the exchange was paused. */
void
rndimg_exchange_set_gone (RndimgExchange *exchange)
{
  exchange->gone = TRUE;
}

/* Answers @status with a JSON error carrying @message, with this
 * answer's CORS header, and closes the connection before any body is read
 * (rndimg-refusal.c). */
void
rndimg_exchange_refuse (RndimgExchange *exchange, guint status, const char *message)
{
  exchange->status = status;
  exchange->executor->refuse (exchange, status, message);
}

/* The handler returned: unless it paused or took the exchange, the
 * answer it set goes out. */
void
rndimg_exchange_handled (RndimgExchange *exchange)
{
  if (!exchange->paused && !exchange->streaming && !exchange->taken)
    exchange->executor->send (exchange);
}

/* Takes the connection from the executor (a held long-poll): the answer
 * will be written by the caller, who reports the request with
 * rndimg_exchange_report() and gives the connection back or closes it.
 * NULL when it cannot be taken. */
RndimgConnection *
rndimg_exchange_take (RndimgExchange *exchange)
{
  exchange->taken = TRUE;
  return exchange->executor->take (exchange);
}

/* The answer is a stream written by the caller: the status and headers
 * set so far go out first, then @func gets the connection, taken, and the
 * head's bytes if they are still to be written (NULL when they are out):
 * the stream's first frame. The body ends when the connection closes. */
void
rndimg_exchange_start_stream (RndimgExchange *exchange, RndimgStreamFunc func, gpointer user_data)
{
  exchange->stream_func = func;
  exchange->stream_data = user_data;
  exchange->streaming = TRUE;
  exchange->executor->stream (exchange);
}

/* For executors: the stream's head is out (@head NULL) or ready to go
 * (@head, the first frame), and @connection is taken (NULL: it failed,
 * the client left). A stream cancelled meanwhile is closed. */
void
rndimg_exchange_stream_ready (RndimgExchange *exchange, RndimgConnection *connection, GBytes *head)
{
  RndimgStreamFunc func = exchange->stream_func;

  exchange->stream_func = NULL;
  if (func != NULL)
    func (exchange, connection, head, exchange->stream_data);
  else if (connection != NULL)
    rndimg_connection_close (connection);
}

/* Whoever started a stream no longer wants its connection: if it comes,
 * it is closed. */
void
rndimg_exchange_cancel_stream (RndimgExchange *exchange)
{
  exchange->stream_func = NULL;
}

/* The request is answered (or its client left, @status 499), @bytes_sent
 * of its body written: tells those who watch requests, once. */
void
rndimg_exchange_report (RndimgExchange *exchange, guint status, guint64 bytes_sent)
{
  RndimgFinishedRequest finished = {
    .method = exchange->method,
    .path = exchange->path,
    .query = exchange->query,
    .http_version = exchange->http_version,
    .status = status,
    .bytes_sent = bytes_sent,
    .seconds = (double) (g_get_monotonic_time () - exchange->started) / G_USEC_PER_SEC,
    .remote_host = rndimg_exchange_get_remote_host (exchange),
    .user_agent = soup_message_headers_get_one (exchange->request_headers, "User-Agent"),
    .referer = soup_message_headers_get_one (exchange->request_headers, "Referer"),
    .executor = exchange->executor->name,
  };

  if (exchange->reported)
    return;
  exchange->reported = TRUE;
  exchange->status = status;
  if (exchange->watch != NULL && exchange->watch->finished != NULL)
    exchange->watch->finished (&finished, exchange->watch->data);
  if (exchange->reported_func != NULL)
    exchange->reported_func (status, exchange->reported_data);
}

/* Calls @func with the status once @exchange is answered (or its client
 * left: 499), then @destroy on @user_data when the exchange goes. One
 * listener per exchange. */
void
rndimg_exchange_on_reported (RndimgExchange *exchange, RndimgReportedFunc func, gpointer user_data,
                             GDestroyNotify destroy)
{
  g_return_if_fail (exchange->reported_func == NULL);
  exchange->reported_func = func;
  exchange->reported_data = user_data;
  exchange->reported_destroy = destroy;
}

gboolean
rndimg_exchange_is_reported (RndimgExchange *exchange)
{
  return exchange->reported;
}
