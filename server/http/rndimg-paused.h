/* SPDX-License-Identifier: MIT */
#pragma once
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgPaused RndimgPaused;

RndimgPaused      *rndimg_paused_new     (SoupServerMessage *msg);
gboolean           rndimg_paused_resume  (RndimgPaused      *paused);
SoupServerMessage *rndimg_paused_message (RndimgPaused      *paused);
void               rndimg_paused_free    (RndimgPaused      *paused);

G_END_DECLS
