/* SPDX-License-Identifier: MIT */
/* The real viewer window under Xvfb, against a real rndimg-server: Get,
 * Live, the server going away and coming back, Live's banner and button
 * while it is gone (20 s, and a Get that fails meanwhile), history,
 * Save As, Copy, upload (by the action and by a drop), the notices, the
 * empty and error pages, dark, narrow; against a fake server whose
 * answers are bad; and, run with LANGUAGE=fa, in Persian from right to
 * left. What is shown is read from the widget tree; a PNG of the window
 * is saved in each state. With RNDIMG_TEST_APP_WINDOWS set, only the
 * app's own windows (About, Shortcuts, Preferences) are tested. The
 * picture itself is tested in test-viewer-picture.c, the albums in
 * test-viewer-albums.c. */
#include <glib/gstdio.h>
#include <string.h>

#include "rndimg-viewer-application.h"
#include "rndimg-viewer-preferences.h"
#include "rndimg-viewer-settings.h"
#include "test-viewer-util.h"

static char *
saved_server (void)
{
  g_autoptr(GSettings) settings = rndimg_viewer_settings_new ();

  return g_settings_get_string (settings, "server");
}

static void
test_get_live_and_recovery (void)
{
  g_autofree char *folder = test_make_image_folder (25);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = start_server (folder, NULL);
  g_autofree char *port = g_strdup (strrchr (server->url, ':') + 1);
  RndimgViewerWindow *window = open_window (server->url);
  g_autofree char *remembered = NULL;

  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "empty");
  screenshot (window, "empty", 20);

  /* Get: a picture from the server, shown at its real size; the server
   * is remembered now that it answered. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  g_assert_nonnull (rndimg_viewer_window_get_shown_name (window));
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "picture");
  assert_picture_size (window, 400, 400);
  g_assert_null (rndimg_viewer_window_get_problem (window));
  remembered = saved_server ();
  g_assert_cmpstr (remembered, ==, server->url);
  screenshot (window, "get", 200);

  /* Live: a publish from the test changes the picture. */
  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  json_object_unref (test_publish (server, session, "023.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "023.png", NULL, 5000);
  assert_caption_has (window, "023.png");   /* no alt text: the name */
  screenshot (window, "live", 200);

  /* The server goes away: the window says so, with the reason. */
  test_server_stop (server);
  wait_for (window, RNDIMG_VIEWER_RECONNECTING, NULL, "refused", 15000);
  screenshot (window, "server-down", 200);

  /* It comes back on the same port: live again, the next picture shows. */
  server = start_server (folder, port);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 40000);
  g_assert_null (rndimg_viewer_window_get_problem (window));
  json_object_unref (test_publish (server, session, "07.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "07.png", NULL, 5000);
  screenshot (window, "recovered", 200);

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

typedef struct {
  RndimgViewerWindow *window;
  const char *part;
} BannerText;

static gboolean
banner_says (gpointer user_data)
{
  BannerText *expected = user_data;

  return gtk_revealer_get_reveal_child (expected->window->banner) &&
         gtk_widget_get_mapped (GTK_WIDGET (expected->window->banner_label)) &&
         strstr (gtk_label_get_text (expected->window->banner_label), expected->part) != NULL;
}

/* The banner is shown and says @part, now or within a few seconds (while
 * Live tries again, it says so instead of the time of the next try). */
static void
assert_banner_shown (RndimgViewerWindow *window, const char *part)
{
  BannerText expected = { window, part };

  if (!test_wait_until (banner_says, &expected, 8000))
    g_error ("expected the banner to say “%s”, it says “%s” (%s)", part, gtk_label_get_text (window->banner_label),
             gtk_revealer_get_reveal_child (window->banner) ? "shown" : "hidden");
}

static void
assert_live_button_looks (RndimgViewerWindow *window, gboolean on, gboolean trouble)
{
  g_assert_true (gtk_widget_has_css_class (window->live_button, "rndimg-live-on") == on);
  g_assert_true (gtk_widget_has_css_class (window->live_button, "rndimg-live-trouble") == trouble);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->live_icon)) == (on || trouble));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (window->live_button)) == (on || trouble));
}

static gboolean
live_waits (gpointer window)
{
  return rndimg_live_get_retry_time (((RndimgViewerWindow *) window)->live) > 0;
}

