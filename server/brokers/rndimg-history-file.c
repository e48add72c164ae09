/* SPDX-License-Identifier: MIT */
/* A broker's state on disk (--state-file), so ids continue after a
 * restart: the memory broker keeps its epoch, newest id and events; the
 * Redis broker its epoch and newest id only (no events, Redis has them):
 * {"epoch":"…","newest_id":N,"events":[{"id":…,"name":…,"source":…,
 * "published_at":…}, …]}, a change's event with its "type" (absent:
 * published), "from", "album", "private", "from_private" and "payload"
 * (see RndimgEventChange). Written whole and renamed into place, so a
 * crash leaves the old file or the new one, never half of one. */
#include "rndimg-history-file.h"
#include "rndimg-json-text.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static gboolean
bad_file (GError **error, const char *path, const char *what)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, what);
  return FALSE;
}

static RndimgEvent *
event_from_object (JsonObject *object, const char *epoch)
{
  const char *name = json_object_get_string_member_with_default (object, "name", NULL);
  gint64 id = json_object_get_int_member_with_default (object, "id", 0);
  RndimgEventChange change = {
    .kind = RNDIMG_EVENT_PUBLISHED,
    .name = name,
    .from = json_object_get_string_member_with_default (object, "from", NULL),
    .album = json_object_get_string_member_with_default (object, "album", NULL),
    .is_private = json_object_get_boolean_member_with_default (object, "private", FALSE),
    .from_private = json_object_get_boolean_member_with_default (object, "from_private", FALSE),
    .payload = json_object_get_string_member_with_default (object, "payload", NULL),
  };
  RndimgEvent *event;

  if (name == NULL || id <= 0 ||
      (json_object_has_member (object, "type") &&
       !rndimg_event_kind_from_string (json_object_get_string_member_with_default (object, "type", NULL),
                                       &change.kind)))
    return NULL;
  event = rndimg_event_new_full (id, name, json_object_get_string_member_with_default (object, "source", "api"),
                                 epoch, json_object_get_string_member_with_default (object, "published_at", NULL));
  rndimg_event_set_change (event, &change);
  return event;
}

/* Fills @events (oldest first) from @path. A missing file is
 * G_FILE_ERROR_NOENT; anything unreadable is G_FILE_ERROR_INVAL. */
gboolean
rndimg_history_file_load (const char *path, char **epoch, gint64 *newest_id, GQueue *events, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *list;
  const char *epoch_text;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return bad_file (error, path, "not a JSON object");
  root = json_node_get_object (json_parser_get_root (parser));
  epoch_text = json_object_get_string_member_with_default (root, "epoch", NULL);
  *newest_id = json_object_get_int_member_with_default (root, "newest_id", -1);
  list = json_object_has_member (root, "events") ? json_object_get_array_member (root, "events") : NULL;
  if (epoch_text == NULL || *epoch_text == '\0' || *newest_id < 0 || list == NULL)
    return bad_file (error, path, "no epoch, newest_id or events");
  *epoch = g_strdup (epoch_text);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      RndimgEvent *event = JSON_NODE_HOLDS_OBJECT (node) ? event_from_object (json_node_get_object (node), *epoch) : NULL;

      if (event != NULL && event->id <= *newest_id)
        g_queue_push_tail (events, event);
      else if (event != NULL)
        rndimg_event_unref (event);
    }
  return TRUE;
}

/* ,"@member_name":"@text", nothing for NULL. */
static void
add_text (GString *out, const char *member_name, const char *text)
{
  if (text != NULL)
    rndimg_json_text_append_member (out, member_name, text);
}

static void
add_boolean (GString *out, const char *member_name, gboolean value)
{
  rndimg_json_text_append_name (out, member_name);
  g_string_append (out, value ? "true" : "false");
}

static void
add_change (GString *out, const RndimgEvent *event)
{
  add_text (out, "type", rndimg_event_kind_to_string (event->kind));
  add_text (out, "from", event->from);
  add_text (out, "album", event->album_name);
  add_text (out, "payload", event->payload);
  add_boolean (out, "private", event->is_private);
  add_boolean (out, "from_private", event->from_private);
}

static void
add_event (GString *out, const RndimgEvent *event)
{
  g_string_append (out, "{\"id\":");
  rndimg_json_text_append_number (out, (guint64) event->id);
  rndimg_json_text_append_member (out, "name", event->name);
  rndimg_json_text_append_member (out, "source", event->source);
  rndimg_json_text_append_member (out, "published_at", event->published_at);
  if (event->kind != RNDIMG_EVENT_PUBLISHED)
    add_change (out, event);
  g_string_append_c (out, '}');
}

/* The file's text, written straight (json-glib's builder and its tree
 * cost ten times as much: a save is made often). */
static char *
state_text (const char *epoch, gint64 newest_id, GQueue *events)
{
  GString *out = g_string_sized_new (256 + 160 * events->length);

  g_string_append (out, "{\"epoch\":");
  rndimg_json_text_append_string (out, epoch);
  rndimg_json_text_append_name (out, "newest_id");
  rndimg_json_text_append_number (out, (guint64) MAX (newest_id, 0));
  rndimg_json_text_append_name (out, "events");
  g_string_append_c (out, '[');
  for (GList *link = events->head; link != NULL; link = link->next)
    {
      if (link != events->head)
        g_string_append_c (out, ',');
      add_event (out, link->data);
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

gboolean
rndimg_history_file_save (const char *path, const char *epoch, gint64 newest_id, GQueue *events,
                          gboolean durable, GError **error)
{
  g_autofree char *temporary = NULL;
  g_autofree char *text = state_text (epoch, newest_id, events);
  g_autofree char *folder = g_path_get_dirname (path);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot create %s: %s",
                   folder, g_strerror (errno));
      return FALSE;
    }
  if (durable)
    return g_file_set_contents_full (path, text, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
  /* Renamed into place, not synced: what a killed process wrote is in the
   * page cache already, and nobody waits for the disk. */
  temporary = g_strconcat (path, ".new", NULL);
  if (!g_file_set_contents_full (temporary, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, error))
    return FALSE;
  if (g_rename (temporary, path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot rename %s: %s",
                   temporary, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
