/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"
#include "rndimg-exchange.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What the answers to taken requests say before their bodies: each
 * distinct head kept once, shared by the held requests that have it
 * (nearly all of them), with the whole answers made from it. */
typedef struct _RndimgTakenHeads RndimgTakenHeads;
typedef struct _RndimgTakenHead RndimgTakenHead;

RndimgTakenHeads *rndimg_taken_heads_new        (RndimgConnections *connections);
void              rndimg_taken_heads_free       (RndimgTakenHeads  *heads);
RndimgTakenHead  *rndimg_taken_heads_get        (RndimgTakenHeads  *heads,
                                                 RndimgExchange    *exchange);
void              rndimg_taken_head_unref       (RndimgTakenHead   *head);
gboolean          rndimg_taken_head_keeps_alive (const RndimgTakenHead *head);
GBytes           *rndimg_taken_head_answer      (RndimgTakenHead   *head,
                                                 guint              status,
                                                 const char        *content_type,
                                                 GBytes            *body,
                                                 gboolean           keep_alive,
                                                 gsize             *body_bytes);

typedef struct _RndimgAnswerDone RndimgAnswerDone;

RndimgAnswerDone *rndimg_taken_answer_done_new    (RndimgConnections *connections,
                                                   RndimgExchange    *exchange,
                                                   guint              status,
                                                   gsize              body_bytes,
                                                   gboolean           keep_alive);
void              rndimg_taken_answer_done_finish (RndimgAnswerDone  *done,
                                                   RndimgConnection  *connection);

G_END_DECLS
