/* SPDX-License-Identifier: MIT */
/* The real viewer window under Xvfb, against a real rndimg-server: Get,
 * Live, the server going away and coming back, history, Save As, Copy,
 * upload (by the action and by a drop), the empty and error pages, dark,
 * narrow; against a fake server whose answers are bad; and, run with
 * LANGUAGE=fa, in Persian from right to left. A PNG of the window is
 * saved in each state. With RNDIMG_TEST_APP_WINDOWS set, only the app's
 * own windows (About, Shortcuts, Preferences) are tested. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "rndimg-test-util.h"
#include "rndimg-viewer-application.h"
#include "rndimg-viewer-i18n.h"
#include "rndimg-viewer-preferences.h"
#include "rndimg-viewer-settings.h"
#include "rndimg-viewer-window-private.h"

static char *artifacts_dir;

typedef struct {
  RndimgViewerWindow *window;
  RndimgViewerState state;
  const char *name;
  const char *problem_part;
} Expect;

static gboolean
window_matches (gpointer user_data)
{
  Expect *expect = user_data;
  const char *problem = rndimg_viewer_window_get_problem (expect->window);

  if (expect->state != (RndimgViewerState) -1 && rndimg_viewer_window_get_state (expect->window) != expect->state)
    return FALSE;
  if (expect->name != NULL && g_strcmp0 (rndimg_viewer_window_get_shown_name (expect->window), expect->name) != 0)
    return FALSE;
  if (expect->problem_part != NULL && (problem == NULL || strstr (problem, expect->problem_part) == NULL))
    return FALSE;
  return TRUE;
}

static void
wait_for (RndimgViewerWindow *window, RndimgViewerState state, const char *name,
          const char *problem_part, guint timeout_ms)
{
  Expect expect = { window, state, name, problem_part };

  if (!test_wait_until (window_matches, &expect, timeout_ms))
    g_error ("window did not reach state %d / picture %s / problem “%s”: it is in state %d showing %s, problem “%s”, status “%s”",
             state, name, problem_part, rndimg_viewer_window_get_state (window),
             rndimg_viewer_window_get_shown_name (window), rndimg_viewer_window_get_problem (window),
             rndimg_viewer_window_get_status_text (window));
}

/* Lets a few frames be drawn (animations end, the picture appears). */
static void
settle (void)
{
  test_run_for (600);
}

/* Renders the window, saves it as a PNG artifact, and checks that it is
 * not blank: a real window with a picture has many colours. */
static void
screenshot_widget (GtkWidget *widget, const char *name, guint min_colours)
{
  int width, height;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("viewer-%s.png", name);
  g_autofree char *path = g_build_filename (artifacts_dir, file, NULL);
  g_autoptr(GHashTable) colours = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint32 *pixels = NULL;

  settle ();
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 100);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));

  pixels = g_new (guint32, (gsize) width * height);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i += 3)
    g_hash_table_add (colours, GUINT_TO_POINTER (pixels[i]));
  if (g_hash_table_size (colours) < min_colours)
    g_error ("%s looks blank: %u colours, expected at least %u", path, g_hash_table_size (colours), min_colours);
}

static void
screenshot (RndimgViewerWindow *window, const char *name, guint min_colours)
{
  screenshot_widget (GTK_WIDGET (window), name, min_colours);
}

static RndimgViewerWindow *
open_window_with (const char *server_url, RndimgTransport transport)
{
  RndimgViewerWindow *window = rndimg_viewer_window_new (NULL, server_url, transport);

  gtk_window_set_default_size (GTK_WINDOW (window), 520, 600);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  return window;
}

static RndimgViewerWindow *
open_window (const char *server_url)
{
  return open_window_with (server_url, RNDIMG_TRANSPORT_AUTO);
}

static void
assert_picture_size (RndimgViewerWindow *window, int width, int height)
{
  GdkPaintable *paintable = rndimg_viewer_window_get_paintable (window);

  g_assert_nonnull (paintable);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, width);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, height);
}

static void
set_live (RndimgViewerWindow *window, gboolean on)
{
  g_object_set (window, "live", on, NULL);
}

static TestServer *
start_server (const char *folder, const char *port)
{
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  g_autofree char *port_arg = port ? g_strconcat ("--port=", port, NULL) : NULL;

  return test_server_start (images, "--interval=0", port_arg, NULL);
}

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
  g_assert_nonnull (strstr (rndimg_viewer_window_get_status_text (window), "023.png"));
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

/* Three pictures arrive live; Back twice shows the first again, Forward
 * the second; the strip holds all three. Then the same in dark, and in a
 * phone-narrow window. */
