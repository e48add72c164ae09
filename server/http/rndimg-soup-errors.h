/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The message of requests libsoup cannot parse (and of those the gate
 * refuses in its place). */
#define RNDIMG_SOUP_ERRORS_UNPARSED_MESSAGE \
  "the request is malformed or not supported (HTTP/1.1 with a Host, one framing, " \
  "no unknown transfer coding, headers under 64 KiB)"

typedef struct _RndimgSoupErrors RndimgSoupErrors;

RndimgSoupErrors *rndimg_soup_errors_new  (SoupServer       *server);
void              rndimg_soup_errors_free (RndimgSoupErrors *errors);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSoupErrors, rndimg_soup_errors_free)

G_END_DECLS
