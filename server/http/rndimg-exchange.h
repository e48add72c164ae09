/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgExchange RndimgExchange;

/* A request as the access log and the metrics see it once answered,
 * whoever answered it. */
typedef struct {
  const char *method;           /* NULL: a request line that could not be parsed */
  const char *path;             /* decoded; NULL when unknown */
  const char *query;            /* as sent, or NULL */
  SoupHTTPVersion http_version;
  guint status;                 /* 499: the client left before its whole answer */
  guint64 bytes_sent;           /* of the body */
  double seconds;
  const char *remote_host;      /* NULL when unknown */
  const char *user_agent;
  const char *referer;
  const char *executor;         /* who read and answered it: "hot" or "libsoup" */
} RndimgFinishedRequest;

/* Who hears of every request, whichever executor answered it. */
typedef struct {
  void (*started)  (gpointer data);
  void (*finished) (const RndimgFinishedRequest *request, gpointer data);
  gpointer data;
} RndimgRequestWatch;

#define RNDIMG_STATUS_CLIENT_CLOSED 499

/* What an executor (libsoup's, or the hot path) does for the exchanges
 * it runs; see rndimg-exchange.c. */
typedef struct {
  const char *name;             /* "hot", "libsoup": for the metrics */
  void  (*send)       (RndimgExchange *exchange);
  void  (*pause)      (RndimgExchange *exchange);
  void  (*unpause)    (RndimgExchange *exchange);
  void  (*refuse)     (RndimgExchange *exchange,
                       guint           status,
                       const char     *message);
  RndimgConnection *(*take) (RndimgExchange *exchange);
  void  (*stream)     (RndimgExchange *exchange);
  void  (*finalize)   (RndimgExchange *exchange);
} RndimgExecutor;

/* The request as an executor read it, to make an exchange of. */
typedef struct {
  const char *method;           /* interned: SOUP_METHOD_GET... */
  SoupHTTPVersion http_version;
  const char *path;             /* decoded */
  const char *query;            /* as sent, or NULL */
  const char *scheme;           /* as libsoup reads it: "http" behind our TLS too */
  const char *host;             /* no brackets around an IPv6 address */
  int port;
  SoupMessageHeaders *request_headers;
  SoupMessageHeaders *response_headers;
  GBytes *request_body;         /* NULL: none, or not read yet */
} RndimgExchangeRequest;

/* Told an exchange's status once it is answered. */
typedef void (*RndimgReportedFunc) (guint    status,
                                    gpointer user_data);

/* What a stream's taker gets: see rndimg_exchange_start_stream(). */
typedef void (*RndimgStreamFunc) (RndimgExchange   *exchange,
                                  RndimgConnection *connection,
                                  GBytes           *head,
                                  gpointer          user_data);

RndimgExchange *rndimg_exchange_new          (const RndimgExecutor        *executor,
                                              gpointer                     executor_data,
                                              RndimgConnection            *connection,
                                              const RndimgExchangeRequest *request,
                                              const RndimgRequestWatch    *watch);
RndimgExchange *rndimg_exchange_ref          (RndimgExchange *exchange);
void            rndimg_exchange_unref        (RndimgExchange *exchange);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgExchange, rndimg_exchange_unref)

/* The request */
const char *rndimg_exchange_get_method          (RndimgExchange *exchange);
gboolean    rndimg_exchange_is_head             (RndimgExchange *exchange);
SoupHTTPVersion rndimg_exchange_get_http_version (RndimgExchange *exchange);
const char *rndimg_exchange_get_path            (RndimgExchange *exchange);
const char *rndimg_exchange_get_query           (RndimgExchange *exchange);
const char *rndimg_exchange_get_scheme          (RndimgExchange *exchange);
const char *rndimg_exchange_get_host            (RndimgExchange *exchange);
int         rndimg_exchange_get_port            (RndimgExchange *exchange);
SoupMessageHeaders *rndimg_exchange_get_request_headers (RndimgExchange *exchange);
const char *rndimg_exchange_get_header          (RndimgExchange *exchange,
                                                 const char     *name);
GBytes     *rndimg_exchange_get_request_body    (RndimgExchange *exchange);
void        rndimg_exchange_set_request_body    (RndimgExchange *exchange,
                                                 GBytes         *body);
const char *rndimg_exchange_get_base_url        (RndimgExchange *exchange);
void        rndimg_exchange_set_base_url        (RndimgExchange *exchange,
                                                 char           *base_url);
const char *rndimg_exchange_get_remote_host     (RndimgExchange *exchange);
RndimgConnection *rndimg_exchange_get_connection (RndimgExchange *exchange);
gpointer    rndimg_exchange_get_executor_data   (RndimgExchange *exchange);
const RndimgExecutor *rndimg_exchange_get_executor (RndimgExchange *exchange);
gint64      rndimg_exchange_get_started         (RndimgExchange *exchange);

/* The answer */
void        rndimg_exchange_set_status          (RndimgExchange *exchange,
                                                 guint           status);
guint       rndimg_exchange_get_status          (RndimgExchange *exchange);
SoupMessageHeaders *rndimg_exchange_get_response_headers (RndimgExchange *exchange);
void        rndimg_exchange_set_response        (RndimgExchange *exchange,
                                                 const char     *content_type,
                                                 GBytes         *body);
void        rndimg_exchange_set_body            (RndimgExchange *exchange,
                                                 GBytes         *body);
GBytes     *rndimg_exchange_get_response_body   (RndimgExchange *exchange);
void        rndimg_exchange_set_redirect        (RndimgExchange *exchange,
                                                 guint           status,
                                                 const char     *url);

/* Its course */
void        rndimg_exchange_pause               (RndimgExchange *exchange);
gboolean    rndimg_exchange_unpause             (RndimgExchange *exchange);
gboolean    rndimg_exchange_is_paused           (RndimgExchange *exchange);
void        rndimg_exchange_set_gone            (RndimgExchange *exchange);
void        rndimg_exchange_refuse              (RndimgExchange *exchange,
                                                 guint           status,
                                                 const char     *message);
void        rndimg_exchange_handled             (RndimgExchange *exchange);
RndimgConnection *rndimg_exchange_take          (RndimgExchange *exchange);
void        rndimg_exchange_start_stream        (RndimgExchange  *exchange,
                                                 RndimgStreamFunc func,
                                                 gpointer         user_data);
void        rndimg_exchange_cancel_stream       (RndimgExchange  *exchange);
void        rndimg_exchange_stream_ready        (RndimgExchange   *exchange,
                                                 RndimgConnection *connection,
                                                 GBytes           *head);
void        rndimg_exchange_report              (RndimgExchange *exchange,
                                                 guint           status,
                                                 guint64         bytes_sent);
gboolean    rndimg_exchange_is_reported         (RndimgExchange *exchange);
void        rndimg_exchange_on_reported         (RndimgExchange    *exchange,
                                                 RndimgReportedFunc func,
                                                 gpointer           user_data,
                                                 GDestroyNotify     destroy);

G_END_DECLS
