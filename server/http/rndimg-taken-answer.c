/* SPDX-License-Identifier: MIT */
/* Answers written by us on a connection taken from its executor (a held
 * long-poll): the whole answer, head and body, goes out in one send()
 * instead of libsoup's headers, body and teardown. The answer's bytes are
 * made once and sent to every held request whose head is the same (a
 * fan-out sends one buffer to thousands, as an event stream's frame is):
 * only the answer's bookkeeping is per request. The request is then
 * reported to whoever watches finished requests (metrics, access log) as
 * its executor would report it; a keep-alive connection then goes back
 * for its next request (rndimg_connection_serve(): to the hot path), so a
 * client never sees a difference. The executor read the request: only
 * the answer is ours. */
#include "rndimg-taken-answer.h"
#include "rndimg-connection.h"

#include <string.h>

/* The Date header's value for @now (seconds since the epoch), made again
 * only when the second changes. */
static const char *
http_date (gint64 now)
{
  static char text[64];
  static gint64 made_for = -1;

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

/* Whole answers a head made lately: a fan-out sends one event to nearly
 * every client, so the first client's answer is every other's. */
#define MADE_ANSWERS 4

typedef struct {
  GBytes *answer;             /* NULL: an empty slot */
  guint status;
  const char *content_type;
  GBytes *body;               /* a reference: its address is not reused meanwhile */
  gboolean keep_alive;
  gint64 second;              /* of its Date */
} MadeAnswer;

struct _RndimgTakenHeads
{
  RndimgConnections *connections;   /* borrowed */
  GHashTable *heads;          /* RndimgTakenHead * (borrowed: each leaves at its last unref) */
  GString *scratch;           /* a head being made, to look it up */
};

struct _RndimgTakenHead
{
  guint ref_count;
  RndimgTakenHeads *set;      /* NULL once the set is gone */
  char *headers;              /* "Name: value\r\n" ... */
  gsize length;
  gboolean http_1_0;
  gboolean head_only;         /* a HEAD: no body */
  gboolean keep_alive;        /* the client may send another request after */
  MadeAnswer made[MADE_ANSWERS];
  guint next_made;
};

static guint
head_hash (gconstpointer data)
{
  const RndimgTakenHead *head = data;

  return g_str_hash (head->headers) ^ (guint) (head->http_1_0 | head->head_only << 1 | head->keep_alive << 2);
}

static gboolean
head_equal (gconstpointer a, gconstpointer b)
{
  const RndimgTakenHead *left = a, *right = b;

  return left->http_1_0 == right->http_1_0 && left->head_only == right->head_only &&
         left->keep_alive == right->keep_alive && left->length == right->length &&
         memcmp (left->headers, right->headers, left->length) == 0;
}

/* The distinct heads of the requests held at once (by one registry). */
RndimgTakenHeads *
rndimg_taken_heads_new (RndimgConnections *connections)
{
  RndimgTakenHeads *self = g_new0 (RndimgTakenHeads, 1);

  self->connections = connections;
  self->heads = g_hash_table_new (head_hash, head_equal);
  self->scratch = g_string_sized_new (256);
  return self;
}

/* Heads still referenced live on, alone. */
void
rndimg_taken_heads_free (RndimgTakenHeads *self)
{
  GHashTableIter iter;
  gpointer head;

  g_hash_table_iter_init (&iter, self->heads);
  while (g_hash_table_iter_next (&iter, &head, NULL))
    ((RndimgTakenHead *) head)->set = NULL;
  g_hash_table_unref (self->heads);
  g_string_free (self->scratch, TRUE);
  g_free (self);
}

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

/* Returns (transfer full) what the answer to @exchange will say before its
 * body, kept from when the request is taken and held: the headers set on
 * it so far (CORS, Cache-Control ...), its HTTP version, whether it is a
 * HEAD, and whether the connection may be kept. Answering it later needs
 * no look at the request. Requests with the same head share one. */
RndimgTakenHead *
rndimg_taken_heads_get (RndimgTakenHeads *self, RndimgExchange *exchange)
{
  const char *server_header = rndimg_connections_get_server_header (self->connections);
  RndimgTakenHead wanted = { 0 }, *head;
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_truncate (self->scratch, 0);
  if (*server_header != '\0')
    append_header (self->scratch, "Server", server_header);
  soup_message_headers_iter_init (&iter, rndimg_exchange_get_response_headers (exchange));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_framing_header (name))
      append_header (self->scratch, name, value);
  wanted.headers = self->scratch->str;
  wanted.length = self->scratch->len;
  wanted.http_1_0 = rndimg_exchange_get_http_version (exchange) == SOUP_HTTP_1_0;
  wanted.head_only = rndimg_exchange_is_head (exchange);
  wanted.keep_alive = keep_alive_after (exchange);
  head = g_hash_table_lookup (self->heads, &wanted);
  if (head != NULL)
    {
      head->ref_count++;
      return head;
    }
  head = g_new0 (RndimgTakenHead, 1);
  *head = wanted;
  head->ref_count = 1;
  head->set = self;
  head->headers = g_strndup (self->scratch->str, self->scratch->len);
  g_hash_table_add (self->heads, head);
  return head;
}

