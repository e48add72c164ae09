/* SPDX-License-Identifier: MIT */
/* Sources that publish by themselves: a file dropped into the image folder,
 * and the slideshow timer. */
#include "push-fixture.h"

#include <glib/gstdio.h>

static void
copy_into (const char *folder, const char *name, const char *as)
{
  g_autofree char *from_path = test_source_image (name);
  g_autofree char *to_path = g_build_filename (folder, as, NULL);
  g_autoptr(GFile) from = g_file_new_for_path (from_path);
  g_autoptr(GFile) to = g_file_new_for_path (to_path);
  g_autoptr(GError) error = NULL;

  g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_folder_new_file_published (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestPending) poll = poll_async (fixture, "");
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *path = g_build_filename (fixture->folder, "dropped-in.png", NULL);

  assert_stat_becomes (fixture, "waiting_polls", 1, 3000);
  copy_into (fixture->folder, "030.png", "dropped-in.png");
  wait_done (poll, 2000);
  event = test_pending_json (poll);
  assert_event (event, 1, "folder");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "dropped-in.png");
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 6);

  /* A deleted file leaves the catalogue. */
  g_assert_cmpint (g_remove (path), ==, 0);
  assert_stat_becomes (fixture, "images", 5, 2000);
}

static void
test_timer_publishes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestPending) poll = poll_async (fixture, "");
  g_autoptr(JsonObject) event = NULL;

  wait_done (poll, 3000);
  event = test_pending_json (poll);
  assert_event (event, 1, "timer");
}

static const char *const fast_timer[] = { "--interval=0.3", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  ADD ("/folder/new-file-published", test_folder_new_file_published, NULL);
  ADD ("/timer/publishes", test_timer_publishes, fast_timer);

  test_add_answers_described ();
  return g_test_run ();
}
