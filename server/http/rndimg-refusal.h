/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

void rndimg_refusal_answer_and_close (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *message);
void rndimg_refusal_refuse_connection (GSocketConnection *connection,
                                       guint              status,
                                       const char        *message);
void rndimg_refusal_close_all        (void);

G_END_DECLS
