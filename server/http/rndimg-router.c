/* SPDX-License-Identifier: MIT */
/* One table says which handler answers which path and method. The router
 * adds what every answer shares: CORS, OPTIONS preflight, 404 and 405;
 * and, from the headers alone, before any body is read, it refuses what
 * must not be served: a bad or foreign Host, a write from a page of
 * another origin, a body over the limit. */
#include "rndimg-router.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"
#include "rndimg-refusal.h"

#include <string.h>

/* Bodies for anything but an upload are tiny JSON documents. */
#define MAX_SMALL_BODY_BYTES (64 * 1024)

typedef struct {
  char *path;
  RndimgRouteFlags flags;
  RndimgHandler get;   /* also answers HEAD */
  RndimgHandler post;
  gpointer user_data;
} RndimgRoute;

struct _RndimgRouter
{
  GArray *routes;      /* RndimgRoute, first match wins */
  gsize max_upload_bytes;
  RndimgOriginPolicy *origins;   /* borrowed */
  RndimgRefusals *refusals;      /* borrowed */
};

/* A chunked body being counted against its limit. */
typedef struct {
  RndimgRefusals *refusals;
  gsize limit;
} BodyLimit;

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
    return route->get;
  if (method == SOUP_METHOD_POST)
    return route->post;
  return NULL;
}

/* What the routes say of @path: the first route with a handler for
 * @method (NULL if none), and every method some matching route takes.
 * Routes are read in order; one without any handler claims the rest of
 * its paths for a 404. FALSE: no route serves @path at all. */
static gboolean
resolve (RndimgRouter *self, const char *path, const char *method,
         const RndimgRoute **chosen, gboolean *has_get, gboolean *has_post)
{
  *chosen = NULL;
  *has_get = *has_post = FALSE;
  for (guint i = 0; i < self->routes->len; i++)
    {
      const RndimgRoute *route = &g_array_index (self->routes, RndimgRoute, i);

      if (!route_matches (route, path))
        continue;
      if (route->get == NULL && route->post == NULL)
        break;
      *has_get |= route->get != NULL;
      *has_post |= route->post != NULL;
      if (*chosen == NULL && method != NULL && handler_for_method (route, method) != NULL)
        *chosen = route;
    }
  return *has_get || *has_post;
}

/* The route that answers @path, as a label with few values (for metrics):
 * the route's own path, the prefix "/" followed by a star for the web files, "unknown" for none. */
const char *
rndimg_router_route_label (RndimgRouter *self, const char *path)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      const RndimgRoute *route = &g_array_index (self->routes, RndimgRoute, i);

      if (!route_matches (route, path))
        continue;
      if (route->get == NULL && route->post == NULL)
        return "unknown";
      return g_str_equal (route->path, "/") && (route->flags & RNDIMG_ROUTE_PREFIX) ? "/*" : route->path;
    }
  return "unknown";
}

/* Every route in order, with the methods it takes. */
void
rndimg_router_foreach (RndimgRouter *self, RndimgRouteFunc func, gpointer user_data)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      const RndimgRoute *route = &g_array_index (self->routes, RndimgRoute, i);

      func (route->path, route->flags, route->get != NULL, route->post != NULL, user_data);
    }
}

/* The methods @path is served with, as a request would find them; FALSE
 * (a 404) when none. */
gboolean
rndimg_router_methods (RndimgRouter *self, const char *path, gboolean *has_get, gboolean *has_post)
{
  const RndimgRoute *route;

  return resolve (self, path, NULL, &route, has_get, has_post);
}

static char *
allowed_methods (gboolean has_get, gboolean has_post)
{
  GString *allow = g_string_new (NULL);

  if (has_get)
    g_string_append (allow, "GET, HEAD, ");
  if (has_post)
    g_string_append (allow, "POST, ");
  g_string_append (allow, "OPTIONS");
  return g_string_free (allow, FALSE);
}

static void
add_cors_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (headers, "Access-Control-Expose-Headers",
                                "Location, Retry-After, ETag, Link, Idempotent-Replayed");
}

/* Reads are open to every origin; a write's answer names the page's
 * origin, already checked in on_headers(). */
static void
add_write_cors_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *origin = rndimg_origin_of_request (msg);

  if (origin == NULL)
    return;
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", origin);
  soup_message_headers_replace (headers, "Vary", "Origin");
}

static gboolean
is_write (RndimgRouter *self, const char *path)
{
  const RndimgRoute *route;
  gboolean has_get, has_post;

  return resolve (self, path, SOUP_METHOD_POST, &route, &has_get, &has_post) &&
         route != NULL && (route->flags & RNDIMG_ROUTE_WRITE);
}

static void
answer_preflight (RndimgRouter *self, SoupServerMessage *msg, const char *path, const char *allow)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *wanted = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Access-Control-Request-Method");
  g_autofree char *why = NULL;

  if (g_strcmp0 (wanted, "POST") == 0 && is_write (self, path))
    {
      if (!rndimg_origin_write_allowed (self->origins, msg, &why))
        {
          soup_message_headers_remove (headers, "Access-Control-Allow-Origin");
          rndimg_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "%s", why);
          return;
        }
      add_write_cors_headers (msg);
    }

  soup_message_headers_replace (headers, "Allow", allow);
  soup_message_headers_replace (headers, "Access-Control-Allow-Methods", allow);
  soup_message_headers_replace (headers, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Last-Event-ID, Idempotency-Key");
  soup_message_headers_replace (headers, "Access-Control-Max-Age", "86400");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* The CORS headers are in already: on_headers() ran for every request
 * that comes here. */
static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path,
            GHashTable *query, gpointer user_data)
{
  RndimgRouter *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const RndimgRoute *route;
  g_autofree char *allow = NULL;
  gboolean has_get, has_post;

  if (!resolve (self, path, method, &route, &has_get, &has_post))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such endpoint: %s", path);
      return;
    }

  if (method == SOUP_METHOD_OPTIONS)
    {
      allow = allowed_methods (has_get, has_post);
      answer_preflight (self, msg, path, allow);
      return;
    }

  if (route == NULL)
    {
      allow = allowed_methods (has_get, has_post);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
      rndimg_http_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                              "method %s is not allowed on %s (allowed: %s)", method, path, allow);
      return;
    }
  if (method == SOUP_METHOD_POST && (route->flags & RNDIMG_ROUTE_WRITE))
    add_write_cors_headers (msg);
  handler_for_method (route, method) (msg, path, query, route->user_data);
}

