/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called once per dispatched event: @type ("message" unless the stream
 * named one), @data (its data lines joined by "\n"), @id (the last event
 * id seen so far, or NULL). */
typedef void (*RndimgSseEventFunc) (const char *type,
                                    const char *data,
                                    const char *id,
                                    gpointer    user_data);

typedef struct _RndimgSseParser RndimgSseParser;

RndimgSseParser *rndimg_sse_parser_new                (RndimgSseEventFunc  callback,
                                                       gpointer            user_data);
void             rndimg_sse_parser_free               (RndimgSseParser    *self);
void             rndimg_sse_parser_feed               (RndimgSseParser    *self,
                                                       const char         *data,
                                                       gsize               length);
void             rndimg_sse_parser_reset              (RndimgSseParser    *self);
const char      *rndimg_sse_parser_get_last_event_id  (RndimgSseParser    *self);
gint64           rndimg_sse_parser_get_retry          (RndimgSseParser    *self);
guint            rndimg_sse_parser_get_comment_count  (RndimgSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSseParser, rndimg_sse_parser_free)

G_END_DECLS