static void
test_history (void)
{
  g_autofree char *folder = test_make_image_folder (5);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = start_server (folder, NULL);
  RndimgViewerWindow *window = open_window (server->url);
  RndimgViewerHistory *history = rndimg_viewer_window_get_history (window);
  const char *names[] = { "01.png", "02.png", "03.png" };
  AdwStyleManager *style = adw_style_manager_get_default ();

  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      json_object_unref (test_publish (server, session, names[i]));
      wait_for (window, RNDIMG_VIEWER_LIVE, names[i], NULL, 5000);
    }
  g_assert_cmpuint (rndimg_viewer_history_get_length (history), ==, 3);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "01.png");
  screenshot (window, "history", 200);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.forward", NULL);
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "02.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-entry", "i", 2);
  g_assert_cmpstr (rndimg_viewer_window_get_shown_name (window), ==, "03.png");

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
  const char *toast = rndimg_viewer_window_get_last_toast (user_data);

  return toast != NULL && g_str_has_prefix (toast, "Saved as");
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

/* The count of /img/ answers of @status in the server's /metrics. */
static guint64
variant_answers (TestServer *server, SoupSession *session, guint status)
{
  g_autofree char *url = test_server_url (server, "/metrics");
  g_autofree char *line = g_strdup_printf ("\nrndimg_http_requests_total{route=\"/img/\",method=\"GET\",status=\"%u\"} ",
                                           status);
  g_auto(TestResponse) response = { 0 };
  g_autofree char *metrics = NULL;
  const char *found;

  test_request (session, "GET", url, NULL, NULL, NULL, &response);
  metrics = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  found = strstr (metrics, line);
  return found != NULL ? g_ascii_strtoull (found + strlen (line), NULL, 10) : 0;
}

/* One GET that does not follow a redirect: its status, and @location. */
static guint
get_without_redirect (SoupSession *session, const char *url, char **location)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (location != NULL)
    *location = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"));
  return soup_message_get_status (msg);
}

/* What the client library builds for each picture of the server (an
 * album's included) is the canonical URL: the short spelling (no version)
 * redirects exactly there, and it is answered with bytes at once. */
static void
assert_variant_urls_canonical (TestServer *server, SoupSession *session)
{
  g_autofree char *list_url = test_server_url (server, "/polling/api/v1.0/images");
  g_auto(TestResponse) response = { 0 };
  JsonArray *images;

  test_request (session, "GET", list_url, NULL, NULL, NULL, &response);
  images = json_object_get_array_member (test_response_json (&response), "images");
  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      const char *url = json_object_get_string_member (image, "url");
      const char *version = json_object_get_string_member (image, "variant_version");
      g_autofree char *canonical = rndimg_client_variant_url (url, version, 150, 100, 2);
      g_autofree char *short_url = rndimg_client_variant_url (url, NULL, 150, 100, 2);
      g_autofree char *location = NULL;

      g_assert_nonnull (canonical);
      g_assert_nonnull (strstr (canonical, "/300x200."));
      g_assert_cmpuint (get_without_redirect (session, short_url, &location), ==, 302);
      g_assert_cmpstr (location, ==, canonical);
      g_assert_cmpuint (get_without_redirect (session, canonical, NULL), ==, 200);
    }
  g_assert_cmpuint (json_array_get_length (images), ==, 3);
}

/* The viewer asks for a variant the size of its window (times its scale),
 * not the whole file, by its canonical URL (the version from the
 * answer's details): the server answers it at once, no redirect. Save As
 * still writes the file itself. */
