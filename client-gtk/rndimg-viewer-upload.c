/* SPDX-License-Identifier: MIT */
/* Uploading a picture of one's own: the Upload action (a file chooser)
 * and a file dropped on the window both publish it through the server's
 * upload API, with the token from the preferences (kept in the keyring).
 * The server decides whether the bytes are a picture; a refusal is said
 * in plain words. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-i18n.h"

#include <glib/gi18n-lib.h>

typedef struct {
  RndimgViewerWindow *self;
  char *file_name;
  char *name;          /* isolated, for sentences */
} Upload;

static void
upload_free (Upload *upload)
{
  g_object_unref (upload->self);
  g_free (upload->file_name);
  g_free (upload->name);
  g_free (upload);
}

static void
on_uploaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Upload *upload = user_data;
  RndimgViewerWindow *self = upload->self;
  g_autoptr(GError) error = NULL;
  RndimgAnswer *answer = rndimg_client_upload_finish (RNDIMG_CLIENT (source), result, &error);
  g_autofree char *message = NULL;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_object (&self->upload_cancellable);
      if (answer == NULL)
        {
          /* A refusal says it all, and a notice has room for one sentence. */
          message = g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REJECTED)
            ? g_strdup (error->message)
            : g_strdup_printf (_("Cannot upload “%s”: %s"), upload->name, error->message);
          _rndimg_viewer_window_show_problem (self, message, error);
        }
      else
        {
          message = g_strdup_printf (_("Uploaded “%s”"), upload->name);
          _rndimg_viewer_window_say (self, message);
          _rndimg_viewer_window_server_answered (self);
          _rndimg_viewer_window_load_picture (self, answer);
        }
    }
  upload_free (upload);
}

/* The bytes' own type, whatever the file is called; the server checks
 * again. */
static char *
guess_content_type (const char *name, GBytes *bytes)
{
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);
  g_autofree char *type = g_content_type_guess (name, data, size, NULL);
  char *mime = g_content_type_get_mime_type (type);

  return mime != NULL ? mime : g_strdup ("application/octet-stream");
}

static void
on_file_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Upload *upload = user_data;
  RndimgViewerWindow *self = upload->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  g_autofree char *type = NULL, *message = NULL;

  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message = g_strdup_printf (_("Cannot read “%s”: %s"), upload->name, error->message);
          _rndimg_viewer_window_say (self, message);
        }
      upload_free (upload);
      return;
    }
  type = guess_content_type (upload->file_name, bytes);
  message = g_strdup_printf (_("Uploading “%s”…"), upload->name);
  _rndimg_viewer_window_say (self, message);
  rndimg_client_upload_async (self->client, bytes, type, rndimg_client_get_token (self->client),
                              self->upload_cancellable, on_uploaded, upload);
}

void
rndimg_viewer_window_upload_file (RndimgViewerWindow *self, GFile *file)
{
  Upload *upload = g_new0 (Upload, 1);

  g_cancellable_cancel (self->upload_cancellable);
  g_clear_object (&self->upload_cancellable);
  self->upload_cancellable = g_cancellable_new ();
  upload->self = g_object_ref (self);
  upload->file_name = g_file_get_basename (file);
  upload->name = rndimg_viewer_isolate (upload->file_name);
  g_file_load_bytes_async (file, self->upload_cancellable, on_file_loaded, upload);
}

static void
on_upload_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  if (response == GTK_RESPONSE_ACCEPT && file != NULL)
    rndimg_viewer_window_upload_file (user_data, file);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
upload_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Upload a Picture"), GTK_WINDOW (widget),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                                               _("_Upload"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Pictures"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/gif");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_upload_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  gboolean taken = files != NULL;

  if (taken)
    rndimg_viewer_window_upload_file (user_data, files->data);
  g_slist_free (files);
  return taken;
}

void
_rndimg_viewer_window_upload_init (RndimgViewerWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

void
_rndimg_viewer_window_class_upload_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.upload", NULL, upload_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK, "win.upload", NULL);
}
