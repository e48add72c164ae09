/* SPDX-License-Identifier: MIT */
/* The picture in the real viewer window under Xvfb (RndimgViewerPicture):
 * the variant its shown size needs, by canonical URL; sharp after the
 * window grows from 560 to 1400 pixels (a larger variant asked for, the
 * server's access log and the texture shown agree, no request per resize
 * event); Original Size (Ctrl+0) and zoom past the variants load the
 * original file; zoom in and out, best fit; the placeholder while it
 * loads; the caption and the Properties pane with the owner's alt text,
 * author and licence. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "rndimg-viewer-properties.h"
#include "test-viewer-util.h"

#define BIG_WIDTH 2400
#define BIG_HEIGHT 1600

static RndimgViewerPicture *
picture_of (RndimgViewerWindow *window)
{
  return RNDIMG_VIEWER_PICTURE (rndimg_viewer_window_get_picture_widget (window));
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

/* The viewer asks for the variant its shown size needs (the ladder's
 * step above it, times its scale), not the whole file, by its canonical
 * URL (the version from the answer's details): the server answers it at
 * once, no redirect. */
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
  int scale;
  GdkPaintable *paintable;
  graphene_rect_t shown;

  g_assert_true (g_file_get_contents (source, &bytes, &length, NULL));
  g_assert_cmpint (g_mkdir (album, 0700), ==, 0);
  g_assert_true (g_file_set_contents (album_picture, bytes, (gssize) length, NULL));
  server = start_server (folder, NULL);
  metrics_url = test_server_url (server, "/metrics");
  /* The versions are computed once the server runs; the viewer needs them. */
  test_server_wait_for_placeholders (server, session, 10000);
  window = rndimg_viewer_window_new (NULL, server->url, RNDIMG_TRANSPORT_AUTO);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 300);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, NULL, NULL, 10000);
  settle ();
  /* A square 400x400 picture shown at most 256 device pixels wide and
   * high: the 256 step of the ladder. */
  rndimg_viewer_picture_get_shown_rect (picture_of (window), &shown);
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (window));
  g_assert_cmpfloat (MAX (shown.size.width, shown.size.height) * scale, <=, 256);
  paintable = rndimg_viewer_window_get_paintable (window);
  g_assert_nonnull (paintable);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 256);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 256);
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

/* A large picture with sharp edges (text and one-pixel lines), where a
 * stretched small variant shows. */
static void
write_big_picture (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, BIG_WIDTH, BIG_HEIGHT);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.98, 0.98, 0.96);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.25);
  cairo_set_line_width (cr, 1);
  for (int x = 40; x < BIG_WIDTH - 40; x += 12)
    {
      cairo_move_to (cr, x + 0.5, 900);
      cairo_line_to (cr, x + 0.5, 1500);
    }
  cairo_stroke (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb (cr, 0.75, 0.2, 0.15);
  cairo_set_font_size (cr, 160);
  cairo_move_to (cr, 120, 360);
  cairo_show_text (cr, "Sharp text 2400x1600");
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_set_font_size (cr, 64);
  cairo_move_to (cr, 120, 560);
  cairo_show_text (cr, "The quick brown fox jumps over the lazy dog");
  cairo_set_font_size (cr, 28);
  cairo_move_to (cr, 120, 700);
  cairo_show_text (cr, "Small print: each line below is one pixel wide, twelve pixels apart.");
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

/* A server of one large picture, its access log in its log_path. */
static TestServer *
start_big_server (const char *folder)
{
  g_autofree char *picture = g_build_filename (folder, "big.png", NULL);
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  const char *args[] = { images, "--interval=0", "--access-log", NULL };
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server;

  write_big_picture (picture);
  server = test_server_start_logged (args, NULL);
  /* The variant URLs carry the picture's version: wait until it is known. */
  test_server_wait_for_placeholders (server, session, 20000);
  return server;
}

/* The requests of /img/ and /static/img/ the viewer made, as
 * "STATUS TARGET". */
static GPtrArray *
picture_requests (const char *log_path)
{
  g_autoptr(GPtrArray) variants = viewer_requests (log_path, "GET", "/img/");
  g_autoptr(GPtrArray) files = viewer_requests (log_path, "GET", "/static/img/");
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < variants->len; i++)
    g_ptr_array_add (all, g_strdup (g_ptr_array_index (variants, i)));
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (all, g_strdup (g_ptr_array_index (files, i)));
  return all;
}

