/* SPDX-License-Identifier: MIT */
/* One table says which handler answers which path and method, and the
 * rules every request passes, whichever executor runs it (libsoup's,
 * rndimg-soup-executor.c, or the hot path, rndimg-hot-path.c): the
 * router adds what every answer shares: CORS, OPTIONS preflight, 404 and
 * 405; and, from the headers alone, before any body is read, it refuses
 * what must not be served: a bad or foreign Host, a write from a page of
 * another origin, a body over the limit. */
#include "rndimg-router.h"
#include "rndimg-http.h"

#include <string.h>

typedef struct {
  char *path;
  RndimgRouteFlags flags;
  RndimgRouteHandlers handlers;   /* get also answers HEAD */
  gpointer user_data;
} RndimgRoute;

/* What the routes say of one path. */
typedef struct {
  const RndimgRoute *get;    /* the first matching route with a GET handler, or NULL */
  const RndimgRoute *post;   /* ... with a POST handler */
  const RndimgRoute *patch;
  const RndimgRoute *delete;
  RndimgMethods methods;     /* every method some matching route takes */
  const char *label;         /* for metrics: see rndimg_router_route_label() */
} Resolution;

struct _RndimgRouter
{
  GArray *routes;      /* RndimgRoute, first match wins */
  gsize max_upload_bytes;
  RndimgOriginPolicy *origins;   /* borrowed */
  /* The last path's resolution: a request asks several times (is it hot,
   * its body limit, is it a write, its handler, its label), and clients
   * ask for the same paths again and again. */
  char *last_path;
  Resolution last;
};

static void
route_clear (RndimgRoute *route)
{
  g_free (route->path);
}

static gboolean
route_matches (const RndimgRoute *route, const char *path)
{
  if (route->flags & RNDIMG_ROUTE_PREFIX)
    return g_str_has_prefix (path, route->path);
  return strcmp (path, route->path) == 0;
}

static RndimgHandler
handler_for_method (const RndimgRoute *route, const char *method)
{
  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return route->handlers.get;
  if (method == SOUP_METHOD_POST)
    return route->handlers.post;
  if (g_strcmp0 (method, "PATCH") == 0)
    return route->handlers.patch;
  if (method == SOUP_METHOD_DELETE)
    return route->handlers.delete;
  return NULL;
}

static RndimgMethods
route_methods (const RndimgRoute *route)
{
  return (route->handlers.get != NULL ? RNDIMG_METHOD_GET : 0) |
         (route->handlers.post != NULL ? RNDIMG_METHOD_POST : 0) |
         (route->handlers.patch != NULL ? RNDIMG_METHOD_PATCH : 0) |
         (route->handlers.delete != NULL ? RNDIMG_METHOD_DELETE : 0);
}

/* Reads the routes in order for @path: the first route with a handler
 * for each method, every method some matching route takes, and the label
 * of the first that matches. One without any handler claims the rest of
 * its paths for a 404. */
static void
resolve_path (RndimgRouter *self, const char *path, Resolution *resolution)
{
  *resolution = (Resolution) { .label = "unknown" };
  for (guint i = 0; i < self->routes->len; i++)
    {
      const RndimgRoute *route = &g_array_index (self->routes, RndimgRoute, i);

      if (!route_matches (route, path))
        continue;
      if (route_methods (route) == 0)
        break;
      if (resolution->methods == 0)
        resolution->label = g_str_equal (route->path, "/") && (route->flags & RNDIMG_ROUTE_PREFIX) ? "/*" : route->path;
      resolution->methods |= route_methods (route);
      if (resolution->get == NULL && route->handlers.get != NULL)
        resolution->get = route;
      if (resolution->post == NULL && route->handlers.post != NULL)
        resolution->post = route;
      if (resolution->patch == NULL && route->handlers.patch != NULL)
        resolution->patch = route;
      if (resolution->delete == NULL && route->handlers.delete != NULL)
        resolution->delete = route;
    }
}

