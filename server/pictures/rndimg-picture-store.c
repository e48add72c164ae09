/* SPDX-License-Identifier: MIT */
/* Pictures on every node of a cluster, with no shared file system. A node
 * that publishes a picture of its own (an upload, a file dropped into its
 * folder) puts the bytes in Redis first (rndimg:picture:NAME, at most
 * --max-upload); a node following an event for a picture it does not have
 * fetches the bytes before it tells its clients (the Redis broker holds
 * the event meanwhile) and keeps them in its uploads folder, where the
 * catalogue takes them in without announcing them again. Another node's
 * changes (a picture deleted, edited or moved, an album made, changed or
 * deleted) are made here too before their events go out, so every node
 * agrees on what is gone and on what is private. */
#include "rndimg-picture-store.h"
#include "rndimg-catalogue-writes.h"
#include "rndimg-picture-writer.h"

#include <errno.h>
#include <string.h>

struct _RndimgPictureStore
{
  RndimgRedisBroker *broker;     /* owned */
  RndimgCatalogue *catalogue;    /* owned */
  char *uploads_dir;
  gint64 max_bytes;
  RndimgTrash *trash;            /* borrowed: the service's */
};

static gboolean
missing (const char *name, gpointer user_data)
{
  RndimgPictureStore *self = user_data;
  g_autoptr(RndimgPicture) known = rndimg_catalogue_lookup_any (self->catalogue, name);

  return known == NULL;
}

/* Fetched for an event: in the uploads folder and the catalogue before
 * the event goes out. */
static void
fetched (const char *name, GBytes *bytes, gpointer user_data)
{
  RndimgPictureStore *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgPicture) image = NULL;

  /* Names come from other nodes: only a picture name, never a path out. */
  if (!rndimg_catalogue_name_is_valid (name))
    {
      g_warning ("picture %s from Redis refused: not a picture name", name);
      return;
    }
  /* Written whole or not at all; a file of that name (one the catalogue
   * did not take) is left alone. */
  if (!rndimg_picture_writer_write (self->uploads_dir, name, bytes, &error))
    {
      g_warning ("picture %s from Redis not kept: %s", name, error->message);
      return;
    }
  image = rndimg_catalogue_refresh (self->catalogue, name, FALSE);
  if (image == NULL)
    g_warning ("picture %s from Redis is not an image the catalogue takes", name);
  else
    g_debug ("picture %s fetched from Redis", name);
}

/* Redis lacks a picture this node publishes (its events left the stream,
 * or it was too large when first seen): put it again if not too large. */
static void
share (const char *name, gpointer user_data)
{
  RndimgPictureStore *self = user_data;
  g_autoptr(RndimgPicture) image = rndimg_catalogue_lookup_any (self->catalogue, name);

  if (image != NULL)
    rndimg_picture_store_share_file (self, image, self->max_bytes);
}

