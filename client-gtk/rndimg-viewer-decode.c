/* SPDX-License-Identifier: MIT */
/* Pictures are decoded in a worker thread, never on the main loop (a
 * large JPEG takes a tenth of a second): GdkTexture is immutable and its
 * loaders (PNG, JPEG, TIFF, else gdk-pixbuf's) are thread-safe. The same
 * worker can make a square thumbnail, cropped from the centre, for the
 * history strip. */
#include "rndimg-viewer-decode.h"
#include "rndimg-client.h"

#include <glib/gi18n-lib.h>

typedef struct {
  GBytes *bytes;
  int thumbnail_side;
  GdkTexture *texture;
  GdkTexture *thumbnail;
} Decode;

static void
decode_free (Decode *decode)
{
  g_clear_pointer (&decode->bytes, g_bytes_unref);
  g_clear_object (&decode->texture);
  g_clear_object (&decode->thumbnail);
  g_free (decode);
}

/* A @side x @side picture of @texture's centre, scaled down with cairo's
 * good filter (it averages when it shrinks a lot). */
static GdkTexture *
square_thumbnail (GdkTexture *texture, int side)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  int crop = MIN (width, height);
  cairo_surface_t *source = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_surface_t *target = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, side, side);
  cairo_t *cr = cairo_create (target);
  g_autoptr(GBytes) pixels = NULL;
  int stride = cairo_image_surface_get_stride (target);

  /* GDK_MEMORY_DEFAULT is cairo's ARGB32: premultiplied, native order. */
  gdk_texture_download (texture, cairo_image_surface_get_data (source), cairo_image_surface_get_stride (source));
  cairo_surface_mark_dirty (source);
  cairo_scale (cr, (double) side / crop, (double) side / crop);
  cairo_set_source_surface (cr, source, -(width - crop) / 2.0, -(height - crop) / 2.0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (target);
  pixels = g_bytes_new (cairo_image_surface_get_data (target), (gsize) stride * side);
  cairo_surface_destroy (source);
  cairo_surface_destroy (target);
  return gdk_memory_texture_new (side, side, GDK_MEMORY_DEFAULT, pixels, (gsize) stride);
}

static void
decode_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Decode *decode = task_data;
  GError *error = NULL;

  decode->texture = gdk_texture_new_from_bytes (decode->bytes, &error);
  if (decode->texture == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (decode->thumbnail_side > 0 && !g_task_return_error_if_cancelled (task))
    decode->thumbnail = square_thumbnail (decode->texture, decode->thumbnail_side);
  g_task_return_boolean (task, TRUE);
}

/* Decodes @bytes (PNG, JPEG, and what gdk-pixbuf reads) into a texture
 * and, when @thumbnail_side > 0, a square thumbnail of that many pixels. */
void
rndimg_viewer_decode_async (GBytes *bytes, int thumbnail_side, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Decode *decode = g_new0 (Decode, 1);

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_viewer_decode_async));
  decode->bytes = g_bytes_ref (bytes);
  decode->thumbnail_side = thumbnail_side;
  g_task_set_task_data (task, decode, (GDestroyNotify) decode_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, decode_in_thread);
}

static void
thumbnail_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Decode *decode = task_data;

  decode->thumbnail = square_thumbnail (decode->texture, decode->thumbnail_side);
  g_task_return_boolean (task, TRUE);
}

/* A square thumbnail of @side pixels of @texture (a picture in hand). */
void
rndimg_viewer_thumbnail_async (GdkTexture *texture, int side, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Decode *decode = g_new0 (Decode, 1);

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_viewer_thumbnail_async));
  decode->texture = g_object_ref (texture);
  decode->thumbnail_side = side;
  g_task_set_task_data (task, decode, (GDestroyNotify) decode_free);
  g_task_run_in_thread (task, thumbnail_in_thread);
}

/* Returns (transfer full) the thumbnail. */
GdkTexture *
rndimg_viewer_thumbnail_finish (GAsyncResult *result, GError **error)
{
  Decode *decode = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_steal_pointer (&decode->thumbnail);
}

/* Returns (transfer full) the texture, and the thumbnail in @thumbnail
 * (transfer full; NULL when none was asked for). */
GdkTexture *
rndimg_viewer_decode_finish (GAsyncResult *result, GdkTexture **thumbnail, GError **error)
{
  Decode *decode = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  if (thumbnail != NULL)
    *thumbnail = g_steal_pointer (&decode->thumbnail);
  return g_steal_pointer (&decode->texture);
}
