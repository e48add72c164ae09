/* SPDX-License-Identifier: MIT */
/* The album picker in the real viewer window under Xvfb, against a real
 * server: Get follows the album chosen; the list gives each album its
 * whole title (info.json's, in Persian when the viewer is; else the
 * folder's name made readable), its count, sub-albums indented, a check
 * on the one in force, read from the widget tree; the header button names
 * the album in force, or is an icon with the title in its tooltip when
 * narrow; started with the server down, the window says so at once and
 * the picker comes when the server does. */
#include <stdlib.h>
#include <string.h>

#include "rndimg-viewer-settings.h"
#include "test-viewer-util.h"

/* The album picker: Get follows the album chosen (kept in GSettings), and
 * the picture's accessible description is the owner's alt text
 * (info.json), in Persian when the viewer is. */
static void
test_album (void)
{
  gboolean persian = g_strcmp0 (g_getenv ("LANGUAGE"), "fa") == 0;
  g_autofree char *folder = test_make_image_folder (3);
  g_autofree char *portraits = test_source_image ("portraits");
  g_autofree char *landscapes = test_source_image ("landscapes");
  g_autofree char *command = g_strdup_printf ("cp -r '%s' '%s' '%s'", portraits, landscapes, folder);
  g_autoptr(GSettings) settings = rndimg_viewer_settings_new ();
  g_autofree char *remembered = NULL;
  TestServer *server;
  RndimgViewerWindow *window;

  g_assert_cmpint (system (command), ==, 0);
  server = start_server (folder, NULL);
  window = open_window_sized (server->url, 560, 640);   /* the default size */
  wait_for_albums (window, 2, 5000);
  choose_album (window, "portraits");
  remembered = g_settings_get_string (settings, "album");
  g_assert_cmpstr (remembered, ==, "portraits");
  for (int i = 0; i < 3; i++)
    {
      const RndimgAnswer *shown;

      gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
      wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
      test_run_for (200);
      g_assert_true (g_str_has_prefix (rndimg_viewer_window_get_shown_name (window), "portraits/"));
      shown = rndimg_viewer_picture_get_answer (RNDIMG_VIEWER_PICTURE (rndimg_viewer_window_get_picture_widget (window)));
      g_assert_true (g_str_has_prefix (shown->alt, persian ? "تصویر عمودی" : "Portrait "));
      assert_described_as (window, shown->alt);
      assert_caption_has (window, shown->alt);
    }
  screenshot (window, persian ? "fa-album" : "album", 100);
  choose_album (window, "");
  g_clear_pointer (&remembered, g_free);
  remembered = g_settings_get_string (settings, "album");
  g_assert_cmpstr (remembered, ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* Albums to read: squares and its sub-album small (shipped), one with a
 * long folder name and no title, one titled by its info.json (shown as
 * its owner wrote it, in any language of the viewer). */
static char *
make_album_folder (void)
{
  char *folder = test_make_image_folder (2);
  g_autofree char *squares = test_source_image ("squares");
  g_autofree char *command = g_strdup_printf ("cp -r '%s' '%s' && mkdir -p '%s/holiday-photos-in-the_high-mountains' "
                                              "'%s/friends' && cp '%s/01.png' '%s/holiday-photos-in-the_high-mountains/' "
                                              "&& cp '%s/02.png' '%s/friends/'",
                                              squares, folder, folder, folder, folder, folder, folder, folder);
  g_autofree char *info = g_build_filename (folder, "friends", "info.json", NULL);

  g_assert_cmpint (system (command), ==, 0);
  g_assert_true (g_file_set_contents (info, "{\"title\":\"Portraits of Friends\"}", -1, NULL));
  return folder;
}

static GtkWidget *
row_box (RndimgViewerWindow *window, const char *album)
{
  GtkWidget *row = rndimg_viewer_album_picker_get_row (picker_of (window), album);

  g_assert_nonnull (row);
  return gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
}

/* The album's row in the list shows @title and @count whole, and its
 * check when it is the one in force. */
static void
assert_row (RndimgViewerWindow *window, const char *album, const char *title, const char *count, gboolean checked)
{
  GtkWidget *box = row_box (window, album);
  GtkWidget *title_label = find_label_with_text (box, title);
  GtkWidget *check = gtk_widget_get_last_child (box);

  if (title_label == NULL)
    g_error ("the row of album “%s” does not say “%s”", album, title);
  g_assert_true (gtk_widget_get_mapped (title_label));
  /* Whole: not cut to fit. */
  g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (title_label)), ==, PANGO_ELLIPSIZE_NONE);
  if (count != NULL && find_label_with_text (box, count) == NULL)
    g_error ("the row of album “%s” does not say “%s”", album, count);
  g_assert_cmpfloat (gtk_widget_get_opacity (check), ==, checked ? 1.0 : 0.0);
}

