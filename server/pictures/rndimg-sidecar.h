/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"

G_BEGIN_DECLS

#define RNDIMG_SIDECAR_NAME "info.json"
/* The key of the folder's own text (its title) among its pictures'. */
#define RNDIMG_SIDECAR_FOLDER ""
/* Larger sidecars are refused before they are read. */
#define RNDIMG_SIDECAR_MAX_BYTES (256 * 1024)

/* What a folder's info.json says of its album. */
typedef struct {
  char *name;               /* NULL: none */
  char *info;               /* NULL: none */
} RndimgAlbumText;

void        rndimg_album_text_free (RndimgAlbumText *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgAlbumText, rndimg_album_text_free)

GHashTable *rndimg_sidecar_load  (int          folder_fd,
                                  const char  *folder_path);
GHashTable *rndimg_sidecar_parse (const char  *data,
                                  gsize        length,
                                  GError     **error);
RndimgAlbumText *rndimg_sidecar_parse_album (const char *data,
                                             gsize       length,
                                             GError    **error);
RndimgAlbumText *rndimg_sidecar_load_album  (const char *root,
                                             const char *album);

G_END_DECLS
