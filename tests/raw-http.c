/* SPDX-License-Identifier: MIT */
/* Raw HTTP over a plain socket: requests no HTTP client library would
 * send (bad framing, bad bytes, a body announced but never sent), and the
 * answer read back as text with a deadline. */
#include "raw-http.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

RawConnection *
raw_connect (TestServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((guint16) g_uri_get_port (uri)) };
  RawConnection *connection = g_new0 (RawConnection, 1);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  connection->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connection->fd, >=, 0);
  g_assert_cmpint (connect (connection->fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  return connection;
}

void
raw_connection_free (RawConnection *connection)
{
  close (connection->fd);
  g_free (connection->method);
  g_free (connection->path);
  g_free (connection);
}

/* Notes the method and path of a request line starting @bytes, so its
 * answer can be recorded (test_record_answer_parts()). */
static void
note_request (RawConnection *connection, const char *bytes, gsize length)
{
  g_autofree char *start = g_strndup (bytes, MIN (length, 8192));
  g_auto(GStrv) words = NULL;
  char *query;

  if (connection->method != NULL || strstr (start, "\r\n") == NULL)
    return;
  *strstr (start, "\r\n") = '\0';
  words = g_strsplit (start, " ", 3);
  if (g_strv_length (words) != 3 || words[0][0] == '\0' || words[1][0] != '/')
    return;
  query = strchr (words[1], '?');
  if (query != NULL)
    *query = '\0';
  connection->method = g_strdup (words[0]);
  connection->path = g_strdup (words[1]);
}

static void
record_answer (RawConnection *connection, const char *answer, gsize length)
{
  g_autofree char *content_type = raw_answer_header (answer, "Content-Type");
  const char *body = raw_answer_body (answer);

  g_autofree char *content_length = raw_answer_header (answer, "Content-Length");
  gsize body_length = length - (gsize) (body - answer);

  if (connection->method == NULL || raw_answer_status (answer) == 0)
    return;
  /* Pipelined answers may come in one read: the first one's body only. */
  if (content_length != NULL)
    body_length = MIN (body_length, (gsize) g_ascii_strtoull (content_length, NULL, 10));
  test_record_answer_parts (connection->method, connection->path, raw_answer_status (answer), content_type,
                            body, body_length);
  g_clear_pointer (&connection->method, g_free);
  g_clear_pointer (&connection->path, g_free);
}

/* FALSE if the server closed or reset the connection meanwhile. */
gboolean
raw_send (RawConnection *connection, const void *bytes, gsize length)
{
  const char *at = bytes;

  note_request (connection, bytes, length);
  while (length > 0)
    {
      ssize_t sent = send (connection->fd, at, length, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return FALSE;
      at += sent;
      length -= (gsize) sent;
    }
  return TRUE;
}

gboolean
raw_send_text (RawConnection *connection, const char *text)
{
  return raw_send (connection, text, strlen (text));
}

/* One read before @deadline (monotonic): the bytes read (0: the server
 * closed or reset the connection), or -1 when nothing came in time. */
static gssize
receive_before (RawConnection *connection, gint64 deadline, char *buffer, gsize size)
{
  struct pollfd ready = { .fd = connection->fd, .events = POLLIN };
  int left_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);
  ssize_t got;

  if (left_ms <= 0 || poll (&ready, 1, left_ms) <= 0)
    return -1;
  got = recv (connection->fd, buffer, size, 0);
  return got < 0 ? 0 : got;
}

static gboolean
is_whole_answer (const GString *answer)
{
  const char *end = strstr (answer->str, "\r\n\r\n");
  g_autofree char *length = NULL;

  if (end == NULL)
    return FALSE;
  length = raw_answer_header (answer->str, "Content-Length");
  return length != NULL && answer->len - (gsize) (end + 4 - answer->str) >= g_ascii_strtoull (length, NULL, 10);
}

/* Everything the server sends until it closes, stops for @timeout_ms,
 * or sends a whole answer (headers, then Content-Length bytes). NULL if
 * nothing came. */
char *
raw_read_answer (RawConnection *connection, guint timeout_ms)
{
  GString *answer = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buffer[4096];
  gssize got;

  while ((got = receive_before (connection, deadline, buffer, sizeof buffer)) > 0)
    {
      g_string_append_len (answer, buffer, got);
      if (is_whole_answer (answer))
        {
          record_answer (connection, answer->str, answer->len);
          break;
        }
    }
  if (answer->len == 0)
    {
      g_string_free (answer, TRUE);
      return NULL;
    }
  return g_string_free (answer, FALSE);
}

/* TRUE once the server closed the connection (reading gives 0 or a reset). */
gboolean
raw_wait_closed (RawConnection *connection, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buffer[4096];
  gssize got;

  while ((got = receive_before (connection, deadline, buffer, sizeof buffer)) > 0)
    ;
  return got == 0;
}

guint
raw_answer_status (const char *answer)
{
  if (answer == NULL || !g_str_has_prefix (answer, "HTTP/1.") || strlen (answer) < 12)
    return 0;
  return (guint) g_ascii_strtoull (answer + 9, NULL, 10);
}

char *
raw_answer_header (const char *answer, const char *name)
{
  g_autofree char *needle = g_strdup_printf ("\r\n%s:", name);
  const char *end = strstr (answer, "\r\n\r\n");
  const char *at = answer;

  while ((at = strstr (at, "\r\n")) != NULL && (end == NULL || at < end))
    {
      if (g_ascii_strncasecmp (at, needle, strlen (needle)) == 0)
        {
          const char *value = at + strlen (needle);
          const char *stop = strstr (value, "\r\n");

          return g_strstrip (g_strndup (value, stop != NULL ? (gsize) (stop - value) : strlen (value)));
        }
      at += 2;
    }
  return NULL;
}

const char *
raw_answer_body (const char *answer)
{
  const char *end = strstr (answer, "\r\n\r\n");

  return end != NULL ? end + 4 : "";
}

/* An answer with a status in [@min_status, @max_status], a JSON error
 * body that is valid UTF-8, and CORS. */
void
raw_assert_json_error (const char *answer, guint min_status, guint max_status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;
  g_autofree char *origin = NULL;
  const char *body;
  JsonObject *object;

  g_assert_nonnull (answer);
  g_assert_cmpuint (raw_answer_status (answer), >=, min_status);
  g_assert_cmpuint (raw_answer_status (answer), <=, max_status);
  type = raw_answer_header (answer, "Content-Type");
  g_assert_cmpstr (type, ==, "application/json");
  origin = raw_answer_header (answer, "Access-Control-Allow-Origin");
  g_assert_nonnull (origin);
  body = raw_answer_body (answer);
  g_assert_true (g_utf8_validate (body, -1, NULL));
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "error");
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "message")), >, 0);
}