static void
assert_requested (const char *log_path, const char *status, const char *part)
{
  g_autoptr(GPtrArray) requests = picture_requests (log_path);
  g_autofree char *all = NULL;

  for (guint i = 0; i < requests->len; i++)
    {
      const char *request = g_ptr_array_index (requests, i);

      if (g_str_has_prefix (request, status) && strstr (request, part) != NULL)
        return;
    }
  g_ptr_array_add (requests, NULL);
  all = g_strjoinv ("\n", (char **) requests->pdata);
  g_error ("the server's access log has no %s answer to the viewer for “%s”; it has:\n%s", status, part, all);
}

typedef struct {
  RndimgViewerWindow *window;
  int width;
} TextureWidth;

static gboolean
texture_is_as_wide (gpointer user_data)
{
  TextureWidth *expected = user_data;
  GdkTexture *texture = rndimg_viewer_picture_get_texture (picture_of (expected->window));

  return texture != NULL && gdk_texture_get_width (texture) == expected->width;
}

static void
wait_for_texture_width (RndimgViewerWindow *window, int width, guint timeout_ms)
{
  TextureWidth expected = { window, width };
  GdkTexture *texture;

  if (test_wait_until (texture_is_as_wide, &expected, timeout_ms))
    return;
  texture = rndimg_viewer_picture_get_texture (picture_of (window));
  g_error ("expected a texture %d pixels wide, it is %d", width, texture != NULL ? gdk_texture_get_width (texture) : 0);
}

/* Resizes the window to @width x @height in @steps equal steps, a frame
 * or so apart, as a person dragging its corner does. */
static gboolean
is_as_wide (gpointer user_data)
{
  TextureWidth *expected = user_data;

  return gtk_widget_get_width (GTK_WIDGET (expected->window)) >= expected->width;
}

/* (The window's default size counts its frame too: a little more than
 * @width is asked for, so that the window is @width wide.) */
static void
resize_in_steps (RndimgViewerWindow *window, int width, int height, guint steps)
{
  int from_width = gtk_widget_get_width (GTK_WIDGET (window));
  int from_height = gtk_widget_get_height (GTK_WIDGET (window));
  TextureWidth wide = { window, width };

  for (guint i = 1; i <= steps; i++)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), from_width + (width + 20 - from_width) * (int) i / (int) steps,
                                   from_height + (height - from_height) * (int) i / (int) steps);
      test_run_for (30);
    }
  /* Without a window manager, X answers quick resizes with an earlier
   * step's size, which GTK then takes as the size asked for: ask once
   * more, for a size it does not think it has. */
  if (!test_wait_until (is_as_wide, &wide, 2000))
    {
      gtk_window_set_default_size (GTK_WINDOW (window), width + 21, height);
      g_assert_true (test_wait_until (is_as_wide, &wide, 5000));
    }
}

/* Sharp at every size. At the default size (560 pixels wide) a 2400x1600
 * picture comes as the 768 step of the ladder, by its canonical URL; the
 * window grows to 1400 pixels in twelve steps and a larger variant (the
 * 1536 step) is asked for and shown once the size settles (the access log
 * has it, the texture is as wide): a few requests, not one per step, the
 * old texture shown meanwhile. Then Ctrl+0 (Original Size) asks for the
 * file itself and shows it at 100 %; Zoom In past it asks for nothing
 * more; Best Fit goes back. */
