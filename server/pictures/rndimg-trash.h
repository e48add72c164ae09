/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RNDIMG_TRASH_ENTRY_NAME "entry.json"

typedef struct _RndimgTrash RndimgTrash;

RndimgTrash *rndimg_trash_new        (const char   *folder,
                                      double        days);
void         rndimg_trash_free       (RndimgTrash  *self);
const char  *rndimg_trash_get_folder (RndimgTrash  *self);
gboolean     rndimg_trash_put        (RndimgTrash  *self,
                                      const char   *path,
                                      const char   *name,
                                      const char   *what,
                                      JsonNode     *info,
                                      GError      **error);
guint        rndimg_trash_sweep      (RndimgTrash  *self,
                                      gint64        now_seconds);
void         rndimg_trash_start_sweeping (RndimgTrash *self);
guint64      rndimg_trash_get_count  (RndimgTrash  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgTrash, rndimg_trash_free)

G_END_DECLS
