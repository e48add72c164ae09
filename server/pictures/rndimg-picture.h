/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where pictures are served: RNDIMG_PICTURES_PATH and the name. */
#define RNDIMG_PICTURES_PATH "/static/img/"

typedef enum {
  RNDIMG_ORIENTATION_ANY,        /* also: the size is unknown */
  RNDIMG_ORIENTATION_LANDSCAPE,
  RNDIMG_ORIENTATION_PORTRAIT,
  RNDIMG_ORIENTATION_SQUARE,
  RNDIMG_ORIENTATION_N,
} RndimgOrientation;

/* What a folder's info.json says of one picture (see rndimg-sidecar.c).
 * Immutable, shared by reference. */
typedef struct {
  char *alt;                /* the alt text in English (or the only one); NULL: none */
  GHashTable *alt_by_language;  /* language tag -> alt text; NULL: none */
  char *author;
  char *license;
  char *source_url;
} RndimgPictureText;

RndimgPictureText *rndimg_picture_text_ref   (RndimgPictureText *text);
void               rndimg_picture_text_unref (RndimgPictureText *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPictureText, rndimg_picture_text_unref)

/* One picture of the catalogue: immutable once made, shared by reference.
 * A changed file is a new RndimgPicture (with a new @version). */
typedef struct {
  char *name;               /* the catalogue's key: "023.png", "dogs/001.png", "dogs/puppies/001.png" */
  char *path;               /* on disk */
  const char *file_name;    /* the last part of @name */
  char *album;              /* "" (none), "dogs" or "dogs/puppies" */
  const char *content_type;
  goffset size;
  gint64 modified_usec;
  guint width, height;      /* pixels, from the header; 0 when it did not say */
  RndimgOrientation orientation;
  char *version;            /* changes whenever the file's bytes may have: for caches and ETags */
  guint64 name_hash;        /* rndimg_picture_hash() of @name */
  char *sort_key;           /* natural order: 2 before 10 */
  char *url_path;           /* "/static/img/" and the name, escaped for a URL */
  char modified_text[24];   /* @modified_usec as RFC 3339 UTC, to the second */
  RndimgPictureText *text;  /* from info.json; NULL: none */
} RndimgPicture;

RndimgPicture *rndimg_picture_ref   (RndimgPicture *image);
void         rndimg_picture_unref (RndimgPicture *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPicture, rndimg_picture_unref)

RndimgOrientation rndimg_orientation_for_size   (guint        width,
                                                 guint        height);
const char       *rndimg_orientation_to_string  (RndimgOrientation orientation);
gboolean          rndimg_orientation_from_string (const char  *text,
                                                  RndimgOrientation *orientation);
char             *rndimg_picture_url_path       (const char   *name);
guint64           rndimg_picture_hash           (const char   *text,
                                                 guint64       salt);

G_END_DECLS
