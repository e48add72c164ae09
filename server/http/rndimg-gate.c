/* SPDX-License-Identifier: MIT */
/* What stands between a client's bytes and libsoup's request parser: a
 * stream under libsoup that lets a request head through only once it has
 * read the whole head and found its framing and Host sound.
 *
 * Why: libsoup 3.2's parse_headers() (soup-server-message-io-http1.c)
 * copies the request target, then returns 501 (unknown Transfer-Encoding)
 * or 400 (a Content-Length that is not a number) without freeing the copy:
 * every such request leaks its whole target, 60 KB for a 60,000-byte query
 * string, before any handler or signal can see it. Fixed upstream by
 * 450d43c4 "Fix memory leak in error path" (June 2024), first in 3.5.2 and
 * 3.6.0; Debian 12 ships 3.2.3. So such a head never reaches libsoup: we
 * answer it ourselves with the status and JSON body libsoup would have
 * sent. We refuse too, in the same way, what libsoup would glue into a
 * wrong URL or take on trust (a Host that is not host[:port], two
 * Content-Lengths, Content-Length with Transfer-Encoding), and a head over
 * 64 KiB, which libsoup would drop with a reset and no answer (414, 431).
 *
 * Head bytes go through as they come (libsoup's request-started, and so
 * the header timeout, still begin with the first byte): only the line that
 * ends the head waits for the verdict. The gate knows where each request
 * ends (no body, Content-Length, or chunks it follows and checks with
 * rndimg-chunked.c), so it checks every head on a keep-alive connection,
 * and lets nothing of the next request through before libsoup asks for
 * it.
 *
 * Between requests on a keep-alive connection (rndimg_gate_hold_end()),
 * the gate keeps the client's close (or a reset) from libsoup: libsoup
 * 3.2 reads it with the idle placeholder message, which has no completion
 * callback, so it never disconnects its SoupServerConnection, and that
 * connection with its socket, streams and gate (about 2.8 KB) stays until
 * the server stops (fixed upstream by d20c6601 "server: do not leak idle
 * connections closed by the client", in 3.3.0/3.4.0). Held, the close is
 * told to rndimg-connection.c, which takes the connection from libsoup
 * through the request answered last on it (soup_server_message_steal_
 * connection(): libsoup then drops it) and closes it. */
#include "rndimg-gate.h"
#include "rndimg-chunked.h"
#include "rndimg-http.h"
#include "rndimg-refusal.h"
#include "rndimg-soup-errors.h"

#include <libsoup/soup.h>
#include <string.h>

#define READ_SIZE 16384

typedef enum {
  GATE_HEAD,          /* reading a head */
  GATE_BODY,          /* a Content-Length body: body_left bytes to go */
  GATE_CHUNKED,       /* a chunked body, followed by @chunked */
  GATE_TAKEN,         /* the connection was taken from libsoup: raw bytes */
  GATE_UNTIL_CLOSE,   /* a head libsoup refuses itself: raw bytes, then the close */
  GATE_REFUSED,       /* answered by us: nothing more for libsoup */
} GateState;

#define RNDIMG_TYPE_GATE_INPUT (rndimg_gate_input_get_type ())
G_DECLARE_FINAL_TYPE (RndimgGateInput, rndimg_gate_input, RNDIMG, GATE_INPUT, GInputStream)

struct _RndimgGateInput
{
  GInputStream parent_instance;
  GSocketConnection *connection;
  GIOStream *transport;       /* what the bytes go through: @connection, or TLS over it */
  RndimgRefusals *refusals;   /* the service's: outlives its connections */
  GIOStream *iostream;        /* weak: the stream handed to libsoup */
  GateState state;
  GByteArray *pending;        /* read, not yet delivered; NULL when empty */
  gsize approved;             /* how many of the pending bytes may go to libsoup */
  GByteArray *head;           /* a copy of the head being read; NULL between heads */
  gsize line_length;
  guint64 body_left;
  RndimgChunked chunked;
  gboolean eof;
  gboolean hold_end;          /* between requests: a close is not libsoup's to read */
  gboolean end_held;          /* ...and the client closed (or reset) meanwhile */
  RndimgGateEndFunc on_end;   /* told when an end is held */
  gpointer on_end_data;
};

static void rndimg_gate_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RndimgGateInput, rndimg_gate_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      rndimg_gate_input_pollable_init))

static GQuark
gate_quark (void)
{
  return g_quark_from_static_string ("rndimg-gate");
}

