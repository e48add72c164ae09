/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-refusal.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RNDIMG_GATE_HEAD_LIMIT (64 * 1024)
/* RFC 6585, not in libsoup 3.2's SoupStatus. */
#define RNDIMG_STATUS_HEADERS_TOO_LARGE 431

GIOStream *rndimg_gate_new                (GSocketConnection *connection,
                                           GIOStream         *transport,
                                           RndimgRefusals    *refusals);
GIOStream *rndimg_gate_of                 (GSocketConnection *connection);
void       rndimg_gate_pass_through       (GSocketConnection *connection);
gboolean   rndimg_gate_expect_request     (GSocketConnection *connection);
/* A client closed its connection between two requests. */
typedef void (*RndimgGateEndFunc) (GSocketConnection *connection,
                                   gpointer           user_data);

void       rndimg_gate_hold_end           (GSocketConnection *connection,
                                           gboolean           hold,
                                           RndimgGateEndFunc  on_end,
                                           gpointer           user_data);

G_END_DECLS