static void
test_window_sized_variant (void)
{
  g_autofree char *folder = test_make_image_folder (2);
  g_autofree char *album = g_build_filename (folder, "cats", NULL);
  g_autofree char *source = test_source_image ("03.png");
  g_autofree char *album_picture = g_build_filename (album, "c1.png", NULL);
  g_autofree char *bytes = NULL;
  gsize length;
  TestServer *server;
  RndimgViewerWindow *window;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *metrics_url = NULL;
  g_autofree char *metrics = NULL;
  int width, height, scale;
  GdkPaintable *paintable;

  g_assert_true (g_file_get_contents (source, &bytes, &length, NULL));
  g_assert_cmpint (g_mkdir (album, 0700), ==, 0);
  g_assert_true (g_file_set_contents (album_picture, bytes, (gssize) length, NULL));
  server = start_server (folder, NULL);
  metrics_url = test_server_url (server, "/metrics");
  /* The versions are computed once the server runs; the viewer needs them. */
  test_server_wait_for_placeholders (server, session, 10000);
  window = rndimg_viewer_window_new (NULL, server->url, RNDIMG_TRANSPORT_AUTO);
  gtk_window_set_default_size (GTK_WINDOW (window), 240, 300);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (window));
  g_assert_cmpint (width * scale, <, 400);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  paintable = rndimg_viewer_window_get_paintable (window);
  g_assert_nonnull (paintable);
  /* A square 400x400 picture inside the window: its smaller side. */
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, MIN (width, height) * scale);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, MIN (width, height) * scale);
  {
    g_auto(TestResponse) response = { 0 };

    test_request (session, "GET", metrics_url, NULL, NULL, NULL, &response);
    metrics = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  }
  g_assert_nonnull (strstr (metrics, "\nrndimg_variant_renders_total 1\n"));
  /* One request for the variant, answered with its bytes: no redirect. */
  g_assert_cmpuint (variant_answers (server, session, 200), ==, 1);
  g_assert_cmpuint (variant_answers (server, session, 302), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  assert_variant_urls_canonical (server, session);
  test_server_stop (server);
  test_remove_folder (folder);
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
  g_assert_cmpstr (rndimg_viewer_window_get_last_toast (window), ==, "Saved as “saved.png”");
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
  g_assert_cmpstr (rndimg_viewer_window_get_last_toast (window), ==, "Picture copied");

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

static gboolean
albums_listed (gpointer user_data)
{
  GtkDropDown *picker = GTK_DROP_DOWN (rndimg_viewer_window_get_album_picker (user_data));

  return g_list_model_get_n_items (gtk_drop_down_get_model (picker)) == 3;   /* all, landscapes, portraits */
}

/* @album NULL: "All pictures", the first, in any language. */
static void
choose_album (RndimgViewerWindow *window, const char *album)
{
  GtkDropDown *picker = GTK_DROP_DOWN (rndimg_viewer_window_get_album_picker (window));
  GListModel *model = gtk_drop_down_get_model (picker);

  if (album == NULL)
    {
      gtk_drop_down_set_selected (picker, 0);
      return;
    }
  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), album) == 0)
      {
        gtk_drop_down_set_selected (picker, i);
        return;
      }
  g_error ("no album %s in the picker", album);
}

/* The album picker: Get follows the album chosen (kept in GSettings), and
 * the picture's alternative text is the owner's (info.json), in Persian
 * when the viewer is. */
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
  window = open_window (server->url);
  g_assert_true (test_wait_until (albums_listed, window, 5000));
  choose_album (window, "portraits");
  remembered = g_settings_get_string (settings, "album");
  g_assert_cmpstr (remembered, ==, "portraits");
  for (int i = 0; i < 3; i++)
    {
      const char *alt;

      gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
      wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
      test_run_for (200);
      g_assert_true (g_str_has_prefix (rndimg_viewer_window_get_shown_name (window), "portraits/"));
      alt = gtk_picture_get_alternative_text (GTK_PICTURE (rndimg_viewer_window_get_picture_widget (window)));
      g_assert_true (g_str_has_prefix (alt, persian ? "تصویر عمودی" : "Portrait "));
    }
  screenshot (window, persian ? "fa-album" : "album", 100);
  choose_album (window, NULL);
  g_clear_pointer (&remembered, g_free);
  remembered = g_settings_get_string (settings, "album");
  g_assert_cmpstr (remembered, ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
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

/* The first widget of @type in @widget's tree, or NULL. */
static GtkWidget *
find_widget (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many toasts the overlay holds, shown or hiding; @title is the
 * label of the last. */
static guint
count_toasts (RndimgViewerWindow *window, GtkLabel **title)
{
  guint count = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (window->toast_overlay)); child;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (gtk_widget_get_css_name (child), "toast") == 0)
      {
        count++;
        *title = GTK_LABEL (find_widget (child, GTK_TYPE_LABEL));
      }
  return count;
}

/* One toast on screen, saying @message (a toast's title is markup). */
static void
assert_one_toast (RndimgViewerWindow *window, const char *message)
{
  GtkLabel *title = NULL;
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  g_assert_cmpuint (count_toasts (window, &title), ==, 1);
  g_assert_nonnull (title);
  g_assert_cmpstr (gtk_label_get_label (title), ==, escaped);
  g_assert_cmpstr (rndimg_viewer_window_get_last_toast (window), ==, message);
}

/* Messages faster than toasts animate ("Uploading…" then "Uploaded" on
 * loopback), and some right after the person closed the last toast.
 * libadwaita 1.2 frees a toast dismissed within 200 ms of appearing
 * (when it replaced one) before its show animation ends, which then
 * writes to it: the window must retitle the toast shown, never dismiss
 * it for the next. A dismissed toast stays in the overlay while it
 * hides, so more than one toast right after a burst means one was
 * dismissed; the freed memory, under MALLOC_PERTURB_ or ASan's
 * free_fill, crashes. */