/* The number after @field ("VmRSS:") in the server's /proc status (its
 * main thread's, for a per-thread field). */
guint64
raw_server_status_number (TestServer *server, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (server->process));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  line += strlen (field);
  return g_ascii_strtoull (line + strspn (line, " \t"), NULL, 10);
}

/* @field of the server's /proc/PID/status, in KiB ("VmRSS:", "RssAnon:"). */
gsize
raw_server_status_kib (TestServer *server, const char *field)
{
  return (gsize) raw_server_status_number (server, field);
}

/* The server's resident memory in KiB, from /proc. */
gsize
raw_server_rss_kib (TestServer *server)
{
  return raw_server_status_kib (server, "VmRSS:");
}

/* Every way of following reads a resume point by one rule: GET @path
 * with ?@name= set to each of these (and @headers, "Name: value\r\n"
 * lines) is a 400 JSON error naming an event id, never a live stream. */
void
raw_assert_bad_event_ids (TestServer *server, const char *path, const char *name, const char *headers)
{
  const char *values[] = { "%00", "%001", "1%00", "%00%00", "", "abc", "-1", "+1", "%201", "1%20",
                           "1x", "0x10", "1.0", "99999999999999999999", "9223372036854775808" };

  for (gsize i = 0; i <= G_N_ELEMENTS (values); i++)
    {
      g_autoptr(RawConnection) connection = raw_connect (server);
      /* The last one: the parameter twice. */
      g_autofree char *query = i < G_N_ELEMENTS (values) ? g_strdup_printf ("%s=%s", name, values[i])
                                                         : g_strdup_printf ("%s=1&%s=2", name, name);
      g_autofree char *request = g_strdup_printf ("GET %s?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
                                                  path, query, headers);
      g_autofree char *answer = NULL;

      g_assert_true (raw_send_text (connection, request));
      answer = raw_read_answer (connection, 3000);
      g_test_message ("?%s: %s", query, answer != NULL ? answer : "(no answer)");
      raw_assert_json_error (answer, 400, 400);
      g_assert_nonnull (strstr (raw_answer_body (answer), "event id"));
    }
}