static GInputStream *
base_input (RndimgGateInput *self)
{
  return g_io_stream_get_input_stream (self->transport);
}

static void
refuse (RndimgGateInput *self, guint status, const char *message)
{
  g_debug ("refused before libsoup: %u %s", status, message);
  self->state = GATE_REFUSED;
  g_clear_pointer (&self->head, g_byte_array_unref);
  rndimg_refusal_refuse_connection (self->refusals, self->connection, status, message);
}

/* The head is over the limit: 414 when its request line alone is, else 431. */
static void
refuse_oversized (RndimgGateInput *self)
{
  const guint8 *newline = memchr (self->head->data, '\n', self->head->len);

  if (newline == NULL || newline - self->head->data > RNDIMG_GATE_HEAD_LIMIT)
    refuse (self, SOUP_STATUS_REQUEST_URI_TOO_LONG, "the request line is over 64 KiB");
  else
    refuse (self, RNDIMG_STATUS_HEADERS_TOO_LARGE, "the request's headers are over 64 KiB");
}

typedef struct {
  guint hosts, lengths, codings;
  const char *host, *length;
} HeadCounts;

static void
count_header (const char *name, const char *value, gpointer user_data)
{
  HeadCounts *counts = user_data;

  if (g_ascii_strcasecmp (name, "Host") == 0)
    counts->hosts++, counts->host = value;
  else if (g_ascii_strcasecmp (name, "Content-Length") == 0)
    counts->lengths++, counts->length = value;
  else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    counts->codings++;
}

static gboolean
is_byte_count (const char *text)
{
  gsize digits = strspn (text, "0123456789");

  return digits > 0 && digits <= 18 && text[digits] == '\0';
}

/* Whether a request target gives libsoup nothing to bend the URL with:
 * no fragment (a client never sends one: "/a#/b" would lose "/b"), and an
 * absolute one ("http://host:port/path") names a valid host[:port]. */
static gboolean
target_is_sound (const char *target, const char *method)
{
  const char *authority;
  g_autofree char *host = NULL;

  if (strchr (target, '#') != NULL)
    return FALSE;
  if (target[0] == '/' || g_str_equal (target, "*") || g_str_equal (method, "CONNECT"))
    return TRUE;
  if (g_ascii_strncasecmp (target, "http://", 7) == 0)
    authority = target + 7;
  else if (g_ascii_strncasecmp (target, "https://", 8) == 0)
    authority = target + 8;
  else
    return FALSE;
  host = g_strndup (authority, strcspn (authority, "/?"));
  return rndimg_http_host_header_is_valid (host);
}

/* Why the head @head (@length bytes, NUL after them) may not go to
 * libsoup, as a status and message, or 0 and what follows it. libsoup's
 * own parser reads it, so the gate and libsoup agree on what it says. */
static guint
check_head (const char *head, gsize length, GateState *next, guint64 *body_length, const char **message)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *method = NULL;
  g_autofree char *target = NULL;
  HeadCounts counts = { 0 };
  SoupEncoding encoding;

  *next = GATE_HEAD;
  /* A head libsoup cannot parse it answers itself (JSON, our
   * rndimg-soup-errors.c), with nothing kept, and closes. */
  if (soup_headers_parse_request (head, (int) length, headers, &method, &target, NULL) != SOUP_STATUS_OK)
    {
      *next = GATE_UNTIL_CLOSE;
      return 0;
    }
  soup_message_headers_foreach (headers, count_header, &counts);
  encoding = soup_message_headers_get_encoding (headers);
  *message = RNDIMG_SOUP_ERRORS_UNPARSED_MESSAGE;
  if (encoding == SOUP_ENCODING_UNRECOGNIZED)
    return counts.codings > 0 ? SOUP_STATUS_NOT_IMPLEMENTED : SOUP_STATUS_BAD_REQUEST;
  *message = "a request may not carry both Content-Length and Transfer-Encoding";
  if (counts.lengths > 0 && counts.codings > 0)
    return SOUP_STATUS_BAD_REQUEST;
  *message = "Content-Length must be one whole number of bytes";
  if (counts.lengths > 1 || (counts.lengths == 1 && !is_byte_count (counts.length)))
    return SOUP_STATUS_BAD_REQUEST;
  *message = "the Host header is not a valid host[:port]";
  if (counts.hosts > 1 || (counts.hosts == 1 && !rndimg_http_host_header_is_valid (counts.host)))
    return SOUP_STATUS_BAD_REQUEST;
  *message = "the request target may not hold a fragment (#), and an absolute one must name a valid host[:port]";
  if (!target_is_sound (target, method))
    return SOUP_STATUS_BAD_REQUEST;
  if (encoding == SOUP_ENCODING_CHUNKED)
    *next = GATE_CHUNKED;
  else if (encoding == SOUP_ENCODING_CONTENT_LENGTH && soup_message_headers_get_content_length (headers) > 0)
    {
      *next = GATE_BODY;
      *body_length = (guint64) soup_message_headers_get_content_length (headers);
    }
  return 0;
}

