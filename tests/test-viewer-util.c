/* SPDX-License-Identifier: MIT */
/* What the viewer's window suites share (test-viewer-window.c, -picture.c,
 * -albums.c): a window under Xvfb against a server, waiting for what it
 * shows, pressing its keys as its bindings take them, screenshots of it
 * saved as artifacts and checked not to be blank. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "test-viewer-util.h"
#include "rndimg-viewer-i18n.h"

static char *artifacts_dir;

typedef struct {
  RndimgViewerWindow *window;
  RndimgViewerState state;
  const char *name;
  const char *problem_part;
} Expect;

typedef struct {
  RndimgViewerWindow *window;
  guint count;
} AlbumCount;

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

void
wait_for (RndimgViewerWindow *window, RndimgViewerState state, const char *name,
          const char *problem_part, guint timeout_ms)
{
  Expect expect = { window, state, name, problem_part };

  if (!test_wait_until (window_matches, &expect, timeout_ms))
    {
      g_autofree char *caption = rndimg_viewer_window_dup_caption (window);

      g_error ("window did not reach state %d / picture %s / problem “%s”: it is in state %d showing %s, problem “%s”, caption “%s”",
               state, name, problem_part, rndimg_viewer_window_get_state (window),
               rndimg_viewer_window_get_shown_name (window), rndimg_viewer_window_get_problem (window), caption);
    }
}

/* Lets a few frames be drawn (animations end, the picture appears). */
void
settle (void)
{
  test_run_for (600);
}

/* Renders the window, saves it as a PNG artifact, and checks that it is
 * not blank: a real window with a picture has many colours. */
static gboolean
is_drawn (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

void
screenshot_widget (GtkWidget *widget, const char *name, guint min_colours)
{
  int width, height;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("viewer-%s.png", name);
  g_autofree char *path = g_build_filename (artifacts_dir, file, NULL);
  g_autoptr(GHashTable) colours = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint32 *pixels = NULL;

  settle ();
  /* On a loaded machine a new window may not be drawn yet. */
  g_assert_true (test_wait_until (is_drawn, widget, 5000));
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 100);
  /* A widget waiting for its allocation draws nothing: a frame later it does. */
  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      if (tries > 0)
        test_run_for (100);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
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

void
screenshot (RndimgViewerWindow *window, const char *name, guint min_colours)
{
  screenshot_widget (GTK_WIDGET (window), name, min_colours);
}

RndimgViewerWindow *
open_window_sized (const char *server_url, int width, int height)
{
  RndimgViewerWindow *window = rndimg_viewer_window_new (NULL, server_url, RNDIMG_TRANSPORT_AUTO);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  return window;
}

RndimgViewerWindow *
open_window_with (const char *server_url, RndimgTransport transport)
{
  RndimgViewerWindow *window = rndimg_viewer_window_new (NULL, server_url, transport);

  gtk_window_set_default_size (GTK_WINDOW (window), 520, 600);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  return window;
}

RndimgViewerWindow *
open_window (const char *server_url)
{
  return open_window_with (server_url, RNDIMG_TRANSPORT_AUTO);
}

void
assert_picture_size (RndimgViewerWindow *window, int width, int height)
{
  GdkPaintable *paintable = rndimg_viewer_window_get_paintable (window);

  g_assert_nonnull (paintable);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, width);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, height);
}

/* Presses @keyval with @modifiers on the window, as GTK takes it when
 * nothing in the window has the focus: its key controllers of the capture
 * phase first, then the first of its shortcuts bound to that key that
 * takes it (parent classes' first, as GTK orders them; one whose action
 * is disabled does not), with its arguments. */
void
press_key (RndimgViewerWindow *window, guint keyval, GdkModifierType modifiers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  gboolean bound = FALSE;

  /* First the controllers that take keys before the focus widget does. */
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (!GTK_IS_EVENT_CONTROLLER_KEY (controller) ||
          gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_CAPTURE)
        continue;
      g_signal_emit_by_name (controller, "key-pressed", keyval, 0, modifiers, &handled);
      if (handled)
        return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers)
            {
              bound = TRUE;
              /* A disabled action does not take the key: the next may. */
              if (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                GTK_WIDGET (window), gtk_shortcut_get_arguments (shortcut)))
                return;
            }
        }
    }
  if (!bound)
    g_error ("no key binding for %s with modifiers %x", gdk_keyval_name (keyval), modifiers);
}

void
assert_caption_has (RndimgViewerWindow *window, const char *part)
{
  g_autofree char *caption = rndimg_viewer_window_dup_caption (window);

  if (strstr (caption, part) == NULL)
    g_error ("expected “%s” in the caption, it says “%s”", part, caption);
}

