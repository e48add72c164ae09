/* SPDX-License-Identifier: MIT */
/* rndimg-server: a random image service on libsoup-3.0 and a GMainLoop. */
#include "rndimg-access-log.h"
#include "rndimg-auth.h"
#include "rndimg-reload.h"
#include "rndimg-service.h"
#include "rndimg-settings.h"
#include "rndimg-systemd.h"
#include "rndimg-tls.h"

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

/* Binds the configured address, or takes the socket systemd passed. */
static gboolean
start_listening (RndimgService *service, GSocket *activated, GError **error)
{
  if (activated != NULL)
    return rndimg_service_listen_on_socket (service, activated, error);
  return rndimg_service_listen (service, error);
}

static int
run (RndimgConfig *config, GSocket *activated, GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgService) service = rndimg_service_new (config, &error);
  g_autoptr(GMainLoop) loop = NULL;
  const char *url;
  guint sigint_id, sigterm_id, sighup_id;

  if (service != NULL)
    rndimg_service_set_tls_certificate (service, certificate);
  if (service == NULL || !start_listening (service, activated, &error))
    {
      g_printerr ("rndimg-server: %s\n", error->message);
      return 1;
    }

  /* Before the URL is announced: whoever reads it may stop us at once. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  sighup_id = rndimg_reload_on_sighup (service);
  url = rndimg_service_get_url (service);
  printf ("%s\n", url);
  fflush (stdout);
  g_message ("serving %u images from %s (uploads into %s) at %s; writes %s",
             rndimg_catalogue_get_count (rndimg_service_get_catalogue (service)),
             config->images_dir, config->uploads_dir, url,
             config->token != NULL ? "need the token"
             : rndimg_auth_writes_enabled (config) ? "open (loopback only, no token)"
             : "disabled (no token)");

  raise_fd_limit ();
  rndimg_systemd_notify ("READY=1");
  g_main_loop_run (loop);

  rndimg_systemd_notify ("STOPPING=1");
  g_message ("shutting down");
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_source_remove (sighup_id);
  drain (service);
  rndimg_service_shutdown (service);
  return 0;
}

/* systemd's state folder (the first of StateDirectory=, which lists one
 * per folder, separated by ':'), or NULL outside systemd. */
static char *
systemd_state_folder (void)
{
  const char *state_directory = g_getenv ("STATE_DIRECTORY");
  g_auto(GStrv) folders = NULL;

  if (state_directory == NULL || *state_directory == '\0')
    return NULL;
  folders = g_strsplit (state_directory, ":", 2);
  return g_strdup (folders[0]);
}

/* Uploads never go into the shipped folder: under systemd into its state
 * folder, else into a folder the operator chose with --images, else into
 * the user's state folder. */
static char *
default_uploads_folder (const RndimgConfig *config, const char *state_folder, gboolean images_chosen)
{
  if (state_folder != NULL)
    return g_strdup (state_folder);
  if (images_chosen)
    return g_strdup (config->images_dir);
  return g_build_filename (g_get_user_state_dir (), "rndimg", "uploads", NULL);
}

/* The broker's state goes beside systemd's state or into the user's state
 * folder (not into the uploads: it is no picture). */
static char *
default_state_file (const char *state_folder)
{
  if (state_folder != NULL)
    return g_build_filename (state_folder, "history.json", NULL);
  return g_build_filename (g_get_user_state_dir (), "rndimg", "history.json", NULL);
}

static void
fill_default_folders (RndimgConfig *config)
{
  g_autofree char *state_folder = systemd_state_folder ();
  gboolean images_chosen = config->images_dir != NULL;

  if (config->images_dir == NULL)
    config->images_dir = default_folder (RNDIMG_SOURCE_IMAGES_DIR, RNDIMG_INSTALLED_IMAGES_DIR);
  if (config->web_dir == NULL)
    config->web_dir = default_folder (RNDIMG_SOURCE_WEB_DIR, RNDIMG_INSTALLED_WEB_DIR);
  if (config->uploads_dir == NULL)
    config->uploads_dir = default_uploads_folder (config, state_folder, images_chosen);
  if (config->state_file == NULL)
    config->state_file = default_state_file (state_folder);
}

int
main (int argc, char **argv)
{
  g_auto(RndimgConfig) config = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) activated = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  setlocale (LC_ALL, "");
  /* Standard output carries only the URL line: logs go to standard error
   * (or to the journal, with fields, under systemd). */
  rndimg_access_log_install_writer ();
  switch (rndimg_settings_load (&argc, &argv, &config, &error))
    {
    case RNDIMG_SETTINGS_DONE:
      return 0;
    case RNDIMG_SETTINGS_BAD_USAGE:
      g_printerr ("rndimg-server: %s\nTry rndimg-server --help\n", error->message);
      return 2;
    case RNDIMG_SETTINGS_RUN:
      break;
    }
  /* A certificate that cannot serve is a bad setting, never a server
   * that starts and fails every handshake. */
  if (config.tls_certificate != NULL &&
      (certificate = rndimg_tls_load_certificate (config.tls_certificate, config.tls_key, &error)) == NULL)
    {
      g_printerr ("rndimg-server: %s\n", error->message);
      return 2;
    }
  fill_default_folders (&config);
  if (config.verbose)
    g_setenv ("G_MESSAGES_DEBUG", G_LOG_DOMAIN, TRUE);

  activated = rndimg_systemd_take_socket (&error);
  if (error != NULL)
    {
      g_printerr ("rndimg-server: %s\n", error->message);
      return 1;
    }
  /* Who may write depends on the address really listened on. */
  if (activated != NULL)
    {
      g_free (config.address);
      config.address = rndimg_systemd_socket_address (activated);
    }
  return run (&config, activated, certificate);
}
