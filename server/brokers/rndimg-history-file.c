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

static void
add_text (JsonBuilder *builder, const char *member_name, const char *text)
{
  if (text == NULL)
    return;
  json_builder_set_member_name (builder, member_name);
  json_builder_add_string_value (builder, text);
}

static void
add_change (JsonBuilder *builder, const RndimgEvent *event)
{
  add_text (builder, "type", rndimg_event_kind_to_string (event->kind));
  add_text (builder, "from", event->from);
  add_text (builder, "album", event->album_name);
  add_text (builder, "payload", event->payload);
  json_builder_set_member_name (builder, "private");
  json_builder_add_boolean_value (builder, event->is_private);
  json_builder_set_member_name (builder, "from_private");
  json_builder_add_boolean_value (builder, event->from_private);
}

static void
add_event (JsonBuilder *builder, const RndimgEvent *event)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, event->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, event->name);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, event->source);
  json_builder_set_member_name (builder, "published_at");
  json_builder_add_string_value (builder, event->published_at);
  if (event->kind != RNDIMG_EVENT_PUBLISHED)
    add_change (builder, event);
  json_builder_end_object (builder);
}

gboolean
rndimg_history_file_save (const char *path, const char *epoch, gint64 newest_id, GQueue *events,
                          gboolean durable, GError **error)
{
  g_autofree char *temporary = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *folder = g_path_get_dirname (path);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_string_value (builder, epoch);
  json_builder_set_member_name (builder, "newest_id");
  json_builder_add_int_value (builder, newest_id);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (GList *link = events->head; link != NULL; link = link->next)
    add_event (builder, link->data);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
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
