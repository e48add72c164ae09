/* SPDX-License-Identifier: MIT */
/* The seed ring (rndimg-album.c) against its definition: every member's
 * RNDIMG_RING_POINTS points, each rndimg_picture_hash (name, k), in
 * ascending order, after the first build and after pictures are removed
 * and added (the merge) or many at once (the rebuild). */
#include "rndimg-album.h"

static RndimgPicture *
fake_image (guint i)
{
  RndimgPicture *image = g_rc_box_new0 (RndimgPicture);

  image->name = g_strdup_printf ("album-%03u/p%06u.png", i % 100, i);
  image->album = g_strdup_printf ("album-%03u", i % 100);
  image->orientation = RNDIMG_ORIENTATION_ANY;
  return image;
}

/* @ring holds exactly the points of @members, sorted. */
static void
assert_ring_is (GArray *ring, GPtrArray *members)
{
  g_autoptr(GHashTable) expected = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *points = g_new (gint64, members->len * RNDIMG_RING_POINTS);
  guint n = 0;

  for (guint i = 0; i < members->len; i++)
    for (guint k = 1; k <= RNDIMG_RING_POINTS; k++)
      {
        points[n] = (gint64) rndimg_picture_hash (((RndimgPicture *) g_ptr_array_index (members, i))->name, k);
        g_hash_table_add (expected, &points[n++]);
      }
  g_assert_cmpuint (ring->len, ==, n);
  for (guint i = 0; i < ring->len; i++)
    {
      const RndimgRingPoint *point = &g_array_index (ring, RndimgRingPoint, i);
      gint64 value = (gint64) point->point;

      g_assert_nonnull (point->image);
      g_assert_true (g_hash_table_contains (expected, &value));
      if (i > 0)
        g_assert_cmpuint (g_array_index (ring, RndimgRingPoint, i - 1).point, <=, point->point);
    }
}

static void
test_ring_sorted_through_changes (void)
{
  RndimgAlbum *album = rndimg_album_new ("");
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  g_autoptr(GPtrArray) members = g_ptr_array_new ();

  for (guint i = 0; i < 20000; i++)
    {
      g_ptr_array_add (images, fake_image (i));
      if (i < 10000)
        {
          rndimg_album_add (album, g_ptr_array_index (images, i));
          g_ptr_array_add (members, g_ptr_array_index (images, i));
        }
    }
  assert_ring_is (rndimg_album_ring (album, RNDIMG_ORIENTATION_ANY), members);
  /* A few changes: merged into the kept ring. */
  for (guint i = 0; i < 50; i++)
    {
      rndimg_album_remove (album, g_ptr_array_index (images, i * 97));
      g_ptr_array_remove (members, g_ptr_array_index (images, i * 97));
      rndimg_album_add (album, g_ptr_array_index (images, 10000 + i));
      g_ptr_array_add (members, g_ptr_array_index (images, 10000 + i));
    }
  assert_ring_is (rndimg_album_ring (album, RNDIMG_ORIENTATION_ANY), members);
  /* Many at once: the ring rebuilt. */
  for (guint i = 10050; i < 20000; i++)
    {
      rndimg_album_add (album, g_ptr_array_index (images, i));
      g_ptr_array_add (members, g_ptr_array_index (images, i));
    }
  assert_ring_is (rndimg_album_ring (album, RNDIMG_ORIENTATION_ANY), members);
  rndimg_album_free (album);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ring/sorted-through-changes", test_ring_sorted_through_changes);
  return g_test_run ();
}
