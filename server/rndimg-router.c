/* One table says which handler answers which path and method. The router
 * adds what every answer shares: CORS, OPTIONS preflight, 404 and 405. */
#include "rndimg-router.h"
#include "rndimg-api.h"
#include "rndimg-http.h"
#include "rndimg-static.h"

#include <string.h>

#define API "/polling/api/v1.0"

typedef struct {
  const char *path;
  gboolean is_prefix;
  RndimgHandler get;   /* also answers HEAD */
  RndimgHandler post;
} RndimgRoute;

static const RndimgRoute routes[] = {
  { API "/rndimg",      FALSE, rndimg_api_random,      NULL },
  { API "/images",      FALSE, rndimg_api_list_images, NULL },
  { "/static/img/",     TRUE,  rndimg_static_serve_image, NULL },
  /* The tutorial's page does XMLHttpRequest POST / and reads "message". */
  { "/",                FALSE, rndimg_static_serve_web, rndimg_api_random },
};

static const RndimgRoute web_files = { "/", TRUE, rndimg_static_serve_web, NULL };

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

void
rndimg_router_install (RndimgService *service, SoupServer *server)
{
  soup_server_add_handler (server, NULL, on_request, service, NULL);
}
