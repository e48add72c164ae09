/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"

G_BEGIN_DECLS

#define RNDIMG_SIDECAR_NAME "info.json"
/* The key of the folder's own text (its title) among its pictures'. */
#define RNDIMG_SIDECAR_FOLDER ""
/* Larger sidecars are refused before they are read. */
#define RNDIMG_SIDECAR_MAX_BYTES (256 * 1024)

GHashTable *rndimg_sidecar_load  (int          folder_fd,
                                  const char  *folder_path);
GHashTable *rndimg_sidecar_parse (const char  *data,
                                  gsize        length,
                                  GError     **error);

G_END_DECLS
