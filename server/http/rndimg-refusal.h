/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgRefusals RndimgRefusals;

RndimgRefusals *rndimg_refusals_new       (RndimgConnections *connections);
void            rndimg_refusals_close_all (RndimgRefusals    *self);
void            rndimg_refusals_free      (RndimgRefusals    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgRefusals, rndimg_refusals_free)

void rndimg_refusal_answer_and_close  (RndimgRefusals    *self,
                                       SoupServerMessage *msg,
                                       guint              status,
                                       const char        *message);
void rndimg_refusal_refuse_connection (RndimgRefusals    *self,
                                       GSocketConnection *connection,
                                       guint              status,
                                       const char        *message);

G_END_DECLS
