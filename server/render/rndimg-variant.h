/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RNDIMG_VARIANT_MAX_SIDE 5000
#define RNDIMG_VARIANT_MAX_PIXELS 25000000
#define RNDIMG_VARIANT_MAX_BLUR 10
#define RNDIMG_VARIANT_MAX_DPR 3

typedef enum {
  RNDIMG_FIT_COVER,     /* crop to fill the box */
  RNDIMG_FIT_CONTAIN,   /* the whole picture, letterboxed to the box */
  RNDIMG_FIT_INSIDE,    /* the whole picture within the box, no larger */
} RndimgFit;

typedef enum {
  RNDIMG_CROP_CENTRE,
  RNDIMG_CROP_ATTENTION,
  RNDIMG_CROP_ENTROPY,
} RndimgCrop;

typedef enum {
  RNDIMG_FORMAT_AUTO,   /* chosen from Accept */
  RNDIMG_FORMAT_JPEG,
  RNDIMG_FORMAT_PNG,
  RNDIMG_FORMAT_WEBP,
  RNDIMG_FORMAT_AVIF,
} RndimgFormat;

/* One variant of a picture, in output pixels (a device pixel ratio is
 * already multiplied in). A side of 0 follows from the other and the
 * picture's aspect; both 0: the original's size. */
typedef struct {
  guint width;
  guint height;
  RndimgFit fit;
  RndimgCrop crop;
  RndimgFormat format;
  guint quality;        /* 1..100; 0: the format's default */
  gboolean grayscale;
  guint blur;           /* gaussian sigma 1..10; 0: none */
  gboolean enlarge;     /* fit=inside only: may grow past the original */
} RndimgVariantSpec;

/* Why a spelling is refused: the parameter and its allowed values. */
typedef struct {
  char *parameter;
  char *message;
} RndimgVariantProblem;

void      rndimg_variant_problem_clear (RndimgVariantProblem *problem);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgVariantProblem, rndimg_variant_problem_clear)

gboolean  rndimg_variant_parse         (const char              *size_segment,
                                        const char              *raw_query,
                                        RndimgVariantSpec       *spec,
                                        RndimgVariantProblem    *problem);
gboolean  rndimg_variant_check_limits  (const RndimgVariantSpec *spec,
                                        RndimgVariantProblem    *problem);
char     *rndimg_variant_canonical     (const RndimgVariantSpec *spec);
char     *rndimg_variant_canonical_path (const char             *name,
                                        const char              *version,
                                        const RndimgVariantSpec *spec);
const char *rndimg_format_extension    (RndimgFormat             format);
const char *rndimg_format_content_type (RndimgFormat             format);
guint     rndimg_format_default_quality (RndimgFormat            format);
gboolean  rndimg_format_from_name      (const char              *name,
                                        RndimgFormat            *format);

G_END_DECLS
