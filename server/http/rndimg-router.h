/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-origin.h"
#include "rndimg-refusal.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Every handler: the request, and the object that serves it. */
typedef void (*RndimgHandler) (SoupServerMessage *msg,
                               const char        *path,
                               GHashTable        *query,
                               gpointer           user_data);

typedef enum {
  RNDIMG_ROUTE_EXACT = 0,
  RNDIMG_ROUTE_PREFIX = 1 << 0,   /* every path under this one */
  RNDIMG_ROUTE_UPLOAD = 1 << 1,   /* bodies up to --max-upload */
  RNDIMG_ROUTE_WRITE = 1 << 2,    /* POST changes state: only from allowed origins */
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

RndimgRouter *rndimg_router_new  (SoupServer         *server,
                                  gsize               max_upload_bytes,
                                  RndimgOriginPolicy *origins,
                                  RndimgRefusals     *refusals);
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
