/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-catalogue.h"
#include "rndimg-placeholders.h"

G_BEGIN_DECLS

/* Pictures whose details are kept (a few hundred bytes each). */
#define RNDIMG_EVENT_DETAILS_KEPT 1024

typedef struct _RndimgEventDetails RndimgEventDetails;

RndimgEventDetails *rndimg_event_details_new      (RndimgCatalogue    *catalogue,
                                                   RndimgPlaceholders *placeholders);
void                rndimg_event_details_free     (RndimgEventDetails *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgEventDetails, rndimg_event_details_free)

char               *rndimg_event_details_url_path (const char         *name,
                                                   gpointer            event_details);
gboolean            rndimg_event_details_describe (const char         *name,
                                                   GString            *members,
                                                   gpointer            event_details);

G_END_DECLS