/* Stops @server and keeps its port bound but not listening, so that a
 * connection to it is refused for the rest of the test: another suite's
 * server, run at the same time, could otherwise take the port and leave
 * the viewer waiting on a stranger. */
static GSocket *
stop_server_refusing (TestServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16) g_uri_get_port (uri));
  GSocket *held = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  test_server_stop (server);
  g_assert_nonnull (held);
  g_assert_true (g_socket_bind (held, address, TRUE, NULL));   /* past its connections in TIME_WAIT */
  return held;
}

/* With Live on and the server gone, the banner is there as long as Live
 * is not connected, whatever Get does: after 20 s it still says when Live
 * tries next (and offers Change Server… once the server has failed a
 * few tries), and a Get that fails meanwhile says so in a notice, not in
 * the banner's place. The Live button is on and connected in the accent
 * colour with its dot, then in the warning colour with an offline icon. */
static void
test_live_banner_stays (void)
{
  g_autoptr(GSocket) held = NULL;
  g_autofree char *folder = test_make_image_folder (5);
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  assert_live_button_looks (window, FALSE, FALSE);
  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  assert_live_button_looks (window, TRUE, FALSE);
  g_assert_false (gtk_revealer_get_reveal_child (window->banner));

  held = stop_server_refusing (server);
  wait_for (window, RNDIMG_VIEWER_RECONNECTING, NULL, "refused", 15000);
  assert_banner_shown (window, "refused");
  assert_live_button_looks (window, FALSE, TRUE);
  test_run_for (20000);
  /* While Live waits for its next try, the banner says when it is. */
  g_assert_true (test_wait_until (live_waits, window, 40000));
  assert_banner_shown (window, "Next try in");
  assert_banner_shown (window, "\u2068" "127.0.0.1");  /* the server, isolated in any script */
  g_assert_true (gtk_widget_get_visible (window->banner_server_button));
  assert_live_button_looks (window, FALSE, TRUE);
  screenshot (window, "live-server-gone", 200);

  /* The Get fails (refused; under a loaded sanitized run it has also ended
   * as the client's 10 s timeout, cause not found) and says so in a
   * notice, not in the banner's place. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, NULL, 60000);
  g_assert_true (rndimg_viewer_notice_is_shown (window->notice));
  g_assert_nonnull (rndimg_viewer_window_get_last_notice (window));
  g_assert_cmpstr (rndimg_viewer_window_get_last_notice (window), !=, "");
  test_run_for (1500);
  assert_banner_shown (window, "\u2068" "127.0.0.1");
  assert_live_button_looks (window, FALSE, TRUE);
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "picture");
  screenshot (window, "live-server-gone-get-failed", 200);

  gtk_window_destroy (GTK_WINDOW (window));
  test_remove_folder (folder);
}

static void
test_long_poll_transport (void)
{
  g_autofree char *folder = test_make_image_folder (5);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window_with (server->url, RNDIMG_TRANSPORT_LONG_POLL);

  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  json_object_unref (test_publish (server, session, "04.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "04.png", NULL, 5000);

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* The strip's list: its tiles in order (newest first), the selected one. */
static GtkListView *
history_list (RndimgViewerWindow *window)
{
  return GTK_LIST_VIEW (rndimg_viewer_history_strip_get_list (window->history_strip));
}

static const char *
tile_name (RndimgViewerWindow *window, guint index)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (history_list (window)));
  g_autoptr(RndimgViewerEntry) entry = g_list_model_get_item (model, index);

  return rndimg_viewer_entry_get_answer (entry)->name;
}

static guint
selected_tile (RndimgViewerWindow *window)
{
  return gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (history_list (window))));
}

/* Every tile drawn in the strip is a square of the same side. */
static void
assert_square_tiles (RndimgViewerWindow *window)
{
  int side = -1;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (history_list (window))); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *tile = gtk_widget_get_first_child (row);

      if (tile == NULL || !gtk_widget_get_mapped (tile))
        continue;
      g_assert_cmpint (gtk_widget_get_width (tile), ==, gtk_widget_get_height (tile));
      if (side < 0)
        side = gtk_widget_get_width (tile);
      g_assert_cmpint (gtk_widget_get_width (tile), ==, side);
    }
  g_assert_cmpint (side, >, 0);
}

