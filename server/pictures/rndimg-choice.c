/* SPDX-License-Identifier: MIT */
/* Drawing pictures from albums without walking them. At random: an index
 * into the albums' arrays of the asked orientation, drawn again when it
 * hits an excluded or already drawn picture (a small pool is shuffled
 * instead). With a seed: consistent hashing, the pictures whose ring
 * points follow the seed's hash clockwise, so the same seed keeps its
 * picture while that picture exists, and a picture added or removed
 * moves only about 1/n of the seeds (never index mod count). */
#include "rndimg-choice.h"

/* Draws per picture before a large pool gives up: each draw hits a free
 * picture with a chance of at least 3/4, see pick_at_random(). */
#define MAX_DRAWS 64

static gboolean
is_free (const RndimgChoice *choice, GHashTable *chosen, RndimgPicture *image)
{
  return !g_hash_table_contains (chosen, image) &&
         (choice->excluded == NULL || !g_hash_table_contains (choice->excluded, image->name));
}

static RndimgPicture *
nth_member (const RndimgChoice *choice, guint index)
{
  for (guint i = 0; i < choice->albums->len; i++)
    {
      RndimgAlbum *album = g_ptr_array_index (choice->albums, i);
      GPtrArray *members = album->members[choice->orientation];

      if (index < members->len)
        return g_ptr_array_index (members, index);
      index -= members->len;
    }
  g_return_val_if_reached (NULL);
}

static guint
pool_size (const RndimgChoice *choice)
{
  guint total = 0;

  for (guint i = 0; i < choice->albums->len; i++)
    total += ((RndimgAlbum *) g_ptr_array_index (choice->albums, i))->members[choice->orientation]->len;
  return total;
}

static void
take (GPtrArray *picked, GHashTable *chosen, RndimgPicture *image)
{
  g_hash_table_add (chosen, image);
  g_ptr_array_add (picked, rndimg_picture_ref (image));
}

/* A pool at most four times what is asked or excluded: shuffle the free
 * pictures and take the first ones. */
static void
shuffle_small_pool (const RndimgChoice *choice, guint total, GPtrArray *picked, GHashTable *chosen)
{
  g_autoptr(GPtrArray) free_pictures = g_ptr_array_sized_new (total);

  for (guint i = 0; i < total; i++)
    {
      RndimgPicture *image = nth_member (choice, i);

      if (is_free (choice, chosen, image))
        g_ptr_array_add (free_pictures, image);
    }
  for (guint i = 0; i < free_pictures->len && picked->len < choice->count; i++)
    {
      guint j = (guint) g_random_int_range ((gint32) i, (gint32) free_pictures->len);
      gpointer swap = free_pictures->pdata[i];

      free_pictures->pdata[i] = free_pictures->pdata[j];
      free_pictures->pdata[j] = swap;
      take (picked, chosen, free_pictures->pdata[i]);
    }
}

static void
pick_at_random (const RndimgChoice *choice, GPtrArray *picked, GHashTable *chosen)
{
  guint total = pool_size (choice);
  guint excluded = choice->excluded != NULL ? g_hash_table_size (choice->excluded) : 0;

  if (total == 0)
    return;
  if ((guint64) total <= 4 * ((guint64) choice->count + excluded))
    {
      shuffle_small_pool (choice, total, picked, chosen);
      return;
    }
  /* Fewer than a quarter of the pool is taken or excluded. */
  while (picked->len < choice->count)
    {
      RndimgPicture *image = NULL;

      for (guint draw = 0; draw < MAX_DRAWS && image == NULL; draw++)
        {
          RndimgPicture *candidate = nth_member (choice, (guint) g_random_int_range (0, (gint32) total));

          if (is_free (choice, chosen, candidate))
            image = candidate;
        }
      if (image == NULL)
        return;
      take (picked, chosen, image);
    }
}

/* Where one album's ring is in the walk around the circle. */
typedef struct {
  GArray *ring;
  guint next;       /* index of the next point, modulo the length */
  guint walked;     /* points passed; the ring is done at its length */
} RingCursor;

/* The cursor whose next point comes first clockwise from @start; NULL
 * when every ring is walked. */
static RingCursor *
closest (GArray *cursors, guint64 start)
{
  RingCursor *best = NULL;
  guint64 best_distance = 0;

  for (guint i = 0; i < cursors->len; i++)
    {
      RingCursor *cursor = &g_array_index (cursors, RingCursor, i);
      guint64 distance;

      if (cursor->walked >= cursor->ring->len)
        continue;
      distance = g_array_index (cursor->ring, RndimgRingPoint, cursor->next % cursor->ring->len).point - start;
      if (best == NULL || distance < best_distance)
        {
          best = cursor;
          best_distance = distance;
        }
    }
  return best;
}

static void
pick_by_seed (const RndimgChoice *choice, GPtrArray *picked, GHashTable *chosen)
{
  guint64 start = rndimg_picture_hash (choice->seed, 0);
  g_autoptr(GArray) cursors = g_array_new (FALSE, FALSE, sizeof (RingCursor));
  RingCursor *cursor;

  for (guint i = 0; i < choice->albums->len; i++)
    {
      RingCursor fresh = { rndimg_album_ring (g_ptr_array_index (choice->albums, i), choice->orientation), 0, 0 };

      if (fresh.ring->len == 0)
        continue;
      fresh.next = rndimg_ring_first_at_or_after (fresh.ring, start);
      g_array_append_val (cursors, fresh);
    }
  while (picked->len < choice->count && (cursor = closest (cursors, start)) != NULL)
    {
      RndimgPicture *image = g_array_index (cursor->ring, RndimgRingPoint, cursor->next % cursor->ring->len).image;

      cursor->next = (cursor->next + 1) % cursor->ring->len;
      cursor->walked++;
      if (is_free (choice, chosen, image))
        take (picked, chosen, image);
    }
}

/* Returns (transfer full) up to @choice->count different pictures, fewer
 * when the pool has fewer free ones; empty when it has none. */
GPtrArray *
rndimg_choice_pick (const RndimgChoice *choice)
{
  GPtrArray *picked = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  g_autoptr(GHashTable) chosen = g_hash_table_new (NULL, NULL);

  if (choice->seed != NULL)
    pick_by_seed (choice, picked, chosen);
  else
    pick_at_random (choice, picked, chosen);
  return picked;
}
