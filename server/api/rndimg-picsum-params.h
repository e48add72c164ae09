/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture.h"
#include "rndimg-variant.h"

G_BEGIN_DECLS

/* Lorem Picsum's limits: a side asked for, and a source served. */
#define RNDIMG_PICSUM_MAX_SIDE 5000
#define RNDIMG_PICSUM_DEFAULT_BLUR 5
#define RNDIMG_PICSUM_MAX_BLUR 10
#define RNDIMG_PICSUM_LIST_DEFAULT_LIMIT 30
#define RNDIMG_PICSUM_LIST_MAX_LIMIT 100

/* Why a Picsum request is refused; each has Picsum's own words. */
typedef enum {
  RNDIMG_PICSUM_FINE,
  RNDIMG_PICSUM_INVALID_SIZE,
  RNDIMG_PICSUM_INVALID_EXTENSION,
  RNDIMG_PICSUM_INVALID_BLUR,
} RndimgPicsumProblem;

/* What a size route asked, read as Picsum reads it. */
typedef struct {
  guint64 width;          /* 0: the picture's own */
  guint64 height;
  RndimgFormat format;    /* JPEG or WEBP */
  gboolean grayscale;
  gboolean blur;
  gint64 blur_amount;     /* as written; checked by rndimg_picsum_params_check() */
} RndimgPicsumParams;

/* A size as Picsum's routes match it: "300", "300.webp", "300/200" or
 * "300/200.webp"; the extension is everything from the dot on. */
typedef struct {
  char *width;            /* digits */
  char *height;           /* digits; NULL: a square */
  char *extension;        /* "" or from the dot on */
} RndimgPicsumSize;

void                rndimg_picsum_size_clear         (RndimgPicsumSize *size);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgPicsumSize, rndimg_picsum_size_clear)
gboolean            rndimg_picsum_match_size         (const char *tail,
                                                      RndimgPicsumSize *size);
RndimgPicsumProblem rndimg_picsum_params_read_size   (const RndimgPicsumSize *size,
                                                      RndimgPicsumParams *params);
void                rndimg_picsum_params_read_look   (const char *raw_query,
                                                      RndimgPicsumParams *params);
RndimgPicsumProblem rndimg_picsum_params_check       (const RndimgPicsumParams *params);
const char         *rndimg_picsum_problem_message    (RndimgPicsumProblem problem);
const char         *rndimg_picsum_problem_detail     (RndimgPicsumProblem problem);

gboolean            rndimg_picsum_query_get          (const char *raw_query,
                                                      const char *key,
                                                      char      **value);
guint64             rndimg_picsum_query_number       (const char *raw_query,
                                                      const char *key,
                                                      guint64     fallback);

void                rndimg_picsum_served_size        (const RndimgPicture *picture,
                                                      guint *width,
                                                      guint *height);
void                rndimg_picsum_params_to_spec     (const RndimgPicsumParams *params,
                                                      const RndimgPicture *picture,
                                                      RndimgVariantSpec *spec);
char               *rndimg_picsum_file_name          (guint64 number,
                                                      const RndimgVariantSpec *spec,
                                                      RndimgFormat format);

G_END_DECLS