/* Three pictures arrive live; the strip has them newest first, the shown
 * one selected; Older twice shows the first again, Newer the second, as
 * Left and Right do (the window's key bindings, run as the keys run
 * them); tiles are squares. Twelve more: the newest is in view, and the
 * oldest once it is shown. Then the same in dark, and in a phone-narrow
 * window. */
static void
test_history (void)
{
  g_autofree char *folder = test_make_image_folder (15);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);
  RndimgViewerHistory *history = rndimg_viewer_window_get_history (window);
  const char *names[] = { "01.png", "02.png", "03.png" };
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkAdjustment *strip_scroll;

  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      json_object_unref (test_publish (server, session, names[i]));
      wait_for (window, RNDIMG_VIEWER_LIVE, names[i], NULL, 5000);
    }
  g_assert_cmpuint (rndimg_viewer_history_get_length (history), ==, 3);
  settle ();
  g_assert_cmpstr (tile_name (window, 0), ==, "03.png");
  g_assert_cmpstr (tile_name (window, 2), ==, "01.png");
  g_assert_cmpuint (selected_tile (window), ==, 0);
  assert_square_tiles (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.older", NULL);
  press_key (window, GDK_KEY_Right, 0);   /* older, from left to right */
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "01.png");
  g_assert_cmpuint (selected_tile (window), ==, 2);
  screenshot (window, "history", 200);
  press_key (window, GDK_KEY_Left, 0);
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "02.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-entry", "i", 0);
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "03.png");

  /* Twelve more: the newest first and in view; the oldest scrolled to. */
  for (guint i = 4; i <= 15; i++)
    {
      g_autofree char *name = g_strdup_printf ("0%u.png", i);   /* as test_make_image_folder names them */

      json_object_unref (test_publish (server, session, name));
      wait_for (window, RNDIMG_VIEWER_LIVE, name, NULL, 5000);
    }
  settle ();
  strip_scroll = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (history_list (window)));
  g_assert_cmpstr (tile_name (window, 0), ==, "015.png");
  g_assert_cmpfloat (gtk_adjustment_get_value (strip_scroll), ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_upper (strip_scroll), >, gtk_adjustment_get_page_size (strip_scroll));
  press_key (window, GDK_KEY_End, 0);
  settle ();
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "01.png");
  g_assert_cmpfloat (gtk_adjustment_get_value (strip_scroll), >=,
                     gtk_adjustment_get_upper (strip_scroll) - gtk_adjustment_get_page_size (strip_scroll) - 1);
  screenshot (window, "history-oldest", 200);
  press_key (window, GDK_KEY_Home, 0);
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "015.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  screenshot (window, "dark", 200);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  screenshot (window, "narrow", 200);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* The first controller of @type on @widget, or NULL. */
static GtkEventController *
find_controller (GtkWidget *widget, GType type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;   /* the widget keeps it */
    }
  return NULL;
}

static gboolean
says_saved (gpointer user_data)
{
  const char *notice = rndimg_viewer_window_get_last_notice (user_data);

  return notice != NULL && g_str_has_prefix (notice, "Saved as");
}

static void
on_texture_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GdkTexture **texture = user_data;
  g_autoptr(GError) error = NULL;

  *texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer user_data)
{
  return *(gpointer *) user_data != NULL;
}

/* Save As writes the bytes the server has; Copy puts a texture of the
 * picture on the clipboard, Copy Link its URL. */
