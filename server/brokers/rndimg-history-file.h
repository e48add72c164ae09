/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-event.h"

G_BEGIN_DECLS

gboolean rndimg_history_file_load (const char   *path,
                                   char        **epoch,
                                   gint64       *newest_id,
                                   GQueue       *events,
                                   GError      **error);
gboolean rndimg_history_file_save (const char   *path,
                                   const char   *epoch,
                                   gint64        newest_id,
                                   GQueue       *events,
                                   gboolean      durable,
                                   GError      **error);

G_END_DECLS
