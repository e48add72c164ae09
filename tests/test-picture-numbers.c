/* SPDX-License-Identifier: MIT */
/* Pictures' numbers (rndimg-picture-numbers.c) on a real catalogue and a
 * real state file: a first start numbers the folder in natural name order;
 * a picture that comes later gets the next number; numbers come back the
 * same after a restart, a changed file keeps its number, a picture that
 * left the folder keeps it for its return; a retired one's number is never
 * given again, not even after a restart that rewrites the file; a file
 * with damaged lines is read around them. */
#include "picture-files.h"
#include "rndimg-picture-numbers.h"
#include "rndimg-test-util.h"

#include <glib/gstdio.h>

typedef struct {
  char *folder;
  char *state;
  char *path;
  RndimgCatalogue *catalogue;
  RndimgPictureNumbers *numbers;
} Fixture;

static void
fixture_open (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->catalogue = rndimg_catalogue_new (fixture->folder, fixture->folder, NULL, &error);
  g_assert_no_error (error);
  fixture->numbers = rndimg_picture_numbers_new (fixture->path);
  rndimg_picture_numbers_follow (fixture->numbers, fixture->catalogue);
}

static void
fixture_close (Fixture *fixture)
{
  g_clear_object (&fixture->numbers);
  g_clear_object (&fixture->catalogue);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = test_make_image_folder (0);
  picture_files_make_folder (fixture->folder, "dogs");
  picture_files_write_png (fixture->folder, "10.png", 8, 8);
  picture_files_write_png (fixture->folder, "2.png", 8, 8);
  picture_files_write_png (fixture->folder, "dogs/a.png", 8, 8);
  fixture->state = g_dir_make_tmp ("rndimg-numbers-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->state, RNDIMG_PICTURE_NUMBERS_FILE, NULL);
  fixture_open (fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fixture_close (fixture);
  test_remove_folder (fixture->folder);
  test_remove_folder (fixture->state);
  g_free (fixture->folder);
  g_free (fixture->state);
  g_free (fixture->path);
}

static void
assert_number (Fixture *fixture, const char *name, guint64 expected)
{
  guint64 number = G_MAXUINT64;

  g_assert_true (rndimg_picture_numbers_lookup (fixture->numbers, name, &number));
  g_assert_cmpuint (number, ==, expected);
  g_assert_cmpstr (rndimg_picture_numbers_name_of (fixture->numbers, expected), ==, name);
}

/* A picture added to the folder and read by the catalogue. */
static void
add_picture (Fixture *fixture, const char *name)
{
  g_autoptr(RndimgPicture) picture = NULL;

  picture_files_write_png (fixture->folder, name, 8, 8);
  picture = rndimg_catalogue_refresh (fixture->catalogue, name, TRUE);
  g_assert_nonnull (picture);
}

static void
remove_picture (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_build_filename (fixture->folder, name, NULL);
  g_autoptr(RndimgPicture) gone = NULL;

  g_assert_cmpint (g_unlink (path), ==, 0);
  gone = rndimg_catalogue_refresh (fixture->catalogue, name, TRUE);
  g_assert_null (gone);
}

static void
test_first_start_in_name_order (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) page = NULL;

  /* Natural order: 2 before 10, an album's after the top's. */
  assert_number (fixture, "2.png", 0);
  assert_number (fixture, "10.png", 1);
  assert_number (fixture, "dogs/a.png", 2);
  page = rndimg_picture_numbers_page (fixture->numbers, 1, 5);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((RndimgPicture *) g_ptr_array_index (page, 0))->name, ==, "10.png");
}

static void
test_kept_across_restarts (Fixture *fixture, gconstpointer data)
{
  add_picture (fixture, "0.png");
  assert_number (fixture, "0.png", 3);
  fixture_close (fixture);
  fixture_open (fixture);
  assert_number (fixture, "2.png", 0);
  assert_number (fixture, "10.png", 1);
  assert_number (fixture, "dogs/a.png", 2);
  assert_number (fixture, "0.png", 3);
}

static void
test_left_and_back_keeps_its_number (Fixture *fixture, gconstpointer data)
{
  remove_picture (fixture, "10.png");
  g_assert_null (rndimg_catalogue_lookup (fixture->catalogue, "10.png"));
  add_picture (fixture, "11.png");
  assert_number (fixture, "11.png", 3);
  add_picture (fixture, "10.png");
  assert_number (fixture, "10.png", 1);
  /* A changed file is the same picture. */
  add_picture (fixture, "2.png");
  assert_number (fixture, "2.png", 0);
}

static void
test_retired_never_given_again (Fixture *fixture, gconstpointer data)
{
  guint64 number;

  add_picture (fixture, "new.png");
  assert_number (fixture, "new.png", 3);
  remove_picture (fixture, "new.png");
  rndimg_picture_numbers_retire (fixture->numbers, "new.png");
  g_assert_false (rndimg_picture_numbers_lookup (fixture->numbers, "new.png", &number));
  g_assert_null (rndimg_picture_numbers_name_of (fixture->numbers, 3));
  /* The highest number retired, and the file rewritten whole at start
   * (many stale lines): "next" remembers it. */
  for (int i = 0; i < 80; i++)
    {
      rndimg_picture_numbers_retire (fixture->numbers, "dogs/a.png");
      rndimg_picture_numbers_number (fixture->numbers, "dogs/a.png");
    }
  fixture_close (fixture);
  fixture_open (fixture);
  add_picture (fixture, "new.png");
  number = rndimg_picture_numbers_number (fixture->numbers, "new.png");
  g_assert_cmpuint (number, >, 3 + 80);
  g_assert_null (rndimg_picture_numbers_name_of (fixture->numbers, 3));
}

static void
test_damaged_lines_skipped (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *damaged = NULL;

  fixture_close (fixture);
  g_assert_true (g_file_get_contents (fixture->path, &text, NULL, NULL));
  damaged = g_strconcat ("next\tlots\n", text, "garbage\n7\t../../etc/passwd\n1\t2.png\n9999999999999999999999\tx.png\n",
                         "5\tdogs/a.png", NULL);
  g_assert_true (g_file_set_contents (fixture->path, damaged, -1, NULL));
  fixture_open (fixture);
  assert_number (fixture, "2.png", 0);
  assert_number (fixture, "10.png", 1);
  /* "5 dogs/a.png" is a whole line's worth, even without its newline. */
  assert_number (fixture, "dogs/a.png", 5);
  g_assert_null (rndimg_picture_numbers_name_of (fixture->numbers, 7));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/picture-numbers/first-start-in-name-order", test_first_start_in_name_order);
  ADD ("/picture-numbers/kept-across-restarts", test_kept_across_restarts);
  ADD ("/picture-numbers/left-and-back", test_left_and_back_keeps_its_number);
  ADD ("/picture-numbers/retired-never-given-again", test_retired_never_given_again);
  ADD ("/picture-numbers/damaged-lines-skipped", test_damaged_lines_skipped);
  return g_test_run ();
}
