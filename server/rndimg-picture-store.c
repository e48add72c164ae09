/* SPDX-License-Identifier: MIT */
/* Pictures on every node of a cluster, with no shared file system. A node
 * that publishes a picture of its own (an upload, a file dropped into its
 * folder) puts the bytes in Redis first (rndimg:picture:NAME, at most
 * --max-upload); every node that hears of a picture it does not have
 * fetches them and keeps them in its uploads folder, where the catalogue
 * takes them in without announcing them again. */
#include "rndimg-picture-store.h"

#include <errno.h>

struct _RndimgPictureStore
{
  RndimgRedisBroker *broker;     /* owned */
  RndimgCatalogue *catalogue;    /* owned */
  char *uploads_dir;
  gulong published_id;
  GHashTable *fetching;          /* names asked for, not yet here */
};

typedef struct {
  RndimgPictureStore *store;
  char *name;
} Fetch;

static void
keep (RndimgPictureStore *self, const char *name, GBytes *bytes)
{
  g_autofree char *path = g_build_filename (self->uploads_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgImage) image = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  if (g_mkdir_with_parents (self->uploads_dir, 0755) != 0 ||
      !g_file_set_contents_full (path, data, (gssize) size, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      g_warning ("picture %s from Redis not kept: %s", name, error ? error->message : g_strerror (errno));
      return;
    }
  image = rndimg_catalogue_refresh (self->catalogue, name, FALSE);
  if (image == NULL)
    g_warning ("picture %s from Redis is not an image the catalogue takes", name);
  else
    g_debug ("picture %s fetched from Redis", name);
}

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rndimg_redis_broker_get_picture_finish (RNDIMG_REDIS_BROKER (source), result, &error);

  if (fetch->store != NULL)
    {
      g_hash_table_remove (fetch->store->fetching, fetch->name);
      if (bytes != NULL)
        keep (fetch->store, fetch->name, bytes);
      else
        g_debug ("picture %s: %s", fetch->name, error->message);
    }
  g_free (fetch->name);
  g_free (fetch);
}

/* An event for a picture this node does not have: fetch it. */
static void
on_published (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  RndimgPictureStore *self = user_data;
  g_autoptr(RndimgImage) known = rndimg_catalogue_lookup (self->catalogue, event->name);
  Fetch *fetch;

  if (known != NULL || g_hash_table_contains (self->fetching, event->name))
    return;
  fetch = g_new0 (Fetch, 1);
  fetch->store = self;
  fetch->name = g_strdup (event->name);
  g_hash_table_insert (self->fetching, g_strdup (event->name), fetch);
  rndimg_redis_broker_get_picture_async (self->broker, event->name, on_fetched, fetch);
}

RndimgPictureStore *
rndimg_picture_store_new (RndimgRedisBroker *broker, RndimgCatalogue *catalogue, const char *uploads_dir)
{
  RndimgPictureStore *self = g_new0 (RndimgPictureStore, 1);

  self->broker = g_object_ref (broker);
  self->catalogue = g_object_ref (catalogue);
  self->uploads_dir = g_strdup (uploads_dir);
  self->fetching = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->published_id = g_signal_connect (broker, "published", G_CALLBACK (on_published), self);
  return self;
}

void
rndimg_picture_store_free (RndimgPictureStore *self)
{
  GHashTableIter iter;
  gpointer fetch;

  g_signal_handler_disconnect (self->broker, self->published_id);
  /* Answers still on their way find no store. */
  g_hash_table_iter_init (&iter, self->fetching);
  while (g_hash_table_iter_next (&iter, NULL, &fetch))
    ((Fetch *) fetch)->store = NULL;
  g_hash_table_unref (self->fetching);
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
rndimg_picture_store_share_file (RndimgPictureStore *self, const RndimgImage *image, gint64 max_bytes)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (image->size > max_bytes || (file = g_mapped_file_new (image->path, FALSE, NULL)) == NULL)
    return;
  bytes = g_mapped_file_get_bytes (file);
  rndimg_picture_store_share (self, image->name, bytes);
}
