/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RNDIMG_GATE_HEAD_LIMIT (64 * 1024)
/* RFC 6585, not in libsoup 3.2's SoupStatus. */
#define RNDIMG_STATUS_HEADERS_TOO_LARGE 431

/* What a gate's connection hands it. */
typedef struct {
  GIOStream *transport;       /* where the bytes come from and go to (borrowed) */
  GByteArray **input;         /* the connection's bytes read and not yet used */
  gint64 *head_started;       /* set when a head's first byte comes, 0 once it is whole */
  void (*refused) (gpointer data, guint status, const char *message);   /* answer and close */
  void (*closed)  (gpointer data);   /* libsoup closed the stream: close the connection */
  void (*ended)   (gpointer data);   /* the client closed between requests, kept from libsoup
                                      * (called from libsoup's read: act later) */
  gpointer data;
  GDestroyNotify free_data;   /* when the gate is finalized */
} RndimgGateOwner;

GIOStream *rndimg_gate_new                (const RndimgGateOwner *owner);
void       rndimg_gate_pass_through       (GIOStream             *gate);
gboolean   rndimg_gate_can_take_request   (GIOStream             *gate);
void       rndimg_gate_expect_request     (GIOStream             *gate);
void       rndimg_gate_hold_end           (GIOStream             *gate,
                                           gboolean               hold);

G_END_DECLS
