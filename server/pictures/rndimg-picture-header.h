/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RNDIMG_PICTURE_HEADER_ERROR (rndimg_picture_header_error_quark ())
typedef enum {
  RNDIMG_PICTURE_HEADER_ERROR_NOT_AN_IMAGE, /* not PNG, JPEG, GIF or WebP */
  RNDIMG_PICTURE_HEADER_ERROR_INVALID,      /* cut short, malformed, or refused by its decoder here */
  RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE,    /* declares more pixels than allowed */
} RndimgPictureHeaderError;
GQuark rndimg_picture_header_error_quark (void);

/* Judged without a pixel limit: only what the header itself says. */
#define RNDIMG_PICTURE_HEADER_NO_LIMIT G_MAXUINT64

/* What a picture's header says, as its decoder will read it. */
typedef struct {
  const char *content_type;     /* "image/png", …; NULL: not a supported image */
  guint width, height;          /* as shown: its EXIF orientation applied */
  guint64 pixels;               /* the canvas its decoder allocates */
} RndimgPictureHeader;

gboolean rndimg_picture_header_judge_fd    (int                  fd,
                                            guint64              max_pixels,
                                            RndimgPictureHeader *header,
                                            GError             **error);
gboolean rndimg_picture_header_judge_bytes (const guint8        *data,
                                            gsize                length,
                                            guint64              max_pixels,
                                            RndimgPictureHeader *header,
                                            GError             **error);
gboolean rndimg_picture_header_judge_file  (const char          *path,
                                            guint64              max_pixels,
                                            RndimgPictureHeader *header,
                                            GError             **error);

G_END_DECLS
