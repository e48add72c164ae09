/* SPDX-License-Identifier: MIT */
/* Pictures on every node of a cluster, with no shared file system. A node
 * that publishes a picture of its own (an upload, a file dropped into its
 * folder) puts the bytes in Redis first (rndimg:picture:NAME, at most
 * --max-upload); a node following an event for a picture it does not have
 * fetches the bytes before it tells its clients (the Redis broker holds
 * the event meanwhile) and keeps them in its uploads folder, where the
 * catalogue takes them in without announcing them again. */
#include "rndimg-picture-store.h"
#include "rndimg-picture-writer.h"

struct _RndimgPictureStore
{
  RndimgRedisBroker *broker;     /* owned */
  RndimgCatalogue *catalogue;    /* owned */
  char *uploads_dir;
  gint64 max_bytes;
};

static gboolean
missing (const char *name, gpointer user_data)
{
  RndimgPictureStore *self = user_data;
  g_autoptr(RndimgPicture) known = rndimg_catalogue_lookup (self->catalogue, name);

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
  g_autoptr(RndimgPicture) image = rndimg_catalogue_lookup (self->catalogue, name);

  if (image != NULL)
    rndimg_picture_store_share_file (self, image, self->max_bytes);
}

static const RndimgRedisPictureHooks hooks = { missing, fetched, share };

/* Pictures of @catalogue shared through @broker, those of other nodes
 * kept in @uploads_dir; none larger than @max_bytes is put in Redis. */
RndimgPictureStore *
rndimg_picture_store_new (RndimgRedisBroker *broker, RndimgCatalogue *catalogue, const char *uploads_dir,
                          gint64 max_bytes)
{
  RndimgPictureStore *self = g_new0 (RndimgPictureStore, 1);

  self->broker = g_object_ref (broker);
  self->catalogue = g_object_ref (catalogue);
  self->uploads_dir = g_strdup (uploads_dir);
  self->max_bytes = max_bytes;
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