static void
test_save_and_copy (void)
{
  g_autofree char *folder = test_make_image_folder (5);
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = g_dir_make_tmp ("rndimg-viewer-save-XXXXXX", &error);
  g_autofree char *out_path = g_build_filename (out_dir, "saved.png", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autofree char *served_path = NULL;
  g_autofree char *saved = NULL, *served = NULL;
  gsize saved_length, served_length;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  GdkTexture *copied = NULL;
  GtkEventController *drag;
  g_autoptr(GdkContentProvider) dragged = NULL;
  g_autoptr(GdkContentFormats) formats = NULL;

  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  g_assert_nonnull (rndimg_viewer_window_get_shown_name (window));

  rndimg_viewer_window_save_picture (window, out);
  g_assert_true (test_wait_until (says_saved, window, 5000));
  /* The name isolated: it reads right in a sentence of any direction. */
  g_assert_cmpstr (rndimg_viewer_window_get_last_notice (window), ==, "Saved as “\u2068saved.png\u2069”");
  served_path = g_build_filename (folder, rndimg_viewer_window_get_shown_name (window), NULL);
  g_assert_true (g_file_get_contents (out_path, &saved, &saved_length, NULL));
  g_assert_true (g_file_get_contents (served_path, &served, &served_length, NULL));
  g_assert_cmpmem (saved, saved_length, served, served_length);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy", NULL);
  g_assert_true (gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard), GDK_TYPE_TEXTURE));
  gdk_clipboard_read_texture_async (clipboard, NULL, on_texture_read, &copied);
  g_assert_true (test_wait_until (is_set, &copied, 5000));
  g_assert_cmpint (gdk_texture_get_width (copied), ==, 400);
  g_clear_object (&copied);
  g_assert_cmpstr (rndimg_viewer_window_get_last_notice (window), ==, "Picture copied");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-link", NULL);
  g_assert_true (gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard), G_TYPE_STRING));

  /* Dragged out: the picture and its link. */
  drag = find_controller (rndimg_viewer_window_get_picture_widget (window), GTK_TYPE_DRAG_SOURCE);
  g_assert_nonnull (drag);
  g_signal_emit_by_name (drag, "prepare", 10.0, 10.0, &dragged);
  g_assert_nonnull (dragged);
  formats = gdk_content_provider_ref_formats (dragged);
  g_assert_true (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE));
  g_assert_true (gdk_content_formats_contain_gtype (formats, G_TYPE_STRING));

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (out_path);
  g_rmdir (out_dir);
  test_server_stop (server);
  test_remove_folder (folder);
}

static gboolean
shows_upload (gpointer user_data)
{
  const char *name = rndimg_viewer_window_get_shown_name (user_data);

  return name != NULL && g_str_has_prefix (name, "upload-");
}

/* Drops @file on the window, through its drop target's "drop" signal. */
static void
simulate_drop (RndimgViewerWindow *window, GFile *file)
{
  GtkEventController *target = find_controller (GTK_WIDGET (window), GTK_TYPE_DROP_TARGET);
  g_auto(GValue) value = G_VALUE_INIT;
  GSList *files = g_slist_prepend (NULL, file);
  gboolean taken = FALSE;

  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &taken);
  g_assert_true (taken);
  g_slist_free (files);
}

static void
test_upload (void)
{
  g_autofree char *folder = test_make_image_folder (3);
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);
  g_autofree char *picture_path = test_source_image ("051.png");
  g_autoptr(GFile) picture = g_file_new_for_path (picture_path);
  g_autoptr(GFile) not_picture = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  /* By the action's own function (what the file chooser calls). */
  rndimg_viewer_window_upload_file (window, picture);
  g_assert_true (test_wait_until (shows_upload, window, 10000));
  assert_picture_size (window, 400, 400);
  g_assert_null (rndimg_viewer_window_get_problem (window));

  /* By a drop, with Live on: shown once, not twice. */
  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  simulate_drop (window, picture);
  g_assert_true (test_wait_until (shows_upload, window, 10000));
  test_run_for (1000);
  g_assert_cmpuint (rndimg_viewer_history_get_length (rndimg_viewer_window_get_history (window)), ==, 2);
  screenshot (window, "upload", 200);

  /* Not a picture: the server's 415 in plain words. */
  not_picture = g_file_new_tmp ("rndimg-notes-XXXXXX.png", &stream, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), "just notes\n", 11,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  simulate_drop (window, not_picture);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, "PNG, JPEG, GIF or WebP", 10000);
  screenshot (window, "upload-rejected", 200);
  g_file_delete (not_picture, NULL, NULL);

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* How many widgets named "toast" the window holds, shown or not; @title
 * is the label of the last. */
static guint
count_toasts (GtkWidget *widget, GtkLabel **title)
{
  guint count = 0;

  if (g_strcmp0 (gtk_widget_get_css_name (widget), "toast") == 0)
    {
      *title = GTK_LABEL (find_widget (widget, GTK_TYPE_LABEL));
      return 1;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    count += count_toasts (child, title);
  return count;
}

/* One notice on screen, saying @message. */
static void
assert_one_notice (RndimgViewerWindow *window, const char *message)
{
  GtkLabel *title = NULL;

  g_assert_cmpuint (count_toasts (GTK_WIDGET (window), &title), ==, 1);
  g_assert_nonnull (title);
  g_assert_true (rndimg_viewer_notice_is_shown (window->notice));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->notice)));
  g_assert_cmpstr (gtk_label_get_label (title), ==, message);
  g_assert_cmpstr (rndimg_viewer_window_get_last_notice (window), ==, message);
}

