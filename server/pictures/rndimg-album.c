/* SPDX-License-Identifier: MIT */
/* One album's indexes. Adding or removing a picture costs a few array
 * operations; the name order is rebuilt on first use after a change, so a
 * folder scan of many pictures does not sort each time. A ring once built
 * is kept up to date instead of rebuilt (for the whole catalogue of 100 000
 * pictures a rebuild, hashing and sorting 400 000 points, took 140-300 ms
 * of the main loop): a removed picture's points are marked in place
 * (found by binary search), an added one's wait aside, and the next use
 * merges both in one pass over the ring (bench/README.md). */
#include "rndimg-album.h"

#include <string.h>

#define MAX_ALBUM_SEGMENT 64

RndimgAlbum *
rndimg_album_new (const char *name)
{
  RndimgAlbum *album = g_new0 (RndimgAlbum, 1);

  album->name = g_strdup (name);
  for (guint i = 0; i < RNDIMG_ORIENTATION_N; i++)
    album->members[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  return album;
}

static void
forget_ring (RndimgAlbum *album, RndimgOrientation orientation)
{
  g_clear_pointer (&album->rings[orientation], g_array_unref);
  g_clear_pointer (&album->ring_added[orientation], g_array_unref);
  album->ring_dropped[orientation] = 0;
}

static void
forget_order (RndimgAlbum *album, RndimgOrientation orientation)
{
  if (orientation == RNDIMG_ORIENTATION_ANY)
    g_clear_pointer (&album->sorted, g_ptr_array_unref);
}

/* Changes waiting past this share of the ring: rebuilt, not merged. */
static gboolean
too_many_waiting (RndimgAlbum *album, RndimgOrientation orientation)
{
  guint added = album->ring_added[orientation] != NULL ? album->ring_added[orientation]->len : 0;

  return added + album->ring_dropped[orientation] > album->rings[orientation]->len / 4 + 64;
}

static void
append_points (GArray *points, RndimgPicture *image)
{
  for (guint64 r = 0; r < RNDIMG_RING_POINTS; r++)
    {
      RndimgRingPoint point = { rndimg_picture_hash (image->name, r + 1), image };
      g_array_append_val (points, point);
    }
}

static void
ring_add (RndimgAlbum *album, RndimgOrientation orientation, RndimgPicture *image)
{
  if (album->rings[orientation] == NULL)
    return;
  if (too_many_waiting (album, orientation))
    {
      forget_ring (album, orientation);
      return;
    }
  if (album->ring_added[orientation] == NULL)
    album->ring_added[orientation] = g_array_new (FALSE, FALSE, sizeof (RndimgRingPoint));
  append_points (album->ring_added[orientation], image);
}

/* The index of the first point of @ring (sorted) at or after @point;
 * the ring's length when there is none. */
guint
rndimg_ring_first_at_or_after (GArray *ring, guint64 point)
{
  guint low = 0, high = ring->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (ring, RndimgRingPoint, middle).point < point)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

/* Marks @image's points on the ring as removed, and drops those waiting. */
static void
ring_remove (RndimgAlbum *album, RndimgOrientation orientation, RndimgPicture *image)
{
  GArray *ring = album->rings[orientation], *added = album->ring_added[orientation];

  if (ring == NULL)
    return;
  for (guint i = added != NULL ? added->len : 0; i > 0; i--)
    if (g_array_index (added, RndimgRingPoint, i - 1).image == image)
      g_array_remove_index_fast (added, i - 1);
  for (guint64 r = 0; r < RNDIMG_RING_POINTS; r++)
    {
      guint64 point = rndimg_picture_hash (image->name, r + 1);

      for (guint at = rndimg_ring_first_at_or_after (ring, point);
           at < ring->len && g_array_index (ring, RndimgRingPoint, at).point == point; at++)
        if (g_array_index (ring, RndimgRingPoint, at).image == image)
          {
            g_array_index (ring, RndimgRingPoint, at).image = NULL;
            album->ring_dropped[orientation]++;
          }
    }
  if (too_many_waiting (album, orientation))
    forget_ring (album, orientation);
}

void
rndimg_album_free (RndimgAlbum *album)
{
  for (guint i = 0; i < RNDIMG_ORIENTATION_N; i++)
    {
      forget_order (album, i);
      forget_ring (album, i);
      g_ptr_array_unref (album->members[i]);
    }
  g_free (album->title);
  g_clear_pointer (&album->title_by_language, g_hash_table_unref);
  g_free (album->name);
  g_free (album);
}

void
rndimg_album_add (RndimgAlbum *album, RndimgPicture *image)
{
  g_ptr_array_add (album->members[RNDIMG_ORIENTATION_ANY], rndimg_picture_ref (image));
  forget_order (album, RNDIMG_ORIENTATION_ANY);
  ring_add (album, RNDIMG_ORIENTATION_ANY, image);
  if (image->orientation != RNDIMG_ORIENTATION_ANY)
    {
      g_ptr_array_add (album->members[image->orientation], rndimg_picture_ref (image));
      ring_add (album, image->orientation, image);
    }
}

void
rndimg_album_remove (RndimgAlbum *album, RndimgPicture *image)
{
  /* The sorted list and rings borrow: forget it there before the reference. */
  forget_order (album, RNDIMG_ORIENTATION_ANY);
  ring_remove (album, RNDIMG_ORIENTATION_ANY, image);
  g_ptr_array_remove_fast (album->members[RNDIMG_ORIENTATION_ANY], image);
  if (image->orientation != RNDIMG_ORIENTATION_ANY)
    {
      ring_remove (album, image->orientation, image);
      g_ptr_array_remove_fast (album->members[image->orientation], image);
    }
}

guint
rndimg_album_count (const RndimgAlbum *album)
{
  return album->members[RNDIMG_ORIENTATION_ANY]->len;
}

/* Points by their 64-bit value, least significant digit first: six passes
 * of 11 bits, all counted in one read. For the 400 000 points of 100 000
 * pictures this takes a few ms where qsort() through a comparison function
 * took about 100 (the first seed request after a start waits for it, on
 * the main loop). Stable, so equal points keep their order. */
#define DIGIT_BITS 11
#define DIGIT_PASSES 6
#define DIGIT_VALUES (1u << DIGIT_BITS)

static void
sort_points (GArray *points)
{
  guint n = points->len;
  g_autofree guint *counts = g_new0 (guint, DIGIT_PASSES * DIGIT_VALUES);
  g_autofree RndimgRingPoint *spare = n > 1 ? g_new (RndimgRingPoint, n) : NULL;
  RndimgRingPoint *from = (RndimgRingPoint *) points->data, *to = spare;

  if (n < 2)
    return;
  for (guint i = 0; i < n; i++)
    for (guint pass = 0; pass < DIGIT_PASSES; pass++)
      counts[pass * DIGIT_VALUES + ((from[i].point >> (pass * DIGIT_BITS)) & (DIGIT_VALUES - 1))]++;
  for (guint pass = 0; pass < DIGIT_PASSES; pass++)
    {
      guint *count = counts + pass * DIGIT_VALUES, start = 0;
      RndimgRingPoint *swap;

      for (guint digit = 0; digit < DIGIT_VALUES; digit++)
        {
          guint here = count[digit];

          count[digit] = start;
          start += here;
        }
      for (guint i = 0; i < n; i++)
        to[count[(from[i].point >> (pass * DIGIT_BITS)) & (DIGIT_VALUES - 1)]++] = from[i];
      swap = from, from = to, to = swap;
    }
  /* An even number of passes: the sorted points are back in @points. */
  G_STATIC_ASSERT (DIGIT_PASSES % 2 == 0 && DIGIT_PASSES * DIGIT_BITS >= 64);
}

/* The ring with the waiting changes in: the added points sorted, then one
 * pass that merges them and leaves the removed ones out. */
static GArray *
merge_waiting (RndimgAlbum *album, RndimgOrientation orientation)
{
  GArray *old = album->rings[orientation], *added = album->ring_added[orientation];
  guint added_len = added != NULL ? added->len : 0, i = 0, j = 0;
  GArray *ring;

  if (added_len == 0 && album->ring_dropped[orientation] == 0)
    return old;
  if (added != NULL)
    sort_points (added);
  ring = g_array_sized_new (FALSE, FALSE, sizeof (RndimgRingPoint),
                            old->len - album->ring_dropped[orientation] + added_len);
  while (i < old->len || j < added_len)
    {
      RndimgRingPoint *from_old = i < old->len ? &g_array_index (old, RndimgRingPoint, i) : NULL;
      RndimgRingPoint *from_added = j < added_len ? &g_array_index (added, RndimgRingPoint, j) : NULL;

      if (from_old != NULL && from_old->image == NULL)
        i++;
      else if (from_added == NULL || (from_old != NULL && from_old->point <= from_added->point))
        g_array_append_val (ring, *from_old), i++;
      else
        g_array_append_val (ring, *from_added), j++;
    }
  forget_ring (album, orientation);
  album->rings[orientation] = ring;
  return ring;
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
    return merge_waiting (album, orientation);
  ring = g_array_sized_new (FALSE, FALSE, sizeof (RndimgRingPoint), members->len * RNDIMG_RING_POINTS);
  for (guint i = 0; i < members->len; i++)
    append_points (ring, g_ptr_array_index (members, i));
  sort_points (ring);
  album->rings[orientation] = ring;
  return ring;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  const RndimgPicture *left = *(RndimgPicture *const *) a;
  const RndimgPicture *right = *(RndimgPicture *const *) b;
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