static const Resolution *
resolution_of (RndimgRouter *self, const char *path)
{
  if (self->last_path == NULL || strcmp (path, self->last_path) != 0)
    {
      resolve_path (self, path, &self->last);
      g_free (self->last_path);
      self->last_path = g_strdup (path);
    }
  return &self->last;
}

/* What the routes say of @path: the first route with a handler for
 * @method (NULL if none, or no method given), and every method some
 * matching route takes. FALSE: no route serves @path at all. */
static gboolean
resolve (RndimgRouter *self, const char *path, const char *method,
         const RndimgRoute **chosen, RndimgMethods *methods)
{
  const Resolution *resolution = resolution_of (self, path);

  *methods = resolution->methods;
  *chosen = NULL;
  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    *chosen = resolution->get;
  else if (method == SOUP_METHOD_POST)
    *chosen = resolution->post;
  else if (method == SOUP_METHOD_DELETE)
    *chosen = resolution->delete;
  else if (g_strcmp0 (method, "PATCH") == 0)
    *chosen = resolution->patch;
  return *methods != 0;
}

/* The route that answers @path, as a label with few values (for metrics):
 * the route's own path, the prefix "/" followed by a star for the web
 * files, "unknown" for none. */
const char *
rndimg_router_route_label (RndimgRouter *self, const char *path)
{
  return resolution_of (self, path)->label;
}

/* Every route in order, with the methods it takes. */
void
rndimg_router_foreach (RndimgRouter *self, RndimgRouteFunc func, gpointer user_data)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      const RndimgRoute *route = &g_array_index (self->routes, RndimgRoute, i);

      func (route->path, route->flags, route_methods (route), user_data);
    }
}

/* The methods @path is served with, as a request would find them; FALSE
 * (a 404) when none. */
gboolean
rndimg_router_methods (RndimgRouter *self, const char *path, RndimgMethods *methods)
{
  const RndimgRoute *route;

  return resolve (self, path, NULL, &route, methods);
}

static char *
allowed_methods (RndimgMethods methods)
{
  GString *allow = g_string_new (NULL);

  if (methods & RNDIMG_METHOD_GET)
    g_string_append (allow, "GET, HEAD, ");
  if (methods & RNDIMG_METHOD_POST)
    g_string_append (allow, "POST, ");
  if (methods & RNDIMG_METHOD_PATCH)
    g_string_append (allow, "PATCH, ");
  if (methods & RNDIMG_METHOD_DELETE)
    g_string_append (allow, "DELETE, ");
  g_string_append (allow, "OPTIONS");
  return g_string_free (allow, FALSE);
}

/* What every answer has after Server and Date, whatever its request: the
 * CORS headers of a read (a write's are set once its Origin is known).
 * Each executor sets them before admitting a request: libsoup's when its
 * headers are in, the hot path before the request comes, once the answer
 * before it is out (they cost some thousand instructions). */
void
rndimg_router_add_answer_headers (SoupMessageHeaders *headers)
{
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (headers, "Access-Control-Expose-Headers",
                                "Location, Retry-After, ETag, Link, Idempotent-Replayed, RateLimit, "
                                "RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset");
}

/* Reads are open to every origin; a write's answer names the page's
 * origin, already checked in rndimg_router_admit(). */
static void
add_write_cors_headers (RndimgExchange *exchange)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  const char *origin = rndimg_origin_of_request (exchange);

  if (origin == NULL)
    return;
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", origin);
  soup_message_headers_replace (headers, "Vary", "Origin");
}

/* PATCH and DELETE always change state; POST where the route says so. */
static gboolean
is_write (RndimgRouter *self, const char *path, const char *method)
{
  const RndimgRoute *route;
  RndimgMethods methods;

  if (method == NULL || (method != SOUP_METHOD_POST && method != SOUP_METHOD_DELETE && g_strcmp0 (method, "PATCH") != 0))
    return FALSE;
  return resolve (self, path, method, &route, &methods) && route != NULL &&
         (method != SOUP_METHOD_POST || (route->flags & RNDIMG_ROUTE_WRITE));
}

