/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  rndimg_viewer_i18n_init (void);
char *rndimg_viewer_isolate   (const char *text);

G_END_DECLS
