/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RndimgRefusals RndimgRefusals;

RndimgRefusals *rndimg_refusals_new       (void);
void            rndimg_refusals_close_all (RndimgRefusals    *self);
void            rndimg_refusals_free      (RndimgRefusals    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgRefusals, rndimg_refusals_free)

void rndimg_refusal_refuse (RndimgRefusals    *self,
                            RndimgConnection  *connection,
                            guint              status,
                            const char        *message,
                            const char        *allow_origin);

G_END_DECLS
