/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

G_BEGIN_DECLS

/* Where a client says to resume from: absent (follow live), an id, or
 * something that is not an id (400). */
typedef enum {
  RNDIMG_EVENT_ID_ABSENT,
  RNDIMG_EVENT_ID_VALID,
  RNDIMG_EVENT_ID_INVALID,
} RndimgEventIdKind;

#define RNDIMG_EVENT_ID_RULE "a whole number from 0 to 9223372036854775807"

RndimgEventIdKind rndimg_event_id_parse      (const char        *text,
                                              gint64            *id);
RndimgEventIdKind rndimg_event_id_from_query (RndimgExchange    *exchange,
                                              const char        *name,
                                              gint64            *id);

G_END_DECLS
