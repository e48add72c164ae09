/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture-gate.h"
#include "rndimg-picture-numbers.h"
#include "rndimg-picture-variants.h"
#include "rndimg-rate-limiter.h"

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Called with a picture's version once it is known. */
typedef void (*RndimgVersionedFunc) (RndimgExchange *exchange,
                                     RndimgPicture       *image,
                                     const char        *version,
                                     gpointer           user_data);

typedef struct _RndimgVariantsApi RndimgVariantsApi;

RndimgVariantsApi *rndimg_variants_api_new  (RndimgPictureVariants *variants,
                                             RndimgPictureNumbers  *numbers,
                                             RndimgPictureGate     *gate,
                                             RndimgRateLimiter     *renders,
                                             guint                  workers);
void               rndimg_variants_api_free (RndimgVariantsApi     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgVariantsApi, rndimg_variants_api_free)

void rndimg_variants_api_serve          (RndimgExchange             *exchange,
                                     const char                 *path,
                                     GHashTable                 *query,
                                     gpointer                    variants_api);
void rndimg_variants_api_when_versioned (RndimgPictureVariants      *variants,
                                     RndimgExchange             *exchange,
                                     RndimgPicture                *image,
                                     RndimgVersionedFunc         then,
                                     gpointer                    user_data,
                                     GDestroyNotify              free_data);
void rndimg_variants_api_send_problem   (RndimgExchange             *exchange,
                                     const RndimgVariantProblem *problem);
void rndimg_variants_api_redirect       (RndimgExchange             *exchange,
                                     const char                 *location);

G_END_DECLS
