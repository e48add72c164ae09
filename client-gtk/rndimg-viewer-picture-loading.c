/* SPDX-License-Identifier: MIT */
/* The picture widget's loading: a new picture shows its placeholder (its
 * BlurHash, else its average colour, drawn where the picture will be) at
 * once, then the canonical variant its shown size needs, downloaded and
 * decoded off the main loop. Whenever the shown size outgrows the texture
 * in hand (a larger window, full screen, zoom, a new scale factor), the
 * next variant of the ladder (rndimg-variant-size.c) is fetched a moment
 * after the size settles, never once per resize event, and the old one
 * stays on screen until the new one is decoded. Past the ladder, or at
 * the picture's own size, the original file is fetched. */
#include "rndimg-viewer-picture-private.h"
#include "rndimg-blurhash-decode.h"
#include "rndimg-variant-size.h"
#include "rndimg-viewer-decode.h"

#include <string.h>

#define PLACEHOLDER_SIDE 32   /* the longer side of a placeholder, drawn scaled */
#define SETTLE_MS 250         /* a size that lasts this long is one to fetch for */

/* @answer's BlurHash (else its average colour) as a small texture of the
 * picture's proportions, or NULL when the answer says too little. */
GdkTexture *
_rndimg_viewer_picture_placeholder_for (const RndimgAnswer *answer)
{
  guint width, height;
  g_autofree guint8 *rgb = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 colour[3];

  if (answer->width == 0 || answer->height == 0)
    return NULL;
  width = answer->width >= answer->height ? PLACEHOLDER_SIDE
                                          : MAX (1, PLACEHOLDER_SIDE * answer->width / answer->height);
  height = answer->height >= answer->width ? PLACEHOLDER_SIDE
                                           : MAX (1, PLACEHOLDER_SIDE * answer->height / answer->width);
  if (answer->blurhash != NULL)
    rgb = rndimg_blurhash_decode (answer->blurhash, width, height);
  if (rgb == NULL && rndimg_colour_parse (answer->colour, colour))
    {
      rgb = g_malloc ((gsize) width * height * 3);
      for (gsize i = 0; i < (gsize) width * height; i++)
        memcpy (rgb + i * 3, colour, 3);
    }
  if (rgb == NULL)
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&rgb), (gsize) width * height * 3);
  return gdk_memory_texture_new ((int) width, (int) height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

/* One download and decode, trying its URLs in order. */
typedef struct {
  RndimgViewerPicture *self;
  RndimgAnswer *answer;
  GStrv urls;
  guint next;
  guint side;                /* the variant side asked for; 0: the original */
  gboolean first;            /* the first texture of a load: it makes a thumbnail */
  GCancellable *cancellable;
  GError *error;             /* why the last URL did not do */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_object_unref (fetch->self);
  rndimg_answer_free (fetch->answer);
  g_strfreev (fetch->urls);
  g_object_unref (fetch->cancellable);
  g_clear_error (&fetch->error);
  g_free (fetch);
}

/* What to ask for, in order: the variant and, if there is none to be
 * had (an older server, a full render queue), the file; the file and, if
 * it does not decode here (WebP without its loader), the largest
 * variant. */
static GStrv
urls_for (const RndimgAnswer *answer, guint side)
{
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
  guint variant_side = side > 0 ? side : RNDIMG_VARIANT_LARGEST_SIDE;
  g_autofree char *variant = rndimg_client_variant_url (answer->url, answer->variant_version,
                                                        (int) variant_side, (int) variant_side, 1);

  if (side > 0 && variant != NULL)
    g_strv_builder_add (urls, variant);
  g_strv_builder_add (urls, answer->url);
  if (side == 0 && variant != NULL)
    g_strv_builder_add (urls, variant);
  return g_strv_builder_end (urls);
}

static void fetch_next (Fetch *fetch);

static void
first_load_return (RndimgViewerPicture *self, GdkTexture *texture, GdkTexture *thumbnail, GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->first_load);

  g_clear_pointer (&self->loading, rndimg_answer_free);
  if (task == NULL)
    {
      if (error != NULL)
        g_error_free (error);
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, thumbnail != NULL ? g_object_ref (thumbnail) : NULL, g_object_unref);
  g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
}

/* The fetch is over, well or not: it is no longer in flight. */
static void
fetch_done (Fetch *fetch)
{
  RndimgViewerPicture *self = fetch->self;

  if (self->fetch_cancellable == fetch->cancellable)
    {
      g_clear_object (&self->fetch_cancellable);
      self->fetching_side = G_MAXUINT;
    }
}

static void
fetch_failed (Fetch *fetch)
{
  RndimgViewerPicture *self = fetch->self;

  fetch_done (fetch);
  if (fetch->first)
    first_load_return (self, NULL, NULL, g_steal_pointer (&fetch->error));
  else
    g_debug ("a larger picture of %s could not be had: %s", fetch->answer->name, fetch->error->message);
  fetch_free (fetch);
}

static gboolean
is_larger (GdkTexture *texture, GdkTexture *than)
{
  return than == NULL || (gint64) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) >
                         (gint64) gdk_texture_get_width (than) * gdk_texture_get_height (than);
}

