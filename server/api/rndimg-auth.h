/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

#include "rndimg-credentials.h"

G_BEGIN_DECLS

gboolean rndimg_auth_require        (RndimgCredentials  *credentials,
                                     RndimgExchange  *exchange,
                                     const RndimgAccess *access,
                                     RndimgScope         scope,
                                     const char         *album);
gboolean rndimg_auth_writes_enabled (RndimgCredentials  *credentials);

G_END_DECLS
