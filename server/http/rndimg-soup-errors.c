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
 *   they get the body there.
 * Every request pays for the first case, so it is cheap: the placeholder
 * body is rendered once and shared, and "got-headers" is followed by one
 * emission hook rather than a handler connected to each message. */
#include "rndimg-soup-errors.h"
#include "rndimg-http.h"

#include <string.h>

/* Set on a message while it carries the placeholder. */
static GQuark placeholder_quark;

/* What one server's errors share. */
struct _RndimgSoupErrors
{
  SoupServer *server;         /* borrowed: outlives us */
  GBytes *unparsed_body;      /* the placeholder's body, rendered once */
  guint got_headers_id;
  gulong hook_id;
};

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

/* The headers were parsed: the request is answered by us from now on.
 * Runs at every "got-headers" of every message (an emission hook runs
 * before the handlers: libsoup's own, which calls the early handlers,
 * comes next). */
static gboolean
on_got_headers (GSignalInvocationHint *hint, guint n_values, const GValue *values, gpointer user_data)
{
  SoupServerMessage *msg = g_value_get_object (&values[0]);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_object_get_qdata (G_OBJECT (msg), placeholder_quark) == NULL)
    return TRUE;
  g_object_set_qdata (G_OBJECT (msg), placeholder_quark, NULL);
  /* "OPTIONS *" never reaches a handler: libsoup answers it 404 itself. */
  if (soup_server_message_is_options_ping (msg))
    {
      set_error_body (msg, "OPTIONS * is not answered here: send OPTIONS to a path");
      return TRUE;
    }
  soup_message_headers_remove (headers, "Cache-Control");
  soup_message_headers_remove (headers, "Content-Type");
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  return TRUE;
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgSoupErrors *errors = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* A new message has only libsoup's Server header: appended, not replaced. */
  soup_message_headers_append (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_append (headers, "Cache-Control", "no-store");
  soup_message_headers_append (headers, "Content-Type", "application/json");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), errors->unparsed_body);
  g_object_set_qdata (G_OBJECT (msg), placeholder_quark, GINT_TO_POINTER (TRUE));
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

/* Gives @server's own error answers the API's JSON body, until freed.
 * @server is borrowed: it must outlive the result. */
RndimgSoupErrors *
rndimg_soup_errors_new (SoupServer *server)
{
  g_autoptr(GTypeClass) message_class = g_type_class_ref (SOUP_TYPE_SERVER_MESSAGE);
  RndimgSoupErrors *errors = g_new0 (RndimgSoupErrors, 1);
  char *body = rndimg_http_error_json (RNDIMG_SOUP_ERRORS_UNPARSED_MESSAGE);

  placeholder_quark = g_quark_from_static_string ("rndimg-unparsed");
  errors->server = server;
  errors->unparsed_body = g_bytes_new_take (body, strlen (body));
  errors->got_headers_id = g_signal_lookup ("got-headers", SOUP_TYPE_SERVER_MESSAGE);
  errors->hook_id = g_signal_add_emission_hook (errors->got_headers_id, 0, on_got_headers, NULL, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), errors);
  g_signal_connect (server, "request-read", G_CALLBACK (on_request_read), errors);
  return errors;
}

void
rndimg_soup_errors_free (RndimgSoupErrors *errors)
{
  g_signal_handlers_disconnect_by_data (errors->server, errors);
  g_signal_remove_emission_hook (errors->got_headers_id, errors->hook_id);
  g_bytes_unref (errors->unparsed_body);
  g_free (errors);
}
