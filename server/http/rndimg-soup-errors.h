/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void rndimg_soup_errors_attach (SoupServer *server);

G_END_DECLS