void
set_live (RndimgViewerWindow *window, gboolean on)
{
  g_object_set (window, "live", on, NULL);
}

TestServer *
start_server (const char *folder, const char *port)
{
  g_autofree char *images = g_strconcat ("--images=", folder, NULL);
  g_autofree char *port_arg = port ? g_strconcat ("--port=", port, NULL) : NULL;

  return test_server_start (images, "--interval=0", port_arg, NULL);
}

/* The first widget of @type in @widget's tree, or NULL. */
GtkWidget *
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

/* The label in @widget's tree that says @text, or NULL. */
GtkWidget *
find_label_with_text (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_text (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

RndimgViewerAlbumPicker *
picker_of (RndimgViewerWindow *window)
{
  return RNDIMG_VIEWER_ALBUM_PICKER (rndimg_viewer_window_get_album_picker (window));
}

static gboolean
albums_listed (gpointer user_data)
{
  AlbumCount *expected = user_data;
  GPtrArray *albums = rndimg_viewer_album_picker_get_albums (picker_of (expected->window));

  return albums != NULL && albums->len == expected->count &&
         gtk_widget_get_visible (GTK_WIDGET (picker_of (expected->window)));
}

void
wait_for_albums (RndimgViewerWindow *window, guint count, guint timeout_ms)
{
  AlbumCount expected = { window, count };

  if (!test_wait_until (albums_listed, &expected, timeout_ms))
    g_error ("the album picker did not list %u albums", count);
}

/* Chooses @album ("" for All Pictures) in the picker's list, as a click
 * on its row does. */
void
choose_album (RndimgViewerWindow *window, const char *album)
{
  GtkWidget *row = rndimg_viewer_album_picker_get_row (picker_of (window), album);

  g_assert_nonnull (row);
  g_signal_emit_by_name (rndimg_viewer_album_picker_get_list (picker_of (window)), "row-activated", row);
}

/* The picture's accessible description is its owner's alt text. */
void
assert_described_as (RndimgViewerWindow *window, const char *alt)
{
  GtkAccessible *picture = GTK_ACCESSIBLE (rndimg_viewer_window_get_picture_widget (window));
  g_autofree char *mismatch = gtk_test_accessible_check_property (picture, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, alt);

  if (mismatch != NULL)
    g_error ("the picture's accessible description is not “%s”: %s", alt, mismatch);
}

static gboolean
shows_paintable_of_width (gpointer user_data)
{
  RndimgViewerWindow *window = ((gpointer *) user_data)[0];
  int width = GPOINTER_TO_INT (((gpointer *) user_data)[1]);
  GdkPaintable *paintable = rndimg_viewer_window_get_paintable (window);

  return paintable != NULL && gdk_paintable_get_intrinsic_width (paintable) == width;
}

void
wait_for_paintable_width (RndimgViewerWindow *window, int width)
{
  gpointer args[] = { window, GINT_TO_POINTER (width) };

  g_assert_true (test_wait_until (shows_paintable_of_width, args, 5000));
}


/* The server's answers to the viewer, from its access log (--access-log,
 * standard error in @log_path): "STATUS TARGET" for each request of
 * @method whose target starts with @prefix, in order. */
GPtrArray *
viewer_requests (const char *log_path, const char *method, const char *prefix)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *requests = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *opening = g_strdup_printf ("\"%s %s", method, prefix);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *request = strstr (lines[i], opening);
      const char *protocol = request != NULL ? strstr (request, " HTTP/1.") : NULL;

      if (protocol == NULL || strstr (lines[i], "rndimg-viewer/") == NULL)
        continue;
      g_ptr_array_add (requests, g_strdup_printf ("%.3s %.*s", protocol + strlen (" HTTP/1.x\" "),
                                                  (int) (protocol - request - strlen (method) - 2),
                                                  request + strlen (method) + 2));
    }
  return requests;
}

/* Sets up a viewer suite: nothing of the viewer's goes to the real home,
 * settings in memory, the UI language from the environment. */
void
viewer_test_init (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_dir_make_tmp ("rndimg-viewer-config-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  artifacts_dir = g_strdup (g_getenv ("RNDIMG_ARTIFACTS") ? g_getenv ("RNDIMG_ARTIFACTS") : ".");
  g_mkdir_with_parents (artifacts_dir, 0755);

  setlocale (LC_ALL, "");
  rndimg_viewer_i18n_init ();
  g_test_init (argc, argv, NULL);
  adw_init ();
  /* The window buttons GNOME shows (Xvfb has no settings daemon to say so). */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
}

gboolean
viewer_test_is_persian (void)
{
  return g_str_has_prefix (g_getenv ("LANGUAGE") != NULL ? g_getenv ("LANGUAGE") : "", "fa");
}
