/* SPDX-License-Identifier: MIT */
/* RndimgEvent, the value every broker hands out, and its JSON. */
#include "rndimg-event.h"
#include "rndimg-json-text.h"

#include <string.h>

/* One publish asks for the same JSON several times (its answer, each kind
 * of subscriber): the last one made is kept. */
struct _RndimgEventJson
{
  char *base_url;
  gint64 missed;
  GBytes *bytes;
};

static void
event_clear (RndimgEvent *event)
{
  g_free (event->name);
  g_free (event->published_at);
  g_free (event->details);
  g_free (event->url_path);
  g_free (event->json->base_url);
  g_clear_pointer (&event->json->bytes, g_bytes_unref);
  g_free (event->json);
}

static char *
now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* A new event stamped now. @source must be a static string. */
RndimgEvent *
rndimg_event_new (gint64 id, const char *name, const char *source)
{
  RndimgEvent *event = g_rc_box_new0 (RndimgEvent);

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

RndimgEvent *
rndimg_event_ref (RndimgEvent *event)
{
  return g_rc_box_acquire (event);
}

void
rndimg_event_unref (RndimgEvent *event)
{
  g_rc_box_release_full (event, (GDestroyNotify) event_clear);
}

/* Returns (transfer full) the album of the event's picture ("dogs" or
 * "dogs/puppies": its name up to the last '/'), or NULL for none. */
char *
rndimg_event_album (const RndimgEvent *event)
{
  const char *slash = strrchr (event->name, '/');

  return slash != NULL ? g_strndup (event->name, (gsize) (slash - event->name)) : NULL;
}

/* Whether the event's picture is in one of @albums (NULL: all). A
 * sub-album's pictures are in its parent album too. */
gboolean
rndimg_event_in_albums (const RndimgEvent *event, const char *const *albums)
{
  if (albums == NULL)
    return TRUE;
  for (guint i = 0; albums[i] != NULL; i++)
    {
      gsize length = strlen (albums[i]);

      if (strncmp (event->name, albums[i], length) == 0 && event->name[length] == '/')
        return TRUE;
    }
  return FALSE;
}

/* Gives the event its picture's details, once they are known (main thread
 * only, like the JSON kept with the event). @describer NULL: nothing. */
void
rndimg_event_describe (RndimgEvent *event, const RndimgEventDescriber *describer)
{
  g_autoptr(GString) members = NULL;

  if (describer == NULL)
    return;
  if (event->url_path == NULL && describer->url_path != NULL)
    event->url_path = describer->url_path (event->name, describer->user_data);
  if (describer->describe == NULL || event->details_known)
    return;
  members = g_string_new (NULL);
  event->details_known = describer->describe (event->name, members, describer->user_data);
  if (g_strcmp0 (event->details, members->str) == 0)
    return;
  g_free (event->details);
  event->details = g_string_free (g_steal_pointer (&members), FALSE);
  g_clear_pointer (&event->json->bytes, g_bytes_unref);   /* made without them */
}

/* The event as clients see it; the URL is built on @base_url (the Host the
 * client used). @missed > 0 says how many older events fell out of history. */
char *
rndimg_event_to_json (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  g_autoptr(GString) out = g_string_new ("{\"status\":\"success\",\"id\":");
  g_autofree char *url = event->url_path != NULL ? g_strconcat (base_url, event->url_path, NULL) : NULL;
  g_autofree char *album = rndimg_event_album (event);

  g_string_append_printf (out, "%" G_GINT64_FORMAT, event->id);
  rndimg_json_text_append_member (out, "message", url);
  rndimg_json_text_append_member (out, "url", url);
  rndimg_json_text_append_member (out, "name", event->name);
  rndimg_json_text_append_member (out, "album", album);
  rndimg_json_text_append_member (out, "published_at", event->published_at);
  rndimg_json_text_append_member (out, "source", event->source);
  if (event->epoch != NULL)
    rndimg_json_text_append_member (out, "epoch", event->epoch);
  if (missed > 0)
    g_string_append_printf (out, ",\"missed\":%" G_GINT64_FORMAT, missed);
  if (event->details != NULL)
    g_string_append (out, event->details);
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* rndimg_event_to_json() as bytes, made once for the same @base_url and
 * @missed however many ask in a row (main thread only). */
GBytes *
rndimg_event_to_json_bytes (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  RndimgEventJson *last = event->json;

  if (last->bytes == NULL || last->missed != missed || g_strcmp0 (last->base_url, base_url) != 0)
    {
      char *text = rndimg_event_to_json (event, base_url, missed);

      g_clear_pointer (&last->bytes, g_bytes_unref);
      g_free (last->base_url);
      last->bytes = g_bytes_new_take (text, strlen (text));
      last->base_url = g_strdup (base_url);
      last->missed = missed;
    }
  return g_bytes_ref (last->bytes);
}