static gsize
body_limit (RndimgRouter *self, const char *path)
{
  const RndimgRoute *route;
  gboolean has_get, has_post;

  if (resolve (self, path, SOUP_METHOD_POST, &route, &has_get, &has_post) &&
      route != NULL && (route->flags & RNDIMG_ROUTE_UPLOAD))
    return self->max_upload_bytes;
  return MAX_SMALL_BODY_BYTES;
}

/* Answered 413 and closed at once: the body is not read any further. */
static void
refuse_large_body (RndimgRefusals *refusals, SoupServerMessage *msg, gsize limit)
{
  g_autofree char *message = g_strdup_printf ("the body is larger than %" G_GSIZE_FORMAT " bytes", limit);

  add_cors_headers (msg);
  rndimg_refusal_answer_and_close (refusals, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
}

static void
free_body_limit (gpointer body, GClosure *closure)
{
  g_free (body);
}

/* A chunked body has no length up front: count while it arrives and
 * refuse it once it passes the limit, before it can fill memory. */
static void
on_body_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  BodyLimit *body = user_data;

  if (soup_server_message_get_request_body (msg)->length > (goffset) body->limit)
    {
      g_debug ("chunked body over %" G_GSIZE_FORMAT " bytes: refused", body->limit);
      refuse_large_body (body->refusals, msg, body->limit);
    }
}

/* What no request may get past, checked from its headers: the URLs we
 * build start with its Host, so it must be a plain name; without a token
 * only our own names are served (DNS rebinding); a write must come from
 * an allowed page. (Framing, and a Host that is not host[:port], never
 * get here: the gate, rndimg-gate.c, refuses them before libsoup parses
 * the head.) Returns FALSE once it has refused @msg. */
static gboolean
admit (RndimgRouter *self, SoupServerMessage *msg, const char *path)
{
  g_autofree char *why = NULL;

  if (!rndimg_http_host_is_valid (msg))
    {
      rndimg_refusal_answer_and_close (self->refusals, msg, SOUP_STATUS_BAD_REQUEST, "the Host header is not a valid host name");
      return FALSE;
    }
  if (!rndimg_origin_host_allowed (self->origins, msg))
    {
      rndimg_refusal_answer_and_close (self->refusals, msg, SOUP_STATUS_MISDIRECTED_REQUEST,
                                       "this server does not answer for that Host (see --allow-host, --public-url)");
      return FALSE;
    }
  if (soup_server_message_get_method (msg) == SOUP_METHOD_POST && is_write (self, path) &&
      !rndimg_origin_write_allowed (self->origins, msg, &why))
    {
      soup_message_headers_remove (soup_server_message_get_response_headers (msg), "Access-Control-Allow-Origin");
      rndimg_refusal_answer_and_close (self->refusals, msg, SOUP_STATUS_FORBIDDEN, why);
      return FALSE;
    }
  return TRUE;
}

/* Runs once the headers are in, before the body is read: a request that
 * must be refused is answered and its connection closed without reading
 * the body (libsoup would read it all, whatever status we set here). */
static void
on_headers (SoupServer *server, SoupServerMessage *msg, const char *path,
            GHashTable *query, gpointer user_data)
{
  RndimgRouter *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  gsize limit = body_limit (self, path);
  BodyLimit *body;
  char *base_url;

  add_cors_headers (msg);
  if (!admit (self, msg, path))
    return;
  base_url = rndimg_origin_base_url (self->origins, msg);
  rndimg_http_set_base_url (msg, base_url);
  g_ref_string_release (base_url);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (headers) > (goffset) limit)
        refuse_large_body (self->refusals, msg, limit);
      break;
    case SOUP_ENCODING_CHUNKED:
      body = g_new (BodyLimit, 1);
      *body = (BodyLimit) { self->refusals, limit };
      g_signal_connect_data (msg, "got-chunk", G_CALLBACK (on_body_chunk), body, free_body_limit, 0);
      break;
    default:
      break;
    }
}

/* A router answering every request of @server from its routes. */
RndimgRouter *
rndimg_router_new (SoupServer *server, gsize max_upload_bytes, RndimgOriginPolicy *origins,
                   RndimgRefusals *refusals)
{
  RndimgRouter *self = g_new0 (RndimgRouter, 1);

  self->routes = g_array_new (FALSE, TRUE, sizeof (RndimgRoute));
  g_array_set_clear_func (self->routes, (GDestroyNotify) route_clear);
  self->max_upload_bytes = max_upload_bytes;
  self->origins = origins;
  self->refusals = refusals;
  soup_server_add_early_handler (server, NULL, on_headers, self, NULL);
  soup_server_add_handler (server, NULL, on_request, self, NULL);
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
  RndimgRoute route = { g_strdup (path), flags, get, post, user_data };

  g_array_append_val (self->routes, route);
}

void
rndimg_router_free (RndimgRouter *self)
{
  g_array_unref (self->routes);
  g_free (self);
}