static void
test_toasts (void)
{
  RndimgViewerWindow *window = open_window ("http://127.0.0.1:9");   /* discard: never asked */
  GtkLabel *title = NULL;
  gboolean animations = FALSE;

  g_object_get (gtk_settings_get_default (), "gtk-enable-animations", &animations, NULL);
  g_assert_true (animations);   /* without, toasts never overlap and nothing is tested */
  for (guint round = 0; round < 4; round++)
    {
      g_autofree char *uploading = g_strdup_printf ("Uploading “%u & co.png”…", round);
      g_autofree char *uploaded = g_strdup_printf ("Uploaded “%u & co.png”", round);

      _rndimg_viewer_window_toast (window, uploading);
      test_run_for (20 * round);
      _rndimg_viewer_window_toast (window, uploaded);
      test_run_for (20 * round);
      _rndimg_viewer_window_toast (window, "Link copied");
      assert_one_toast (window, "Link copied");
      test_run_for (700);
      assert_one_toast (window, "Link copied");

      /* Closed by the person (its close button), then messages while the
       * closed one still hides: a new toast replaces it (in 500 ms). */
      adw_toast_dismiss (window->toast);
      g_assert_null (window->toast);
      test_run_for (100);
      _rndimg_viewer_window_toast (window, uploading);
      test_run_for (50);
      _rndimg_viewer_window_toast (window, uploaded);
      test_run_for (700);
      assert_one_toast (window, uploaded);
      adw_toast_dismiss (window->toast);
      test_run_for (700);
      g_assert_cmpuint (count_toasts (window, &title), ==, 0);
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
  g_autoptr(GSettings) settings = rndimg_viewer_settings_new ();

  g_settings_set_string (settings, "upload-token", "");
  rndimg_viewer_window_upload_file (window, picture);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, "set it in Preferences", 10000);
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "error");
  screenshot (window, "upload-refused", 20);

  g_settings_set_string (settings, "upload-token", "s3cret-token");
  rndimg_viewer_window_upload_file (window, picture);
  g_assert_true (test_wait_until (shows_upload, window, 10000));
  g_settings_set_string (settings, "upload-token", "");

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
typedef struct {
  GBytes *png;
  const char *blurhash;     /* NULL: none said, only the colour */
} SlowPicture;

static gboolean
send_late (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
on_slow_request (SoupServer *server, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer user_data)
{
  SlowPicture *slow = user_data;
  GUri *uri = soup_server_message_get_uri (msg);

  soup_server_message_set_status (msg, 200, NULL);
  if (!g_str_has_prefix (path, "/polling/"))   /* the file, or the variant the viewer asks for */
    {
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY, g_bytes_get_data (slow->png, NULL),
                                        g_bytes_get_size (slow->png));
      soup_server_message_pause (msg);
      g_timeout_add (1500, send_late, g_object_ref (msg));
    }
  else
    {
      g_autofree char *blurhash = slow->blurhash != NULL ? g_strdup_printf ("\"%s\"", slow->blurhash) : g_strdup ("null");
      g_autofree char *json = g_strdup_printf (
        "{\"status\":\"success\",\"message\":\"http://%s:%d/static/img/slow.png\","
        "\"image\":{\"name\":\"slow.png\",\"width\":640,\"height\":400,\"colour\":\"#7785c0\","
        "\"blurhash\":%s,\"alt\":\"A slow picture\"}}",
        g_uri_get_host (uri), g_uri_get_port (uri), blurhash);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
    }
}

static gboolean
shows_paintable_of_width (gpointer user_data)
{
  RndimgViewerWindow *window = ((gpointer *) user_data)[0];
  int width = GPOINTER_TO_INT (((gpointer *) user_data)[1]);
  GdkPaintable *paintable = rndimg_viewer_window_get_paintable (window);

  return paintable != NULL && gdk_paintable_get_intrinsic_width (paintable) == width;
}

static void
wait_for_paintable_width (RndimgViewerWindow *window, int width)
{
  gpointer args[] = { window, GINT_TO_POINTER (width) };

  g_assert_true (test_wait_until (shows_paintable_of_width, args, 5000));
}

/* While the picture loads, its placeholder (32 pixels wide, 640:400) is
 * shown fit in its place, on the picture page, with its alt text; then
 * the picture (640 x 400) takes the same place. */
