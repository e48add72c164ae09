/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-event.h"

G_BEGIN_DECLS

typedef struct _RndimgGone RndimgGone;

RndimgGone *rndimg_gone_new   (guint              history_length);
void        rndimg_gone_free  (RndimgGone        *self);
void        rndimg_gone_add   (RndimgGone        *self,
                               const RndimgEvent *event);
void        rndimg_gone_evict (RndimgGone        *self,
                               GQueue            *history,
                               guint              history_length);
gint64      rndimg_gone_count (RndimgGone        *self,
                               gint64             since,
                               gint64             before,
                               const char *const *albums);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgGone, rndimg_gone_free)

G_END_DECLS