static void
answer_preflight (RndimgRouter *self, RndimgExchange *exchange, const char *path, const char *allow)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  const char *wanted = rndimg_exchange_get_header (exchange, "Access-Control-Request-Method");
  g_autofree char *why = NULL;

  if (wanted != NULL && is_write (self, path, g_intern_string (wanted)))
    {
      if (!rndimg_origin_write_allowed (self->origins, exchange, &why))
        {
          soup_message_headers_remove (headers, "Access-Control-Allow-Origin");
          rndimg_http_send_error (exchange, SOUP_STATUS_FORBIDDEN, "%s", why);
          return;
        }
      add_write_cors_headers (exchange);
    }

  soup_message_headers_replace (headers, "Allow", allow);
  soup_message_headers_replace (headers, "Access-Control-Allow-Methods", allow);
  soup_message_headers_replace (headers, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, If-Match, Last-Event-ID, Idempotency-Key");
  soup_message_headers_replace (headers, "Access-Control-Max-Age", "86400");
  rndimg_exchange_set_status (exchange, SOUP_STATUS_NO_CONTENT);
}

/* Answers @exchange (admitted by rndimg_router_admit()) from the routes:
 * 404, the preflight, 405, or the route's handler with @query (the
 * query's form, or NULL). The answer goes out when the handler returns,
 * unless it paused the exchange or took its connection. */
void
rndimg_router_dispatch (RndimgRouter *self, RndimgExchange *exchange, GHashTable *query)
{
  const char *method = rndimg_exchange_get_method (exchange);
  const char *path = rndimg_exchange_get_path (exchange);
  /* The handler may let its own reference go (a stream whose subscriber
   * is dropped at once, its client gone): ours lasts until it is marked. */
  g_autoptr(RndimgExchange) held = rndimg_exchange_ref (exchange);
  const RndimgRoute *route;
  g_autofree char *allow = NULL;
  RndimgMethods methods;

  if (!resolve (self, path, method, &route, &methods))
    rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such endpoint: %s", path);
  else if (method == SOUP_METHOD_OPTIONS)
    {
      allow = allowed_methods (methods);
      answer_preflight (self, exchange, path, allow);
    }
  else if (route == NULL)
    {
      allow = allowed_methods (methods);
      soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Allow", allow);
      rndimg_http_send_error (exchange, SOUP_STATUS_METHOD_NOT_ALLOWED,
                              "method %s is not allowed on %s (allowed: %s)", method, path, allow);
    }
  else
    {
      if (is_write (self, path, method))
        add_write_cors_headers (exchange);
      handler_for_method (route, method) (exchange, path, query, route->user_data);
    }
  rndimg_exchange_handled (held);
}

/* The most bytes a body sent to @path may have: --max-upload for an
 * upload, else a small JSON document's. */
gsize
rndimg_router_body_limit (RndimgRouter *self, const char *path)
{
  const RndimgRoute *route;
  RndimgMethods methods;

  if (resolve (self, path, SOUP_METHOD_POST, &route, &methods) &&
      route != NULL && (route->flags & RNDIMG_ROUTE_UPLOAD))
    return self->max_upload_bytes;
  return RNDIMG_ROUTER_SMALL_BODY_BYTES;
}

