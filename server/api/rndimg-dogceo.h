/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-static.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* dog.ceo gives at most this many random pictures of any breed, silently. */
#define RNDIMG_DOGCEO_MAX_RANDOM 50
/* dog.ceo's Cache-Control on its lists (6 hours for a CDN, 30 minutes for
 * a browser), and Symfony's default on every other answer. */
#define RNDIMG_DOGCEO_LIST_CACHE "max-age=1800, s-maxage=21600"
#define RNDIMG_DOGCEO_NO_CACHE "no-cache, private"

typedef struct _RndimgDogceo RndimgDogceo;

/* What a dog.ceo route answers, decided apart from any HTTP library. */
typedef enum {
  RNDIMG_DOGCEO_JSON,        /* @status with @body and @cache_control */
  RNDIMG_DOGCEO_MOVED,       /* 301 to @location: the route without its trailing slash */
  RNDIMG_DOGCEO_PICTURE,     /* the bytes of the catalogue's @picture_name */
} RndimgDogceoVerdict;

typedef struct {
  RndimgDogceoVerdict verdict;
  guint status;
  GString *body;
  const char *cache_control;
  char *location;            /* MOVED: a path and its query */
  char *picture_name;        /* PICTURE */
} RndimgDogceoAnswer;

void          rndimg_dogceo_answer_clear (RndimgDogceoAnswer *answer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgDogceoAnswer, rndimg_dogceo_answer_clear)

RndimgDogceo *rndimg_dogceo_new    (RndimgCatalogue    *catalogue,
                                    RndimgStatic       *files);
void          rndimg_dogceo_free   (RndimgDogceo       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgDogceo, rndimg_dogceo_free)
void          rndimg_dogceo_decide (RndimgDogceo       *self,
                                    const char         *method,
                                    const char         *path,
                                    const char         *raw_query,
                                    const char         *base_url,
                                    RndimgDogceoAnswer *answer);
void          rndimg_dogceo_serve  (SoupServerMessage  *msg,
                                    const char         *path,
                                    GHashTable         *query,
                                    gpointer            dogceo);
gint64        rndimg_dogceo_amount (const char         *text);

G_END_DECLS
