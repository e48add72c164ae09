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

/* What an event says happened. */
typedef enum {
  RNDIMG_EVENT_PUBLISHED,       /* a picture shown (the slideshow, a publish, an upload, a new file) */
  RNDIMG_EVENT_REMOVED,         /* a picture deleted */
  RNDIMG_EVENT_CHANGED,         /* a picture's text (title, alt, author, licence, source) changed */
  RNDIMG_EVENT_MOVED,           /* a picture moved to another album: its name changed */
  RNDIMG_EVENT_ALBUM_CHANGED,   /* an album made, or its title or privacy changed */
  RNDIMG_EVENT_ALBUM_REMOVED,   /* an album deleted */
  RNDIMG_EVENT_KIND_N,
} RndimgEventKind;

/* A change to publish (see rndimg_broker_publish_change_async()). */
typedef struct {
  RndimgEventKind kind;
  const char *name;         /* the picture (moved: its new name); NULL for an album's event */
  const char *from;         /* moved: the picture's old name */
  const char *album;        /* an album's event: the album */
  const char *source;       /* a static string: "api", "folder", ... */
  gboolean is_private;      /* the picture's album (an album event's album) was private */
  gboolean from_private;    /* moved: the old album was private */
  const char *payload;      /* a JSON object other nodes need to apply the change (a
                             * picture's text, an album's settings); NULL: none */
} RndimgEventChange;

/* One published picture, or one change. Immutable, shared by reference
 * between the broker that made it and every subscriber it reaches. */
typedef struct {
  gint64 id;
  RndimgEventKind kind;
  char *name;               /* the picture; an album's event: NULL */
  char *from;               /* moved: the old name; else NULL */
  char *album_name;         /* an album's event: the album; else NULL (see rndimg_event_album()) */
  gboolean is_private;      /* in a private album when it happened */
  gboolean from_private;
  char *payload;            /* see RndimgEventChange; NULL: none */
  const char *node;         /* interned: the node it was published on; NULL: this one, or unknown */
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
RndimgEvent *rndimg_event_new_change (gint64          id,
                                   const RndimgEventChange *change);
void         rndimg_event_set_change (RndimgEvent     *event,
                                   const RndimgEventChange *change);
void         rndimg_event_get_change (const RndimgEvent *event,
                                   RndimgEventChange *change);
const char  *rndimg_event_kind_to_string (RndimgEventKind kind);
gboolean     rndimg_event_kind_from_string (const char *text,
                                   RndimgEventKind   *kind);
gboolean     rndimg_event_is_about_albums (const RndimgEvent *event);
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

/* How one reader sees an event of a private album it may or may not read. */
typedef enum {
  RNDIMG_EVENT_VIEW_WHOLE,      /* as it is */
  RNDIMG_EVENT_VIEW_HIDDEN,     /* not at all */
  RNDIMG_EVENT_VIEW_AS_REMOVED, /* a move into a private album: the old name removed */
  RNDIMG_EVENT_VIEW_AS_ADDED,   /* a move out of one: the new name published */
} RndimgEventView;

char        *rndimg_event_to_json_viewed (const RndimgEvent *event,
                                   const char        *base_url,
                                   gint64             missed,
                                   RndimgEventView    view,
                                   const char        *url_query);

/* How one reader gets an event. */
typedef struct {
  const char *base_url;     /* the Host the client used */
  gint64 missed;            /* older events it will never get */
  RndimgEventView view;
  const char *url_query;    /* a private picture's signature ("expires=...&sig=..."); NULL: none */
} RndimgEventLook;

gboolean     rndimg_event_in_albums_viewed (const RndimgEvent *event,
                                   const char *const *albums,
                                   RndimgEventView    view);
GBytes      *rndimg_event_look_json (const RndimgEvent     *event,
                                   const RndimgEventLook *look);
RndimgEventKind rndimg_event_look_kind (const RndimgEvent     *event,
                                   const RndimgEventLook *look);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgEvent, rndimg_event_unref)

G_END_DECLS