static void
on_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  RndimgViewerPicture *self = fetch->self;
  g_autoptr(GdkTexture) thumbnail = NULL;
  g_autoptr(GdkTexture) texture = rndimg_viewer_decode_finish (result, &thumbnail, &fetch->error);

  if (g_cancellable_is_cancelled (fetch->cancellable))
    {
      fetch_free (fetch);
      return;
    }
  if (texture == NULL)
    {
      fetch_next (fetch);
      return;
    }
  fetch_done (fetch);
  if (fetch->first)
    {
      _rndimg_viewer_picture_set_shown (self, fetch->answer, texture);
      first_load_return (self, texture, thumbnail, NULL);
    }
  else if (self->answer != NULL && g_strcmp0 (self->answer->url, fetch->answer->url) == 0 &&
           is_larger (texture, self->texture))
    _rndimg_viewer_picture_set_texture (self, texture);
  fetch_free (fetch);
  /* The size may have changed while it came. */
  _rndimg_viewer_picture_sharpen_later (self);
}

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GBytes) bytes = NULL;

  g_clear_error (&fetch->error);
  bytes = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), result, &fetch->error);
  if (g_cancellable_is_cancelled (fetch->cancellable))
    fetch_free (fetch);
  else if (bytes == NULL)
    fetch_next (fetch);
  else
    rndimg_viewer_decode_async (bytes, fetch->first ? RNDIMG_VIEWER_THUMBNAIL_SIDE : 0, fetch->cancellable,
                                on_decoded, fetch);
}

static void
fetch_next (Fetch *fetch)
{
  const char *url = fetch->urls[fetch->next];

  if (url == NULL)
    {
      fetch_failed (fetch);
      return;
    }
  fetch->next++;
  rndimg_client_fetch_async (fetch->self->client, url, fetch->cancellable, on_fetched, fetch);
}

/* Fetches @answer's picture at @side (0: the original), in place of any
 * fetch in flight. */
static void
start_fetch (RndimgViewerPicture *self, const RndimgAnswer *answer, guint side, gboolean first)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  if (self->fetch_cancellable != NULL)
    g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  self->fetch_cancellable = g_cancellable_new ();
  self->fetching_side = side;
  fetch->self = g_object_ref (self);
  fetch->answer = rndimg_answer_copy (answer);
  fetch->urls = urls_for (answer, side);
  fetch->side = side;
  fetch->first = first;
  fetch->cancellable = g_object_ref (self->fetch_cancellable);
  fetch_next (fetch);
}

/* The variant side @self's shown size needs (0: the original). */
static guint
needed_side (RndimgViewerPicture *self)
{
  return rndimg_variant_side_for (self->picture_width, self->picture_height,
                                  _rndimg_viewer_picture_shown_long_side (self));
}

/* Fetches a larger texture when the shown size needs one and none as
 * large is in hand or on its way. */
void
_rndimg_viewer_picture_fetch_better (RndimgViewerPicture *self)
{
  guint side, have;

  if (self->answer == NULL || self->client == NULL || self->loading != NULL)
    return;
  if (self->texture != NULL && rndimg_viewer_picture_is_original (self))
    return;
  side = needed_side (self);
  have = self->texture != NULL ? (guint) MAX (gdk_texture_get_width (self->texture),
                                              gdk_texture_get_height (self->texture)) : 0;
  if (side != 0 && side <= have)
    return;
  if (self->fetching_side == 0 || (side != 0 && self->fetching_side != G_MAXUINT && side <= self->fetching_side))
    return;
  start_fetch (self, self->answer, side, FALSE);
}

static gboolean
on_settled (gpointer user_data)
{
  RndimgViewerPicture *self = user_data;

  self->sharpen_id = 0;
  _rndimg_viewer_picture_fetch_better (self);
  return G_SOURCE_REMOVE;
}

/* Checks whether the shown size needs a larger texture once it has
 * settled. */
void
_rndimg_viewer_picture_sharpen_later (RndimgViewerPicture *self)
{
  if (self->answer == NULL)
    return;
  g_clear_handle_id (&self->sharpen_id, g_source_remove);
  self->sharpen_id = g_timeout_add (SETTLE_MS, on_settled, self);
}

/* Nothing more is fetched; a first load in flight is cancelled. */
void
_rndimg_viewer_picture_stop_loading (RndimgViewerPicture *self)
{
  g_clear_handle_id (&self->sharpen_id, g_source_remove);
  if (self->fetch_cancellable != NULL)
    g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  self->fetching_side = G_MAXUINT;
  first_load_return (self, NULL, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                            "a newer picture is shown"));
}

/* Shows @answer's placeholder (when it gives one) and loads the variant
 * its shown size needs; finishes with the first texture, shown by then,
 * and a square thumbnail of it. A newer load, rndimg_viewer_picture_show()
 * or _clear() cancels it. Until its texture comes, the picture shown
 * before stays when @answer has no placeholder. */
void
rndimg_viewer_picture_load_async (RndimgViewerPicture *self, const RndimgAnswer *answer,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GdkTexture) placeholder = NULL;
  guint side;

  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));
  g_return_if_fail (answer != NULL);

  _rndimg_viewer_picture_stop_loading (self);
  self->first_load = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->first_load, RNDIMG_TASK_TAG (rndimg_viewer_picture_load_async));
  self->loading = rndimg_answer_copy (answer);
  placeholder = _rndimg_viewer_picture_placeholder_for (answer);
  if (placeholder != NULL)
    _rndimg_viewer_picture_set_shown (self, answer, NULL);
  side = rndimg_variant_side_for (answer->width, answer->height,
                                  _rndimg_viewer_picture_fit_long_side (self, answer->width, answer->height));
  start_fetch (self, answer, side, TRUE);
}

/* Returns (transfer full) the first texture, and its thumbnail in
 * @thumbnail (transfer full). */
GdkTexture *
rndimg_viewer_picture_load_finish (RndimgViewerPicture *self, GAsyncResult *result, GdkTexture **thumbnail,
                                   GError **error)
{
  GdkTexture *texture;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  texture = g_task_propagate_pointer (G_TASK (result), error);
  if (texture != NULL && thumbnail != NULL)
    {
      GdkTexture *made = g_task_get_task_data (G_TASK (result));
      *thumbnail = made != NULL ? g_object_ref (made) : NULL;
    }
  return texture;
}
