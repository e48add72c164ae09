/* SPDX-License-Identifier: MIT */
/* What people do with the shown picture: move through the history (the
 * arrows on the picture, Left and Right as in Loupe, mirrored from right
 * to left like the strip, Home and End), zoom (in, out, best fit; 100 %
 * is the window's "original-size"), pan with Ctrl and the arrows, Save
 * As, Copy, Copy Link, Fullscreen, and dragging it out to another app.
 * Class actions with their keyboard shortcuts; each is enabled only when
 * it can do something. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-i18n.h"

#include <glib/gi18n-lib.h>

void
_rndimg_viewer_window_update_actions (RndimgViewerWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int position = rndimg_viewer_history_get_position (self->history);
  int length = (int) rndimg_viewer_history_get_length (self->history);
  gboolean shown = _rndimg_viewer_window_has_picture (self);
  gboolean can_go_newer = position > 0, can_go_older = position >= 0 && position < length - 1;

  gtk_widget_action_set_enabled (widget, "win.newer", can_go_newer);
  gtk_widget_action_set_enabled (widget, "win.older", can_go_older);
  gtk_widget_set_visible (self->newer_button, can_go_newer);
  gtk_widget_set_visible (self->older_button, can_go_older);
  gtk_widget_action_set_enabled (widget, "win.save-as", shown);
  gtk_widget_action_set_enabled (widget, "win.copy", rndimg_viewer_picture_get_texture (self->picture) != NULL);
  gtk_widget_action_set_enabled (widget, "win.copy-link", shown);
  gtk_widget_action_set_enabled (widget, "win.zoom-in", shown);
  gtk_widget_action_set_enabled (widget, "win.zoom-out", shown && !rndimg_viewer_picture_get_best_fit (self->picture));
  gtk_widget_action_set_enabled (widget, "win.best-fit", shown && !rndimg_viewer_picture_get_best_fit (self->picture));
  gtk_widget_action_set_enabled (widget, "win.original-size", shown);
  gtk_widget_action_set_enabled (widget, "win.leave-fullscreen", gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

static void
move_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  int step = g_str_equal (action_name, "win.newer") ? -1 : 1;

  _rndimg_viewer_window_show_entry (self, rndimg_viewer_history_get_position (self->history) + step);
}

/* Left and Right go along the strip as it is drawn: newer to the left,
 * older to the right; the other way from right to left. */
static void
move_sideways (RndimgViewerWindow *self, gboolean left)
{
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;

  gtk_widget_activate_action (GTK_WIDGET (self), left != rtl ? "win.newer" : "win.older", NULL);
}

/* The arrows, as in Loupe, wherever the focus is in the window: Left and
 * Right (with Alt too) move through the history, with Ctrl they pan the
 * picture (a tenth of the view, mirrored from right to left as the
 * scroll bar is). Taken before GtkWindow's own arrow bindings, which
 * move the focus; left to the strip when it has the focus (it moves
 * along itself), and to the popovers. */
static gboolean
on_key_pressed (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state,
                RndimgViewerWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *strip = GTK_WIDGET (self->history_strip);
  gboolean left = keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left;
  gboolean right = keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right;
  gboolean up = keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up;
  gboolean down = keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down;

  state &= gtk_accelerator_get_default_mod_mask ();
  if (focus != NULL && (GTK_WIDGET (gtk_widget_get_native (focus)) != GTK_WIDGET (self) ||
                        focus == strip || gtk_widget_is_ancestor (focus, strip) || GTK_IS_EDITABLE (focus)))
    return FALSE;
  if ((left || right) && (state == 0 || state == GDK_ALT_MASK))
    {
      move_sideways (self, left);
      return TRUE;
    }
  if ((left || right || up || down) && state == GDK_CONTROL_MASK)
    {
      gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
      double x = left ? -1 : right ? 1 : 0;

      rndimg_viewer_picture_pan (self->picture, (rtl ? -x : x) / 9, (up ? -1.0 : down ? 1.0 : 0.0) / 9);
      return TRUE;
    }
  return FALSE;
}

static void
show_entry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  int index = g_variant_get_int32 (parameter);

  /* -1: the oldest */
  if (index < 0)
    index = (int) rndimg_viewer_history_get_length (self->history) - 1;
  _rndimg_viewer_window_show_entry (self, index);
}

static void
zoom_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);

  if (g_str_equal (action_name, "win.zoom-in"))
    rndimg_viewer_picture_zoom_in (self->picture);
  else if (g_str_equal (action_name, "win.zoom-out"))
    rndimg_viewer_picture_zoom_out (self->picture);
  else
    rndimg_viewer_picture_best_fit (self->picture);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = g_file_get_basename (G_FILE (source));
  g_autofree char *name = rndimg_viewer_isolate (basename);
  g_autofree char *message = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    message = g_strdup_printf (_("Saved as “%s”"), name);
  else
    message = g_strdup_printf (_("Cannot save “%s”: %s"), name, error->message);
  _rndimg_viewer_window_say (self, message);
}

