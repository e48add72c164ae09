/* SPDX-License-Identifier: MIT */
/* What people do with the shown picture: Back and Forward through the
 * history, Save As, Copy, Copy Link, Fullscreen, and dragging it out to
 * another app. Class actions with their keyboard shortcuts; each is
 * enabled only when it can do something. */
#include "rndimg-viewer-window-private.h"

#include <glib/gi18n-lib.h>

void
_rndimg_viewer_window_update_actions (RndimgViewerWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int position = rndimg_viewer_history_get_position (self->history);
  int length = (int) rndimg_viewer_history_get_length (self->history);
  gboolean shown = position >= 0;

  gboolean can_go_back = position > 0, can_go_forward = shown && position < length - 1;

  gtk_widget_action_set_enabled (widget, "win.back", can_go_back);
  gtk_widget_action_set_enabled (widget, "win.forward", can_go_forward);
  gtk_widget_set_visible (self->back_button, can_go_back);
  gtk_widget_set_visible (self->forward_button, can_go_forward);
  gtk_widget_action_set_enabled (widget, "win.save-as", shown);
  gtk_widget_action_set_enabled (widget, "win.copy", shown);
  gtk_widget_action_set_enabled (widget, "win.copy-link", shown);
  gtk_widget_action_set_enabled (widget, "win.leave-fullscreen", gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

static void
move_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  int step = g_str_equal (action_name, "win.back") ? -1 : 1;

  rndimg_viewer_history_set_position (self->history, rndimg_viewer_history_get_position (self->history) + step);
}

static void
show_entry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);

  rndimg_viewer_history_set_position (self->history, g_variant_get_int32 (parameter));
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *message = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    message = g_strdup_printf (_("Saved as “%s”"), name);
  else
    message = g_strdup_printf (_("Cannot save “%s”: %s"), name, error->message);
  _rndimg_viewer_window_toast (self, message);
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
  g_autofree char *name = g_file_get_basename (saving->file);

  if (bytes != NULL)
    g_file_replace_contents_bytes_async (saving->file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                         NULL, on_saved, g_object_ref (saving->self));
  else
    {
      g_autofree char *message = g_strdup_printf (_("Cannot save “%s”: %s"), name, error->message);

      _rndimg_viewer_window_toast (saving->self, message);
    }
  g_object_unref (saving->self);
  g_object_unref (saving->file);
  g_free (saving);
}

/* Writes the shown picture to @file: the very bytes of the server's file
 * (what is shown is a variant the size of the window). */
void
rndimg_viewer_window_save_picture (RndimgViewerWindow *self, GFile *file)
{
  const RndimgViewerEntry *entry = rndimg_viewer_history_get_current (self->history);
  Saving *saving;

  g_return_if_fail (entry != NULL);
  saving = g_new0 (Saving, 1);
  saving->self = g_object_ref (self);
  saving->file = g_object_ref (file);
  rndimg_client_fetch_async (self->client, entry->answer->url, NULL, on_original_fetched, saving);
}

static void
on_save_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  if (response == GTK_RESPONSE_ACCEPT && file != NULL &&
      rndimg_viewer_history_get_current (self->history) != NULL)
    rndimg_viewer_window_save_picture (self, file);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_as_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  const RndimgViewerEntry *entry = rndimg_viewer_history_get_current (self->history);
  GtkFileChooserNative *chooser;

  if (entry == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save Picture"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), entry->answer->name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
copy_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  const RndimgViewerEntry *entry = rndimg_viewer_history_get_current (self->history);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);

  if (entry == NULL)
    return;
  if (g_str_equal (action_name, "win.copy"))
    {
      gdk_clipboard_set_texture (clipboard, entry->texture);
      _rndimg_viewer_window_toast (self, _("Picture copied"));
    }
  else
    {
      gdk_clipboard_set_text (clipboard, entry->answer->url);
      _rndimg_viewer_window_toast (self, _("Link copied"));
    }
}

/* Fullscreen shows the picture alone: no header bar, no history. */
static void
on_fullscreened (RndimgViewerWindow *self, GParamSpec *pspec, gpointer user_data)
{
  gboolean fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !fullscreen);
  gtk_widget_set_visible (GTK_WIDGET (self->history_revealer), !fullscreen);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), !fullscreen);
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
  const RndimgViewerEntry *entry = rndimg_viewer_history_get_current (self->history);
  GdkContentProvider *providers[2];

  if (entry == NULL)
    return NULL;
  providers[0] = gdk_content_provider_new_typed (GDK_TYPE_TEXTURE, entry->texture);
  providers[1] = gdk_content_provider_new_typed (G_TYPE_STRING, entry->answer->url);
  return gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
}

void
_rndimg_viewer_window_actions_init (RndimgViewerWindow *self)
{
  GtkDragSource *drag = gtk_drag_source_new ();

  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened), NULL);
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare), self);
  gtk_widget_add_controller (GTK_WIDGET (self->picture), GTK_EVENT_CONTROLLER (drag));
}

void
_rndimg_viewer_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.back", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.forward", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.show-entry", "i", show_entry_activated);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_activated);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "win.copy-link", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_activated);
  gtk_widget_class_install_action (widget_class, "win.leave-fullscreen", NULL, fullscreen_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.leave-fullscreen", NULL);
}
