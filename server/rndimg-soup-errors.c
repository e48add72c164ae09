/* SPDX-License-Identifier: MIT */
/* The errors libsoup answers by itself, made ours: a JSON error body, CORS
 * and no-store, like every other error of the API.
 * - Requests it cannot parse (a malformed request line, an HTTP version
 *   other than 1.0 and 1.1, an unknown transfer coding, bad framing, an
 *   oversized header block) are answered straight from the parser, with
 *   no signal in between: so every request starts with that body already
 *   in place, and it is taken away once the headers have been read.
 * - Requests it parses but refuses (a bad Host, a path with an escaped
 *   "..") come to "request-read" with the status set and no handler run:
 *   they get the body there. */
#include "rndimg-soup-errors.h"
#include "rndimg-http.h"

#include <string.h>

#define PLACEHOLDER "rndimg-unparsed"

static void
set_error_body (SoupServerMessage *msg, const char *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *body = rndimg_http_error_json (message);

  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY, body, strlen (body));
}

/* The headers were parsed: the request is answered by us from now on. */
static void
on_got_headers (SoupServerMessage *msg, gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_object_get_data (G_OBJECT (msg), PLACEHOLDER) == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), PLACEHOLDER, NULL);
  /* "OPTIONS *" never reaches a handler: libsoup answers it 404 itself. */
  if (soup_server_message_is_options_ping (msg))
    {
      set_error_body (msg, "OPTIONS * is not answered here: send OPTIONS to a path");
      return;
    }
  soup_message_headers_remove (headers, "Cache-Control");
  soup_message_headers_remove (headers, "Content-Type");
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  set_error_body (msg, "the request is malformed or not supported (HTTP/1.1 with a Host, one framing, "
                       "no unknown transfer coding, headers under 64 KiB)");
  g_object_set_data (G_OBJECT (msg), PLACEHOLDER, GINT_TO_POINTER (TRUE));
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), NULL);
}

/* A path that would climb out with an escaped "..", or hides a NUL
 * (404, as for any file not served), or a bad Host. */
static void
on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  guint status = soup_server_message_get_status (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *path = NULL;

  if (status < 400 || soup_server_message_get_response_body (msg)->length > 0)
    return;
  path = uri != NULL ? g_uri_unescape_string (g_uri_get_path (uri), NULL) : NULL;
  /* No path once unescaped: it held an escaped NUL. */
  if (status == SOUP_STATUS_BAD_REQUEST && uri != NULL && (path == NULL || strstr (path, "..") != NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      set_error_body (msg, "no such file");
    }
  else
    set_error_body (msg, soup_status_get_phrase (status) != NULL ? soup_status_get_phrase (status) : "malformed request");
}

/* Gives @server's own error answers the API's JSON body. */
void
rndimg_soup_errors_attach (SoupServer *server)
{
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), NULL);
  g_signal_connect (server, "request-read", G_CALLBACK (on_request_read), NULL);
}
