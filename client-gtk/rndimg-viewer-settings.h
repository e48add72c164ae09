/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RNDIMG_DEFAULT_SERVER "http://127.0.0.1:5000"

char     *rndimg_viewer_settings_load_server (void);
gboolean  rndimg_viewer_settings_save_server (const char  *server,
                                              GError     **error);

G_END_DECLS