/* Answered 413 and closed at once: the body is not read any further. */
void
rndimg_router_refuse_large_body (RndimgExchange *exchange, gsize limit)
{
  g_autofree char *message = g_strdup_printf ("the body is larger than %" G_GSIZE_FORMAT " bytes", limit);

  rndimg_exchange_refuse (exchange, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
}

/* Whether the hot path may answer @method on @path itself: not what only
 * libsoup does (a WebSocket's upgrade, an upload's large body). */
gboolean
rndimg_router_is_hot (RndimgRouter *self, const char *path, const char *method)
{
  const RndimgRoute *route;
  RndimgMethods methods;

  if (!resolve (self, path, method, &route, &methods) || route == NULL)
    return TRUE;   /* a 404 or a 405: nothing of libsoup's is needed */
  if (route->flags & RNDIMG_ROUTE_SOUP)
    return FALSE;
  return !(method == SOUP_METHOD_POST && (route->flags & RNDIMG_ROUTE_UPLOAD));
}

/* What no request may get past, checked from its headers before its body
 * is read (libsoup would read it all, whatever status is set): the URLs
 * we build start with its Host, so it must be a plain name; without a
 * token only our own names are served (DNS rebinding); a write must come
 * from an allowed page; a body must be within its route's limit. A
 * refused request is answered and its connection closed without reading
 * the body; FALSE then. Also sets the request's base URL (the CORS
 * headers every answer has are already there:
 * rndimg_router_add_answer_headers()). (Framing, and a Host that is not host[:port],
 * never get here: the gate and the hot path's reader refuse them first.) */
gboolean
rndimg_router_admit (RndimgRouter *self, RndimgExchange *exchange)
{
  const char *path = rndimg_exchange_get_path (exchange);
  SoupMessageHeaders *headers = rndimg_exchange_get_request_headers (exchange);
  g_autofree char *why = NULL;
  gsize limit;
  char *base_url;

  if (!rndimg_http_host_is_valid (exchange))
    {
      rndimg_exchange_refuse (exchange, SOUP_STATUS_BAD_REQUEST, "the Host header is not a valid host name");
      return FALSE;
    }
  if (!rndimg_origin_host_allowed (self->origins, exchange))
    {
      rndimg_exchange_refuse (exchange, SOUP_STATUS_MISDIRECTED_REQUEST,
                              "this server does not answer for that Host (see --allow-host, --public-url)");
      return FALSE;
    }
  if (is_write (self, path, rndimg_exchange_get_method (exchange)) &&
      !rndimg_origin_write_allowed (self->origins, exchange, &why))
    {
      soup_message_headers_remove (rndimg_exchange_get_response_headers (exchange), "Access-Control-Allow-Origin");
      rndimg_exchange_refuse (exchange, SOUP_STATUS_FORBIDDEN, why);
      return FALSE;
    }
  limit = rndimg_router_body_limit (self, path);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) limit)
    {
      rndimg_router_refuse_large_body (exchange, limit);
      return FALSE;
    }
  base_url = rndimg_origin_base_url (self->origins, exchange);
  rndimg_exchange_set_base_url (exchange, base_url);
  g_ref_string_release (base_url);
  return TRUE;
}

/* A router over @origins (borrowed: it must outlive the router). */
RndimgRouter *
rndimg_router_new (gsize max_upload_bytes, RndimgOriginPolicy *origins)
{
  RndimgRouter *self = g_new0 (RndimgRouter, 1);

  self->routes = g_array_new (FALSE, TRUE, sizeof (RndimgRoute));
  g_array_set_clear_func (self->routes, (GDestroyNotify) route_clear);
  self->max_upload_bytes = max_upload_bytes;
  self->origins = origins;
  return self;
}

/* Routes @path (or every path under it, with RNDIMG_ROUTE_PREFIX) to @get
 * (GET and HEAD) and @post, either may be NULL; both get @user_data. For
 * each method the first route added that matches and takes it wins; a
 * route with neither handler answers 404 for the paths it matches. */
void
rndimg_router_add (RndimgRouter *self, const char *path, RndimgRouteFlags flags,
                   RndimgHandler get, RndimgHandler post, gpointer user_data)
{
  RndimgRouteHandlers handlers = { .get = get, .post = post };

  rndimg_router_add_handlers (self, path, flags, &handlers, user_data);
}

/* rndimg_router_add() for every method: @handlers says which a route takes. */
void
rndimg_router_add_handlers (RndimgRouter *self, const char *path, RndimgRouteFlags flags,
                            const RndimgRouteHandlers *handlers, gpointer user_data)
{
  RndimgRoute route = { g_strdup (path), flags, *handlers, user_data };

  g_array_append_val (self->routes, route);
  g_clear_pointer (&self->last_path, g_free);   /* the routes moved */
}

void
rndimg_router_free (RndimgRouter *self)
{
  g_array_unref (self->routes);
  g_free (self->last_path);
  g_free (self);
}
