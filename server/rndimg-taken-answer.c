/* SPDX-License-Identifier: MIT */
/* Answers written by us on a connection taken from libsoup (a held
 * long-poll): the whole answer, head and body, goes out in one send()
 * instead of libsoup's headers, body and teardown; the request is then
 * reported to whoever watches finished requests (metrics, access log) as
 * libsoup would report it; a keep-alive connection then goes back to the
 * SoupServer for its next request (rndimg_connection_give_back()), so a
 * client never sees a difference. libsoup parsed the request: only the
 * answer is ours. */
#include "rndimg-taken-answer.h"
#include "rndimg-connection.h"

#include <string.h>

/* TRUE when the connection of @msg may carry another request after our
 * answer (HTTP/1.1 unless the client said close; HTTP/1.0 if it asked). */
gboolean
rndimg_taken_answer_keep_alive (SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);

  if (rndimg_connection_get_server () == NULL ||
      soup_message_headers_header_contains (request, "Connection", "close"))
    return FALSE;
  if (soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0)
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

/* The Server header libsoup writes: our "rndimg/x " completed with its
 * own name and version. */
static const char *
server_header (void)
{
  static SoupServer *read_from;
  static char *header;
  SoupServer *server = rndimg_connection_get_server ();

  if (server != read_from)
    {
      g_clear_pointer (&header, g_free);
      if (server != NULL)
        g_object_get (server, "server-header", &header, NULL);
      read_from = server;
    }
  return header != NULL ? header : "";
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

/* Without printf: this runs for every held client of a fan-out. */
static void
append_header (GString *answer, const char *name, const char *value)
{
  g_string_append (answer, name);
  g_string_append_len (answer, ": ", 2);
  g_string_append (answer, value);
  g_string_append_len (answer, "\r\n", 2);
}

/* The headers set on @msg so far (CORS, Cache-Control ...), as they will
 * be written: made when a request is taken and held, so answering it
 * later costs no walk over the message's header table. */
char *
rndimg_taken_answer_headers (SoupServerMessage *msg)
{
  GString *headers = g_string_sized_new (256);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (*server_header () != '\0')
    append_header (headers, "Server", server_header ());
  soup_message_headers_iter_init (&iter, soup_server_message_get_response_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_framing_header (name))
      append_header (headers, name, value);
  return g_string_free (headers, FALSE);
}

/* The whole answer to @msg: status line, @headers (from
 * rndimg_taken_answer_headers()), @content_type (or none), the framing
 * libsoup would add, and @body (none for HEAD, 204 or @body NULL). */
GBytes *
rndimg_taken_answer_render (SoupServerMessage *msg, const char *headers, guint status,
                            const char *content_type, GBytes *body, gboolean keep_alive)
{
  gboolean http_1_0 = soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0;
  gsize body_size = body != NULL ? g_bytes_get_size (body) : 0;
  GString *answer = g_string_sized_new (strlen (headers) + 160 + body_size);
  char code[] = { (char) ('0' + status / 100 % 10), (char) ('0' + status / 10 % 10), (char) ('0' + status % 10),
                  ' ', '\0' };

  g_string_append (answer, http_1_0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  g_string_append (answer, code);
  g_string_append (answer, soup_status_get_phrase (status));
  g_string_append_len (answer, "\r\n", 2);
  append_header (answer, "Date", http_date_now ());
  g_string_append (answer, headers);
  if (content_type != NULL)
    append_header (answer, "Content-Type", content_type);
  if (status != SOUP_STATUS_NO_CONTENT)
    {
      char length[24];

      g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT, body_size);
      append_header (answer, "Content-Length", length);
    }
  if (!keep_alive)
    g_string_append (answer, "Connection: close\r\n");
  else if (http_1_0)
    g_string_append (answer, "Connection: keep-alive\r\n");
  g_string_append (answer, "\r\n");
  if (body != NULL && soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    g_string_append_len (answer, g_bytes_get_data (body, NULL), (gssize) body_size);
  return g_string_free_to_bytes (answer);
}

/* A request answered on a taken connection, waiting for the end of the
 * current pass of the main loop to be reported and handed on: a fan-out
 * writes every answer first, then does the bookkeeping. */
struct _RndimgAnswerDone
{
  SoupServerMessage *msg;
  GIOStream *stream;          /* NULL: the connection failed, closed */
  guint status;
  guint body_bytes;           /* written, for the access log and metrics */
  gboolean keep_alive;
};

static GQueue finishing = G_QUEUE_INIT;
static guint finishing_id;

RndimgAnswerDone *
rndimg_taken_answer_done_new (SoupServerMessage *msg, guint status, GBytes *body, gboolean keep_alive)
{
  RndimgAnswerDone *done = g_new0 (RndimgAnswerDone, 1);

  done->msg = g_object_ref (msg);
  done->status = status;
  if (body != NULL && soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    done->body_bytes = (guint) g_bytes_get_size (body);
  done->keep_alive = keep_alive;
  return done;
}

/* Tells those who watch finished requests about @done through libsoup's
 * own signals, as if libsoup had written the answer: one place
 * (rndimg-instrument.c, the service's counts) sees every request,
 * whoever wrote it. */
static void
report (RndimgAnswerDone *done)
{
  SoupServer *server = rndimg_connection_get_server ();

  soup_server_message_set_status (done->msg, done->status, NULL);
  if (done->body_bytes > 0)
    g_signal_emit_by_name (done->msg, "wrote-body-data", done->body_bytes);
  if (server != NULL)
    g_signal_emit_by_name (server, "request-finished", done->msg);
}

static void
complete (RndimgAnswerDone *done)
{
  report (done);
  if (done->stream != NULL && done->keep_alive)
    rndimg_connection_give_back (done->stream);
  else if (done->stream != NULL)
    g_io_stream_close (done->stream, NULL, NULL);
  g_clear_object (&done->stream);
  g_object_unref (done->msg);
  g_free (done);
}

static gboolean
on_finishing (gpointer user_data)
{
  RndimgAnswerDone *done;

  finishing_id = 0;
  while ((done = g_queue_pop_head (&finishing)) != NULL)
    complete (done);
  return G_SOURCE_REMOVE;
}

/* @done's answer is all sent on @stream (transfer full), or its
 * connection failed (NULL). Soon: reported, then the connection goes back
 * to libsoup (keep-alive) or is closed. */
void
rndimg_taken_answer_done_finish (RndimgAnswerDone *done, GIOStream *stream)
{
  done->stream = stream;
  g_queue_push_tail (&finishing, done);
  if (finishing_id == 0)
    finishing_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_finishing, NULL, NULL);
}

/* Completes every answer still waiting (at shutdown). */
void
rndimg_taken_answer_flush (void)
{
  g_clear_handle_id (&finishing_id, g_source_remove);
  on_finishing (NULL);
}
