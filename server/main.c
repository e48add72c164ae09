/* rndimg-server: a random image service on libsoup-3.0 and a GMainLoop. */
#include "rndimg-service.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

static char *
default_folder (const char *source_dir, const char *installed_dir)
{
  /* Run from a build tree, the source tree's copy is the one to serve. */
  return g_strdup (g_file_test (source_dir, G_FILE_TEST_IS_DIR) ? source_dir : installed_dir);
}

static gboolean
parse_options (int *argc, char ***argv, RndimgConfig *config, GError **error)
{
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &config->port,
      "TCP port to listen on; 0 picks a free one (default 5000)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &config->address,
      "IP address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)", "ADDRESS" },
    { "images", 'i', 0, G_OPTION_ARG_FILENAME, &config->images_dir,
      "Folder of images to serve (default: the shipped data/img)", "DIR" },
    { "web", 'w', 0, G_OPTION_ARG_FILENAME, &config->web_dir,
      "Folder of the web page (default: the shipped web/)", "DIR" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &config->verbose,
      "Log one line per request", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- serve random images over HTTP");

  g_option_context_set_summary (context,
    "Answers GET /polling/api/v1.0/rndimg with the absolute URL of a random image\n"
    "and serves the images under /static/img/ and a web page at /.\n"
    "The first line on standard output is the URL the server listens on.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument %s", (*argv)[1]);
      return FALSE;
    }
  if (config->port < 0 || config->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--port %d is not between 0 and 65535", config->port);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
run (RndimgConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgService) service = rndimg_service_new (config, &error);
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  guint sigint_id, sigterm_id;

  if (service == NULL || !rndimg_service_listen (service, &error))
    {
      g_printerr ("rndimg-server: %s\n", error->message);
      return 1;
    }

  url = rndimg_service_get_url (service);
  printf ("%s\n", url);
  fflush (stdout);
  g_message ("serving %u images from %s at %s",
             rndimg_catalogue_get_count (rndimg_service_get_catalogue (service)),
             rndimg_catalogue_get_directory (rndimg_service_get_catalogue (service)), url);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  g_message ("shutting down");
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  rndimg_service_shutdown (service);
  return 0;
}

int
main (int argc, char **argv)
{
  g_auto(RndimgConfig) config = {
    .port = 5000,
  };
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  /* Standard output carries only the URL line: logs go to standard error. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (!parse_options (&argc, &argv, &config, &error))
    {
      g_printerr ("rndimg-server: %s\nTry rndimg-server --help\n", error->message);
      return 2;
    }
  if (config.address == NULL)
    config.address = g_strdup ("127.0.0.1");
  if (config.images_dir == NULL)
    config.images_dir = default_folder (RNDIMG_SOURCE_IMAGES_DIR, RNDIMG_INSTALLED_IMAGES_DIR);
  if (config.web_dir == NULL)
    config.web_dir = default_folder (RNDIMG_SOURCE_WEB_DIR, RNDIMG_INSTALLED_WEB_DIR);
  if (config.verbose)
    g_setenv ("G_MESSAGES_DEBUG", G_LOG_DOMAIN, TRUE);

  return run (&config);
}