/* The head is complete, ending with a line of @terminator bytes. */
static void
judge_head (RndimgGateInput *self, gsize terminator)
{
  const char *message = NULL;
  guint status;
  GateState next;

  /* Over the limit libsoup would drop it without an answer. */
  if (self->head->len > RNDIMG_GATE_HEAD_LIMIT)
    {
      refuse_oversized (self);
      return;
    }
  /* What libsoup hands its parser: the head without its last line. */
  g_byte_array_set_size (self->head, self->head->len - terminator);
  g_byte_array_append (self->head, (const guint8 *) "", 1);
  status = check_head ((const char *) self->head->data, self->head->len - 1, &next, &self->body_left, &message);
  g_clear_pointer (&self->head, g_byte_array_unref);
  if (status != 0)
    {
      refuse (self, status, message);
      return;
    }
  self->state = next;
  if (next == GATE_CHUNKED)
    rndimg_chunked_init (&self->chunked);
}

/* Whether the line that just ended (line_length bytes, the head's last)
 * ends the head, as libsoup's soup_message_io_data_read_headers() sees it:
 * "\n" or "\r\n" right after a line feed. Returns the last line's length,
 * or 0. */
static gsize
head_terminator (RndimgGateInput *self)
{
  const guint8 *end = self->head->data + self->head->len;

  if (self->line_length == 1 && self->head->len >= 3 && end[-2] == '\n')
    return 1;
  if (self->line_length == 2 && self->head->len >= 5 && end[-3] == '\n' && end[-2] == '\r')
    return 2;
  return 0;
}

/* Reads the pending bytes after the approved ones as head bytes: up to
 * and including the end of the head. Returns TRUE at the end of the head. */
static gboolean
scan_head (RndimgGateInput *self)
{
  const guint8 *start = self->pending->data + self->approved;
  gsize available = self->pending->len - self->approved;
  const guint8 *newline = memchr (start, '\n', available);
  gsize taken = newline != NULL ? (gsize) (newline - start) + 1 : available;
  gsize terminator = 0;

  if (self->head == NULL)
    {
      self->head = g_byte_array_new ();
      self->line_length = 0;
    }
  g_byte_array_append (self->head, start, (guint) taken);
  self->line_length += taken;
  self->approved += taken;
  if (newline != NULL)
    {
      terminator = head_terminator (self);
      self->line_length = 0;
    }
  if (terminator > 0)
    {
      judge_head (self, terminator);
      return TRUE;
    }
  if (self->head->len > RNDIMG_GATE_HEAD_LIMIT)
    refuse_oversized (self);
  return FALSE;
}

/* Approves the pending chunked body bytes after the approved ones, as
 * far as their framing is sound. Returns TRUE when the request is over:
 * its body complete (the next bytes are a head), or refused. */
static gboolean
scan_chunks (RndimgGateInput *self)
{
  const char *problem = NULL;
  gsize taken = 0;
  RndimgChunkedResult result = rndimg_chunked_feed (&self->chunked, self->pending->data + self->approved,
                                                    self->pending->len - self->approved, &taken, &problem);

  self->approved += taken;
  if (result == RNDIMG_CHUNKED_BAD)
    refuse (self, SOUP_STATUS_BAD_REQUEST, problem);
  else if (result == RNDIMG_CHUNKED_DONE)
    self->state = GATE_HEAD;
  return result != RNDIMG_CHUNKED_MORE;
}

/* Approves pending bytes, up to the end of the current request: the next
 * request is looked at only once libsoup reads for it. */
