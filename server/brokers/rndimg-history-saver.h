/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-event.h"

G_BEGIN_DECLS

typedef struct _RndimgHistorySaver RndimgHistorySaver;

RndimgHistorySaver *rndimg_history_saver_new       (const char         *path);
void                rndimg_history_saver_free      (RndimgHistorySaver *self);
gboolean            rndimg_history_saver_save_now  (RndimgHistorySaver *self,
                                                    const char         *epoch,
                                                    gint64              newest_id,
                                                    GQueue             *events,
                                                    GError            **error);
void                rndimg_history_saver_save_soon (RndimgHistorySaver *self,
                                                    const char         *epoch,
                                                    gint64              newest_id,
                                                    GQueue             *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgHistorySaver, rndimg_history_saver_free)

G_END_DECLS
