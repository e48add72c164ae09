/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *rndimg_content_hash (const char  *path,
                           GError     **error);

G_END_DECLS
