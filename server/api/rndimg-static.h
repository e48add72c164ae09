/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <libsoup/soup.h>

#include "rndimg-catalogue.h"
#include "rndimg-picture-gate.h"

G_BEGIN_DECLS

typedef struct _RndimgStatic RndimgStatic;

RndimgStatic *rndimg_static_new         (RndimgCatalogue   *catalogue,
                                         const char        *web_dir);
void          rndimg_static_free        (RndimgStatic      *self);
void          rndimg_static_set_gate    (RndimgStatic      *self,
                                         RndimgPictureGate *gate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgStatic, rndimg_static_free)

void          rndimg_static_serve_image (RndimgExchange *exchange, const char *path,
                                         GHashTable *query, gpointer static_files);
void          rndimg_static_serve_web   (RndimgExchange *exchange, const char *path,
                                         GHashTable *query, gpointer static_files);

G_END_DECLS
