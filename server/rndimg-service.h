/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"
#include "rndimg-config.h"
#include "rndimg-router.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_SERVICE (rndimg_service_get_type ())
G_DECLARE_FINAL_TYPE (RndimgService, rndimg_service, RNDIMG, SERVICE, GObject)

RndimgService   *rndimg_service_new            (const RndimgConfig *config,
                                                GError            **error);
gboolean         rndimg_service_listen         (RndimgService      *self,
                                                GError            **error);
gboolean         rndimg_service_listen_on_socket (RndimgService    *self,
                                                GSocket            *socket,
                                                GError            **error);
const char      *rndimg_service_get_url        (RndimgService      *self);
RndimgRouter    *rndimg_service_get_router     (RndimgService      *self);
RndimgCatalogue *rndimg_service_get_catalogue  (RndimgService      *self);
void             rndimg_service_begin_shutdown (RndimgService      *self);
gboolean         rndimg_service_is_drained     (RndimgService      *self);
void             rndimg_service_shutdown       (RndimgService      *self);

/* For main.c's reload (SIGHUP). */
const RndimgConfig *rndimg_service_get_config  (RndimgService      *self);
void             rndimg_service_set_tls_certificate (RndimgService *self,
                                                GTlsCertificate    *certificate);
gboolean         rndimg_service_reload_credentials (RndimgService  *self,
                                                const char         *token,
                                                GError            **error);
gboolean         rndimg_service_reload_signing_keys (RndimgService *self,
                                                GError            **error);
guint            rndimg_service_count_tokens   (RndimgService      *self);
const char      *rndimg_service_describe_writes (RndimgService     *self);

G_END_DECLS
