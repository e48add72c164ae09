/* SPDX-License-Identifier: MIT */
/* The viewer and the catalogue's writes, in the real window under Xvfb
 * against a real server (issue 30):
 *
 *  - a picture deleted on the server (DELETE /images/NAME) reaches the
 *    viewer as a "removed" event and leaves the stage and the history;
 *    an edit of another (PATCH) changes its credits under the picture
 *    at once, and its move to another album keeps it shown under its
 *    new name (again in Persian, as viewer-catalogue-fa);
 *  - a token makes the private album show: without it the album picker
 *    does not list it, with it (sent as Authorization on every request)
 *    it does, marked private, and Get shows its pictures (their URLs
 *    signed);
 *  - with RNDIMG_TEST_KEYRING (run by tests/with-keyring.sh in a D-Bus
 *    session with a keyring of its own): the token applied in the
 *    Preferences is kept in the keyring, and a new window for the same
 *    server takes it from there. */
#include "test-viewer-util.h"
#include "rndimg-viewer-preferences.h"

#include <glib/gstdio.h>
#include <string.h>

#define READER_TOKEN "viewer-reader-0123456789abcdef"
#define EDIT "{\"author\":\"Ana Lima\",\"license\":\"CC0-1.0\",\"alt\":\"A quiet test card\"}"

/* Pictures at the top, and the private album "family" with its title. */
static char *
make_folder_with_private_album (void)
{
  char *folder = test_make_image_folder (3);
  g_autofree char *album = g_build_filename (folder, "family", NULL);
  g_autofree char *source = test_source_image ("051.png");
  g_autofree char *target = g_build_filename (album, "f1.png", NULL);
  g_autofree char *info = g_build_filename (album, "info.json", NULL);
  g_autofree char *bytes = NULL;
  gsize length;

  g_assert_cmpint (g_mkdir (album, 0755), ==, 0);
  g_assert_true (g_file_get_contents (source, &bytes, &length, NULL));
  g_assert_true (g_file_set_contents (target, bytes, (gssize) length, NULL));
  g_assert_true (g_file_set_contents (info, "{\"title\": \"Our Family\", \"private\": true}", -1, NULL));
  return folder;
}

static TestServer *
start_server_with_reader (const char *folder)
{
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  g_autofree char *tokens = g_strconcat (folder, "-tokens.ini", NULL);
  g_autofree char *tokens_flag = g_strconcat ("--tokens-file=", tokens, NULL);
  const char *args[] = { images, "--interval=0", tokens_flag, NULL };

  g_assert_true (g_file_set_contents (tokens, "[reader]\ntoken=" READER_TOKEN "\nscopes=read:family\n", -1, NULL));
  return test_server_start_argv (args);
}

static gboolean
lists_album (RndimgViewerWindow *window, const char *name)
{
  GPtrArray *albums = rndimg_viewer_album_picker_get_albums (picker_of (window));

  for (guint i = 0; albums != NULL && i < albums->len; i++)
    if (g_str_equal (((RndimgAlbumInfo *) g_ptr_array_index (albums, i))->name, name))
      return TRUE;
  return FALSE;
}

static gboolean
lists_family (gpointer window)
{
  return lists_album (window, "family");
}

static gboolean
lists_nothing_private (gpointer window)
{
  return rndimg_viewer_album_picker_get_albums (picker_of (window)) != NULL && !lists_album (window, "family");
}