static void
test_sharp_after_resize (void)
{
  g_autofree char *folder = test_make_image_folder (0);
  TestServer *server = start_big_server (folder);
  const char *log_path = server->log_path;
  RndimgViewerWindow *window = rndimg_viewer_window_new (NULL, server->url, RNDIMG_TRANSPORT_AUTO);
  g_autoptr(GPtrArray) before = NULL, after = NULL;
  GdkTexture *texture;

  gtk_window_set_default_size (GTK_WINDOW (window), 560, 640);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, "big.png", NULL, 20000);
  settle ();
  texture = rndimg_viewer_picture_get_texture (picture_of (window));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 768);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 512);
  assert_requested (log_path, "200", "/768x768.png?fit=inside");
  g_assert_true (rndimg_viewer_picture_get_best_fit (picture_of (window)));
  screenshot (window, "default-size", 200);

  before = picture_requests (log_path);
  resize_in_steps (window, 1400, 1000, 12);
  wait_for_texture_width (window, 1536, 20000);
  g_assert_cmpint (gdk_texture_get_height (rndimg_viewer_picture_get_texture (picture_of (window))), ==, 1024);
  assert_requested (log_path, "200", "/1536x1536.png?fit=inside");
  settle ();
  after = picture_requests (log_path);
  /* One per step of the ladder crossed at most (1024, 1536), never one per
   * resize event. */
  if (after->len - before->len > 2)
    g_error ("%u picture requests while the window grew in 12 steps", after->len - before->len);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 1400);
  screenshot (window, "maximised-sharp", 200);

  press_key (window, GDK_KEY_0, GDK_CONTROL_MASK);
  wait_for_texture_width (window, BIG_WIDTH, 20000);
  assert_requested (log_path, "200", "/static/img/big.png");
  g_assert_false (rndimg_viewer_picture_get_best_fit (picture_of (window)));
  g_assert_cmpfloat (rndimg_viewer_picture_get_zoom (picture_of (window)), ==, 1.0);
  g_assert_true (rndimg_viewer_picture_is_original (picture_of (window)));
  screenshot (window, "original-size", 200);

  g_clear_pointer (&before, g_ptr_array_unref);
  before = picture_requests (log_path);
  press_key (window, GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpfloat (rndimg_viewer_picture_get_zoom (picture_of (window)), >, 1.0);
  test_run_for (800);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = picture_requests (log_path);
  g_assert_cmpuint (after->len, ==, before->len);   /* the original is in hand */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.best-fit", NULL);
  g_assert_true (rndimg_viewer_picture_get_best_fit (picture_of (window)));

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

/* Zoom as in Loupe: Ctrl+plus zooms in by steps from best fit (asking for
 * a larger variant as the picture grows), Ctrl+minus out, and past best
 * fit it stays at best fit; Ctrl+0 at 100 % goes back to best fit; a
 * zoomed picture larger than the view scrolls, and Ctrl and an arrow pans
 * it. */
static void
test_zoom (void)
{
  g_autofree char *folder = test_make_image_folder (0);
  TestServer *server = start_big_server (folder);
  RndimgViewerWindow *window = open_window (server->url);
  RndimgViewerPicture *picture;
  GtkAdjustment *horizontal;
  double fit, value;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, "big.png", NULL, 20000);
  settle ();
  picture = picture_of (window);
  fit = rndimg_viewer_picture_get_zoom (picture);
  g_assert_cmpfloat (fit, <, 0.5);
  press_key (window, GDK_KEY_plus, GDK_CONTROL_MASK);
  press_key (window, GDK_KEY_equal, GDK_CONTROL_MASK);
  g_assert_cmpfloat (fabs (rndimg_viewer_picture_get_zoom (picture) - fit * 2.25), <, 0.001);
  g_assert_false (rndimg_viewer_picture_get_best_fit (picture));
  /* Larger than the view: a variant for it, and it scrolls. */
  wait_for_texture_width (window, 1536, 20000);
  settle ();
  horizontal = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (picture));
  g_assert_cmpfloat (gtk_adjustment_get_upper (horizontal), >, gtk_adjustment_get_page_size (horizontal));
  value = gtk_adjustment_get_value (horizontal);
  press_key (window, GDK_KEY_Right, GDK_CONTROL_MASK);
  g_assert_cmpfloat (gtk_adjustment_get_value (horizontal), >, value);
  screenshot (window, "zoomed", 200);
  press_key (window, GDK_KEY_minus, GDK_CONTROL_MASK);
  press_key (window, GDK_KEY_minus, GDK_CONTROL_MASK);
  press_key (window, GDK_KEY_minus, GDK_CONTROL_MASK);
  g_assert_true (rndimg_viewer_picture_get_best_fit (picture));
  g_assert_cmpfloat (rndimg_viewer_picture_get_zoom (picture), ==, fit);
  press_key (window, GDK_KEY_0, GDK_CONTROL_MASK);
  g_assert_cmpfloat (rndimg_viewer_picture_get_zoom (picture), ==, 1.0);
  press_key (window, GDK_KEY_0, GDK_CONTROL_MASK);
  g_assert_true (rndimg_viewer_picture_get_best_fit (picture));

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

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

/* While the picture loads, its placeholder (32 pixels wide, 640:400) is
 * drawn where the picture will be, on the picture page, with its alt text
 * (caption and accessible description); then the picture (640 x 400)
 * takes exactly the same place. */
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
  assert_described_as (window, "A slow picture");
  assert_caption_has (window, "A slow picture");
  screenshot (window, screenshot_name, 20);
  rndimg_viewer_picture_get_shown_rect (picture_of (window), &before);
  g_assert_cmpfloat (before.size.width, >, 100);
  wait_for (window, -1, "slow.png", NULL, 5000);
  assert_picture_size (window, 640, 400);
  settle ();
  rndimg_viewer_picture_get_shown_rect (picture_of (window), &after);
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

