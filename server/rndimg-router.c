/* SPDX-License-Identifier: MIT */
/* One table says which handler answers which path and method. The router
 * adds what every answer shares: CORS, OPTIONS preflight, 404 and 405. */
#include "rndimg-router.h"
#include "rndimg-api.h"
#include "rndimg-connection.h"
#include "rndimg-health.h"
#include "rndimg-instrument.h"
#include "rndimg-http.h"
#include "rndimg-longpoll.h"
#include "rndimg-sse.h"
#include "rndimg-static.h"
#include "rndimg-upload.h"

#include <string.h>

#define API "/polling/api/v1.0"
/* Bodies for anything but an upload are tiny JSON documents. */
#define MAX_SMALL_BODY_BYTES (64 * 1024)

typedef struct {
  const char *path;
  gboolean is_prefix;
  RndimgHandler get;   /* also answers HEAD */
  RndimgHandler post;
  gboolean takes_upload;   /* bodies up to --max-upload */
} RndimgRoute;

static const RndimgRoute routes[] = {
  { API "/rndimg",      FALSE, rndimg_api_random,         NULL,                FALSE },
  { API "/rndimg/poll", FALSE, rndimg_long_poll_serve,    NULL,                FALSE },
  { API "/events",      FALSE, rndimg_sse_serve,          NULL,                FALSE },
  { API "/publish",     FALSE, NULL,                      rndimg_api_publish,  FALSE },
  { API "/images",      FALSE, rndimg_api_list_images,    rndimg_upload_serve, TRUE },
  { API "/stats",       FALSE, rndimg_api_stats,          NULL,                FALSE },
  { "/healthz",         FALSE, rndimg_health_alive,       NULL,                FALSE },
  { "/readyz",          FALSE, rndimg_health_ready,       NULL,                FALSE },
  { "/metrics",         FALSE, rndimg_instrument_serve_metrics, NULL,          FALSE },
  { "/static/img/",     TRUE,  rndimg_static_serve_image, NULL,                FALSE },
  /* The tutorial's page does XMLHttpRequest POST / and reads "message". */
  { "/",                FALSE, rndimg_static_serve_web,   rndimg_api_random,   FALSE },
};

static const RndimgRoute web_files = { "/", TRUE, rndimg_static_serve_web, NULL, FALSE };

static const RndimgRoute *
find_route (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const RndimgRoute *route = &routes[i];

      if (route->is_prefix ? g_str_has_prefix (path, route->path) : strcmp (path, route->path) == 0)
        return route;
    }
  if (g_str_has_prefix (path, "/polling/"))
    return NULL;
  return &web_files;
}

/* The pattern of the route that answers @path: a label with few values,
 * for metrics. */
const char *
rndimg_router_route_label (const char *path)
{
  const RndimgRoute *route = find_route (path);

  if (route == NULL)
    return "unknown";
  return route == &web_files ? "/*" : route->path;
}

static char *
allowed_methods (const RndimgRoute *route)
{
  GString *allow = g_string_new (NULL);

  if (route->get != NULL)
    g_string_append (allow, "GET, HEAD, ");
  if (route->post != NULL)
    g_string_append (allow, "POST, ");
  g_string_append (allow, "OPTIONS");
  return g_string_free (allow, FALSE);
}

static RndimgHandler
handler_for_method (const RndimgRoute *route, const char *method)
{
  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return route->get;
  if (method == SOUP_METHOD_POST)
    return route->post;
  return NULL;
}

static void
add_cors_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (headers, "Access-Control-Expose-Headers", "Location, Retry-After, ETag");
}

static void
answer_preflight (SoupServerMessage *msg, const char *allow)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Allow", allow);
  soup_message_headers_replace (headers, "Access-Control-Allow-Methods", allow);
  soup_message_headers_replace (headers, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Last-Event-ID");
  soup_message_headers_replace (headers, "Access-Control-Max-Age", "86400");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path,
            GHashTable *query, gpointer user_data)
{
  RndimgService *service = user_data;
  const char *method = soup_server_message_get_method (msg);
  const RndimgRoute *route = find_route (path);
  g_autofree char *allow = NULL;
  RndimgHandler handler;

  add_cors_headers (msg);
  if (!rndimg_http_host_is_valid (msg))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "the Host header is not a valid host name");
      return;
    }
  if (route == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such endpoint: %s", path);
      return;
    }

  allow = allowed_methods (route);
  if (method == SOUP_METHOD_OPTIONS)
    {
      answer_preflight (msg, allow);
      return;
    }

  handler = handler_for_method (route, method);
  if (handler == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
      rndimg_http_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                              "method %s is not allowed on %s (allowed: %s)", method, path, allow);
      return;
    }
  handler (service, msg, path, query);
}

static gsize
body_limit (RndimgService *service, const char *path)
{
  const RndimgRoute *route = find_route (path);

  if (route != NULL && route->takes_upload)
    return (gsize) rndimg_service_get_config (service)->max_upload_bytes;
  return MAX_SMALL_BODY_BYTES;
}

static void
refuse_large_body (SoupServerMessage *msg, gsize limit)
{
  add_cors_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  rndimg_http_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                          "the body is larger than %" G_GSIZE_FORMAT " bytes", limit);
}

/* A chunked body has no length up front: count while it arrives and hang
 * up once it passes the limit, before it can fill memory. */
static void
on_body_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  gsize limit = GPOINTER_TO_SIZE (user_data);

  if (soup_server_message_get_request_body (msg)->length > (goffset) limit)
    {
      g_debug ("chunked body over %" G_GSIZE_FORMAT " bytes: hanging up", limit);
      rndimg_connection_abort (msg);
    }
}

/* Runs once the headers are in, before the body is read: a body announced
 * larger than the limit is refused without reading it. */
static void
on_headers (SoupServer *server, SoupServerMessage *msg, const char *path,
            GHashTable *query, gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  gsize limit = body_limit (user_data, path);

  /* Resolved now, while the peer is surely there: the request log reads
   * it after held requests end, maybe on a connection already closed. */
  soup_server_message_get_remote_host (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    {
      if (soup_message_headers_get_content_length (headers) > (goffset) limit)
        refuse_large_body (msg, limit);
      return;
    }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_body_chunk), GSIZE_TO_POINTER (limit));
}

void
rndimg_router_install (RndimgService *service, SoupServer *server)
{
  soup_server_add_early_handler (server, NULL, on_headers, service, NULL);
  soup_server_add_handler (server, NULL, on_request, service, NULL);
}
