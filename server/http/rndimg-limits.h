/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-config.h"
#include "rndimg-connection.h"
#include "rndimg-refusal.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgLimits RndimgLimits;

RndimgLimits *rndimg_limits_new                (const RndimgConfig *config,
                                                RndimgRefusals     *refusals);
void          rndimg_limits_free               (RndimgLimits       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgLimits, rndimg_limits_free)
gboolean      rndimg_limits_admit_connection   (RndimgLimits       *self,
                                                RndimgConnection   *connection);

G_END_DECLS