static gboolean
history_has (RndimgViewerWindow *window, const char *name)
{
  for (guint i = 0; i < rndimg_viewer_history_get_length (window->history); i++)
    if (g_strcmp0 (rndimg_viewer_entry_get_answer (rndimg_viewer_history_get (window->history, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

typedef struct {
  RndimgViewerWindow *window;
  const char *name;
} Named;

static gboolean
history_lacks (gpointer user_data)
{
  Named *named = user_data;

  return !history_has (named->window, named->name) &&
         g_strcmp0 (rndimg_viewer_window_get_shown_name (named->window), named->name) != 0;
}

static gboolean
shows_in_history (gpointer user_data)
{
  Named *named = user_data;

  return history_has (named->window, named->name) &&
         g_strcmp0 (rndimg_viewer_window_get_shown_name (named->window), named->name) == 0;
}

static gboolean
caption_says (gpointer user_data)
{
  Named *named = user_data;
  g_autofree char *caption = rndimg_viewer_window_dup_caption (named->window);

  return caption != NULL && strstr (caption, named->name) != NULL;
}

/* Publishes @name on the server, and waits for the window to show it. */
static void
publish_and_wait (TestServer *server, RndimgViewerWindow *window, const char *name)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonObject) event = test_publish (server, session, name);

  g_assert_nonnull (event);
  wait_for (window, RNDIMG_VIEWER_LIVE, name, NULL, 15000);
}

/* Moves @name into a new @album on the server; the picture stays shown
 * and in the history, under its new name. */
static void
move_and_wait (TestServer *server, RndimgViewerWindow *window, const char *name, const char *album)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *albums_url = test_server_url (server, "/polling/api/v1.0/albums");
  g_autofree char *picture_url = g_strconcat (server->url, "/polling/api/v1.0/images/", name, NULL);
  g_autofree char *make = g_strdup_printf ("{\"name\":\"%s\"}", album);
  g_autofree char *move = g_strdup_printf ("{\"album\":\"%s\"}", album);
  g_autofree char *moved_name = g_strconcat (album, "/", name, NULL);
  g_autoptr(GBytes) make_body = g_bytes_new (make, strlen (make));
  g_autoptr(GBytes) move_body = g_bytes_new (move, strlen (move));
  g_auto(TestResponse) made = { 0 };
  g_auto(TestResponse) moved = { 0 };
  Named shown = { window, moved_name };
  Named old = { window, name };

  test_request (session, "POST", albums_url, NULL, make_body, "application/json", &made);
  g_assert_cmpuint (made.status, ==, 201);
  test_request (session, "PATCH", picture_url, NULL, move_body, "application/json", &moved);
  g_assert_cmpuint (moved.status, ==, 200);
  if (!test_wait_until (shows_in_history, &shown, 15000))
    g_error ("%s, moved to %s, is not shown under its new name (shown: %s)", name, moved_name,
             rndimg_viewer_window_get_shown_name (window));
  g_assert_true (history_lacks (&old));
}

/* Two pictures come live; the one shown is deleted on the server: it
 * leaves the stage and the history, the other is shown, a notice says
 * why. The other is edited: its credits change under it at once; then
 * moved to another album, it stays shown under its new name. */
static void
test_delete_and_edit (void)
{
  g_autofree char *folder = test_make_image_folder (3);
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *delete_url = test_server_url (server, "/polling/api/v1.0/images/02.png");
  g_autofree char *patch_url = test_server_url (server, "/polling/api/v1.0/images/01.png");
  g_auto(TestResponse) deleted = { 0 };
  g_auto(TestResponse) patched = { 0 };
  g_autoptr(GBytes) body = NULL;
  Named gone = { window, "02.png" };
  Named credited = { window, "Ana Lima" };

  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  publish_and_wait (server, window, "01.png");
  publish_and_wait (server, window, "02.png");
  g_assert_true (history_has (window, "02.png"));

  test_send (session, "DELETE", delete_url, &deleted);
  g_assert_cmpuint (deleted.status, ==, 200);
  if (!test_wait_until (history_lacks, &gone, 15000))
    g_error ("02.png, deleted on the server, is still in the viewer (shown: %s)",
             rndimg_viewer_window_get_shown_name (window));
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "01.png");
  g_assert_cmpuint (rndimg_viewer_history_get_length (window->history), ==, 1);
  g_assert_nonnull (strstr (rndimg_viewer_window_get_last_notice (window), "02.png"));
  if (!viewer_test_is_persian ())
    g_assert_nonnull (strstr (rndimg_viewer_window_get_last_notice (window), "deleted"));
  screenshot (window, viewer_test_is_persian () ? "fa-picture-deleted" : "picture-deleted", 20);

  body = g_bytes_new_static (EDIT, strlen (EDIT));
  test_request (session, "PATCH", patch_url, NULL, body, "application/json", &patched);
  g_assert_cmpuint (patched.status, ==, 200);
  if (!test_wait_until (caption_says, &credited, 15000))
    {
      g_autofree char *caption = rndimg_viewer_window_dup_caption (window);

      g_error ("the caption did not take the new credits: it says “%s”", caption);
    }
  assert_caption_has (window, "CC0-1.0");
  assert_caption_has (window, "A quiet test card");
  assert_described_as (window, "A quiet test card");
  screenshot (window, viewer_test_is_persian () ? "fa-picture-edited" : "picture-edited", 20);

  move_and_wait (server, window, "01.png", "pets");
  screenshot (window, viewer_test_is_persian () ? "fa-picture-moved" : "picture-moved", 20);

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* Without a token the private album is not listed; with one that may
 * read it (every request carries it as Authorization) it is, by its
 * title, and Get shows its picture. */
static void
test_token_shows_private_album (void)
{
  g_autofree char *folder = make_folder_with_private_album ();
  TestServer *server = start_server_with_reader (folder);
  RndimgViewerWindow *window = open_window (server->url);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  test_run_for (1000);
  g_assert_false (lists_family (window));

  rndimg_viewer_window_set_token (window, READER_TOKEN);
  g_assert_cmpstr (rndimg_viewer_window_get_token (window), ==, READER_TOKEN);
  if (!test_wait_until (lists_family, window, 15000))
    g_error ("with a token that may read it, the private album is still not listed");
  /* Marked as private in the list. */
  g_assert_nonnull (find_label_with_text (rndimg_viewer_album_picker_get_row (picker_of (window), "family"),
                                          "Private \u00b7 1 picture"));
  choose_album (window, "family");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, "family/f1.png", NULL, 15000);
  screenshot (window, "private-album", 20);

  /* Without it again: the album is gone from the list. */
  rndimg_viewer_window_set_token (window, NULL);
  g_assert_true (test_wait_until (lists_nothing_private, window, 15000));

  g_settings_set_string (window->settings, "album", "");
  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

static gboolean
token_is (gpointer user_data)
{
  Named *named = user_data;

  return g_strcmp0 (rndimg_viewer_window_get_token (named->window), named->name) == 0;
}

static gboolean
notice_says (gpointer user_data)
{
  Named *named = user_data;
  const char *notice = rndimg_viewer_window_get_last_notice (named->window);

  return notice != NULL && strstr (notice, named->name) != NULL;
}

/* The token applied in the Preferences is kept in the keyring (a
 * keyring of this test's own): a new window for the same server takes
 * it from there, and shows the private album. */
static void
test_token_in_keyring (void)
{
  g_autofree char *folder = make_folder_with_private_album ();
  TestServer *server = start_server_with_reader (folder);
  RndimgViewerWindow *window = open_window (server->url);
  RndimgViewerPreferences *preferences = rndimg_viewer_preferences_new (window);
  GtkWidget *token_row;
  Named saved = { window, "saved in the keyring" };
  Named again;

  gtk_window_present (GTK_WINDOW (preferences));
  settle ();
  token_row = find_widget (GTK_WIDGET (preferences), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_nonnull (token_row);
  gtk_editable_set_text (GTK_EDITABLE (token_row), READER_TOKEN);
  g_signal_emit_by_name (token_row, "apply");
  if (!test_wait_until (notice_says, &saved, 15000))
    g_error ("the keyring did not keep the token: the notice says “%s”", rndimg_viewer_window_get_last_notice (window));
  g_assert_true (test_wait_until (lists_family, window, 15000));
  screenshot_widget (GTK_WIDGET (preferences), "preferences-token", 20);
  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_window (server->url);
  again = (Named) { window, READER_TOKEN };
  if (!test_wait_until (token_is, &again, 15000))
    g_error ("a new window did not take the token from the keyring");
  g_assert_true (test_wait_until (lists_family, window, 15000));

  /* Forgotten: an empty token is removed from the keyring. */
  rndimg_viewer_window_save_token (window, "");
  saved = (Named) { window, "removed from the keyring" };
  g_assert_true (test_wait_until (notice_says, &saved, 15000));
  gtk_window_destroy (GTK_WINDOW (window));
  window = open_window (server->url);
  test_run_for (2000);
  g_assert_null (rndimg_viewer_window_get_token (window));

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

int
main (int argc, char **argv)
{
  viewer_test_init (&argc, &argv);
  if (viewer_test_is_persian ())
    g_test_add_func ("/viewer/persian-delete-and-edit", test_delete_and_edit);
  else if (g_getenv ("RNDIMG_TEST_KEYRING") != NULL)
    g_test_add_func ("/viewer/token-in-keyring", test_token_in_keyring);
  else
    {
      g_test_add_func ("/viewer/delete-and-edit", test_delete_and_edit);
      g_test_add_func ("/viewer/token-shows-private-album", test_token_shows_private_album);
    }
  return g_test_run ();
}
