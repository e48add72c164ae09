/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"
#include "rndimg-origin.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Bodies for anything but an upload are tiny JSON documents. */
#define RNDIMG_ROUTER_SMALL_BODY_BYTES (64 * 1024)

/* Every handler: the request and its answer, and the object that serves
 * it. */
typedef void (*RndimgHandler) (RndimgExchange *exchange,
                               const char     *path,
                               GHashTable     *query,
                               gpointer        user_data);

typedef enum {
  RNDIMG_ROUTE_EXACT = 0,
  RNDIMG_ROUTE_PREFIX = 1 << 0,   /* every path under this one */
  RNDIMG_ROUTE_UPLOAD = 1 << 1,   /* bodies up to --max-upload: POST read by libsoup */
  RNDIMG_ROUTE_WRITE = 1 << 2,    /* POST changes state: only from allowed origins */
  RNDIMG_ROUTE_SOUP = 1 << 3,     /* only libsoup runs it (a WebSocket's upgrade) */
} RndimgRouteFlags;

/* The methods a route takes; PATCH and DELETE always change state (they
 * are writes, whatever the route's flags). */
typedef enum {
  RNDIMG_METHOD_GET = 1 << 0,     /* and HEAD */
  RNDIMG_METHOD_POST = 1 << 1,
  RNDIMG_METHOD_PATCH = 1 << 2,
  RNDIMG_METHOD_DELETE = 1 << 3,
} RndimgMethods;

/* A route's handlers, one per method; NULL: not taken. */
typedef struct {
  RndimgHandler get;
  RndimgHandler post;
  RndimgHandler patch;
  RndimgHandler delete;
} RndimgRouteHandlers;

typedef struct _RndimgRouter RndimgRouter;

RndimgRouter *rndimg_router_new  (gsize               max_upload_bytes,
                                  RndimgOriginPolicy *origins);
void          rndimg_router_add  (RndimgRouter     *self,
                                  const char       *path,
                                  RndimgRouteFlags  flags,
                                  RndimgHandler     get,
                                  RndimgHandler     post,
                                  gpointer          user_data);
void          rndimg_router_add_handlers (RndimgRouter              *self,
                                          const char                *path,
                                          RndimgRouteFlags           flags,
                                          const RndimgRouteHandlers *handlers,
                                          gpointer                   user_data);
void          rndimg_router_free (RndimgRouter     *self);
gboolean      rndimg_router_admit     (RndimgRouter   *self,
                                       RndimgExchange *exchange);
void          rndimg_router_add_answer_headers (SoupMessageHeaders *headers);
void          rndimg_router_dispatch  (RndimgRouter   *self,
                                       RndimgExchange *exchange,
                                       GHashTable     *query);
gboolean      rndimg_router_is_hot    (RndimgRouter   *self,
                                       const char     *path,
                                       const char     *method);
gsize         rndimg_router_body_limit (RndimgRouter  *self,
                                        const char    *path);
void          rndimg_router_refuse_large_body (RndimgExchange *exchange,
                                               gsize           limit);
const char   *rndimg_router_route_label (RndimgRouter *self,
                                         const char   *path);

/* For the test that compares the routes with docs/openapi.yaml. */
typedef void (*RndimgRouteFunc) (const char       *path,
                                 RndimgRouteFlags  flags,
                                 RndimgMethods     methods,
                                 gpointer          user_data);
void          rndimg_router_foreach     (RndimgRouter    *self,
                                         RndimgRouteFunc  func,
                                         gpointer         user_data);
gboolean      rndimg_router_methods     (RndimgRouter    *self,
                                         const char      *path,
                                         RndimgMethods   *methods);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgRouter, rndimg_router_free)

G_END_DECLS
