/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-config.h"
#include "rndimg-exchange.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgOriginPolicy RndimgOriginPolicy;

RndimgOriginPolicy *rndimg_origin_policy_new  (const RndimgConfig *config);
void                rndimg_origin_policy_free (RndimgOriginPolicy *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgOriginPolicy, rndimg_origin_policy_free)

char       *rndimg_origin_base_url       (RndimgOriginPolicy *self,
                                          RndimgExchange     *exchange);
gboolean    rndimg_origin_host_allowed   (RndimgOriginPolicy *self,
                                          RndimgExchange     *exchange);
gboolean    rndimg_origin_write_allowed  (RndimgOriginPolicy *self,
                                          RndimgExchange     *exchange,
                                          char              **why);
const char *rndimg_origin_of_request     (RndimgExchange     *exchange);

G_END_DECLS
