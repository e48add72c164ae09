/* SPDX-License-Identifier: MIT */
/* One album's indexes. Adding or removing a picture costs a few array
 * operations; the ring and the name order are rebuilt on first use after
 * a change, so a folder scan of many pictures does not sort each time. */
#include "rndimg-album.h"

#include <string.h>

#define MAX_ALBUM_SEGMENT 64

RndimgAlbum *
rndimg_album_new (const char *name)
{
  RndimgAlbum *album = g_new0 (RndimgAlbum, 1);

  album->name = g_strdup (name);
  for (guint i = 0; i < RNDIMG_ORIENTATION_N; i++)
    album->members[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_image_unref);
  return album;
}

static void
forget_order (RndimgAlbum *album, RndimgOrientation orientation)
{
  g_clear_pointer (&album->rings[orientation], g_array_unref);
  if (orientation == RNDIMG_ORIENTATION_ANY)
    g_clear_pointer (&album->sorted, g_ptr_array_unref);
}

void
rndimg_album_free (RndimgAlbum *album)
{
  for (guint i = 0; i < RNDIMG_ORIENTATION_N; i++)
    {
      forget_order (album, i);
      g_ptr_array_unref (album->members[i]);
    }
  g_free (album->name);
  g_free (album);
}

void
rndimg_album_add (RndimgAlbum *album, RndimgImage *image)
{
  g_ptr_array_add (album->members[RNDIMG_ORIENTATION_ANY], rndimg_image_ref (image));
  forget_order (album, RNDIMG_ORIENTATION_ANY);
  if (image->orientation != RNDIMG_ORIENTATION_ANY)
    {
      g_ptr_array_add (album->members[image->orientation], rndimg_image_ref (image));
      forget_order (album, image->orientation);
    }
}

void
rndimg_album_remove (RndimgAlbum *album, RndimgImage *image)
{
  /* The sorted list and rings borrow: drop them before the reference. */
  forget_order (album, RNDIMG_ORIENTATION_ANY);
  g_ptr_array_remove_fast (album->members[RNDIMG_ORIENTATION_ANY], image);
  if (image->orientation != RNDIMG_ORIENTATION_ANY)
    {
      forget_order (album, image->orientation);
      g_ptr_array_remove_fast (album->members[image->orientation], image);
    }
}

guint
rndimg_album_count (const RndimgAlbum *album)
{
  return album->members[RNDIMG_ORIENTATION_ANY]->len;
}

static gint
compare_points (gconstpointer a, gconstpointer b)
{
  guint64 left = ((const RndimgRingPoint *) a)->point, right = ((const RndimgRingPoint *) b)->point;

  return left < right ? -1 : left > right;
}

/* The consistent-hashing ring of the pictures of @orientation: each
 * picture at RNDIMG_RING_POINTS points hashed from its name alone, so a
 * picture coming or going moves only the seeds nearest its own points. */
GArray *
rndimg_album_ring (RndimgAlbum *album, RndimgOrientation orientation)
{
  GPtrArray *members = album->members[orientation];
  GArray *ring;

  if (album->rings[orientation] != NULL)
    return album->rings[orientation];
  ring = g_array_sized_new (FALSE, FALSE, sizeof (RndimgRingPoint), members->len * RNDIMG_RING_POINTS);
  for (guint i = 0; i < members->len; i++)
    {
      RndimgImage *image = g_ptr_array_index (members, i);

      for (guint64 r = 0; r < RNDIMG_RING_POINTS; r++)
        {
          RndimgRingPoint point = { rndimg_picture_hash (image->name, r + 1), image };
          g_array_append_val (ring, point);
        }
    }
  g_array_sort (ring, compare_points);
  album->rings[orientation] = ring;
  return ring;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  const RndimgImage *left = *(RndimgImage *const *) a;
  const RndimgImage *right = *(RndimgImage *const *) b;
  int order = strcmp (left->sort_key, right->sort_key);

  return order != 0 ? order : strcmp (left->name, right->name);
}

/* Every picture of the album in natural name order (borrowed). */
GPtrArray *
rndimg_album_sorted (RndimgAlbum *album)
{
  GPtrArray *members = album->members[RNDIMG_ORIENTATION_ANY];

  if (album->sorted == NULL)
    {
      album->sorted = g_ptr_array_sized_new (members->len);
      for (guint i = 0; i < members->len; i++)
        g_ptr_array_add (album->sorted, g_ptr_array_index (members, i));
      g_ptr_array_sort (album->sorted, compare_names);
    }
  return album->sorted;
}

static gboolean
segment_is_valid (const char *segment, gsize length)
{
  if (length == 0 || length > MAX_ALBUM_SEGMENT)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_islower (segment[i]) && !g_ascii_isdigit (segment[i]) && segment[i] != '-' && segment[i] != '_')
      return FALSE;
  return TRUE;
}

/* "dogs" or "dogs/puppies": one or two segments of lower-case letters,
 * digits, '-' and '_', each at most 64 bytes. */
gboolean
rndimg_album_name_is_valid (const char *name)
{
  const char *slash = strchr (name, '/');

  if (slash == NULL)
    return segment_is_valid (name, strlen (name));
  return segment_is_valid (name, (gsize) (slash - name)) && segment_is_valid (slash + 1, strlen (slash + 1));
}
