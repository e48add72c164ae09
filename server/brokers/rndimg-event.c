/* SPDX-License-Identifier: MIT */
/* RndimgEvent, the value every broker hands out, and its JSON. */
#include "rndimg-event.h"
#include <json-glib/json-glib.h>

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

/* The event as clients see it; the URL is built on @base_url (the Host the
 * client used). @missed > 0 says how many older events fell out of history. */
char *
rndimg_event_to_json (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = g_uri_escape_string (event->name, "/", FALSE);
  g_autofree char *url = g_strconcat (base_url, "/static/img/", escaped, NULL);
  g_autofree char *album = rndimg_event_album (event);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, event->id);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, event->name);
  json_builder_set_member_name (builder, "album");
  if (album != NULL)
    json_builder_add_string_value (builder, album);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "published_at");
  json_builder_add_string_value (builder, event->published_at);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, event->source);
  if (event->epoch != NULL)
    {
      json_builder_set_member_name (builder, "epoch");
      json_builder_add_string_value (builder, event->epoch);
    }
  if (missed > 0)
    {
      json_builder_set_member_name (builder, "missed");
      json_builder_add_int_value (builder, missed);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
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
