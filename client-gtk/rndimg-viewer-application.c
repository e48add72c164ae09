/* SPDX-License-Identifier: MIT */
/* The GtkApplication: one instance; a second launch hands its command line
 * (--server, --transport, --live) to the running one. */
#include "rndimg-viewer-application.h"
#include "rndimg-viewer-settings.h"
#include "rndimg-viewer-window.h"

struct _RndimgViewerApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (RndimgViewerApplication, rndimg_viewer_application, GTK_TYPE_APPLICATION)

static RndimgViewerWindow *
main_window (GApplication *application, RndimgTransport transport)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_autofree char *server = NULL;

  if (window != NULL)
    return RNDIMG_VIEWER_WINDOW (window);
  server = rndimg_viewer_settings_load_server ();
  return rndimg_viewer_window_new (GTK_APPLICATION (application), server, transport);
}

static void
rndimg_viewer_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (main_window (application, RNDIMG_TRANSPORT_AUTO)));
}

/* Checked here, before any display is opened, so a typo gets a plain
 * message and exit code 2. */
static int
rndimg_viewer_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  RndimgTransport transport;
  const char *server = NULL, *transport_name = NULL;
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_lookup (options, "transport", "&s", &transport_name) &&
      !rndimg_transport_from_string (transport_name, &transport))
    {
      g_printerr ("rndimg-viewer: --transport must be auto, sse or longpoll, not “%s”\n", transport_name);
      return 2;
    }
  if (g_variant_dict_lookup (options, "server", "&s", &server) &&
      !rndimg_client_check_base_url (server, &error))
    {
      g_printerr ("rndimg-viewer: --server: %s\n", error->message);
      return 2;
    }
  return -1;
}

static int
rndimg_viewer_application_command_line (GApplication *application, GApplicationCommandLine *command_line)
{
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  RndimgTransport transport = RNDIMG_TRANSPORT_AUTO;
  RndimgViewerWindow *window;
  const char *server = NULL, *transport_name = NULL;

  g_variant_dict_lookup (options, "server", "&s", &server);
  if (g_variant_dict_lookup (options, "transport", "&s", &transport_name))
    rndimg_transport_from_string (transport_name, &transport);

  window = main_window (application, transport);
  if (server != NULL)
    rndimg_viewer_window_set_server (window, server);
  gtk_window_present (GTK_WINDOW (window));
  if (g_variant_dict_contains (options, "live"))
    g_action_group_change_action_state (G_ACTION_GROUP (window), "live", g_variant_new_boolean (TRUE));
  return 0;
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
rndimg_viewer_application_startup (GApplication *application)
{
  const GActionEntry entries[] = { { .name = "quit", .activate = quit_activated } };
  const char *get_accels[] = { "<Control>r", NULL };
  const char *live_accels[] = { "<Control>l", NULL };
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (rndimg_viewer_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), entries, G_N_ELEMENTS (entries), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.get", get_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.live", live_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

static void
rndimg_viewer_application_class_init (RndimgViewerApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

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
      "The rndimg server (default: the last one used, else " RNDIMG_DEFAULT_SERVER ")", "URL" },
    { "transport", 't', 0, G_OPTION_ARG_STRING, NULL,
      "How Live follows the server: auto (SSE, else long-poll), sse or longpoll", "TRANSPORT" },
    { "live", 'l', 0, G_OPTION_ARG_NONE, NULL, "Start with Live on", NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
    "Shows random pictures from an rndimg server and follows new ones live.");
}

RndimgViewerApplication *
rndimg_viewer_application_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_APPLICATION,
                       "application-id", RNDIMG_VIEWER_APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