static void
assert_placeholder_then_picture (const char *blurhash, const char *screenshot_name)
{
  g_autofree char *path = test_source_image ("landscapes/landscapes-1.png");
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr(GBytes) png = g_mapped_file_get_bytes (file);
  SlowPicture slow = { png, blurhash };
  g_autoptr(SoupServer) fake = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  g_autofree char *url = NULL;
  RndimgViewerWindow *window;
  GdkPaintable *placeholder;
  graphene_rect_t before, after;

  soup_server_add_handler (fake, NULL, on_slow_request, &slow, NULL);
  g_assert_true (soup_server_listen_local (fake, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (fake);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = open_window (url);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for_paintable_width (window, 32);
  placeholder = rndimg_viewer_window_get_paintable (window);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (placeholder), ==, 20);   /* 32 x 400 / 640 */
  g_assert_cmpstr (rndimg_viewer_window_get_page (window), ==, "picture");
  g_assert_cmpstr (gtk_picture_get_alternative_text (GTK_PICTURE (rndimg_viewer_window_get_picture_widget (window))),
                   ==, "A slow picture");
  screenshot (window, screenshot_name, 20);
  g_assert_true (gtk_widget_compute_bounds (rndimg_viewer_window_get_picture_widget (window), GTK_WIDGET (window), &before));
  wait_for (window, -1, "slow.png", NULL, 5000);
  assert_picture_size (window, 640, 400);
  settle ();
  g_assert_true (gtk_widget_compute_bounds (rndimg_viewer_window_get_picture_widget (window), GTK_WIDGET (window), &after));
  g_assert_true (graphene_rect_equal (&before, &after));   /* no layout jump */
  screenshot (window, "placeholder-loaded", 200);
  gtk_window_destroy (GTK_WINDOW (window));
  soup_server_disconnect (fake);
}

static void
test_placeholder (void)
{
  assert_placeholder_then_picture ("LPDw2*.T6Xo~yDoybIflAMbI-2jY", "placeholder");
  assert_placeholder_then_picture (NULL, "placeholder-colour");
}

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

static gboolean
find_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (find_label (child, text))
      return TRUE;
  return FALSE;
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
  g_assert_true (find_label (GTK_WIDGET (window), "زنده"));
  screenshot (window, "fa-empty", 20);

  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  json_object_unref (test_publish (server, session, "01.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "01.png", NULL, 5000);
  json_object_unref (test_publish (server, session, "02.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "02.png", NULL, 5000);
  g_assert_nonnull (strstr (rndimg_viewer_window_get_status_text (window), "منتشر"));
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
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_dir_make_tmp ("rndimg-viewer-config-XXXXXX", &error);
  gboolean persian = g_str_has_prefix (g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "", "fa");

  g_assert_no_error (error);
  /* Nothing of the viewer's goes to the real home. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  artifacts_dir = g_strdup (g_getenv ("RNDIMG_ARTIFACTS") ? g_getenv ("RNDIMG_ARTIFACTS") : ".");
  g_mkdir_with_parents (artifacts_dir, 0755);

  setlocale (LC_ALL, "");
  rndimg_viewer_i18n_init ();
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The window buttons GNOME shows (Xvfb has no settings daemon to say so). */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);

  if (persian)
    {
      g_test_add_func ("/viewer/persian", test_persian);
      g_test_add_func ("/viewer/persian-album", test_album);
    }
  else if (g_getenv ("RNDIMG_TEST_APP_WINDOWS") != NULL)
    g_test_add_func ("/viewer/app-windows", test_app_windows);
  else
    {
      g_test_add_func ("/viewer/get-live-and-recovery", test_get_live_and_recovery);
      g_test_add_func ("/viewer/long-poll-transport", test_long_poll_transport);
      g_test_add_func ("/viewer/history", test_history);
      g_test_add_func ("/viewer/save-and-copy", test_save_and_copy);
      g_test_add_func ("/viewer/window-sized-variant", test_window_sized_variant);
      g_test_add_func ("/viewer/album", test_album);
      g_test_add_func ("/viewer/upload", test_upload);
      g_test_add_func ("/viewer/upload-token", test_upload_token);
      g_test_add_func ("/viewer/toasts", test_toasts);
      g_test_add_func ("/viewer/bad-answers", test_bad_answers);
      g_test_add_func ("/viewer/placeholder", test_placeholder);
      g_test_add_func ("/viewer/refused", test_refused);
      g_test_add_func ("/viewer/preferences", test_preferences);
      g_test_add_func ("/viewer/key-file-migration", test_key_file_migration);
      g_test_add_func ("/viewer/program-options", test_program_options);
    }
  return g_test_run ();
}
