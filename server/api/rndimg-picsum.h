/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picsum-params.h"
#include "rndimg-picture-numbers.h"
#include "rndimg-router.h"
#include "rndimg-variants-api.h"

G_BEGIN_DECLS

/* Every Picsum answer but a picture's. */
#define RNDIMG_PICSUM_NO_STORE "private, no-cache, no-store, must-revalidate"
/* What a page of another origin may read of a Picsum answer. */
#define RNDIMG_PICSUM_EXPOSED_HEADERS "Location, Retry-After, ETag, Link, Picsum-ID, Content-Type"

typedef struct _RndimgPicsum RndimgPicsum;

/* What a Picsum route answers, decided apart from any HTTP library. */
typedef enum {
  RNDIMG_PICSUM_PASS,        /* not a Picsum route: the next route answers */
  RNDIMG_PICSUM_FAIL,        /* @status, Picsum's @message (text, or JSON when asked) */
  RNDIMG_PICSUM_MOVED,       /* 301 to @location: the route without its trailing slash */
  RNDIMG_PICSUM_TO_PICTURE,  /* 302 to @spec of @picture, once its version is known */
  RNDIMG_PICSUM_JSON,        /* 200 with @body (and @link) */
} RndimgPicsumVerdict;

typedef struct {
  RndimgPicsumVerdict verdict;
  guint status;
  const char *message;       /* FAIL: Picsum's words ("Invalid size") */
  char *detail;              /* FAIL: ours, saying what is allowed */
  gboolean plain_text;       /* FAIL: text/plain whatever Accept says */
  char *location;            /* MOVED: a path and its query */
  RndimgPicture *picture;    /* TO_PICTURE */
  guint64 number;            /* TO_PICTURE: its Picsum-ID */
  RndimgVariantSpec spec;    /* TO_PICTURE */
  GString *body;             /* JSON */
  char *link;                /* JSON: the Link header, or NULL */
} RndimgPicsumAnswer;

void          rndimg_picsum_answer_clear (RndimgPicsumAnswer *answer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgPicsumAnswer, rndimg_picsum_answer_clear)

RndimgPicsum *rndimg_picsum_new    (RndimgCatalogue       *catalogue,
                                    RndimgPictureNumbers  *numbers,
                                    RndimgPictureVariants *variants,
                                    RndimgHandler          fallback,
                                    gpointer               fallback_data);
void          rndimg_picsum_free   (RndimgPicsum          *self);
void          rndimg_picsum_decide (RndimgPicsum          *self,
                                    const char            *path,
                                    const char            *raw_query,
                                    const char            *base_url,
                                    RndimgPicsumAnswer    *answer);
void          rndimg_picsum_serve  (SoupServerMessage *msg,
                                    const char        *path,
                                    GHashTable        *query,
                                    gpointer           picsum);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPicsum, rndimg_picsum_free)

G_END_DECLS
