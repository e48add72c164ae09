/* Helpers for the server tests: start and stop a real rndimg-server and
 * talk HTTP to it with libsoup. */
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

const char *
test_server_binary (void)
{
  const char *binary = g_getenv ("RNDIMG_SERVER");

  g_assert_nonnull (binary);
  return binary;
}

/* A failed assertion aborts the test: its server must not outlive it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts the server with --port 0 and reads the URL it prints first. */
TestServer *
test_server_start_argv (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  TestServer *server = g_new0 (TestServer, 1);

  g_ptr_array_add (argv, (char *) test_server_binary ());
  g_ptr_array_add (argv, "--port=0");
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));
  if (g_str_has_suffix (line, "/"))
    line[strlen (line) - 1] = '\0';
  server->url = g_steal_pointer (&line);
  return server;
}

TestServer *
test_server_start (const char *first_arg, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return test_server_start_argv ((const char *const *) args->pdata);
}

/* SIGTERM, then the server must exit 0: a leak or sanitizer error found at
 * exit makes it fail, and so the test. */
void
test_server_stop (TestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_object_unref (server->process);
  g_free (server->url);
  g_free (server);
}

char *
test_server_url (TestServer *server, const char *path)
{
  return g_strconcat (server->url, path, NULL);
}

void
test_response_clear (TestResponse *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
}

void
test_request (SoupSession *session, const char *method, const char *url,
              const char *const *request_headers, GBytes *request_body,
              const char *content_type, TestResponse *response)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  for (; request_headers != NULL && request_headers[0] != NULL; request_headers += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  request_headers[0], request_headers[1]);
  if (request_body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, request_body);

  response->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
}

const char *
test_response_header (TestResponse *response, const char *name)
{
  return soup_message_headers_get_one (response->headers, name);
}

/* Parses the body as a JSON object; fails the test when it is not one. */
JsonObject *
test_response_json (TestResponse *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (response->body, &length);
  JsonNode *root;

  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

void
test_assert_json_error (TestResponse *response, guint status)
{
  g_autoptr(JsonObject) json = NULL;

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (soup_message_headers_get_content_type (response->headers, NULL), ==, "application/json");
  json = test_response_json (response);
  g_assert_cmpstr (json_object_get_string_member (json, "status"), ==, "error");
  g_assert_cmpuint (strlen (json_object_get_string_member (json, "message")), >, 0);
}

char *
test_source_image (const char *name)
{
  const char *dir = g_getenv ("RNDIMG_IMAGES");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* A fresh temporary folder with the first @count shipped images. */
char *
test_make_image_folder (guint count)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("rndimg-test-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *name = g_strdup_printf ("0%u.png", i);
      g_autofree char *from = test_source_image (name);
      g_autofree char *to = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize length;

      g_file_get_contents (from, &data, &length, &error);
      g_assert_no_error (error);
      g_file_set_contents (to, data, (gssize) length, &error);
      g_assert_no_error (error);
    }
  return dir;
}

void
test_remove_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_assert_cmpint (g_remove (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

typedef struct {
  GSourceFunc condition;
  gpointer data;
  gboolean met;
  gboolean timed_out;
} WaitState;

static gboolean
on_wait_timeout (gpointer user_data)
{
  ((WaitState *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main context until @condition holds or time is up. */
gboolean
test_wait_until (GSourceFunc condition, gpointer data, guint timeout_ms)
{
  WaitState state = { condition, data, FALSE, FALSE };
  guint timeout_id = g_timeout_add (timeout_ms, on_wait_timeout, &state);
  /* Wakes the loop now and then for conditions no source signals. */
  guint tick_id = g_timeout_add (20, on_tick, NULL);

  while (!(state.met = condition (data)) && !state.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!state.timed_out)
    g_source_remove (timeout_id);
  g_source_remove (tick_id);
  return state.met;
}
