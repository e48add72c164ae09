#pragma once

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"
#include "rndimg-config.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_SERVICE (rndimg_service_get_type ())
G_DECLARE_FINAL_TYPE (RndimgService, rndimg_service, RNDIMG, SERVICE, GObject)

RndimgService      *rndimg_service_new               (const RndimgConfig *config,
                                                      GError            **error);
gboolean            rndimg_service_listen            (RndimgService      *self,
                                                      GError            **error);
char               *rndimg_service_get_url           (RndimgService      *self);
void                rndimg_service_shutdown          (RndimgService      *self);

const RndimgConfig *rndimg_service_get_config        (RndimgService      *self);
RndimgCatalogue    *rndimg_service_get_catalogue     (RndimgService      *self);
guint64             rndimg_service_get_requests      (RndimgService      *self);
double              rndimg_service_get_uptime        (RndimgService      *self);

G_END_DECLS
