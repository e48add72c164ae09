/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RndimgEventJson RndimgEventJson;

/* Writes the details of the picture called @name as JSON members, each
 * preceded by a comma (",\"bytes\":12,..."), the same for every base URL;
 * returns whether they are complete (FALSE: the picture or its BlurHash is
 * not known yet, and the event asks again when it is next handed out). */
typedef gboolean (*RndimgEventDescribeFunc) (const char *name,
                                             GString    *members,
                                             gpointer    user_data);

/* Returns (transfer full) the path the picture called @name is served at
 * ("/static/img/..."), whether it is known or not. */
typedef char *(*RndimgEventUrlPathFunc) (const char *name,
                                         gpointer    user_data);

typedef struct {
  RndimgEventDescribeFunc describe;
  RndimgEventUrlPathFunc url_path;
  gpointer user_data;
} RndimgEventDescriber;

/* One published picture. Immutable, shared by reference between the
 * broker that made it and every subscriber it reaches. */
typedef struct {
  gint64 id;
  char *name;
  const char *source;       /* "timer", "api", "upload" or "folder" */
  char *published_at;       /* RFC 3339 */
  const char *epoch;        /* interned: the history the id belongs to; NULL: none */
  gint64 lost_before;       /* events just before this one that this node never got
                             * (gone from a shared history before it read them): its
                             * live subscribers are told them as "missed" */
  RndimgEventJson *json;    /* the last JSON made of it, for the next to ask */
  char *url_path;           /* where the picture is served, from the describer; NULL: none yet */
  char *details;            /* the picture's details as JSON members (see
                             * RndimgEventDescribeFunc), made once; NULL: none yet */
  gboolean details_known;   /* FALSE: asked again next time (the picture may come) */
} RndimgEvent;

RndimgEvent *rndimg_event_new     (gint64             id,
                                   const char        *name,
                                   const char        *source);
RndimgEvent *rndimg_event_new_full (gint64             id,
                                   const char        *name,
                                   const char        *source,
                                   const char        *epoch,
                                   const char        *published_at);
char        *rndimg_event_album   (const RndimgEvent *event);
gboolean     rndimg_event_in_albums (const RndimgEvent *event,
                                   const char *const *albums);
const char  *rndimg_event_intern_source (const char *source);
void         rndimg_event_describe (RndimgEvent     *event,
                                   const RndimgEventDescriber *describer);
RndimgEvent *rndimg_event_ref     (RndimgEvent       *event);
void         rndimg_event_unref   (RndimgEvent       *event);
char        *rndimg_event_to_json (const RndimgEvent *event,
                                   const char        *base_url,
                                   gint64             missed);
GBytes      *rndimg_event_to_json_bytes (const RndimgEvent *event,
                                   const char        *base_url,
                                   gint64             missed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgEvent, rndimg_event_unref)

G_END_DECLS
