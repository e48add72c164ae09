/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-credentials.h"
#include "rndimg-rate-limiter.h"

G_BEGIN_DECLS

RndimgAccess *rndimg_request_access        (RndimgCredentials *credentials,
                                            SoupServerMessage *msg,
                                            gboolean           from_query);
char         *rndimg_request_client        (SoupServerMessage *msg,
                                            const RndimgAccess *access);
void          rndimg_request_send_unauthorized (SoupServerMessage *msg,
                                                const char        *why);
gboolean      rndimg_request_take          (RndimgRateLimiter *limiter,
                                            SoupServerMessage *msg,
                                            const RndimgAccess *access);

G_END_DECLS
