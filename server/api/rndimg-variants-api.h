/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-picture-numbers.h"
#include "rndimg-picture-variants.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Called with a picture's version once it is known. */
typedef void (*RndimgVersionedFunc) (SoupServerMessage *msg,
                                     RndimgPicture       *image,
                                     const char        *version,
                                     gpointer           user_data);

typedef struct _RndimgVariantsApi RndimgVariantsApi;

RndimgVariantsApi *rndimg_variants_api_new  (RndimgPictureVariants *variants,
                                             RndimgPictureNumbers  *numbers);
void               rndimg_variants_api_free (RndimgVariantsApi     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgVariantsApi, rndimg_variants_api_free)

void rndimg_variants_api_serve          (SoupServerMessage          *msg,
                                     const char                 *path,
                                     GHashTable                 *query,
                                     gpointer                    variants_api);
void rndimg_variants_api_when_versioned (RndimgPictureVariants      *variants,
                                     SoupServerMessage          *msg,
                                     RndimgPicture                *image,
                                     RndimgVersionedFunc         then,
                                     gpointer                    user_data,
                                     GDestroyNotify              free_data);
void rndimg_variants_api_send_problem   (SoupServerMessage          *msg,
                                     const RndimgVariantProblem *problem);
void rndimg_variants_api_redirect       (SoupServerMessage          *msg,
                                     const char                 *location);

G_END_DECLS
