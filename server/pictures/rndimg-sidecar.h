/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"

G_BEGIN_DECLS

#define RNDIMG_SIDECAR_NAME "info.json"
/* Larger sidecars are refused before they are read. */
#define RNDIMG_SIDECAR_MAX_BYTES (256 * 1024)
/* The most a text of it may hold, and the most languages an alt text has. */
#define RNDIMG_SIDECAR_MAX_TEXT_BYTES 2000
#define RNDIMG_SIDECAR_MAX_LANGUAGES 32

/* Which info.json was read: a changed file has another stamp. */
typedef struct {
  gint64 modified_nsec;     /* 0 with the rest: there was no file */
  gint64 size;
  guint64 inode;
} RndimgSidecarStamp;

/* A folder's info.json as read: what it says of the album (the folder)
 * and of each picture. */
typedef struct {
  GHashTable *texts;        /* file name -> RndimgPictureText; never NULL */
  char *title;              /* the album's title; NULL: none */
  GHashTable *title_by_language;   /* language tag -> the title in it; NULL: none */
  gboolean is_private;      /* the album is private */
  RndimgSidecarStamp stamp;
} RndimgSidecar;

RndimgSidecar *rndimg_sidecar_read   (int                  folder_fd,
                                      const char          *folder_path);
void           rndimg_sidecar_free   (RndimgSidecar       *sidecar);
gboolean       rndimg_sidecar_stamp_equal (const RndimgSidecarStamp *a,
                                           const RndimgSidecarStamp *b);
gboolean       rndimg_sidecar_stamp_of    (int                  folder_fd,
                                           RndimgSidecarStamp  *stamp);
GHashTable    *rndimg_sidecar_parse  (const char          *data,
                                      gsize                length,
                                      GError             **error);
gboolean       rndimg_sidecar_parse_into (const char      *data,
                                          gsize            length,
                                          RndimgSidecar   *sidecar,
                                          GError         **error);
gboolean       rndimg_picture_text_equal (const RndimgPictureText *a,
                                          const RndimgPictureText *b);
gboolean       rndimg_sidecar_language_tag_is_valid (const char *tag);
gboolean       rndimg_sidecar_languages_equal (GHashTable *a,
                                               GHashTable *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSidecar, rndimg_sidecar_free)

/* What a folder's info.json says of its album (dog.ceo's breed
 * information), its "album" member. */
typedef struct {
  char *name;               /* NULL: none */
  char *info;               /* NULL: none */
} RndimgAlbumText;

void        rndimg_album_text_free (RndimgAlbumText *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgAlbumText, rndimg_album_text_free)

RndimgAlbumText *rndimg_sidecar_parse_album (const char *data,
                                             gsize       length,
                                             GError    **error);
RndimgAlbumText *rndimg_sidecar_load_album  (const char *root,
                                             const char *album);

G_END_DECLS
