/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One published picture. Immutable, shared by reference. */
typedef struct {
  gint64 id;
  char *name;
  const char *source;       /* "timer", "api", "upload" or "folder" */
  char *published_at;       /* RFC 3339 */
} RndimgEvent;

RndimgEvent *rndimg_event_ref     (RndimgEvent *event);
void         rndimg_event_unref   (RndimgEvent *event);
char        *rndimg_event_to_json (const RndimgEvent *event,
                                   const char        *base_url,
                                   gint64             missed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgEvent, rndimg_event_unref)

#define RNDIMG_TYPE_PUBLISHER (rndimg_publisher_get_type ())
G_DECLARE_FINAL_TYPE (RndimgPublisher, rndimg_publisher, RNDIMG, PUBLISHER, GObject)

RndimgPublisher *rndimg_publisher_new        (guint            history_length);
RndimgEvent     *rndimg_publisher_publish    (RndimgPublisher *self,
                                              const char      *name,
                                              const char      *source);
RndimgEvent     *rndimg_publisher_next_after (RndimgPublisher *self,
                                              gint64           since,
                                              gint64          *missed);
GPtrArray       *rndimg_publisher_all_after  (RndimgPublisher *self,
                                              gint64           since,
                                              gint64          *missed);
RndimgEvent     *rndimg_publisher_get_newest (RndimgPublisher *self);
gint64           rndimg_publisher_get_newest_id (RndimgPublisher *self);
guint64          rndimg_publisher_get_published (RndimgPublisher *self);

G_END_DECLS