/* Messages faster than their animations ("Uploading…" then "Uploaded" on
 * loopback), some right after the person closed the last one, which is
 * what crashed libadwaita 1.2's toasts (a toast dismissed within 200 ms
 * of appearing is freed while its animation still runs). The window has
 * no AdwToast at all: one notice of its own, retitled, faded out and in,
 * never freed before the window. Under ASan's free fill a use after free
 * here would crash. */
static void
test_notices (void)
{
  RndimgViewerWindow *window = open_window ("http://127.0.0.1:9");   /* discard: never asked */
  GtkLabel *title = NULL;
  gboolean animations = FALSE;
  GtkWidget *close;

  g_object_get (gtk_settings_get_default (), "gtk-enable-animations", &animations, NULL);
  g_assert_true (animations);   /* without, nothing overlaps and nothing is tested */
  g_assert_null (find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY));
  close = find_widget (GTK_WIDGET (window->notice), GTK_TYPE_BUTTON);
  g_assert_nonnull (close);
  for (guint round = 0; round < 4; round++)
    {
      g_autofree char *uploading = g_strdup_printf ("Uploading “%u & co.png”…", round);
      g_autofree char *uploaded = g_strdup_printf ("Uploaded “%u & co.png”", round);

      _rndimg_viewer_window_say (window, uploading);
      test_run_for (20 * round);
      _rndimg_viewer_window_say (window, uploaded);
      test_run_for (20 * round);
      _rndimg_viewer_window_say (window, "Link copied");
      assert_one_notice (window, "Link copied");
      test_run_for (700);
      assert_one_notice (window, "Link copied");

      /* Closed by the person (its close button) as it appears, then
       * messages while it fades. */
      _rndimg_viewer_window_say (window, uploading);
      g_signal_emit_by_name (close, "clicked");
      g_assert_false (rndimg_viewer_notice_is_shown (window->notice));
      test_run_for (10 * round);
      _rndimg_viewer_window_say (window, uploaded);
      g_signal_emit_by_name (close, "clicked");
      _rndimg_viewer_window_say (window, uploaded);
      test_run_for (700);
      assert_one_notice (window, uploaded);
      g_signal_emit_by_name (close, "clicked");
      test_run_for (700);
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->notice)));
      g_assert_cmpuint (count_toasts (GTK_WIDGET (window), &title), ==, 1);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A server that wants a token: 401 without one says where to set it,
 * and the token from the preferences makes it work. */
static void
test_upload_token (void)
{
  g_autofree char *folder = test_make_image_folder (3);
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  const char *args[] = { images, "--interval=0", NULL };
  const char *environment[] = { "RNDIMG_TOKEN", "s3cret-token", NULL };
  TestServer *server = test_server_start_full (args, environment);
  RndimgViewerWindow *window = open_window (server->url);
  g_autofree char *picture_path = test_source_image ("051.png");
  g_autoptr(GFile) picture = g_file_new_for_path (picture_path);

  rndimg_viewer_window_upload_file (window, picture);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, "set it in Preferences", 10000);
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "error");
  screenshot (window, "upload-refused", 20);

  rndimg_viewer_window_set_token (window, "s3cret-token");
  rndimg_viewer_window_upload_file (window, picture);
  g_assert_true (test_wait_until (shows_upload, window, 10000));

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* A "server" whose answers are wrong in the ways a proxy or a bug makes. */
static void
on_fake_request (SoupServer *server, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer user_data)
{
  const char *mode = user_data;

  soup_server_message_set_status (msg, 200, NULL);
  if (g_str_equal (mode, "not-json"))
    soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<h1>Welcome to nginx</h1>", 25);
  else if (g_str_has_prefix (path, "/static/"))
    soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC, "not a png", 9);
  else
    {
      g_autofree char *json = g_strdup_printf ("{\"status\":\"success\",\"message\":\"http://%s:%d/static/img/x.png\"}",
                                               g_uri_get_host (soup_server_message_get_uri (msg)),
                                               g_uri_get_port (soup_server_message_get_uri (msg)));
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
    }
}

