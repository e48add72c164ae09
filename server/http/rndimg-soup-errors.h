/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgSoupErrors RndimgSoupErrors;

RndimgSoupErrors *rndimg_soup_errors_new  (SoupServer       *server);
void              rndimg_soup_errors_free (RndimgSoupErrors *errors);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSoupErrors, rndimg_soup_errors_free)

G_END_DECLS
