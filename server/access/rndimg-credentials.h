/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-access.h"
#include "rndimg-config.h"

G_BEGIN_DECLS

/* The most bytes of a presented credential that are looked at. */
#define RNDIMG_CREDENTIAL_MAX_BYTES 8192

typedef struct _RndimgCredentials RndimgCredentials;

RndimgCredentials *rndimg_credentials_new        (void);
void               rndimg_credentials_free       (RndimgCredentials  *self);
gboolean           rndimg_credentials_load       (RndimgCredentials  *self,
                                                  const RndimgConfig *config,
                                                  GError            **error);
gboolean           rndimg_credentials_configured (RndimgCredentials  *self);
gboolean           rndimg_credentials_anonymous_writes (RndimgCredentials *self);
guint              rndimg_credentials_count_tokens (RndimgCredentials *self);
RndimgAccess      *rndimg_credentials_check      (RndimgCredentials  *self,
                                                  const char         *presented,
                                                  gint64              now_seconds,
                                                  GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgCredentials, rndimg_credentials_free)

G_END_DECLS
