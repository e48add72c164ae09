/* SPDX-License-Identifier: MIT */
/* The preferences window: the server (checked, and "host:port" made a
 * URL, when applied; the window saves it once it answers), the token
 * (applied to the window, which keeps it in the keyring), how Live
 * follows, and whether to notify of new pictures. Settings are bound,
 * not copied. */
#include "rndimg-viewer-preferences.h"
#include "rndimg-client.h"
#include "rndimg-viewer-settings.h"

#include <glib/gi18n-lib.h>

struct _RndimgViewerPreferences
{
  AdwPreferencesWindow parent_instance;

  /* Template widgets */
  AdwEntryRow *server_row;
  AdwPasswordEntryRow *token_row;
  AdwComboRow *transport_row;
  GtkSwitch *start_live_switch;
  GtkSwitch *notify_switch;

  /* Owned references */
  GSettings *settings;
  RndimgViewerWindow *window;
};

G_DEFINE_FINAL_TYPE (RndimgViewerPreferences, rndimg_viewer_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
on_server_changed (RndimgViewerPreferences *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
}

static void
on_server_apply (RndimgViewerPreferences *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = rndimg_client_normalize_base_url (text, &error);

  if (url == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (escaped));
      return;
    }
  rndimg_viewer_window_set_server (self->window, url);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), rndimg_viewer_window_get_server (self->window));
}

static void
on_token_apply (RndimgViewerPreferences *self)
{
  g_autofree char *token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));

  rndimg_viewer_window_save_token (self->window, token);
}

static gboolean
transport_to_row (GValue *value, GVariant *variant, gpointer user_data)
{
  RndimgTransport transport = RNDIMG_TRANSPORT_AUTO;

  rndimg_transport_from_string (g_variant_get_string (variant, NULL), &transport);
  g_value_set_uint (value, transport);
  return TRUE;
}

static GVariant *
transport_from_row (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_string (rndimg_transport_to_string (g_value_get_uint (value)));
}

static void
rndimg_viewer_preferences_dispose (GObject *object)
{
  RndimgViewerPreferences *self = RNDIMG_VIEWER_PREFERENCES (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->window);
  gtk_widget_dispose_template (GTK_WIDGET (self), RNDIMG_TYPE_VIEWER_PREFERENCES);
  G_OBJECT_CLASS (rndimg_viewer_preferences_parent_class)->dispose (object);
}

static void
rndimg_viewer_preferences_class_init (RndimgViewerPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = rndimg_viewer_preferences_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/rndimg/Viewer/rndimg-viewer-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerPreferences, server_row);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerPreferences, token_row);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerPreferences, transport_row);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerPreferences, start_live_switch);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerPreferences, notify_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_server_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_server_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_token_apply);
}

static void
rndimg_viewer_preferences_init (RndimgViewerPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = rndimg_viewer_settings_new ();
  g_settings_bind (self->settings, "start-live", self->start_live_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-new-pictures", self->notify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "transport", self->transport_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, transport_to_row, transport_from_row, NULL, NULL);
}

RndimgViewerPreferences *
rndimg_viewer_preferences_new (RndimgViewerWindow *window)
{
  RndimgViewerPreferences *self = g_object_new (RNDIMG_TYPE_VIEWER_PREFERENCES, "transient-for", window, NULL);

  self->window = g_object_ref (window);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), rndimg_viewer_window_get_server (window));
  if (rndimg_viewer_window_get_token (window) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->token_row), rndimg_viewer_window_get_token (window));
  return self;
}