static void
scan (RndimgGateInput *self)
{
  while (self->pending != NULL && self->approved < self->pending->len)
    {
      gsize available = self->pending->len - self->approved;
      gsize taken;

      switch (self->state)
        {
        case GATE_HEAD:
          if (scan_head (self) && self->state == GATE_HEAD)
            return;   /* a request without a body: complete */
          break;
        case GATE_BODY:
          taken = (gsize) MIN ((guint64) available, self->body_left);
          self->approved += taken;
          self->body_left -= taken;
          if (self->body_left == 0)
            {
              self->state = GATE_HEAD;
              return;
            }
          break;
        case GATE_CHUNKED:
          if (scan_chunks (self))
            return;
          break;
        case GATE_TAKEN:
        case GATE_UNTIL_CLOSE:
          self->approved = self->pending->len;
          break;
        case GATE_REFUSED:
          return;
        }
    }
}

static gssize
deliver (RndimgGateInput *self, void *buffer, gsize count)
{
  gsize given = MIN (count, self->approved);

  memcpy (buffer, self->pending->data, given);
  g_byte_array_remove_range (self->pending, 0, (guint) given);
  self->approved -= given;
  /* An idle connection keeps no buffer. */
  if (self->pending->len == 0)
    g_clear_pointer (&self->pending, g_byte_array_unref);
  return (gssize) given;
}

/* Idle between two requests, with the end held back: no byte of a next
 * request has come. */
static gboolean
holds_end (RndimgGateInput *self)
{
  return self->hold_end && self->state == GATE_HEAD && self->pending == NULL && self->head == NULL;
}

static gssize
would_block (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "nothing to read");
  return -1;
}

static gssize
read_nonblocking (GPollableInputStream *stream, void *buffer, gsize count, GError **error)
{
  RndimgGateInput *self = RNDIMG_GATE_INPUT (stream);

  for (;;)
    {
      g_autoptr(GError) failure = NULL;
      guint8 chunk[READ_SIZE];
      gssize got;

      if (self->state == GATE_REFUSED)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "request refused before parsing");
          return -1;
        }
      if (self->approved > 0)
        return deliver (self, buffer, count);
      if (self->pending != NULL)
        {
          gsize before = self->approved;

          scan (self);
          if (self->approved > before || self->state == GATE_REFUSED)
            continue;
        }
      if (self->end_held)
        return would_block (error);
      if (self->eof || count == 0)
        return 0;
      got = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_input (self)),
                                                      chunk, sizeof chunk, NULL, &failure);
      /* A reset between requests is an end like a close. */
      if (got < 0 && !g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) && holds_end (self))
        got = 0;
      if (got < 0)
        {
          g_propagate_error (error, g_steal_pointer (&failure));
          return -1;
        }
      if (got == 0 && holds_end (self))
        {
          self->end_held = TRUE;
          if (self->on_end != NULL)
            self->on_end (self->connection, self->on_end_data);
          return would_block (error);
        }
      if (got == 0)
        {
          /* A head cut short goes to libsoup as it is: it answers 400. */
          self->eof = TRUE;
          continue;
        }
      if (self->pending == NULL)
        self->pending = g_byte_array_sized_new ((guint) got);
      g_byte_array_append (self->pending, chunk, (guint) got);
    }
}

static gboolean
is_readable (GPollableInputStream *stream)
{
  RndimgGateInput *self = RNDIMG_GATE_INPUT (stream);

  if (self->end_held)
    return FALSE;
  return self->state == GATE_REFUSED || self->eof || self->pending != NULL ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_input (self)));
}

static gboolean
can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static GSource *
create_source (GPollableInputStream *stream, GCancellable *cancellable)
{
  RndimgGateInput *self = RNDIMG_GATE_INPUT (stream);
  g_autoptr(GSource) child = NULL;

  /* An end held back: never ready (the idle sweep closes the connection). */
  if (self->end_held)
    child = g_timeout_source_new_seconds (G_MAXUINT);
  /* Bytes in hand (or an end to report): ready at once. */
  else if (self->state == GATE_REFUSED || self->eof || self->pending != NULL)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base_input (self)), cancellable);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static gssize
read_blocking (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  RndimgGateInput *self = RNDIMG_GATE_INPUT (stream);

  for (;;)
    {
      g_autoptr(GError) local = NULL;
      gssize got = read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), buffer, count, &local);

      if (got >= 0 || !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          if (got < 0)
            g_propagate_error (error, g_steal_pointer (&local));
          return got;
        }
      /* TLS may hold decrypted bytes the socket no longer shows. */
      if (!g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_input (self))) &&
          !g_socket_condition_wait (g_socket_connection_get_socket (self->connection), G_IO_IN, cancellable, error))
        return -1;
    }
}

