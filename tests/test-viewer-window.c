/* SPDX-License-Identifier: MIT */
/* The real viewer window under Xvfb, against a real rndimg-server: Get,
 * Live, the server going away and coming back; and against a fake server
 * whose answers are bad. A PNG of the window is saved in each state. */
#include <gtk/gtk.h>
#include <string.h>

#include "rndimg-test-util.h"
#include "rndimg-viewer-window.h"

static char *artifacts_dir;

typedef struct {
  RndimgViewerWindow *window;
  RndimgViewerState state;
  const char *name;
  const char *banner_part;
} Expect;

static gboolean
window_matches (gpointer user_data)
{
  Expect *expect = user_data;
  const char *banner = rndimg_viewer_window_get_banner_text (expect->window);

  if (expect->state != (RndimgViewerState) -1 && rndimg_viewer_window_get_state (expect->window) != expect->state)
    return FALSE;
  if (expect->name != NULL && g_strcmp0 (rndimg_viewer_window_get_shown_name (expect->window), expect->name) != 0)
    return FALSE;
  if (expect->banner_part != NULL && (banner == NULL || strstr (banner, expect->banner_part) == NULL))
    return FALSE;
  return TRUE;
}

static void
wait_for (RndimgViewerWindow *window, RndimgViewerState state, const char *name,
          const char *banner_part, guint timeout_ms)
{
  Expect expect = { window, state, name, banner_part };

  if (!test_wait_until (window_matches, &expect, timeout_ms))
    g_error ("window did not reach state %d / picture %s / banner “%s”: it is in state %d showing %s, banner “%s”, status “%s”",
             state, name, banner_part, rndimg_viewer_window_get_state (window),
             rndimg_viewer_window_get_shown_name (window), rndimg_viewer_window_get_banner_text (window),
             rndimg_viewer_window_get_status_text (window));
}

static gboolean
on_settle (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_true (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* Lets a few frames be drawn (the banner slides, the picture appears). */
static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (400, on_settle, &done);
  test_wait_until (is_true, &done, 5000);
}

/* Renders the window, saves it as a PNG artifact, and checks that it is
 * not blank: a real window with a picture has many colours. */
static void
screenshot (RndimgViewerWindow *window, const char *name, guint min_colours)
{
  GtkWidget *widget = GTK_WIDGET (window);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("viewer-%s.png", name);
  g_autofree char *path = g_build_filename (artifacts_dir, file, NULL);
  g_autoptr(GHashTable) colours = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint32 *pixels = NULL;

  settle ();
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
    g_error ("%s looks blank: %u colours", path, g_hash_table_size (colours));
}

static RndimgViewerWindow *
open_window (const char *server_url)
{
  RndimgViewerWindow *window = rndimg_viewer_window_new (NULL, server_url, RNDIMG_TRANSPORT_AUTO);

  gtk_window_set_default_size (GTK_WINDOW (window), 520, 600);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  return window;
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
  g_action_group_change_action_state (G_ACTION_GROUP (window), "live", g_variant_new_boolean (on));
}

static TestServer *
start_server (const char *folder, const char *port)
{
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  g_autofree char *port_arg = port ? g_strconcat ("--port=", port, NULL) : NULL;

  return test_server_start (images, "--interval=0", port_arg, NULL);
}

static void
test_get_live_and_recovery (void)
{
  g_autofree char *folder = test_make_image_folder (25);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = start_server (folder, NULL);
  g_autofree char *port = g_strdup (strrchr (server->url, ':') + 1);
  RndimgViewerWindow *window = open_window (server->url);

  screenshot (window, "empty", 20);

  /* Get: a picture from the server, shown at its real size. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  g_assert_nonnull (rndimg_viewer_window_get_shown_name (window));
  assert_picture_size (window, 400, 400);
  g_assert_null (rndimg_viewer_window_get_banner_text (window));
  screenshot (window, "get", 200);

  /* Live: a publish from the test changes the picture. */
  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  json_object_unref (test_publish (server, session, "023.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "023.png", NULL, 5000);
  g_assert_nonnull (strstr (rndimg_viewer_window_get_status_text (window), "#1"));
  screenshot (window, "live", 200);

  /* The server goes away: the window says so, with the reason. */
  test_server_stop (server);
  wait_for (window, RNDIMG_VIEWER_RECONNECTING, NULL, "refused", 15000);
  screenshot (window, "server-down", 200);

  /* It comes back on the same port: live again, the next picture shows. */
  server = start_server (folder, port);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 40000);
  g_assert_null (rndimg_viewer_window_get_banner_text (window));
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
  RndimgViewerWindow *window = rndimg_viewer_window_new (NULL, server->url, RNDIMG_TRANSPORT_LONG_POLL);

  gtk_window_present (GTK_WINDOW (window));
  set_live (window, TRUE);
  wait_for (window, RNDIMG_VIEWER_LIVE, NULL, NULL, 10000);
  json_object_unref (test_publish (server, session, "04.png"));
  wait_for (window, RNDIMG_VIEWER_LIVE, "04.png", NULL, 5000);

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
  g_autofree char *base = g_uri_to_string_partial (soup_server_message_get_uri (msg), G_URI_HIDE_QUERY);

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
assert_get_fails (const char *mode, const char *banner_part)
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
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, banner_part, 10000);
  g_assert_null (rndimg_viewer_window_get_shown_name (window));
  screenshot (window, mode, 20);
  gtk_window_destroy (GTK_WINDOW (window));
  soup_server_disconnect (fake);
}

static void
test_bad_answers (void)
{
  assert_get_fails ("not-json", "Bad answer");
  assert_get_fails ("not-an-image", "not a picture");
}

static void
test_refused (void)
{
  RndimgViewerWindow *window = open_window ("http://127.0.0.1:9");   /* discard: nobody listens */

  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_ERROR, NULL, "refused", 10000);
  gtk_window_destroy (GTK_WINDOW (window));
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
  g_assert_true (strstr (out, in_output) != NULL || strstr (err, in_output) != NULL);
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

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_dir_make_tmp ("rndimg-viewer-config-XXXXXX", &error);

  g_assert_no_error (error);
  /* The viewer remembers its server: keep that out of the real home. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  artifacts_dir = g_strdup (g_getenv ("RNDIMG_ARTIFACTS") ? g_getenv ("RNDIMG_ARTIFACTS") : ".");
  g_mkdir_with_parents (artifacts_dir, 0755);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/viewer/get-live-and-recovery", test_get_live_and_recovery);
  g_test_add_func ("/viewer/long-poll-transport", test_long_poll_transport);
  g_test_add_func ("/viewer/bad-answers", test_bad_answers);
  g_test_add_func ("/viewer/refused", test_refused);
  g_test_add_func ("/viewer/program-options", test_program_options);

  return g_test_run ();
}
