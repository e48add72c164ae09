/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One album of a server's /albums, as a person reads it. */
typedef struct {
  char *name;         /* "dogs", "dogs/puppies": what Get and Live ask for */
  char *parent;       /* "dogs" for "dogs/puppies"; NULL for an album */
  char *title;        /* in the user's language when the server has it, else made from the name */
  guint count;        /* its pictures, a parent's including its sub-albums' */
  char *cover_url;    /* its first picture's URL; NULL when it has none */
  gboolean is_private; /* seen only with a token that may read it */
} RndimgAlbumInfo;

void       rndimg_album_info_free      (RndimgAlbumInfo *album);
GPtrArray *rndimg_albums_parse         (const char      *data,
                                        gssize           length,
                                        GError         **error);
char      *rndimg_album_title_from_name (const char     *name);
char      *rndimg_album_full_title     (GPtrArray       *albums,
                                        const char      *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgAlbumInfo, rndimg_album_info_free)

G_END_DECLS