static gboolean
close_stream (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  RndimgGateInput *self = RNDIMG_GATE_INPUT (stream);

  /* A refused connection is closed by the refusal, once it has lingered. */
  if (self->state == GATE_REFUSED)
    return TRUE;
  return g_io_stream_close (self->transport, cancellable, error);
}

static void
rndimg_gate_input_finalize (GObject *object)
{
  RndimgGateInput *self = RNDIMG_GATE_INPUT (object);

  if (g_object_get_qdata (G_OBJECT (self->connection), gate_quark ()) == self)
    g_object_set_qdata (G_OBJECT (self->connection), gate_quark (), NULL);
  g_clear_weak_pointer (&self->iostream);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  g_clear_pointer (&self->head, g_byte_array_unref);
  g_object_unref (self->transport);
  g_object_unref (self->connection);
  G_OBJECT_CLASS (rndimg_gate_input_parent_class)->finalize (object);
}

static void
rndimg_gate_input_class_init (RndimgGateInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_gate_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = read_blocking;
  G_INPUT_STREAM_CLASS (klass)->close_fn = close_stream;
}

static void
rndimg_gate_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = can_poll;
  iface->is_readable = is_readable;
  iface->create_source = create_source;
  iface->read_nonblocking = read_nonblocking;
}

static void
rndimg_gate_input_init (RndimgGateInput *self)
{
}

/* The stream to hand libsoup for @connection, whose bytes go through
 * @transport (@connection itself, or a TLS connection over it): its
 * output, and its input through the gate. Closing it closes @transport.
 * Refusals are answered through @refusals. */
GIOStream *
rndimg_gate_new (GSocketConnection *connection, GIOStream *transport, RndimgRefusals *refusals)
{
  RndimgGateInput *input = g_object_new (RNDIMG_TYPE_GATE_INPUT, NULL);
  GIOStream *stream;

  input->connection = g_object_ref (connection);
  input->transport = g_object_ref (transport);
  input->refusals = refusals;
  stream = g_simple_io_stream_new (G_INPUT_STREAM (input), g_io_stream_get_output_stream (transport));
  g_set_weak_pointer (&input->iostream, stream);
  g_object_set_qdata (G_OBJECT (connection), gate_quark (), input);
  g_object_unref (input);
  return stream;
}

/* The stream rndimg_gate_new() made for @connection (borrowed), or NULL. */
GIOStream *
rndimg_gate_of (GSocketConnection *connection)
{
  RndimgGateInput *input = g_object_get_qdata (G_OBJECT (connection), gate_quark ());

  return input != NULL ? input->iostream : NULL;
}

/* @connection was taken from libsoup: its bytes go as they are to
 * whoever reads them now (a WebSocket, say). */
void
rndimg_gate_pass_through (GSocketConnection *connection)
{
  RndimgGateInput *self = g_object_get_qdata (G_OBJECT (connection), gate_quark ());

  if (self == NULL || self->state == GATE_REFUSED || self->state == GATE_UNTIL_CLOSE)
    return;
  self->state = GATE_TAKEN;
  g_clear_pointer (&self->head, g_byte_array_unref);
  if (self->pending != NULL)
    self->approved = self->pending->len;
}

/* @connection, taken and answered, is given back to libsoup for its next
 * request: the gate reads a head again. FALSE when it may not take one
 * (a head libsoup refused itself, a refusal). */
gboolean
rndimg_gate_expect_request (GSocketConnection *connection)
{
  RndimgGateInput *self = g_object_get_qdata (G_OBJECT (connection), gate_quark ());

  if (self == NULL || self->iostream == NULL || self->state == GATE_REFUSED || self->state == GATE_UNTIL_CLOSE)
    return FALSE;
  self->state = GATE_HEAD;
  self->approved = 0;
  return TRUE;
}

/* Between two requests on @connection (@hold TRUE, from when one is
 * answered until the next begins), its client's close is kept from
 * libsoup (see the top of this file) and told to @on_end, called from
 * libsoup's read (so it must not touch libsoup's state then); an end held
 * when the hold is lifted goes to libsoup then. */
void
rndimg_gate_hold_end (GSocketConnection *connection, gboolean hold, RndimgGateEndFunc on_end, gpointer user_data)
{
  RndimgGateInput *self = g_object_get_qdata (G_OBJECT (connection), gate_quark ());

  if (self == NULL)
    return;
  self->hold_end = hold;
  self->on_end = on_end;
  self->on_end_data = user_data;
  if (!hold && self->end_held)
    {
      self->end_held = FALSE;
      self->eof = TRUE;
    }
}
