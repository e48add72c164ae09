/* SPDX-License-Identifier: MIT */
/* Answers written by us on a connection taken from its executor (a held
 * long-poll): the whole answer, head and body, goes out in one send()
 * instead of libsoup's headers, body and teardown; the request is then
 * reported to whoever watches finished requests (metrics, access log) as
 * its executor would report it; a keep-alive connection then goes back
 * for its next request (rndimg_connection_serve(): to the hot path), so a
 * client never sees a difference. The executor read the request: only
 * the answer is ours. */
#include "rndimg-taken-answer.h"
#include "rndimg-connection.h"

#include <string.h>

/* TRUE when the connection of @exchange may carry another request after
 * our answer (HTTP/1.1 unless the client said close; HTTP/1.0 if it
 * asked). */
static gboolean
keep_alive_after (RndimgExchange *exchange)
{
  SoupMessageHeaders *request = rndimg_exchange_get_request_headers (exchange);

  if (soup_message_headers_header_contains (request, "Connection", "close"))
    return FALSE;
  if (rndimg_exchange_get_http_version (exchange) == SOUP_HTTP_1_0)
    return soup_message_headers_header_contains (request, "Connection", "keep-alive");
  return TRUE;
}

/* The Date header's value, made again only when the second changes. */
static const char *
http_date_now (void)
{
  static char text[64];
  static gint64 made_for = -1;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now != made_for)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (now);
      g_autofree char *formatted = soup_date_time_to_string (date, SOUP_DATE_HTTP);

      g_strlcpy (text, formatted, sizeof text);
      made_for = now;
    }
  return text;
}

/* Headers we write from what we know, never copied from the message. */
static gboolean
is_framing_header (const char *name)
{
  return g_ascii_strcasecmp (name, "Content-Length") == 0 ||
         g_ascii_strcasecmp (name, "Transfer-Encoding") == 0 ||
         g_ascii_strcasecmp (name, "Connection") == 0 ||
         g_ascii_strcasecmp (name, "Date") == 0 ||
         g_ascii_strcasecmp (name, "Server") == 0 ||
         g_ascii_strcasecmp (name, "Content-Type") == 0;
}

static void
append_header (GString *answer, const char *name, const char *value)
{
  g_string_append (answer, name);
  g_string_append_len (answer, ": ", 2);
  g_string_append (answer, value);
  g_string_append_len (answer, "\r\n", 2);
}

/* What the answer to @exchange will say before its body, kept from when
 * the request is taken and held: the headers set on it so far (CORS,
 * Cache-Control ...), its HTTP version, whether it is a HEAD, and whether
 * the connection may be kept. Answering it later needs no look at the
 * request. */
void
rndimg_taken_head_init (RndimgTakenHead *head, RndimgConnections *connections, RndimgExchange *exchange)
{
  const char *server_header = rndimg_connections_get_server_header (connections);
  GString *headers = g_string_sized_new (256);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (*server_header != '\0')
    append_header (headers, "Server", server_header);
  soup_message_headers_iter_init (&iter, rndimg_exchange_get_response_headers (exchange));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_framing_header (name))
      append_header (headers, name, value);
  head->length = headers->len;
  head->headers = g_string_free (headers, FALSE);
  head->http_1_0 = rndimg_exchange_get_http_version (exchange) == SOUP_HTTP_1_0;
  head->head_only = rndimg_exchange_is_head (exchange);
  head->keep_alive = keep_alive_after (exchange);
}

void
rndimg_taken_head_clear (RndimgTakenHead *head)
{
  g_clear_pointer (&head->headers, g_free);
}

/* "HTTP/1.1 200 OK\r\n": a static buffer, good until the next call. */
static const char *
status_line (guint status, gboolean http_1_0)
{
  static char line[96];
  static guint made_status;
  static gboolean made_1_0;

  if (status != made_status || http_1_0 != made_1_0)
    {
      g_snprintf (line, sizeof line, "HTTP/1.%d %u %s\r\n", http_1_0 ? 0 : 1, status,
                  soup_status_get_phrase (status));
      made_status = status;
      made_1_0 = http_1_0;
    }
  return line;
}

/* Date, Content-Type, Content-Length and the blank line: the same for
 * every client of a fan-out, so made once for it (a static buffer, good
 * until the next call). */
