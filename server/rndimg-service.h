/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"
#include "rndimg-config.h"
#include "rndimg-metrics.h"
#include "rndimg-publisher.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_SERVICE (rndimg_service_get_type ())
G_DECLARE_FINAL_TYPE (RndimgService, rndimg_service, RNDIMG, SERVICE, GObject)

typedef struct _RndimgLongPoll RndimgLongPoll;
typedef struct _RndimgSse RndimgSse;

RndimgService      *rndimg_service_new               (const RndimgConfig *config,
                                                      GError            **error);
gboolean            rndimg_service_listen            (RndimgService      *self,
                                                      GError            **error);
gboolean            rndimg_service_listen_on_socket  (RndimgService      *self,
                                                      GSocket            *socket,
                                                      GError            **error);
const char         *rndimg_service_get_url           (RndimgService      *self);
void                rndimg_service_begin_shutdown    (RndimgService      *self);
void                rndimg_service_shutdown          (RndimgService      *self);

const RndimgConfig *rndimg_service_get_config        (RndimgService      *self);
RndimgCatalogue    *rndimg_service_get_catalogue     (RndimgService      *self);
RndimgPublisher    *rndimg_service_get_publisher    (RndimgService      *self);
RndimgLongPoll     *rndimg_service_get_long_poll    (RndimgService      *self);
RndimgSse          *rndimg_service_get_sse          (RndimgService      *self);
RndimgEvent        *rndimg_service_publish          (RndimgService      *self,
                                                     const char         *name,
                                                     const char         *source);
RndimgMetrics      *rndimg_service_get_metrics      (RndimgService      *self);
void                rndimg_service_set_token        (RndimgService      *self,
                                                     const char         *token);
gboolean            rndimg_service_is_drained       (RndimgService      *self);
guint64             rndimg_service_get_requests      (RndimgService      *self);
double              rndimg_service_get_uptime        (RndimgService      *self);

G_END_DECLS
