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

/* Far above any real event, far below harm. */
#define RNDIMG_SSE_MAX_LINE_BYTES  (64 * 1024)
#define RNDIMG_SSE_MAX_EVENT_BYTES (256 * 1024)

#define RNDIMG_SSE_ERROR (rndimg_sse_error_quark ())
GQuark rndimg_sse_error_quark (void);

typedef enum {
  RNDIMG_SSE_ERROR_TOO_LONG,
} RndimgSseError;

typedef struct _RndimgSseParser RndimgSseParser;

RndimgSseParser *rndimg_sse_parser_new                (RndimgSseEventFunc  callback,
                                                       gpointer            user_data);
void             rndimg_sse_parser_free               (RndimgSseParser    *self);
gboolean         rndimg_sse_parser_feed               (RndimgSseParser    *self,
                                                       const char         *data,
                                                       gsize               length,
                                                       GError            **error);
void             rndimg_sse_parser_reset              (RndimgSseParser    *self);
const char      *rndimg_sse_parser_get_last_event_id  (RndimgSseParser    *self);
gint64           rndimg_sse_parser_get_retry          (RndimgSseParser    *self);
guint            rndimg_sse_parser_get_comment_count  (RndimgSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSseParser, rndimg_sse_parser_free)

G_END_DECLS
