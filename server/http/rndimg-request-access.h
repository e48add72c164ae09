/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include "rndimg-credentials.h"
#include "rndimg-rate-limiter.h"

G_BEGIN_DECLS

RndimgAccess *rndimg_request_access        (RndimgCredentials *credentials,
                                            RndimgExchange *exchange,
                                            gboolean           from_query);
char         *rndimg_request_client        (RndimgExchange *exchange,
                                            const RndimgAccess *access);
void          rndimg_request_send_unauthorized (RndimgExchange *exchange,
                                                const char        *why);
gboolean      rndimg_request_take          (RndimgRateLimiter *limiter,
                                            RndimgExchange *exchange,
                                            const RndimgAccess *access);

G_END_DECLS