static void
made_answer_clear (MadeAnswer *made)
{
  g_clear_pointer (&made->answer, g_bytes_unref);
  g_clear_pointer (&made->body, g_bytes_unref);
}

void
rndimg_taken_head_unref (RndimgTakenHead *head)
{
  if (--head->ref_count > 0)
    return;
  if (head->set != NULL)
    g_hash_table_remove (head->set->heads, head);
  for (guint i = 0; i < MADE_ANSWERS; i++)
    made_answer_clear (&head->made[i]);
  g_free (head->headers);
  g_free (head);
}

/* Whether the client may send another request after the answer. */
gboolean
rndimg_taken_head_keeps_alive (const RndimgTakenHead *head)
{
  return head->keep_alive;
}

/* The whole answer, head and body: the status line, the request's own
 * headers, the connection's fate, Date, Content-Type (when there is a
 * body) and Content-Length (none for 204), and @body (none for HEAD). */
static GBytes *
make_answer (const RndimgTakenHead *head, guint status, const char *content_type, GBytes *body,
             gboolean keep_alive, gint64 now)
{
  gsize body_size = body != NULL ? g_bytes_get_size (body) : 0;
  GString *answer = g_string_sized_new (head->length + body_size + 160);

  g_string_append_printf (answer, "HTTP/1.%d %u %s\r\n", head->http_1_0 ? 0 : 1, status,
                          soup_status_get_phrase (status));
  g_string_append_len (answer, head->headers, (gssize) head->length);
  if (!keep_alive)
    g_string_append (answer, "Connection: close\r\n");
  else if (head->http_1_0)
    g_string_append (answer, "Connection: keep-alive\r\n");
  append_header (answer, "Date", http_date (now));
  if (status != SOUP_STATUS_NO_CONTENT)
    {
      if (content_type != NULL)
        append_header (answer, "Content-Type", content_type);
      g_string_append_printf (answer, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_size);
    }
  g_string_append_len (answer, "\r\n", 2);
  if (body_size > 0 && !head->head_only)
    g_string_append_len (answer, g_bytes_get_data (body, NULL), (gssize) body_size);
  return g_string_free_to_bytes (answer);
}

/* The answer with @status (and @body of @content_type, or NULL) to the
 * request of @head, whole, for one send(): made once, then the same bytes
 * for every request with this head answered the same within the second
 * (borrowed: good until the head's next answers). @body_bytes: how much
 * of the body it carries, for the access log. */
GBytes *
rndimg_taken_head_answer (RndimgTakenHead *head, guint status, const char *content_type, GBytes *body,
                          gboolean keep_alive, gsize *body_bytes)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  MadeAnswer *made;

  *body_bytes = body != NULL && !head->head_only && status != SOUP_STATUS_NO_CONTENT ? g_bytes_get_size (body) : 0;
  for (guint i = 0; i < MADE_ANSWERS; i++)
    {
      made = &head->made[i];
      if (made->answer != NULL && made->status == status && made->body == body && made->keep_alive == keep_alive &&
          made->second == now && g_strcmp0 (made->content_type, content_type) == 0)
        return made->answer;
    }
  made = &head->made[head->next_made];
  head->next_made = (head->next_made + 1) % MADE_ANSWERS;
  made_answer_clear (made);
  *made = (MadeAnswer) {
    make_answer (head, status, content_type, body, keep_alive, now),
    status, content_type, body != NULL ? g_bytes_ref (body) : NULL, keep_alive, now,
  };
  return made->answer;
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