/* The header button's label says @title, whole. */
static void
assert_button_says (RndimgViewerWindow *window, const char *title)
{
  GtkWidget *button = rndimg_viewer_album_picker_get_button (picker_of (window));
  GtkWidget *label = find_label_with_text (button, title);

  if (label == NULL)
    g_error ("the album button does not say “%s”", title);
  g_assert_true (gtk_widget_get_mapped (label));
  /* Whole, as drawn: not cut with an ellipsis. */
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
}

/* The album picker's popover drawn over the window, as a person sees it
 * open. */
static void
screenshot_with_popover (RndimgViewerWindow *window, const char *name)
{
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (
    GTK_MENU_BUTTON (rndimg_viewer_album_picker_get_button (picker_of (window)))));
  g_autoptr(GdkPaintable) window_paint = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GdkPaintable) popover_paint = gtk_widget_paintable_new (popover);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("viewer-%s.png", name);
  g_autofree char *path = g_build_filename (g_getenv ("RNDIMG_ARTIFACTS") ? g_getenv ("RNDIMG_ARTIFACTS") : ".",
                                            file, NULL);
  double window_x, window_y, popover_x, popover_y;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));
  int width = gtk_widget_get_width (GTK_WIDGET (window)), height = gtk_widget_get_height (GTK_WIDGET (window));

  settle ();
  gtk_native_get_surface_transform (GTK_NATIVE (window), &window_x, &window_y);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &popover_x, &popover_y);
  gdk_paintable_snapshot (window_paint, snapshot, width, height);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (gdk_popup_get_position_x (GDK_POPUP (surface)) + popover_x - window_x,
                                                          gdk_popup_get_position_y (GDK_POPUP (surface)) + popover_y - window_y));
  gdk_paintable_snapshot (popover_paint, snapshot, gtk_widget_get_width (popover), gtk_widget_get_height (popover));
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static gboolean
is_compact (gpointer window)
{
  return rndimg_viewer_album_picker_get_compact (picker_of (window));
}

/* Albums you can read: every album by its whole title with its count,
 * the sub-album indented under its album, the check on the one in force;
 * the button names it (its accent colour says a filter is in force), and
 * in a narrow window becomes an icon whose tooltip names it. */
