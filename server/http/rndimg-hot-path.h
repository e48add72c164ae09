/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"
#include "rndimg-exchange.h"
#include "rndimg-refusal.h"
#include "rndimg-router.h"

G_BEGIN_DECLS

typedef struct _RndimgHotPath RndimgHotPath;

RndimgHotPath *rndimg_hot_path_new  (RndimgConnections        *connections,
                                     RndimgRouter             *router,
                                     RndimgRefusals           *refusals,
                                     const RndimgRequestWatch *watch);
void           rndimg_hot_path_free (RndimgHotPath            *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgHotPath, rndimg_hot_path_free)

G_END_DECLS
