/* SPDX-License-Identifier: MIT */
/* The AdwApplication: one instance (a second launch hands its command
 * line, --server, --transport and --live, to the running one), the app
 * actions (Preferences, About, Quit) and their shortcuts. */
#include "rndimg-viewer-application.h"
#include "rndimg-viewer-preferences.h"
#include "rndimg-viewer-settings.h"
#include "rndimg-viewer-window.h"
#include "rndimg-client.h"

#include <glib/gi18n-lib.h>

struct _RndimgViewerApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (RndimgViewerApplication, rndimg_viewer_application, ADW_TYPE_APPLICATION)

/* The window, made the first time with the remembered server. */
static RndimgViewerWindow *
main_window (RndimgViewerApplication *self, const char *transport_name)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *server = NULL;
  RndimgTransport transport = g_settings_get_enum (self->settings, "transport");
  RndimgViewerWindow *created;

  if (window != NULL)
    return RNDIMG_VIEWER_WINDOW (window);
  if (transport_name != NULL)
    rndimg_transport_from_string (transport_name, &transport);
  server = g_settings_get_string (self->settings, "server");
  created = rndimg_viewer_window_new (GTK_APPLICATION (self), server, transport);
  if (g_settings_get_boolean (self->settings, "start-live"))
    g_object_set (created, "live", TRUE, NULL);
  return created;
}

static void
rndimg_viewer_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (main_window (RNDIMG_VIEWER_APPLICATION (application), NULL)));
}

/* Checked here, before any display is opened, so a typo gets a plain
 * message and exit code 2. */
static int
rndimg_viewer_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  RndimgTransport transport;
  const char *server = NULL, *transport_name = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (g_variant_dict_lookup (options, "transport", "&s", &transport_name) &&
      !rndimg_transport_from_string (transport_name, &transport))
    {
      g_printerr (_("rndimg-viewer: --transport must be auto, sse or longpoll, not “%s”\n"), transport_name);
      return 2;
    }
  if (g_variant_dict_lookup (options, "server", "&s", &server) &&
      (url = rndimg_client_normalize_base_url (server, &error)) == NULL)
    {
      g_printerr ("rndimg-viewer: --server: %s\n", error->message);
      return 2;
    }
  return -1;
}

static int
rndimg_viewer_application_command_line (GApplication *application, GApplicationCommandLine *command_line)
{
  RndimgViewerApplication *self = RNDIMG_VIEWER_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  RndimgViewerWindow *window;
  const char *server = NULL, *transport_name = NULL;

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, "transport", "&s", &transport_name);
  window = main_window (self, transport_name);
  if (server != NULL)
    {
      g_autofree char *url = rndimg_client_normalize_base_url (server, NULL);
      rndimg_viewer_window_set_server (window, url);
    }
  gtk_window_present (GTK_WINDOW (window));
  if (g_variant_dict_contains (options, "live"))
    g_object_set (window, "live", TRUE, NULL);
  return 0;
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
preferences_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  RndimgViewerWindow *window = main_window (user_data, NULL);

  gtk_window_present (GTK_WINDOW (rndimg_viewer_preferences_new (window)));
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  const char *developers[] = { "The rndimg developers", NULL };

  adw_show_about_window (GTK_WINDOW (main_window (user_data, NULL)),
                         "application-name", _("rndimg Viewer"),
                         "application-icon", RNDIMG_VIEWER_APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Shows random pictures from an rndimg server and follows new ones live."),
                         "developer-name", _("The rndimg developers"),
                         "developers", developers,
                         "website", "https://github.com/rndimg/rndimg",
                         "issue-url", "https://github.com/rndimg/rndimg/issues",
                         "license-type", GTK_LICENSE_MIT_X11,
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
rndimg_viewer_application_startup (GApplication *application)
{
  RndimgViewerApplication *self = RNDIMG_VIEWER_APPLICATION (application);
  const GActionEntry entries[] = {
    { .name = "quit", .activate = quit_activated },
    { .name = "preferences", .activate = preferences_activated },
    { .name = "about", .activate = about_activated },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (rndimg_viewer_application_parent_class)->startup (application);

  self->settings = rndimg_viewer_settings_new ();
  rndimg_viewer_settings_migrate (self->settings);
  g_action_map_add_action_entries (G_ACTION_MAP (application), entries, G_N_ELEMENTS (entries), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.preferences", preferences_accels);
}

static void
rndimg_viewer_application_dispose (GObject *object)
{
  g_clear_object (&RNDIMG_VIEWER_APPLICATION (object)->settings);
  G_OBJECT_CLASS (rndimg_viewer_application_parent_class)->dispose (object);
}

static void
rndimg_viewer_application_class_init (RndimgViewerApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = rndimg_viewer_application_dispose;
  app_class->activate = rndimg_viewer_application_activate;
  app_class->command_line = rndimg_viewer_application_command_line;
  app_class->handle_local_options = rndimg_viewer_application_handle_local_options;
  app_class->startup = rndimg_viewer_application_startup;
}

static void
rndimg_viewer_application_init (RndimgViewerApplication *self)
{
  const GOptionEntry options[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
      N_("The rndimg server, e.g. 127.0.0.1:5000 (default: the last one that answered)"), N_("URL") },
    { "transport", 't', 0, G_OPTION_ARG_STRING, NULL,
      N_("How Live follows the server: auto (SSE, else long-poll), sse or longpoll"), N_("TRANSPORT") },
    { "live", 'l', 0, G_OPTION_ARG_NONE, NULL, N_("Start with Live on"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
    _("Shows random pictures from an rndimg server and follows new ones live."));
}

RndimgViewerApplication *
rndimg_viewer_application_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_APPLICATION,
                       "application-id", RNDIMG_VIEWER_APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
