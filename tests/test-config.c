/* SPDX-License-Identifier: MIT */
/* Where settings come from: a flag wins over the environment variable
 * (RNDIMG_MAX_UPLOAD), which wins over the [server] group of --config FILE
 * (or RNDIMG_CONFIG), which wins over the default. --max-upload shows
 * which value won: a 2000-byte body that is not a picture is 413 under a
 * 1000-byte limit and 415 (not an image) under a larger one. */
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define API RNDIMG_API_PREFIX
#define SMALL "1000"
#define LARGE "100000"

/* A key file with @body, removed by the caller. */
static char *
write_config (const char *body)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("rndimg-config-XXXXXX.ini", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, body, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Starts a server from @args and @environment and says which limit won:
 * the status of a 2000-byte upload. */
static guint
upload_status_with (const char *const *args, const char *const *environment)
{
  g_autofree char *folder = test_make_image_folder (1);
  g_autofree char *images_arg = g_strconcat ("--images=", folder, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (2000), 2000);
  g_auto(TestResponse) response = { 0 };
  g_autofree char *url = NULL;
  TestServer *server;

  g_ptr_array_add (argv, images_arg);
  g_ptr_array_add (argv, "--interval=0");
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);
  server = test_server_start_full ((const char *const *) argv->pdata, environment);
  url = test_server_url (server, API "/images");
  test_post (session, url, body, "image/png", &response);
  test_server_stop (server);
  test_remove_folder (folder);
  g_assert_true (response.status == 413 || response.status == 415);
  return response.status;
}

static void
test_default (void)
{
  g_assert_cmpuint (upload_status_with (NULL, NULL), ==, 415);
}

static void
test_file (void)
{
  g_autofree char *file = write_config ("# a comment\n[server]\nmax-upload=" SMALL "\n");
  g_autofree char *config_arg = g_strconcat ("--config=", file, NULL);
  const char *args[] = { config_arg, NULL };
  const char *by_variable[] = { "RNDIMG_CONFIG", file, NULL };

  g_assert_cmpuint (upload_status_with (args, NULL), ==, 413);
  g_assert_cmpuint (upload_status_with (NULL, by_variable), ==, 413);
  g_assert_cmpint (g_remove (file), ==, 0);
}

static void
test_environment (void)
{
  const char *environment[] = { "RNDIMG_MAX_UPLOAD", SMALL, NULL };

  g_assert_cmpuint (upload_status_with (NULL, environment), ==, 413);
}

static void
test_environment_beats_file (void)
{
  g_autofree char *file = write_config ("[server]\nmax-upload=" SMALL "\n");
  g_autofree char *config_arg = g_strconcat ("--config=", file, NULL);
  const char *args[] = { config_arg, NULL };
  const char *environment[] = { "RNDIMG_MAX_UPLOAD", LARGE, NULL };

  g_assert_cmpuint (upload_status_with (args, environment), ==, 415);
  g_assert_cmpint (g_remove (file), ==, 0);
}

static void
test_flag_beats_environment_and_file (void)
{
  g_autofree char *file = write_config ("[server]\nmax-upload=" LARGE "\n");
  g_autofree char *config_arg = g_strconcat ("--config=", file, NULL);
  const char *args[] = { config_arg, "--max-upload=" SMALL, NULL };
  const char *environment[] = { "RNDIMG_MAX_UPLOAD", LARGE, NULL };
  const char *larger_args[] = { "--max-upload=" LARGE, NULL };
  const char *smaller_environment[] = { "RNDIMG_MAX_UPLOAD", SMALL, NULL };

  g_assert_cmpuint (upload_status_with (args, environment), ==, 413);
  g_assert_cmpuint (upload_status_with (larger_args, smaller_environment), ==, 415);
  g_assert_cmpint (g_remove (file), ==, 0);
}

/* Switches too: RNDIMG_NO_METRICS=true turns /metrics off; the test
 * helper's own --port=0 beats a port in the environment that could not
 * even be parsed. */
static void
test_switch_and_port (void)
{
  const char *environment[] = { "RNDIMG_NO_METRICS", "true", "RNDIMG_PORT", "70000", NULL };
  const char *args[] = { "--interval=0", NULL };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };
  TestServer *server = test_server_start_full (args, environment);
  g_autofree char *url = test_server_url (server, "/metrics");

  test_get (session, url, &response);
  test_assert_json_error (&response, 404);
  test_server_stop (server);
}

/* Runs the server until it exits; returns its status and standard error. */
static int
run_failing (const char *const *argv, const char *variable, const char *value, char **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (variable != NULL)
    g_subprocess_launcher_setenv (launcher, variable, value, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

static void
assert_bad_usage (const char *const *argv, const char *variable, const char *value, const char *expected)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (run_failing (argv, variable, value, &err), ==, 2);
  if (strstr (err, expected) == NULL)
    g_error ("expected \"%s\" in the error, got: %s", expected, err);
}

static void
test_bad_values_name_their_source (void)
{
  g_autofree char *typo = write_config ("[server]\nmax-uplaod=5\n");
  g_autofree char *bad = write_config ("[server]\nheartbeat=often\n");
  g_autofree char *typo_arg = g_strconcat ("--config=", typo, NULL);
  g_autofree char *bad_arg = g_strconcat ("--config=", bad, NULL);
  const char *plain[] = { test_server_binary (), NULL };
  const char *with_typo[] = { test_server_binary (), typo_arg, NULL };
  const char *with_bad[] = { test_server_binary (), bad_arg, NULL };
  const char *missing[] = { test_server_binary (), "--config=/nonexistent/rndimg.ini", NULL };

  assert_bad_usage (plain, "RNDIMG_PORT", "abc", "RNDIMG_PORT=abc is not a whole number");
  assert_bad_usage (plain, "RNDIMG_ADDRESS", "1.2.3.999", "1.2.3.999 is not an IPv4 or IPv6 address");
  assert_bad_usage (plain, "RNDIMG_ACCESS_LOG", "maybe", "RNDIMG_ACCESS_LOG=maybe is not true or false");
  assert_bad_usage (with_typo, NULL, NULL, "has no setting called max-uplaod");
  assert_bad_usage (with_bad, NULL, NULL, "heartbeat=often in");
  assert_bad_usage (missing, NULL, NULL, "/nonexistent/rndimg.ini");
  g_assert_cmpint (g_remove (typo), ==, 0);
  g_assert_cmpint (g_remove (bad), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/default", test_default);
  g_test_add_func ("/config/file", test_file);
  g_test_add_func ("/config/environment", test_environment);
  g_test_add_func ("/config/environment-beats-file", test_environment_beats_file);
  g_test_add_func ("/config/flag-beats-environment-and-file", test_flag_beats_environment_and_file);
  g_test_add_func ("/config/switch-and-port", test_switch_and_port);
  g_test_add_func ("/config/bad-values-name-their-source", test_bad_values_name_their_source);

  test_add_answers_described ();
  return g_test_run ();
}
