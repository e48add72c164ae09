/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"

G_BEGIN_DECLS

/* Most albums one request may name. */
#define RNDIMG_CHOICE_MAX_ALBUMS 16
#define RNDIMG_CHOICE_MAX_COUNT 100
#define RNDIMG_CHOICE_MAX_SEED_BYTES 256

/* The choice parameters of GET /rndimg, checked. */
typedef struct {
  GStrv albums;                 /* NULL: every picture */
  RndimgOrientation orientation;
  char *seed;                   /* NULL: at random */
  GHashTable *excluded;         /* names; NULL: none */
  guint count;                  /* 1 when not given */
  gboolean count_given;
} RndimgChoiceQuery;

void     rndimg_choice_query_clear (RndimgChoiceQuery *query);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgChoiceQuery, rndimg_choice_query_clear)

gboolean rndimg_choice_query_parse (RndimgExchange *exchange,
                                    GHashTable        *query,
                                    RndimgChoiceQuery *choice);
gboolean rndimg_choice_query_is_plain (RndimgExchange *exchange,
                                       GHashTable        *query);
GStrv    rndimg_choice_query_parse_albums (RndimgExchange *exchange,
                                           const char        *text);
GPtrArray *rndimg_choice_query_choose (RndimgExchange *exchange,
                                       RndimgCatalogue   *catalogue,
                                       const RndimgChoiceQuery *choice);
GPtrArray *rndimg_choice_query_choose_for (RndimgExchange    *exchange,
                                           RndimgCatalogue         *catalogue,
                                           const RndimgAccess      *access,
                                           const RndimgChoiceQuery *choice);

G_END_DECLS
