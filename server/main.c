/* SPDX-License-Identifier: MIT */
/* rndimg-server: a random image service on libsoup-3.0 and a GMainLoop. */
#include "rndimg-auth.h"
#include "rndimg-service.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/resource.h>
#include <locale.h>
#include <stdio.h>

static char *
default_folder (const char *source_dir, const char *installed_dir)
{
  /* Run from a build tree, the source tree's copy is the one to serve. */
  return g_strdup (g_file_test (source_dir, G_FILE_TEST_IS_DIR) ? source_dir : installed_dir);
}

static gboolean
out_of_range (GError **error, const char *option, double value, double min, double max)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--%s %g is not between %g and %g", option, value, min, max);
  return FALSE;
}

static gboolean
check_ranges (const RndimgConfig *config, GError **error)
{
  if (config->port < 0 || config->port > 65535)
    return out_of_range (error, "port", config->port, 0, 65535);
  if (config->interval_seconds < 0 || config->interval_seconds > 86400)
    return out_of_range (error, "interval", config->interval_seconds, 0, 86400);
  if (config->interval_seconds > 0 && config->interval_seconds < 0.01)
    return out_of_range (error, "interval", config->interval_seconds, 0.01, 86400);
  if (config->history < 1 || config->history > 100000)
    return out_of_range (error, "history", config->history, 1, 100000);
  if (config->max_upload_bytes < 1 || config->max_upload_bytes > G_GINT64_CONSTANT (1) << 32)
    return out_of_range (error, "max-upload", (double) config->max_upload_bytes, 1, 4294967296.0);
  if (config->max_waiters < 1 || config->max_waiters > 1000000)
    return out_of_range (error, "max-waiters", config->max_waiters, 1, 1000000);
  if (config->max_streams < 1 || config->max_streams > 100000)
    return out_of_range (error, "max-streams", config->max_streams, 1, 100000);
  if (config->max_sockets < 1 || config->max_sockets > 100000)
    return out_of_range (error, "max-websockets", config->max_sockets, 1, 100000);
  if (config->heartbeat_seconds < 0.05 || config->heartbeat_seconds > 3600)
    return out_of_range (error, "heartbeat", config->heartbeat_seconds, 0.05, 3600);
  return TRUE;
}

/* The token comes from --token-file, else from RNDIMG_TOKEN; an empty one
 * is an error rather than silently no protection. */
static gboolean
load_token (RndimgConfig *config, const char *token_file, GError **error)
{
  g_autofree char *contents = NULL;

  if (token_file != NULL && !g_file_get_contents (token_file, &contents, NULL, error))
    return FALSE;
  if (contents == NULL && g_getenv ("RNDIMG_TOKEN") != NULL)
    contents = g_strdup (g_getenv ("RNDIMG_TOKEN"));
  if (contents == NULL)
    return TRUE;
  g_strstrip (contents);
  if (*contents == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the token (%s) is empty", token_file ? token_file : "RNDIMG_TOKEN");
      return FALSE;
    }
  config->token = g_steal_pointer (&contents);
  return TRUE;
}

static gboolean
parse_options (int *argc, char ***argv, RndimgConfig *config, GError **error)
{
  g_autofree char *token_file = NULL;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &config->port,
      "TCP port to listen on; 0 picks a free one (default 5000)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &config->address,
      "IP address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)", "ADDRESS" },
    { "images", 'i', 0, G_OPTION_ARG_FILENAME, &config->images_dir,
      "Folder of images to serve (default: the shipped data/img)", "DIR" },
    { "web", 'w', 0, G_OPTION_ARG_FILENAME, &config->web_dir,
      "Folder of the web page (default: the shipped web/)", "DIR" },
    { "interval", 0, 0, G_OPTION_ARG_DOUBLE, &config->interval_seconds,
      "Publish a random image every SECONDS; 0 turns the slideshow off (default 5)", "SECONDS" },
    { "history", 0, 0, G_OPTION_ARG_INT, &config->history,
      "Events kept for replay to late clients (default 128)", "N" },
    { "max-upload", 0, 0, G_OPTION_ARG_INT64, &config->max_upload_bytes,
      "Largest accepted upload in bytes (default 10485760, 10 MiB)", "BYTES" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "File holding the bearer token that publish and upload need (or env RNDIMG_TOKEN)", "FILE" },
    { "max-waiters", 0, 0, G_OPTION_ARG_INT, &config->max_waiters,
      "Most long-polls held at once; beyond, 503 (default 10000)", "N" },
    { "max-streams", 0, 0, G_OPTION_ARG_INT, &config->max_streams,
      "Most event streams open at once; beyond, 503 (default 1000)", "N" },
    { "max-websockets", 0, 0, G_OPTION_ARG_INT, &config->max_sockets,
      "Most WebSockets open at once; beyond, 503 (default 1000)", "N" },
    { "heartbeat", 0, 0, G_OPTION_ARG_DOUBLE, &config->heartbeat_seconds,
      "Seconds between keep-alives: comments on event streams, pings on WebSockets (default 15)", "SECONDS" },
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
  return check_ranges (config, error) && load_token (config, token_file, error);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the last answers to held clients go out, for at most a second. */
static void
drain (RndimgService *service)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (1000, on_drain_timeout, &timed_out);

  rndimg_service_begin_shutdown (service);
  while (!rndimg_service_is_drained (service) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
}

/* Every held long-poll and event stream is an open socket: allow as many
 * as the system lets this process have. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_warning ("cannot raise the open file limit: %s", g_strerror (errno));
    }
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
  const char *url;
  guint sigint_id, sigterm_id;

  if (service == NULL || !rndimg_service_listen (service, &error))
    {
      g_printerr ("rndimg-server: %s\n", error->message);
      return 1;
    }

  url = rndimg_service_get_url (service);
  printf ("%s\n", url);
  fflush (stdout);
  g_message ("serving %u images from %s at %s; writes %s",
             rndimg_catalogue_get_count (rndimg_service_get_catalogue (service)),
             rndimg_catalogue_get_directory (rndimg_service_get_catalogue (service)), url,
             config->token != NULL ? "need the token"
             : rndimg_auth_writes_enabled (config) ? "open (loopback only, no token)"
             : "disabled (no token)");

  raise_fd_limit ();
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  g_message ("shutting down");
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  drain (service);
  rndimg_service_shutdown (service);
  return 0;
}

int
main (int argc, char **argv)
{
  g_auto(RndimgConfig) config = {
    .port = 5000,
    .interval_seconds = 5,
    .history = 128,
    .max_upload_bytes = 10 * 1024 * 1024,
    .max_waiters = 10000,
    .max_streams = 1000,
    .max_sockets = 1000,
    .heartbeat_seconds = 15,
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
