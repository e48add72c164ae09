/* SPDX-License-Identifier: MIT */
/* RndimgEvent, the value every broker hands out, and its JSON. */
#include "rndimg-event.h"
#include "rndimg-json-text.h"
#include "rndimg-utc-text.h"

#include <json-glib/json-glib.h>

#include <string.h>

/* One publish asks for the same JSON several times (its answer, each kind
 * of subscriber): the last one made is kept. */
struct _RndimgEventJson
{
  char *base_url;
  gint64 missed;
  RndimgEventView view;
  char *url_query;
  GBytes *bytes;
};

static const char *const kind_names[RNDIMG_EVENT_KIND_N] = {
  "published", "removed", "changed", "moved", "album-changed", "album-removed",
};

const char *
rndimg_event_kind_to_string (RndimgEventKind kind)
{
  return kind < RNDIMG_EVENT_KIND_N ? kind_names[kind] : "published";
}

gboolean
rndimg_event_kind_from_string (const char *text, RndimgEventKind *kind)
{
  for (guint i = 0; i < RNDIMG_EVENT_KIND_N; i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

static void
event_clear (RndimgEvent *event)
{
  g_free (event->name);
  g_free (event->from);
  g_free (event->album_name);
  g_free (event->payload);
  g_free (event->published_at);
  g_free (event->details);
  g_free (event->url_path);
  g_free (event->json->base_url);
  g_free (event->json->url_query);
  g_clear_pointer (&event->json->bytes, g_bytes_unref);
  g_free (event->json);
}

/* Now in UTC, as 2026-11-24T14:37:25.938523Z. */
static char *
now_rfc3339 (void)
{
  char text[RNDIMG_UTC_TEXT_SIZE];

  rndimg_utc_text (g_get_real_time (), text);
  return g_strdup (text);
}

/* A new event stamped now. @source must be a static string. */
RndimgEvent *
rndimg_event_new (gint64 id, const char *name, const char *source)
{
  RndimgEvent *event = g_atomic_rc_box_new0 (RndimgEvent);

  event->id = id;
  event->name = g_strdup (name);
  event->source = source;
  event->published_at = now_rfc3339 ();
  event->json = g_new0 (RndimgEventJson, 1);
  return event;
}

/* An event made elsewhere (a state file, Redis): @epoch and @source are
 * interned here, @published_at (NULL: now) is copied. */
RndimgEvent *
rndimg_event_new_full (gint64 id, const char *name, const char *source, const char *epoch,
                       const char *published_at)
{
  RndimgEvent *event = rndimg_event_new (id, name, rndimg_event_intern_source (source));

  event->epoch = g_intern_string (epoch);
  if (published_at != NULL)
    {
      g_free (event->published_at);
      event->published_at = g_strdup (published_at);
    }
  return event;
}

/* Sets what @change says of @event (a new one, not yet shared). */
void
rndimg_event_set_change (RndimgEvent *event, const RndimgEventChange *change)
{
  event->kind = change->kind < RNDIMG_EVENT_KIND_N ? change->kind : RNDIMG_EVENT_PUBLISHED;
  g_free (event->from);
  event->from = g_strdup (change->from);
  g_free (event->album_name);
  event->album_name = rndimg_event_is_about_albums (event) ? g_strdup (change->album) : NULL;
  event->is_private = change->is_private;
  event->from_private = change->from_private;
  g_free (event->payload);
  event->payload = g_strdup (change->payload);
}

/* What @event changed, as a RndimgEventChange (borrowing its strings). */
void
rndimg_event_get_change (const RndimgEvent *event, RndimgEventChange *change)
{
  *change = (RndimgEventChange) {
    .kind = event->kind, .name = rndimg_event_is_about_albums (event) ? NULL : event->name,
    .from = event->from, .album = event->album_name, .source = event->source,
    .is_private = event->is_private, .from_private = event->from_private, .payload = event->payload,
  };
}

/* A new event stamped now for @change. */
RndimgEvent *
rndimg_event_new_change (gint64 id, const RndimgEventChange *change)
{
  const char *name = change->kind == RNDIMG_EVENT_ALBUM_CHANGED || change->kind == RNDIMG_EVENT_ALBUM_REMOVED
                     ? "" : change->name;
  RndimgEvent *event = rndimg_event_new (id, name, rndimg_event_intern_source (change->source));

  rndimg_event_set_change (event, change);
  return event;
}

/* Whether @event is an album's (its name is empty, its album named). */
gboolean
rndimg_event_is_about_albums (const RndimgEvent *event)
{
  return event->kind == RNDIMG_EVENT_ALBUM_CHANGED || event->kind == RNDIMG_EVENT_ALBUM_REMOVED;
}

/* The static string for a source read back as text; unknown ones are
 * interned, so an event never points into a buffer that goes away. */
const char *
rndimg_event_intern_source (const char *source)
{
  static const char *const known[] = { "timer", "api", "upload", "folder" };

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (source, known[i]) == 0)
      return known[i];
  return g_intern_string (source != NULL ? source : "api");
}

/* Counted atomically: a history save in a thread of its own holds events
 * (rndimg-history-saver.c), and may drop the last reference there. */
RndimgEvent *
rndimg_event_ref (RndimgEvent *event)
{
  return g_atomic_rc_box_acquire (event);
}

void
rndimg_event_unref (RndimgEvent *event)
{
  g_atomic_rc_box_release_full (event, (GDestroyNotify) event_clear);
}

/* Returns (transfer full) the album of the event's picture ("dogs" or
 * "dogs/puppies": its name up to the last '/'), or NULL for none. */
char *
rndimg_event_album (const RndimgEvent *event)
{
  const char *slash = strrchr (event->name, '/');

  if (rndimg_event_is_about_albums (event))
    return g_strdup (event->album_name);
  return slash != NULL ? g_strndup (event->name, (gsize) (slash - event->name)) : NULL;
}

/* Whether picture @name ("dogs/001.png"), or album @name itself when
 * @is_album, is in @album or below it. */
static gboolean
name_in_album (const char *name, gboolean is_album, const char *album)
{
  gsize length = strlen (album);

  return name != NULL && strncmp (name, album, length) == 0 &&
         (name[length] == '/' || (is_album && name[length] == '\0'));
}

/* Whether the event's picture is in one of @albums (NULL: all): a
 * sub-album's pictures are in its parent album too, a moved picture's
 * event is in both albums, an album's event in that album. */
gboolean
rndimg_event_in_albums (const RndimgEvent *event, const char *const *albums)
{
  gboolean about_albums = rndimg_event_is_about_albums (event);

  if (albums == NULL)
    return TRUE;
  for (guint i = 0; albums[i] != NULL; i++)
    if (name_in_album (about_albums ? event->album_name : event->name, about_albums, albums[i]) ||
        name_in_album (event->from, FALSE, albums[i]))
      return TRUE;
  return FALSE;
}

/* Gives the event its picture's details, once they are known (main thread
 * only, like the JSON kept with the event). @describer NULL: nothing. */
void
rndimg_event_describe (RndimgEvent *event, const RndimgEventDescriber *describer)
{
  g_autoptr(GString) members = NULL;

  if (describer == NULL || rndimg_event_is_about_albums (event))
    return;
  if (event->url_path == NULL && describer->url_path != NULL)
    event->url_path = describer->url_path (event->name, describer->user_data);
  if (describer->describe == NULL || event->details_known)
    return;
  /* Sized for a picture's details (~450 bytes): no regrowth. */
  members = g_string_sized_new (512);
  event->details_known = describer->describe (event->name, members, describer->user_data);
  if (g_strcmp0 (event->details, members->str) == 0)
    return;
  g_free (event->details);
  event->details = g_string_free (g_steal_pointer (&members), FALSE);
  g_clear_pointer (&event->json->bytes, g_bytes_unref);   /* made without them */
}

static const char *
album_or_null (const char *name, char **album)
{
  const char *slash = name != NULL ? strrchr (name, '/') : NULL;

  *album = slash != NULL ? g_strndup (name, (gsize) (slash - name)) : NULL;
  return *album;
}

/* An album's settings, from the payload: its "title", the title's
 * translations and "private". */
static void
append_album_settings (GString *out, const RndimgEvent *event)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *settings = NULL;
  JsonNode *languages = NULL;
  const char *title = NULL;

  if (event->payload != NULL && json_parser_load_from_data (parser, event->payload, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    settings = json_node_get_object (json_parser_get_root (parser));
  if (settings != NULL)
    {
      title = json_object_get_string_member_with_default (settings, "title", NULL);
      languages = json_object_get_member (settings, "title_by_language");
    }
  rndimg_json_text_append_member (out, "title", title);
  g_string_append (out, ",\"title_by_language\":");
  if (languages != NULL && JSON_NODE_HOLDS_OBJECT (languages))
    {
      g_autofree char *text = json_to_string (languages, FALSE);

      g_string_append (out, text);
    }
  else
    g_string_append (out, "null");
  g_string_append (out, event->is_private ? ",\"private\":true" : ",\"private\":false");
}

/* The event as one reader sees it (@view), the URL built on @base_url
 * (the Host the client used) and @url_query (NULL: none; a private
 * picture's signature). @missed > 0 says how many older events fell out
 * of history. */
char *
rndimg_event_to_json_viewed (const RndimgEvent *event, const char *base_url, gint64 missed, RndimgEventView view,
                             const char *url_query)
{
  /* Sized for an event with a picture's details (~650 bytes). */
  g_autoptr(GString) out = g_string_sized_new (768);
  RndimgEventKind kind = view == RNDIMG_EVENT_VIEW_AS_REMOVED ? RNDIMG_EVENT_REMOVED
                         : view == RNDIMG_EVENT_VIEW_AS_ADDED ? RNDIMG_EVENT_PUBLISHED : event->kind;
  const char *name = view == RNDIMG_EVENT_VIEW_AS_REMOVED ? event->from : event->name;
  gboolean about_albums = rndimg_event_is_about_albums (event);
  gboolean has_url = event->url_path != NULL && kind != RNDIMG_EVENT_REMOVED && !about_albums;
  g_autofree char *url = has_url ? g_strconcat (base_url, event->url_path, url_query != NULL ? "?" : NULL,
                                                url_query, NULL) : NULL;
  g_autofree char *album = NULL;

  g_string_append (out, "{\"status\":\"success\",\"id\":");
  rndimg_json_text_append_number (out, (guint64) MAX (event->id, 0));
  rndimg_json_text_append_member (out, "type", rndimg_event_kind_to_string (kind));
  rndimg_json_text_append_member (out, "message", url);
  rndimg_json_text_append_member (out, "url", url);
  rndimg_json_text_append_member (out, "name", about_albums ? NULL : name);
  rndimg_json_text_append_member (out, "album", about_albums ? event->album_name : album_or_null (name, &album));
  if (kind == RNDIMG_EVENT_MOVED)
    rndimg_json_text_append_member (out, "from", event->from);
  rndimg_json_text_append_member (out, "published_at", event->published_at);
  rndimg_json_text_append_member (out, "source", event->source);
  if (event->epoch != NULL)
    rndimg_json_text_append_member (out, "epoch", event->epoch);
  if (missed > 0)
    {
      g_string_append (out, ",\"missed\":");
      rndimg_json_text_append_number (out, (guint64) missed);
    }
  if (about_albums)
    append_album_settings (out, event);
  else
    {
      if (event->details != NULL)
        g_string_append (out, event->details);
      rndimg_json_text_append_member (out, "signature", has_url ? url_query : NULL);
    }
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The event as a reader of every album sees it, without signatures. */
char *
rndimg_event_to_json (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  return rndimg_event_to_json_viewed (event, base_url, missed, RNDIMG_EVENT_VIEW_WHOLE, NULL);
}

/* What kind of event @look shows (a move seen from one side is a removal
 * or an addition). */
RndimgEventKind
rndimg_event_look_kind (const RndimgEvent *event, const RndimgEventLook *look)
{
  if (look->view == RNDIMG_EVENT_VIEW_AS_REMOVED)
    return RNDIMG_EVENT_REMOVED;
  if (look->view == RNDIMG_EVENT_VIEW_AS_ADDED)
    return RNDIMG_EVENT_PUBLISHED;
  return event->kind;
}

/* The event's JSON as @look says, made once for the same look however
 * many ask in a row (main thread only). */
GBytes *
rndimg_event_look_json (const RndimgEvent *event, const RndimgEventLook *look)
{
  RndimgEventJson *last = event->json;

  if (last->bytes == NULL || last->missed != look->missed || last->view != look->view ||
      g_strcmp0 (last->base_url, look->base_url) != 0 || g_strcmp0 (last->url_query, look->url_query) != 0)
    {
      char *text = rndimg_event_to_json_viewed (event, look->base_url, look->missed, look->view, look->url_query);

      g_clear_pointer (&last->bytes, g_bytes_unref);
      g_free (last->base_url);
      g_free (last->url_query);
      last->bytes = g_bytes_new_take (text, strlen (text));
      last->base_url = g_strdup (look->base_url);
      last->url_query = g_strdup (look->url_query);
      last->missed = look->missed;
      last->view = look->view;
    }
  return g_bytes_ref (last->bytes);
}

/* rndimg_event_to_json() as bytes (a reader of everything, no signature),
 * made once for the same @base_url and @missed however many ask in a row. */
GBytes *
rndimg_event_to_json_bytes (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  RndimgEventLook look = { base_url, missed, RNDIMG_EVENT_VIEW_WHOLE, NULL };

  return rndimg_event_look_json (event, &look);
}

/* rndimg_event_in_albums() for a reader who sees only one side of a move
 * (@view): a move out of a private album is in the album it went to, one
 * into a private album in the album it left, and no other. */
gboolean
rndimg_event_in_albums_viewed (const RndimgEvent *event, const char *const *albums, RndimgEventView view)
{
  const char *side = view == RNDIMG_EVENT_VIEW_AS_REMOVED ? event->from
                     : view == RNDIMG_EVENT_VIEW_AS_ADDED ? event->name : NULL;

  if (albums == NULL || side == NULL)
    return rndimg_event_in_albums (event, albums);
  for (guint i = 0; albums[i] != NULL; i++)
    if (name_in_album (side, FALSE, albums[i]))
      return TRUE;
  return FALSE;
}
