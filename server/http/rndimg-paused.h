/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

G_BEGIN_DECLS

typedef struct _RndimgPaused RndimgPaused;

RndimgPaused   *rndimg_paused_new      (RndimgExchange *exchange);
gboolean        rndimg_paused_resume   (RndimgPaused   *paused);
RndimgExchange *rndimg_paused_exchange (RndimgPaused   *paused);
void            rndimg_paused_free     (RndimgPaused   *paused);

G_END_DECLS