/* An album whose info.json says who made its pictures. */
static void
write_credited_album (const char *folder)
{
  g_autofree char *album = g_build_filename (folder, "credited", NULL);
  g_autofree char *source = test_source_image ("landscapes/landscapes-1.png");
  g_autofree char *target = g_build_filename (album, "hills.png", NULL);
  g_autofree char *info = g_build_filename (album, "info.json", NULL);
  g_autofree char *bytes = NULL;
  gsize length;

  g_assert_cmpint (g_mkdir_with_parents (album, 0755), ==, 0);
  g_assert_true (g_file_get_contents (source, &bytes, &length, NULL));
  g_assert_true (g_file_set_contents (target, bytes, (gssize) length, NULL));
  g_assert_true (g_file_set_contents (info,
    "{\"title\":\"Credited Hills\",\"pictures\":{\"hills.png\":{\"alt\":\"Green hills under a pale sky\","
    "\"alt_by_language\":{\"fa\":\"تپه‌های سبز زیر آسمان کم‌رنگ\"},\"author\":\"Ann Example\",\"license\":\"CC BY 4.0\","
    "\"source_url\":\"https://example.org/hills\"}}}", -1, NULL));
}

static gboolean
flap_is_open (gpointer window)
{
  return adw_flap_get_reveal_progress (((RndimgViewerWindow *) window)->flap) == 1;
}

static gboolean
flap_is_closed (gpointer window)
{
  return adw_flap_get_reveal_progress (((RndimgViewerWindow *) window)->flap) == 0;
}

/* Properties, as Loupe's: the pane beside the picture shows the owner's
 * alt text, author, licence and source, the album's title, the pixel
 * size, what is shown of it, file size and type; the caption under the
 * picture has the alt text and "Photo by Ann Example · CC BY 4.0". Alt+Return
 * opens and closes it. */
static void
test_properties (void)
{
  gboolean persian = viewer_test_is_persian ();
  g_autofree char *folder = test_make_image_folder (0);
  TestServer *server;
  RndimgViewerWindow *window;
  RndimgViewerProperties *properties;
  const char *alt = persian ? "تپه‌های سبز زیر آسمان کم‌رنگ" : "Green hills under a pale sky";

  write_credited_album (folder);
  server = start_server (folder, NULL);
  window = open_window (server->url);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.get", NULL);
  wait_for (window, RNDIMG_VIEWER_IDLE, "credited/hills.png", NULL, 10000);
  assert_caption_has (window, alt);
  assert_caption_has (window, "Ann Example");
  assert_caption_has (window, "CC BY 4.0");
  assert_described_as (window, alt);

  g_assert_cmpfloat (adw_flap_get_reveal_progress (window->flap), ==, 0);
  press_key (window, GDK_KEY_Return, GDK_ALT_MASK);
  g_assert_true (test_wait_until (flap_is_open, window, 5000));
  settle ();
  properties = window->properties;
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (properties)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (properties)), >=, 260);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (window->properties_button)));
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_AUTHOR), ==, "Ann Example");
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_LICENSE), ==, "CC BY 4.0");
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_SOURCE), ==,
                   "https://example.org/hills");
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_ALT), ==, alt);
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_ALBUM), ==, "Credited Hills");
  g_assert_nonnull (strstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_SIZE), "640"));
  g_assert_nonnull (strstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_SIZE), "400"));
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_NAME), ==, "credited/hills.png");
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_FILE_SIZE), !=, "");
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_TYPE), !=, "");
  g_assert_cmpstr (rndimg_viewer_properties_get_value (properties, RNDIMG_PROPERTY_MODIFIED), !=, "");
  /* Read from the widgets themselves, as a screen reader would. */
  g_assert_true (gtk_widget_get_mapped (find_label_with_text (GTK_WIDGET (properties), "Ann Example")));
  g_assert_true (gtk_widget_get_mapped (find_label_with_text (GTK_WIDGET (properties), "CC BY 4.0")));
  screenshot (window, persian ? "fa-properties" : "properties", 200);

  press_key (window, GDK_KEY_Return, GDK_ALT_MASK);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (window->properties_button)));
  g_assert_true (test_wait_until (flap_is_closed, window, 5000));

  gtk_window_destroy (GTK_WINDOW (window));
  test_server_stop (server);
  test_remove_folder (folder);
}

int
main (int argc, char **argv)
{
  viewer_test_init (&argc, &argv);
  if (viewer_test_is_persian ())
    g_test_add_func ("/viewer/persian-properties", test_properties);
  else
    {
      g_test_add_func ("/viewer/window-sized-variant", test_window_sized_variant);
      g_test_add_func ("/viewer/sharp-after-resize", test_sharp_after_resize);
      g_test_add_func ("/viewer/zoom", test_zoom);
      g_test_add_func ("/viewer/placeholder", test_placeholder);
      g_test_add_func ("/viewer/properties", test_properties);
    }
  return g_test_run ();
}