static JsonObject *
payload_object (const RndimgEvent *event)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (event->payload == NULL || !json_parser_load_from_data (parser, event->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return json_object_new ();
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A moved picture's album made here when this node has no such album. */
static void
ensure_album (RndimgPictureStore *self, const char *name)
{
  const char *slash = strrchr (name, '/');
  g_autofree char *album = slash != NULL ? g_strndup (name, (gsize) (slash - name)) : NULL;
  g_autoptr(JsonObject) none = json_object_new ();
  g_autoptr(GError) error = NULL;

  if (album == NULL || rndimg_catalogue_get_album_any (self->catalogue, album) != NULL)
    return;
  if (strchr (album, '/') != NULL)
    ensure_album (self, album);
  if (!rndimg_catalogue_create_album (self->catalogue, album, none, &error))
    g_warning ("album %s (another node's) not made here: %s", album, error->message);
}

static gboolean
album_exists (RndimgPictureStore *self, const char *name)
{
  return rndimg_catalogue_get_album_any (self->catalogue, name) != NULL;
}

/* Another node's change, made here too (what is already so is left). */
static void
apply (const RndimgEvent *event, gpointer user_data)
{
  RndimgPictureStore *self = user_data;
  g_autoptr(JsonObject) payload = payload_object (event);
  g_autoptr(RndimgPicture) known = NULL;
  g_autoptr(RndimgPicture) done = NULL;
  g_autoptr(GPtrArray) deleted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *album = NULL;

  switch (event->kind)
    {
    case RNDIMG_EVENT_REMOVED:
      if ((known = rndimg_catalogue_lookup_any (self->catalogue, event->name)) != NULL)
        done = rndimg_catalogue_delete_picture (self->catalogue, self->trash, event->name, &error);
      break;
    case RNDIMG_EVENT_CHANGED:
      if ((known = rndimg_catalogue_lookup_any (self->catalogue, event->name)) != NULL)
        done = rndimg_catalogue_edit_picture (self->catalogue, event->name, payload, &error);
      break;
    case RNDIMG_EVENT_MOVED:
      if (event->from != NULL && (known = rndimg_catalogue_lookup_any (self->catalogue, event->from)) != NULL)
        {
          album = rndimg_event_album (event);
          ensure_album (self, event->name);
          done = rndimg_catalogue_move_picture (self->catalogue, event->from, album != NULL ? album : "", &error);
        }
      break;
    case RNDIMG_EVENT_ALBUM_CHANGED:
      if (album_exists (self, event->album_name))
        rndimg_catalogue_edit_album (self->catalogue, event->album_name, payload, &error);
      else
        rndimg_catalogue_create_album (self->catalogue, event->album_name, payload, &error);
      break;
    case RNDIMG_EVENT_ALBUM_REMOVED:
      if (album_exists (self, event->album_name))
        deleted = rndimg_catalogue_delete_album (self->catalogue, self->trash, event->album_name, TRUE, &error);
      break;
    case RNDIMG_EVENT_PUBLISHED:
    case RNDIMG_EVENT_KIND_N:
    default:
      break;
    }
  if (error != NULL)
    g_warning ("another node's change #%" G_GINT64_FORMAT " (%s) not made here: %s", event->id,
               rndimg_event_kind_to_string (event->kind), error->message);
}

static const RndimgRedisPictureHooks hooks = { missing, fetched, share, apply };

/* Pictures of @catalogue shared through @broker, those of other nodes
 * kept in @uploads_dir; none larger than @max_bytes is put in Redis. */
RndimgPictureStore *
rndimg_picture_store_new (RndimgRedisBroker *broker, RndimgCatalogue *catalogue, const char *uploads_dir,
                          gint64 max_bytes, RndimgTrash *trash)
{
  RndimgPictureStore *self = g_new0 (RndimgPictureStore, 1);

  self->broker = g_object_ref (broker);
  self->catalogue = g_object_ref (catalogue);
  self->uploads_dir = g_strdup (uploads_dir);
  self->max_bytes = max_bytes;
  self->trash = trash;
  rndimg_redis_broker_set_picture_hooks (broker, &hooks, self);
  return self;
}

void
rndimg_picture_store_free (RndimgPictureStore *self)
{
  rndimg_redis_broker_set_picture_hooks (self->broker, NULL, NULL);
  g_object_unref (self->catalogue);
  g_object_unref (self->broker);
  g_free (self->uploads_dir);
  g_free (self);
}

/* Before publishing picture @name from this node. */
void
rndimg_picture_store_share (RndimgPictureStore *self, const char *name, GBytes *bytes)
{
  rndimg_redis_broker_put_picture (self->broker, name, bytes);
}

/* A picture found in this node's folder, if it is not too large. */
void
rndimg_picture_store_share_file (RndimgPictureStore *self, const RndimgPicture *image, gint64 max_bytes)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (image->size > max_bytes || (file = g_mapped_file_new (image->path, FALSE, NULL)) == NULL)
    return;
  bytes = g_mapped_file_get_bytes (file);
  rndimg_picture_store_share (self, image->name, bytes);
}