static const char *
framing_tail (guint status, const char *content_type, gsize body_size)
{
  static char tail[256];
  static const char *made_date;
  static const char *made_type;
  static gsize made_size = G_MAXSIZE;
  static guint made_status;
  const char *date = http_date_now ();

  if (date == made_date && content_type == made_type && body_size == made_size && status == made_status)
    return tail;
  if (status == SOUP_STATUS_NO_CONTENT)
    g_snprintf (tail, sizeof tail, "Date: %s\r\n\r\n", date);
  else
    g_snprintf (tail, sizeof tail, "Date: %s\r\n%s%s%sContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n", date,
                content_type != NULL ? "Content-Type: " : "", content_type != NULL ? content_type : "",
                content_type != NULL ? "\r\n" : "", body_size);
  made_date = date;
  made_type = content_type;
  made_size = body_size;
  made_status = status;
  return tail;
}

/* The answer to the request of @head, as up to RNDIMG_TAKEN_ANSWER_VECTORS
 * pieces for one sendmsg(): status line, the request's own headers, the
 * connection's fate, the framing shared by a fan-out, and @body (none for
 * HEAD, 204 or NULL). Nothing is copied; the pieces are good until the
 * next call. Returns how many were filled. */
guint
rndimg_taken_answer_vectors (const RndimgTakenHead *head, guint status, const char *content_type,
                             GBytes *body, gboolean keep_alive, GOutputVector *vectors)
{
  gsize body_size = body != NULL ? g_bytes_get_size (body) : 0;
  const char *connection = !keep_alive ? "Connection: close\r\n"
                           : head->http_1_0 ? "Connection: keep-alive\r\n" : NULL;
  const char *line = status_line (status, head->http_1_0);
  const char *tail = framing_tail (status, content_type, body_size);
  guint n = 0;

  vectors[n++] = (GOutputVector) { line, strlen (line) };
  vectors[n++] = (GOutputVector) { head->headers, head->length };
  if (connection != NULL)
    vectors[n++] = (GOutputVector) { connection, strlen (connection) };
  vectors[n++] = (GOutputVector) { tail, strlen (tail) };
  if (body_size > 0 && !head->head_only)
    vectors[n++] = (GOutputVector) { g_bytes_get_data (body, NULL), body_size };
  return n;
}

/* A request answered on a taken connection, waiting for the end of the
 * current pass of the main loop to be reported and handed on: a fan-out
 * writes every answer first, then does the bookkeeping. */
struct _RndimgAnswerDone
{
  RndimgConnections *connections;
  RndimgExchange *exchange;
  RndimgConnection *connection;   /* NULL: the connection failed, closed */
  guint status;
  guint64 body_bytes;             /* written, for the access log and metrics */
  gboolean keep_alive;
};

RndimgAnswerDone *
rndimg_taken_answer_done_new (RndimgConnections *connections, RndimgExchange *exchange, guint status,
                              gsize body_bytes, gboolean keep_alive)
{
  RndimgAnswerDone *done = g_new0 (RndimgAnswerDone, 1);

  done->connections = connections;
  done->exchange = rndimg_exchange_ref (exchange);
  done->status = status;
  done->body_bytes = body_bytes;
  done->keep_alive = keep_alive;
  return done;
}

/* Tells those who watch finished requests about @done, as its executor
 * would have: one place (the service's request watch) sees every
 * request, whoever wrote it; then the connection goes back for its next
 * request, or is closed. */
static void
complete (RndimgAnswerDone *done)
{
  rndimg_exchange_report (done->exchange, done->connection != NULL ? done->status : RNDIMG_STATUS_CLIENT_CLOSED,
                          done->connection != NULL ? done->body_bytes : 0);
  if (done->connection != NULL && done->keep_alive)
    rndimg_connection_serve (done->connection);
  else if (done->connection != NULL)
    rndimg_connection_close (done->connection);
  g_clear_pointer (&done->connection, rndimg_connection_unref);
  rndimg_exchange_unref (done->exchange);
  g_free (done);
}

/* @done's answer is all sent on @connection (a reference, taken), or
 * its connection failed (NULL). Soon: reported, then the connection goes
 * back for its next request (keep-alive) or is closed. */
void
rndimg_taken_answer_done_finish (RndimgAnswerDone *done, RndimgConnection *connection)
{
  done->connection = connection;
  rndimg_connections_run_later (done->connections, (GDestroyNotify) complete, done);
}
