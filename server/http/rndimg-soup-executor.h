/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"
#include "rndimg-exchange.h"
#include "rndimg-refusal.h"
#include "rndimg-router.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgSoupExecutor RndimgSoupExecutor;

RndimgSoupExecutor *rndimg_soup_executor_new  (SoupServer               *server,
                                               RndimgConnections        *connections,
                                               RndimgRouter             *router,
                                               RndimgRefusals           *refusals,
                                               const RndimgRequestWatch *watch);
void                rndimg_soup_executor_free (RndimgSoupExecutor       *self);
SoupServerMessage  *rndimg_soup_executor_message (RndimgExchange        *exchange);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSoupExecutor, rndimg_soup_executor_free)

G_END_DECLS
