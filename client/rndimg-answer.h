/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RNDIMG_ANSWER_ERROR (rndimg_answer_error_quark ())
GQuark rndimg_answer_error_quark (void);

typedef enum {
  RNDIMG_ANSWER_ERROR_NOT_JSON,
  RNDIMG_ANSWER_ERROR_WRONG_SHAPE,
  RNDIMG_ANSWER_ERROR_SERVER,       /* {"status":"error","message":...} */
} RndimgAnswerError;

/* What an event says happened (an answer that is no event: published). */
typedef enum {
  RNDIMG_ANSWER_PUBLISHED,   /* a picture to show */
  RNDIMG_ANSWER_REMOVED,     /* the picture @name was deleted: url is NULL */
  RNDIMG_ANSWER_CHANGED,     /* @name's text (alt, author, licence...) changed */
  RNDIMG_ANSWER_MOVED,       /* the picture @from is now @name, in another album */
  RNDIMG_ANSWER_ALBUM,       /* an album made, changed or removed: url and name are NULL */
} RndimgAnswerKind;

/* What the API answers: the picture's URL and, for events, the rest. */
typedef struct {
  RndimgAnswerKind kind;
  char *url;              /* NULL only for REMOVED and ALBUM */
  char *name;             /* NULL only for ALBUM */
  char *from;             /* MOVED: the picture's old name; else NULL */
  gint64 id;              /* -1 when the answer has none (GET /rndimg) */
  char *published_at;     /* NULL when none */
  char *source;           /* NULL when none */
  char *epoch;            /* the history the id belongs to; NULL when none */
  char *alt;              /* the picture owner's alt text, in the user's language if given; NULL when none */
  guint width, height;    /* the picture's size in pixels; 0 when not said */
  char *blurhash;         /* what to show while it loads; NULL when not said */
  char *colour;           /* its average colour, "#rrggbb"; NULL when not said */
  char *variant_version;  /* the content hash in its canonical variant URLs (16 hex digits); NULL when not said */
  char *album;            /* "dogs", "dogs/puppies"; NULL: none, or not said */
  char *author;           /* what the owner's info.json says; each NULL when not said */
  char *license;
  char *source_url;       /* an http(s) URL, else NULL */
  char *content_type;     /* "image/png"; NULL when not said */
  gint64 bytes;           /* the file's size; -1 when not said */
  char *modified;         /* the file's time, RFC 3339; NULL when not said */
} RndimgAnswer;

RndimgAnswer *rndimg_answer_parse (const char   *data,
                                   gssize        length,
                                   GError      **error);
RndimgAnswer *rndimg_answer_copy  (const RndimgAnswer *answer);
void          rndimg_answer_free  (RndimgAnswer *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgAnswer, rndimg_answer_free)

G_END_DECLS
