/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-album.h"

G_BEGIN_DECLS

#define RNDIMG_SIDECAR_NAME "info.json"
/* Larger sidecars are refused before they are read. */
#define RNDIMG_SIDECAR_MAX_BYTES (256 * 1024)

GHashTable *rndimg_sidecar_load  (int                folder_fd,
                                  const char        *folder_path,
                                  RndimgAlbumTitle **title);
GHashTable *rndimg_sidecar_parse (const char        *data,
                                  gsize              length,
                                  RndimgAlbumTitle **title,
                                  GError           **error);

G_END_DECLS