typedef struct {
  RndimgViewerWindow *self;
  GFile *file;
} Saving;

static void
on_original_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Saving *saving = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), result, &error);
  g_autofree char *basename = g_file_get_basename (saving->file);
  g_autofree char *name = rndimg_viewer_isolate (basename);

  if (bytes != NULL)
    g_file_replace_contents_bytes_async (saving->file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                         NULL, on_saved, g_object_ref (saving->self));
  else
    {
      g_autofree char *message = g_strdup_printf (_("Cannot save “%s”: %s"), name, error->message);

      _rndimg_viewer_window_say (saving->self, message);
    }
  g_object_unref (saving->self);
  g_object_unref (saving->file);
  g_free (saving);
}

/* Writes the shown picture to @file: the very bytes of the server's file
 * (what is shown may be a variant the size of the window). */
void
rndimg_viewer_window_save_picture (RndimgViewerWindow *self, GFile *file)
{
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);
  Saving *saving;

  g_return_if_fail (shown != NULL);
  saving = g_new0 (Saving, 1);
  saving->self = g_object_ref (self);
  saving->file = g_object_ref (file);
  rndimg_client_fetch_async (self->client, shown->url, NULL, on_original_fetched, saving);
}

static void
on_save_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  if (response == GTK_RESPONSE_ACCEPT && file != NULL && _rndimg_viewer_window_has_picture (self))
    rndimg_viewer_window_save_picture (self, file);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_as_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (shown == NULL)
    return;
  name = g_path_get_basename (shown->name);
  chooser = gtk_file_chooser_native_new (_("Save Picture"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
copy_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);
  GdkTexture *texture = rndimg_viewer_picture_get_texture (self->picture);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);

  if (shown == NULL)
    return;
  if (g_str_equal (action_name, "win.copy") && texture != NULL)
    {
      gdk_clipboard_set_texture (clipboard, texture);
      _rndimg_viewer_window_say (self, _("Picture copied"));
    }
  else if (g_str_equal (action_name, "win.copy-link"))
    {
      gdk_clipboard_set_text (clipboard, shown->url);
      _rndimg_viewer_window_say (self, _("Link copied"));
    }
}

/* Fullscreen shows the picture alone: no header bar, no history, no
 * caption. */
static void
on_fullscreened (RndimgViewerWindow *self, GParamSpec *pspec, gpointer user_data)
{
  gboolean fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !fullscreen);
  gtk_widget_set_visible (GTK_WIDGET (self->history_revealer), !fullscreen);
  gtk_widget_set_visible (self->caption, !fullscreen && _rndimg_viewer_window_has_picture (self));
  _rndimg_viewer_window_update_actions (self);
}

static void
fullscreen_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window) || g_str_equal (action_name, "win.leave-fullscreen"))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

/* Dragged out, the picture goes as an image and as its link. */
static GdkContentProvider *
on_drag_prepare (GtkDragSource *source, double x, double y, RndimgViewerWindow *self)
{
  const RndimgAnswer *shown = rndimg_viewer_picture_get_answer (self->picture);
  GdkTexture *texture = rndimg_viewer_picture_get_texture (self->picture);
  GdkContentProvider *providers[2];

  if (shown == NULL || texture == NULL)
    return NULL;
  providers[0] = gdk_content_provider_new_typed (GDK_TYPE_TEXTURE, texture);
  providers[1] = gdk_content_provider_new_typed (G_TYPE_STRING, shown->url);
  return gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
}

void
_rndimg_viewer_window_actions_init (RndimgViewerWindow *self)
{
  GtkDragSource *drag = gtk_drag_source_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened), NULL);
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare), self);
  gtk_widget_add_controller (GTK_WIDGET (self->picture), GTK_EVENT_CONTROLLER (drag));
}

static void
add_zoom_keys (GtkWidgetClass *widget_class)
{
  const guint zoom_in[] = { GDK_KEY_plus, GDK_KEY_equal, GDK_KEY_KP_Add };
  const guint zoom_out[] = { GDK_KEY_minus, GDK_KEY_KP_Subtract };

  for (gsize i = 0; i < G_N_ELEMENTS (zoom_in); i++)
    {
      gtk_widget_class_add_binding_action (widget_class, zoom_in[i], GDK_CONTROL_MASK, "win.zoom-in", NULL);
      gtk_widget_class_add_binding_action (widget_class, zoom_in[i], GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                           "win.zoom-in", NULL);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (zoom_out); i++)
    gtk_widget_class_add_binding_action (widget_class, zoom_out[i], GDK_CONTROL_MASK, "win.zoom-out", NULL);
}

void
_rndimg_viewer_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.newer", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.older", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.show-entry", "i", show_entry_activated);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "win.best-fit", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_activated);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "win.copy-link", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_activated);
  gtk_widget_class_install_action (widget_class, "win.leave-fullscreen", NULL, fullscreen_activated);

  add_zoom_keys (widget_class);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "win.show-entry", "i", 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "win.show-entry", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.leave-fullscreen", NULL);
}
