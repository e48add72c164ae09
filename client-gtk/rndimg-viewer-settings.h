/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RNDIMG_VIEWER_SCHEMA_ID "io.github.rndimg.Viewer"

GSettings *rndimg_viewer_settings_new           (void);
gboolean   rndimg_viewer_running_uninstalled    (void);
void       rndimg_viewer_settings_migrate       (GSettings *settings);

G_END_DECLS