static void
assert_get_fails (const char *mode, const char *problem_part)
{
  g_autoptr(SoupServer) fake = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  g_autofree char *url = NULL;
  RndimgViewerWindow *window;

  soup_server_add_handler (fake, NULL, on_fake_request, (gpointer) mode, NULL);
  g_assert_true (soup_server_listen_local (fake, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (fake);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = open_window (url);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, problem_part, 10000);
  g_assert_null (rndimg_viewer_window_get_shown_name (window));
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "error");
  screenshot (window, mode, 20);
  gtk_window_destroy (GTK_WINDOW (window));
  soup_server_disconnect (fake);
}

/* A server whose picture takes a while: rndimg answers at once with the
 * picture's size, BlurHash and colour (those the real server gives for
 * landscapes-1.png), the picture itself comes 1.5 s later. */
static void
test_bad_answers (void)
{
  assert_get_fails ("not-json", "Bad answer");
  assert_get_fails ("not-an-image", "not a picture");
}

/* Nobody listens: the error page says so, and the dead server is not
 * remembered. */
static void
test_refused (void)
{
  g_autofree char *before = saved_server ();
  RndimgViewerWindow *window = open_window ("http://127.0.0.1:9");   /* discard: nobody listens */
  g_autofree char *after = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, "refused", 10000);
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "error");
  screenshot (window, "error", 20);
  after = saved_server ();
  g_assert_cmpstr (after, ==, before);
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_server_row (GtkWidget *widget)
{
  if (ADW_IS_ENTRY_ROW (widget) && !ADW_IS_PASSWORD_ENTRY_ROW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_server_row (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The preferences window: "host:port" becomes the window's server, a
 * wrong address is marked and changes nothing. */
static void
test_preferences (void)
{
  g_autofree char *folder = test_make_image_folder (3);
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window ("http://127.0.0.1:9");
  RndimgViewerPreferences *preferences = rndimg_viewer_preferences_new (window);
  GtkWidget *row;

  gtk_window_present (GTK_WINDOW (preferences));
  settle ();
  row = find_server_row (GTK_WIDGET (preferences));
  g_assert_nonnull (row);

  gtk_editable_set_text (GTK_EDITABLE (row), server->url + strlen ("http://"));
  g_signal_emit_by_name (row, "apply");
  g_assert_cmpstr (rndimg_viewer_window_get_server (window), ==, server->url);
  screenshot_widget (GTK_WIDGET (preferences), "preferences", 20);

  gtk_editable_set_text (GTK_EDITABLE (row), "ftp://example.org");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpstr (rndimg_viewer_window_get_server (window), ==, server->url);
  gtk_editable_set_text (GTK_EDITABLE (row), "127.0.0.1:5000");
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  g_assert_nonnull (rndimg_viewer_window_get_shown_name (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* Xvfb has no session bus; the app says so and runs on its own. */
static gboolean
allow_no_session_bus (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  return strstr (message, "session bus") == NULL;
}

/* The app's own windows, from its menu: About, Keyboard Shortcuts,
 * Preferences. */
static void
test_app_windows (void)
{
  g_autoptr(RndimgViewerApplication) app = rndimg_viewer_application_new ();
  g_autoptr(GError) error = NULL;
  GtkWindow *main_window, *about, *shortcuts, *preferences;

  g_test_log_set_fatal_handler (allow_no_session_bus, NULL);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  main_window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (RNDIMG_IS_VIEWER_WINDOW (main_window));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  settle ();
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "rndimg Viewer");
  screenshot_widget (GTK_WIDGET (about), "about", 20);
  gtk_window_destroy (about);

  gtk_widget_activate_action (GTK_WIDGET (main_window), "win.show-help-overlay", NULL);
  settle ();
  shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  screenshot_widget (GTK_WIDGET (shortcuts), "shortcuts", 20);
  gtk_window_close (shortcuts);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  settle ();
  preferences = find_toplevel (RNDIMG_TYPE_VIEWER_PREFERENCES);
  g_assert_nonnull (preferences);
  gtk_window_destroy (preferences);

  gtk_window_destroy (main_window);
  settle ();
}

/* The key file of versions before GSettings is read once. */
static void
test_key_file_migration (void)
{
  g_autoptr(GSettings) settings = rndimg_viewer_settings_new ();
  g_autofree char *folder = g_build_filename (g_get_user_config_dir (), "rndimg", NULL);
  g_autofree char *path = g_build_filename (folder, "viewer.ini", NULL);
  g_autofree char *migrated = NULL, *kept = NULL;
  g_autoptr(GError) error = NULL;

  g_settings_reset (settings, "key-file-migrated");
  g_mkdir_with_parents (folder, 0700);
  g_file_set_contents (path, "[viewer]\nserver=http://pictures.example:5000\n", -1, &error);
  g_assert_no_error (error);

  rndimg_viewer_settings_migrate (settings);
  migrated = g_settings_get_string (settings, "server");
  g_assert_cmpstr (migrated, ==, "http://pictures.example:5000");

  g_settings_set_string (settings, "server", "http://127.0.0.1:5000");
  rndimg_viewer_settings_migrate (settings);
  kept = g_settings_get_string (settings, "server");
  g_assert_cmpstr (kept, ==, "http://127.0.0.1:5000");
  g_unlink (path);
}

static void
assert_viewer_exits (const char *const *argv, int status, const char *in_output)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, status);
  if (strstr (out, in_output) == NULL && strstr (err, in_output) == NULL)
    g_error ("expected “%s” in the output of %s, got “%s” and “%s”", in_output, argv[1], out, err);
}

/* The program itself: its options are documented and checked. */
static void
test_program_options (void)
{
  const char *viewer = g_getenv ("RNDIMG_VIEWER");
  const char *help[] = { viewer, "--help", NULL };
  const char *bad_transport[] = { viewer, "--transport=carrier-pigeon", NULL };
  const char *bad_server[] = { viewer, "--server=ftp://example.org", NULL };

  g_assert_nonnull (viewer);
  assert_viewer_exits (help, 0, "--transport");
  assert_viewer_exits (bad_transport, 2, "carrier-pigeon");
  assert_viewer_exits (bad_server, 2, "ftp://example.org");
}

/* Run with LANGUAGE=fa: the window reads Persian and lays out from right
 * to left; errors from the library are Persian too. */
static void
test_persian (void)
{
  g_autofree char *folder = test_make_image_folder (5);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);
  RndimgViewerWindow *refused = NULL;

  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (window)), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "نمایشگر rndimg");
  g_assert_nonnull (find_label_with_text (GTK_WIDGET (window->live_button), "زنده"));
  screenshot (window, "fa-empty", 20);

  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  json_object_unref (test_publish (server, session, "01.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "01.png", NULL, 5000);
  json_object_unref (test_publish (server, session, "02.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "02.png", NULL, 5000);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (window->live_button), "زنده"));
  screenshot (window, "fa-live", 200);
  gtk_window_destroy (GTK_WINDOW (window));

  refused = open_window ("http://127.0.0.1:9");
  gtk_widget_activate_action (GTK_WIDGET (refused), "win.get", NULL);
  wait_for (refused, RNDIMG_VIEWER_ERROR, NULL, "rndimg-server", 10000);
  g_assert_nonnull (strstr (rndimg_viewer_window_get_problem (refused), "اتصال"));
  screenshot (refused, "fa-error", 20);
  gtk_window_destroy (GTK_WINDOW (refused));

  test_server_stop (server);
  test_remove_folder (folder);
}

int
main (int argc, char **argv)
{
  viewer_test_init (&argc, &argv);
  if (viewer_test_is_persian ())
    g_test_add_func ("/viewer/persian", test_persian);
  else if (g_getenv ("RNDIMG_TEST_APP_WINDOWS") != NULL)
    g_test_add_func ("/viewer/app-windows", test_app_windows);
  else
    {
      g_test_add_func ("/viewer/get-live-and-recovery", test_get_live_and_recovery);
      g_test_add_func ("/viewer/live-banner-stays", test_live_banner_stays);
      g_test_add_func ("/viewer/long-poll-transport", test_long_poll_transport);
      g_test_add_func ("/viewer/history", test_history);
      g_test_add_func ("/viewer/save-and-copy", test_save_and_copy);
      g_test_add_func ("/viewer/upload", test_upload);
      g_test_add_func ("/viewer/upload-token", test_upload_token);
      g_test_add_func ("/viewer/notices", test_notices);
      g_test_add_func ("/viewer/bad-answers", test_bad_answers);
      g_test_add_func ("/viewer/refused", test_refused);
      g_test_add_func ("/viewer/preferences", test_preferences);
      g_test_add_func ("/viewer/key-file-migration", test_key_file_migration);
      g_test_add_func ("/viewer/program-options", test_program_options);
    }
  return g_test_run ();
}
