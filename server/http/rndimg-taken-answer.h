/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"
#include "rndimg-exchange.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What the answer to a taken request will say before its body. */
typedef struct {
  char *headers;              /* "Name: value\r\n" ... */
  gsize length;
  gboolean http_1_0;
  gboolean head_only;         /* a HEAD: no body */
  gboolean keep_alive;        /* the client may send another request after */
} RndimgTakenHead;

#define RNDIMG_TAKEN_ANSWER_VECTORS 5

void     rndimg_taken_head_init         (RndimgTakenHead       *head,
                                         RndimgConnections     *connections,
                                         RndimgExchange        *exchange);
void     rndimg_taken_head_clear        (RndimgTakenHead       *head);
guint    rndimg_taken_answer_vectors    (const RndimgTakenHead *head,
                                         guint                  status,
                                         const char            *content_type,
                                         GBytes                *body,
                                         gboolean               keep_alive,
                                         GOutputVector         *vectors);

typedef struct _RndimgAnswerDone RndimgAnswerDone;

RndimgAnswerDone *rndimg_taken_answer_done_new    (RndimgConnections *connections,
                                                   RndimgExchange    *exchange,
                                                   guint              status,
                                                   gsize              body_bytes,
                                                   gboolean           keep_alive);
void              rndimg_taken_answer_done_finish (RndimgAnswerDone  *done,
                                                   RndimgConnection  *connection);

G_END_DECLS