static void
test_album_titles (void)
{
  gboolean persian = viewer_test_is_persian ();
  g_autofree char *folder = make_album_folder ();
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window_sized (server->url, 560, 640);   /* the default size */
  g_autoptr(GSettings) settings = rndimg_viewer_settings_new ();
  const char *friends = "Portraits of Friends";
  const char *all = persian ? "همهٔ تصویرها" : "All Pictures";
  g_autofree char *album = NULL;
  GtkWidget *button, *label;

  wait_for_albums (window, 4, 10000);
  settle ();
  assert_button_says (window, all);
  rndimg_viewer_album_picker_popup (picker_of (window));
  settle ();
  assert_row (window, "", all, NULL, TRUE);
  assert_row (window, "friends", friends, NULL, FALSE);
  assert_row (window, "holiday-photos-in-the_high-mountains", "Holiday photos in the high mountains", NULL, FALSE);
  assert_row (window, "squares", "Squares", persian ? NULL : "6 pictures", FALSE);
  assert_row (window, "squares/small", "Small", persian ? NULL : "2 pictures", FALSE);
  g_assert_cmpint (gtk_widget_get_margin_start (row_box (window, "squares/small")), >,
                   gtk_widget_get_margin_start (row_box (window, "squares")));
  screenshot_with_popover (window, persian ? "fa-albums-open" : "albums-open");

  choose_album (window, "squares/small");
  album = g_settings_get_string (settings, "album");
  g_assert_cmpstr (album, ==, "squares/small");
  settle ();
  assert_button_says (window, "Squares / Small");
  button = rndimg_viewer_album_picker_get_button (picker_of (window));
  g_assert_true (gtk_widget_has_css_class (button, "rndimg-album-filtered"));
  rndimg_viewer_album_picker_popup (picker_of (window));
  settle ();
  assert_row (window, "squares/small", "Small", NULL, TRUE);
  assert_row (window, "", all, NULL, FALSE);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  g_assert_true (g_str_has_prefix (rndimg_viewer_window_get_shown_name (window), "squares/small/"));

  /* Narrow: an icon, its tooltip names the album in force. */
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 640);
  g_assert_true (test_wait_until (is_compact, window, 10000));
  settle ();
  label = find_label_with_text (button, "Squares / Small");
  g_assert_true (label == NULL || !gtk_widget_get_mapped (label));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "Squares / Small"));
  screenshot (window, persian ? "fa-albums-narrow" : "albums-narrow", 100);

  choose_album (window, "");
  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

static gboolean
says_it_tries_again (gpointer window)
{
  const char *description = adw_status_page_get_description (((RndimgViewerWindow *) window)->error_page);

  return description != NULL && strstr (description, "again") != NULL;
}

/* A port nobody listens on now. */
static char *
free_port (const char *folder)
{
  TestServer *server = start_server (folder, NULL);
  char *port = g_strdup (strrchr (server->url, ':') + 1);

  test_server_stop (server);
  return port;
}

/* Started with the server down, the window says so at once: the error
 * page (Cannot Reach the Server, Retry, Change Server…), with the album
 * in force already named on the picker. The server comes up: the album
 * list comes by itself, the picker lists it, the page is the empty one,
 * and Get follows the album. */
static void
test_start_server_down (void)
{
  g_autofree char *folder = make_album_folder ();
  g_autofree char *port = free_port (folder);
  g_autofree char *url = g_strconcat ("http://127.0.0.1:", port, NULL);
  g_autoptr(GSettings) settings = rndimg_viewer_settings_new ();
  RndimgViewerWindow *window;
  TestServer *server;

  g_settings_set_string (settings, "album", "squares");
  window = open_window (url);
  wait_for (window, -1, NULL, "refused", 5000);
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "error");
  g_assert_true (gtk_widget_get_mapped (window->error_server_button));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window->error_button)));
  /* It says when it tries again, or that it does. */
  g_assert_true (test_wait_until (says_it_tries_again, window, 5000));
  /* The filter in force is never hidden. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (picker_of (window))));
  assert_button_says (window, "Squares");
  screenshot (window, "server-down-at-start", 20);

  server = start_server (folder, port);
  wait_for_albums (window, 4, 40000);
  wait_for (window, -1, NULL, NULL, 5000);
  g_assert_null (rndimg_viewer_window_get_problem (window));
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "empty");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  g_assert_true (g_str_has_prefix (rndimg_viewer_window_get_shown_name (window), "squares/"));

  g_settings_set_string (settings, "album", "");
  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

int
main (int argc, char **argv)
{
  viewer_test_init (&argc, &argv);
  if (viewer_test_is_persian ())
    {
      g_test_add_func ("/viewer/persian-album", test_album);
      g_test_add_func ("/viewer/persian-album-titles", test_album_titles);
    }
  else
    {
      g_test_add_func ("/viewer/album", test_album);
      g_test_add_func ("/viewer/album-titles", test_album_titles);
      g_test_add_func ("/viewer/start-server-down", test_start_server_down);
    }
  return g_test_run ();
}
