/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

gboolean rndimg_taken_answer_keep_alive (SoupServerMessage *msg);
char    *rndimg_taken_answer_headers    (SoupServerMessage *msg);
GBytes  *rndimg_taken_answer_render     (SoupServerMessage *msg,
                                         const char        *headers,
                                         guint              status,
                                         const char        *content_type,
                                         GBytes            *body,
                                         gboolean           keep_alive);

typedef struct _RndimgAnswerDone RndimgAnswerDone;

RndimgAnswerDone *rndimg_taken_answer_done_new    (SoupServerMessage *msg,
                                                   guint              status,
                                                   GBytes            *body,
                                                   gboolean           keep_alive);
void              rndimg_taken_answer_done_finish (RndimgAnswerDone  *done,
                                                   GIOStream         *stream);
void              rndimg_taken_answer_flush       (void);

G_END_DECLS
