/* SPDX-License-Identifier: MIT */
/* Helpers for the server tests: start and stop a real rndimg-server and
 * talk HTTP to it with libsoup. */
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
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
  return test_server_start_full (args, NULL);
}

/* @environment: NULL-terminated "NAME", "VALUE" pairs for the server. */
static TestServer *start_server (const char *const *args, const char *const *environment, gboolean logged);

/* The same server built without sanitizers (RNDIMG_SERVER_PLAIN), for
 * what measures memory: ASan's allocator keeps freed blocks in quarantine,
 * so the sanitized server's RSS grows with every allocation freed. */
static TestServer *
start_plain (const char *const *args, const char *const *environment, gboolean logged)
{
  const char *plain = g_getenv ("RNDIMG_SERVER_PLAIN");
  g_autofree char *saved = g_strdup (test_server_binary ());
  TestServer *server;

  g_assert_nonnull (plain);
  g_setenv ("RNDIMG_SERVER", plain, TRUE);
  server = start_server (args, environment, logged);
  g_setenv ("RNDIMG_SERVER", saved, TRUE);
  return server;
}

TestServer *
test_server_start_plain (const char *const *args)
{
  return start_plain (args, NULL, FALSE);
}

/* As test_server_start_plain(), with @environment, its standard error
 * kept for test_server_read_log(). */
TestServer *
test_server_start_plain_logged (const char *const *args, const char *const *environment)
{
  return start_plain (args, environment, TRUE);
}

TestServer *
test_server_start_full (const char *const *args, const char *const *environment)
{
  return start_server (args, environment, FALSE);
}

/* As test_server_start_full(), its standard error kept in a file the
 * test reads with test_server_read_log(). */
TestServer *
test_server_start_logged (const char *const *args, const char *const *environment)
{
  return start_server (args, environment, TRUE);
}

/* Returns (transfer full) what a logged server wrote to standard error so far. */
char *
test_server_read_log (TestServer *server)
{
  char *contents = NULL;

  g_assert_nonnull (server->log_path);
  g_assert_true (g_file_get_contents (server->log_path, &contents, NULL, NULL));
  return contents;
}

typedef struct {
  TestServer *server;
  const char *text;
} LogWait;

static gboolean
log_holds (gpointer user_data)
{
  LogWait *wait = user_data;
  g_autofree char *log = test_server_read_log (wait->server);

  return strstr (log, wait->text) != NULL;
}

/* Returns (transfer full) the logged server's standard error once it
 * holds @text (a line the server writes after its answer, an audit
 * record say), or after @timeout_ms as it is then. */
char *
test_server_wait_log (TestServer *server, const char *text, guint timeout_ms)
{
  LogWait wait = { server, text };

  test_wait_until (log_holds, &wait, timeout_ms);
  return test_server_read_log (server);
}

/* Whether @args name the images or the uploads folder themselves. */
static gboolean
chooses_folders (const char *const *args)
{
  for (; args != NULL && *args != NULL; args++)
    if (g_str_has_prefix (*args, "--images") || g_str_has_prefix (*args, "--uploads") ||
        g_str_has_prefix (*args, "-i"))
      return TRUE;
  return FALSE;
}

static TestServer *
start_server (const char *const *args, const char *const *environment, gboolean logged)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *state_file = NULL;
  TestServer *server = g_new0 (TestServer, 1);
  gboolean own_uploads = !chooses_folders (args);

  g_ptr_array_add (argv, (char *) test_server_binary ());
  g_ptr_array_add (argv, "--port=0");
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  /* Each server its own history, so ids start at 1 in every test. */
  server->state_dir = g_dir_make_tmp ("rndimg-state-XXXXXX", &error);
  g_assert_no_error (error);
  state_file = g_build_filename (server->state_dir, "history.json", NULL);
  g_subprocess_launcher_setenv (launcher, "RNDIMG_STATE_FILE", state_file, TRUE);
  /* RNDIMG_IMAGES (the shipped pictures) is chosen by the environment, so
   * uploads would go there, into every other test's catalogue: each server
   * that chose no folder keeps them in its own. */
  if (own_uploads)
    {
      g_autofree char *uploads = g_build_filename (server->state_dir, "uploads", NULL);

      g_subprocess_launcher_setenv (launcher, "RNDIMG_UPLOADS", uploads, TRUE);
    }
  /* Under ASan: the libraries a sanitized server dlopens, loaded at start
   * instead (tests/meson.build, LeakSanitizer and thread-local storage);
   * never into the server without sanitizers. */
  if (g_getenv ("RNDIMG_SERVER_PRELOAD") != NULL &&
      g_strcmp0 (test_server_binary (), g_getenv ("RNDIMG_SERVER_PLAIN")) != 0)
    g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", g_getenv ("RNDIMG_SERVER_PRELOAD"), TRUE);
  for (; environment != NULL && environment[0] != NULL; environment += 2)
    g_subprocess_launcher_setenv (launcher, environment[0], environment[1], TRUE);
  if (logged)
    {
      server->log_path = g_build_filename (server->state_dir, "stderr.log", NULL);
      g_subprocess_launcher_set_stderr_file_path (launcher, server->log_path);
    }
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  if (g_str_has_suffix (line, "/"))
    line[strlen (line) - 1] = '\0';
  /* A server on every address is still reached over loopback. */
  if (g_str_has_prefix (line, "http://0.0.0.0:"))
    server->url = g_strconcat ("http://127.0.0.1:", line + strlen ("http://0.0.0.0:"), NULL);
  else
    server->url = g_steal_pointer (&line);
  g_assert_true (g_str_has_prefix (server->url, "http://127.0.0.1:") ||
                 g_str_has_prefix (server->url, "https://127.0.0.1:"));
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

static void
forget (TestServer *server)
{
  g_object_unref (server->process);
  test_remove_folder (server->state_dir);
  g_free (server->state_dir);
  g_free (server->log_path);
  g_free (server->url);
  g_free (server);
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
  /* A logged server's report (a leak, a sanitizer's) is in its log. */
  if (server->log_path != NULL &&
      (!g_subprocess_get_if_exited (server->process) || g_subprocess_get_exit_status (server->process) != 0))
    {
      g_autofree char *log = test_server_read_log (server);

      g_printerr ("%s", log);
    }
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  forget (server);
}

/* SIGKILL, as a crash or an OOM killer would: nothing is written at exit. */
void
test_server_kill (TestServer *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  forget (server);
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

static gboolean
is_json_type (const char *essence)
{
  return essence != NULL && (g_ascii_strcasecmp (essence, "application/json") == 0 || g_str_has_suffix (essence, "+json"));
}

/* Appends one answer as a JSON line to the file named by $RNDIMG_ANSWERS
 * (set per suite), for the check registered by test_add_answers_described().
 * @content_type is the header's whole value, or NULL; @cache_control too,
 * "" when the answer had none, NULL when it was not read. */
static void
record_answer (const char *method, const char *path, guint status, const char *content_type,
               const char *cache_control, const char *data, gsize length)
{
  const char *log = g_getenv ("RNDIMG_ANSWERS");
  g_autofree char *essence = g_strdup (content_type);   /* the type without parameters */
  g_autofree char *valid_method = g_utf8_make_valid (method, -1);
  g_autofree char *valid_path = g_utf8_make_valid (path, -1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *line = NULL;
  FILE *file;

  if (log == NULL)
    return;
  if (essence != NULL && strchr (essence, ';') != NULL)
    *strchr (essence, ';') = '\0';
  if (essence != NULL)
    g_strstrip (essence);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "test");
  json_builder_add_string_value (builder, g_test_get_path ());
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, valid_method);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, valid_path);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, content_type);
  json_builder_set_member_name (builder, "body_bytes");
  json_builder_add_int_value (builder, (gint64) length);
  if (cache_control != NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (cache_control, -1);

      json_builder_set_member_name (builder, "cache_control");
      json_builder_add_string_value (builder, valid);
    }
  if (is_json_type (essence) && length > 0 && g_utf8_validate (data, (gssize) length, NULL))
    {
      g_autofree char *text = g_strndup (data, length);

      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, text);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  line = json_to_string (node, FALSE);
  file = fopen (log, "a");
  g_assert_nonnull (file);
  fprintf (file, "%s\n", line);
  fclose (file);
}

void
test_record_answer_parts (const char *method, const char *path, guint status,
                          const char *content_type, const char *data, gsize length)
{
  record_answer (method, path, status, content_type, NULL, data, length);
}

/* An error page of a proxy in front of the server (nginx's 502 when a
 * node dies under a request): not rndimg's answer, not the document's. */
static gboolean
is_proxy_error_page (SoupMessageHeaders *headers)
{
  const char *server = soup_message_headers_get_one (headers, "Server");
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  return server != NULL && g_str_has_prefix (server, "nginx") && g_strcmp0 (type, "text/html") == 0;
}

/* The answer of libsoup's @msg and its @body, its Cache-Control too. */
void
test_record_answer (SoupMessage *msg, GBytes *body)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *cache_control = soup_message_headers_get_list (headers, "Cache-Control");

  if (is_proxy_error_page (headers))
    return;
  record_answer (soup_message_get_method (msg), g_uri_get_path (soup_message_get_uri (msg)),
                 soup_message_get_status (msg), soup_message_headers_get_one (headers, "Content-Type"),
                 cache_control != NULL ? cache_control : "",
                 body != NULL ? g_bytes_get_data (body, NULL) : NULL, body != NULL ? g_bytes_get_size (body) : 0);
}

static void
check_answers_described (gconstpointer log)
{
  const char *argv[] = { g_getenv ("RNDIMG_NODE"), g_getenv ("RNDIMG_ANSWER_CHECKER"),
                         g_getenv ("RNDIMG_OPENAPI_JSON"), log, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_assert_nonnull (argv[0]);
  g_assert_nonnull (argv[1]);
  g_assert_nonnull (argv[2]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  /* Node's own errors (say, tests/openapi without its npm ci) on stderr. */
  if (!g_spawn_check_wait_status (wait_status, NULL))
    g_test_fail_printf ("answers not described by docs/openapi.yaml (%s):\n%s%s", argv[1], out, err);
}

/* Call last, after every g_test_add: registers a test that runs after all
 * the others and checks every answer they received (test_request(),
 * test_request_async()) against docs/openapi.yaml: status, content type,
 * body. Nothing when $RNDIMG_ANSWERS is not set. */
void
test_add_answers_described (void)
{
  const char *log = g_getenv ("RNDIMG_ANSWERS");

  if (log == NULL)
    return;
  /* A test's subprocess appends to its parent's log. */
  if (!g_test_subprocess ())
    g_assert_true (g_file_set_contents (log, "", 0, NULL));
  g_test_add_data_func ("/openapi/answers-described", log, check_answers_described);
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
  test_record_answer (msg, response->body);
}

void
test_get (SoupSession *session, const char *url, TestResponse *response)
{
  test_request (session, "GET", url, NULL, NULL, NULL, response);
}

void
test_get_with_headers (SoupSession *session, const char *url,
                       const char *const *request_headers, TestResponse *response)
{
  test_request (session, "GET", url, request_headers, NULL, NULL, response);
}

void
test_send (SoupSession *session, const char *method, const char *url, TestResponse *response)
{
  test_request (session, method, url, NULL, NULL, NULL, response);
}

void
test_send_with_headers (SoupSession *session, const char *method, const char *url,
                        const char *const *request_headers, TestResponse *response)
{
  test_request (session, method, url, request_headers, NULL, NULL, response);
}

void
test_post (SoupSession *session, const char *url, GBytes *body,
           const char *content_type, TestResponse *response)
{
  test_request (session, "POST", url, NULL, body, content_type, response);
}

void
test_post_json (SoupSession *session, const char *url, const char *json, TestResponse *response)
{
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  test_request (session, "POST", url, NULL, body, "application/json", response);
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

/* Reports a failed check at the caller's place, as g_assert does. */
static void G_GNUC_PRINTF (4, 5)
fail_at (const char *file, int line, const char *function, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_assertion_message (G_LOG_DOMAIN, file, line, function, message);
}

/* The answer's "message" when it is JSON that has one, else its first bytes. */
static char *
describe_body (GBytes *body)
{
  enum { SHOWN = 300 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *prefix = NULL;
  const char *data;
  const char *end;
  gsize length;
  JsonNode *root;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return g_strdup ("no body");
  data = g_bytes_get_data (body, &length);
  if (json_parser_load_from_data (parser, data, (gssize) length, NULL)
      && JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser))
      && json_object_has_member (json_node_get_object (root), "message"))
    {
      JsonNode *text = json_object_get_member (json_node_get_object (root), "message");

      if (JSON_NODE_HOLDS_VALUE (text) && json_node_get_value_type (text) == G_TYPE_STRING)
        return g_strdup_printf ("message \"%s\"", json_node_get_string (text));
    }
  /* Text cut at SHOWN may end inside a character: only what comes before counts. */
  g_utf8_validate (data, (gssize) MIN (length, SHOWN), &end);
  if (memchr (data, '\0', MIN (length, SHOWN)) != NULL || end + 4 < data + MIN (length, SHOWN))
    return g_strdup_printf ("a binary body of %" G_GSIZE_FORMAT " bytes", length);
  prefix = g_strndup (data, (gsize) (end - data));
  return g_strdup_printf ("body \"%s%s\"", prefix, length > SHOWN ? "..." : "");
}

void
test_assert_status_at (const char *file, int line, const char *function,
                       guint status, GBytes *body, guint expected)
{
  g_autofree char *described = NULL;

  if (status == expected)
    return;
  described = describe_body (body);
  fail_at (file, line, function, "status: expected %u, got %u (%s); %s",
           expected, status, status != 0 ? soup_status_get_phrase (status) : "no answer",
           described);
}

void
test_assert_json_error_at (const char *file, int line, const char *function,
                           TestResponse *response, guint expected)
{
  const char *type = soup_message_headers_get_content_type (response->headers, NULL);
  g_autoptr(JsonObject) json = NULL;
  const char *message;

  test_assert_status_at (file, line, function, response->status, response->body, expected);
  if (g_strcmp0 (type, "application/json") != 0)
    fail_at (file, line, function, "content type: expected application/json, got %s",
             type != NULL ? type : "none");
  json = test_response_json (response);
  if (g_strcmp0 (json_object_get_string_member_with_default (json, "status", NULL), "error") != 0)
    fail_at (file, line, function, "expected \"status\": \"error\" in the answer");
  message = json_object_get_string_member_with_default (json, "message", NULL);
  if (message == NULL || message[0] == '\0')
    fail_at (file, line, function, "expected a non-empty \"message\" in the answer");
}

char *
test_source_image (const char *name)
{
  const char *dir = g_getenv ("RNDIMG_IMAGES");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* The fields of a /proc stat file at @path after the name (the first is
 * field 3 of proc(5), the state), and in @name (may be NULL) the name,
 * which may hold spaces and parentheses: the fields follow its last ')'.
 * NULL when the file cannot be read (a thread gone). */
GStrv
test_read_proc_stat (const char *path, char **name)
{
  g_autofree char *stat = NULL;
  const char *open, *close;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (open = strchr (stat, '(')) == NULL ||
      (close = strrchr (stat, ')')) == NULL)
    return NULL;
  if (name != NULL)
    *name = g_strndup (open + 1, (gsize) (close - open - 1));
  return g_strsplit (close + 2, " ", 0);
}

/* Each thread of @server with its name and nice value. */
GHashTable *
test_server_thread_niceness (TestServer *server)
{
  g_autofree char *folder = g_strdup_printf ("/proc/%s/task", g_subprocess_get_identifier (server->process));
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  GHashTable *niceness = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *tid;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/stat", folder, tid);
      g_autofree char *name = NULL;
      g_auto(GStrv) fields = test_read_proc_stat (path, &name);

      if (fields == NULL)
        continue;
      /* nice is field 19 */
      g_assert_cmpuint (g_strv_length (fields), >, 16);
      g_hash_table_insert (niceness, g_strdup_printf ("%s %s", tid, name), GINT_TO_POINTER (atoi (fields[16])));
    }
  return niceness;
}

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

/* Removes @path and what it holds, folders too (a server's state folder
 * holds variants/). */
void
test_remove_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      /* Album folders go with their pictures. */
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        test_remove_folder (child);
      else
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

static void
on_async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TestPending *pending = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  pending->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &pending->error);
  pending->status = msg != NULL ? soup_message_get_status (msg) : 0;
  pending->headers = msg != NULL ? soup_message_headers_ref (soup_message_get_response_headers (msg)) : NULL;
  if (pending->error == NULL && msg != NULL)
    test_record_answer (msg, pending->body);
  pending->finished_usec = g_get_monotonic_time ();
  pending->done = TRUE;
}

TestPending *
test_request_async (SoupSession *session, const char *method, const char *url,
                    const char *const *request_headers)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  TestPending *pending = g_new0 (TestPending, 1);

  g_assert_nonnull (msg);
  for (; request_headers != NULL && request_headers[0] != NULL; request_headers += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  request_headers[0], request_headers[1]);
  pending->cancellable = g_cancellable_new ();
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, pending->cancellable,
                                    on_async_done, pending);
  return pending;
}

gboolean
test_pending_is_done (gpointer pending)
{
  return ((TestPending *) pending)->done;
}

/* Whether every TestPending of the GPtrArray @pendings is done (for
 * test_wait_until()). */
gboolean
test_pendings_done (gpointer pendings)
{
  GPtrArray *all = pendings;

  for (guint i = 0; i < all->len; i++)
    if (!test_pending_is_done (g_ptr_array_index (all, i)))
      return FALSE;
  return TRUE;
}

/* Frees @pending; one still in flight is cancelled and run to its end. */
void
test_pending_free (TestPending *pending)
{
  if (!pending->done)
    {
      g_cancellable_cancel (pending->cancellable);
      while (!pending->done)
        g_main_context_iteration (NULL, TRUE);
    }
  g_clear_pointer (&pending->body, g_bytes_unref);
  g_clear_pointer (&pending->headers, soup_message_headers_unref);
  g_clear_error (&pending->error);
  g_object_unref (pending->cancellable);
  g_free (pending);
}

JsonObject *
test_pending_json (TestPending *pending)
{
  TestResponse response = { .status = pending->status, .body = pending->body };

  g_assert_no_error (pending->error);
  return test_response_json (&response);
}

static void read_next_line (TestEventStream *stream);

static void
handle_line (TestEventStream *stream, const char *line)
{
  if (stream->line_count++ == 0)
    stream->first_line_is_retry = g_str_equal (line, "retry: 3000");
  if (g_str_has_prefix (line, ":"))
    stream->comments++;
  else if (g_str_has_prefix (line, "id: "))
    g_ptr_array_add (stream->ids, g_strdup (line + 4));
  else if (g_str_has_prefix (line, "data: "))
    {
      TestResponse response = { .body = g_bytes_new (line + 6, strlen (line + 6)) };

      g_ptr_array_add (stream->events, test_response_json (&response));
      g_bytes_unref (response.body);
    }
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TestEventStream *stream = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);

  if (line == NULL)
    {
      stream->ended = TRUE;
      return;
    }
  handle_line (stream, line);
  read_next_line (stream);
}

static void
read_next_line (TestEventStream *stream)
{
  g_data_input_stream_read_line_async (stream->lines, G_PRIORITY_DEFAULT, stream->cancellable,
                                       on_line, stream);
}

static void
on_stream_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GInputStream **body = user_data;
  GError *error = NULL;

  *body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer pointer)
{
  return *(gpointer *) pointer != NULL;
}

/* Opens the stream (with Last-Event-ID when given), asserts the SSE
 * headers, and starts reading. */
TestEventStream *
test_event_stream_open (SoupSession *session, const char *url, const char *last_event_id)
{
  TestEventStream *stream = g_new0 (TestEventStream, 1);
  g_autoptr(GInputStream) body = NULL;
  SoupMessageHeaders *headers;

  stream->msg = soup_message_new ("GET", url);
  stream->cancellable = g_cancellable_new ();
  stream->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  stream->ids = g_ptr_array_new_with_free_func (g_free);
  if (last_event_id != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (stream->msg), "Last-Event-ID", last_event_id);
  soup_session_send_async (session, stream->msg, G_PRIORITY_DEFAULT, stream->cancellable,
                           on_stream_opened, &body);
  g_assert_true (test_wait_until (is_set, &body, 5000));

  g_assert_cmpuint (soup_message_get_status (stream->msg), ==, 200);
  headers = soup_message_get_response_headers (stream->msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "text/event-stream");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Cache-Control"), ==, "no-cache");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-Accel-Buffering"), ==, "no");
  stream->lines = g_data_input_stream_new (body);
  read_next_line (stream);
  return stream;
}

void
test_event_stream_close (TestEventStream *stream)
{
  g_cancellable_cancel (stream->cancellable);
  while (!stream->ended)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (stream->lines);
  g_object_unref (stream->msg);
  g_object_unref (stream->cancellable);
  g_ptr_array_unref (stream->events);
  g_ptr_array_unref (stream->ids);
  g_free (stream);
}

typedef struct {
  TestEventStream *stream;
  guint count;
} StreamWait;

static gboolean
has_events (gpointer user_data)
{
  StreamWait *wait = user_data;

  return wait->stream->events->len >= wait->count || wait->stream->ended;
}

gboolean
test_event_stream_wait (TestEventStream *stream, guint count, guint timeout_ms)
{
  StreamWait wait = { stream, count };

  test_wait_until (has_events, &wait, timeout_ms);
  return stream->events->len >= count;
}

JsonObject *
test_server_stats (TestServer *server, SoupSession *session)
{
  g_autofree char *url = test_server_url (server, RNDIMG_API_PREFIX "/stats");
  g_auto(TestResponse) response = { 0 };

  test_get (session, url, &response);
  test_assert_status (&response, 200);
  return test_response_json (&response);
}

gint64
test_server_stat (TestServer *server, SoupSession *session, const char *name)
{
  g_autoptr(JsonObject) stats = test_server_stats (server, session);

  return json_object_get_int_member (stats, name);
}

typedef struct {
  TestServer *server;
  SoupSession *session;
} PlaceholdersProbe;

static gboolean
placeholders_done (gpointer data)
{
  PlaceholdersProbe *probe = data;

  return test_server_stat (probe->server, probe->session, "placeholders_pending") == 0;
}

/* Waits (asserting) until the server's placeholders worker has done every
 * picture it knows: colours, BlurHashes and variant versions are in. */
void
test_server_wait_for_placeholders (TestServer *server, SoupSession *session, guint timeout_ms)
{
  PlaceholdersProbe probe = { server, session };

  g_assert_true (test_wait_until (placeholders_done, &probe, timeout_ms));
}

/* @name's value in /metrics (a series with its labels); FALSE (and 0)
 * when the server has no such series. */
gboolean
test_server_metric (TestServer *server, SoupSession *session, const char *name, double *value)
{
  g_auto(TestResponse) response = { 0 };
  g_autofree char *url = test_server_url (server, "/metrics");
  g_autofree char *prefix = g_strconcat ("\n", name, " ", NULL);
  g_autofree char *text = NULL;
  const char *line;

  test_request (session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  text = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  line = strstr (text, prefix);
  *value = line != NULL ? g_ascii_strtod (line + strlen (prefix), NULL) : 0;
  return line != NULL;
}

/* POST /publish (the named image, or a random one); asserts 201. */
JsonObject *
test_publish (TestServer *server, SoupSession *session, const char *name)
{
  g_autofree char *url = test_server_url (server, RNDIMG_API_PREFIX "/publish");
  g_autofree char *json = name != NULL ? g_strdup_printf ("{\"name\":\"%s\"}", name) : NULL;
  g_auto(TestResponse) response = { 0 };

  test_post_json (session, url, json, &response);
  test_assert_status (&response, 201);
  return test_response_json (&response);
}

/* Many simultaneous connections need more than the usual 1024 descriptors. */
void
test_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/* Sockets of the server's port in CLOSE_WAIT: the client hung up and the
 * server has not closed its end. */
guint
test_server_close_wait_count (TestServer *server)
{
  return test_server_socket_count (server, "08");
}

/* File descriptors the server process holds open, from /proc/PID/fd. */
guint
test_server_fd_count (TestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (server->process));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

/* Sockets of the server's port in TCP state @state (two hex digits as in
 * /proc/net/tcp: 01 ESTABLISHED, 08 CLOSE_WAIT, 0A LISTEN). The table can
 * be long on a busy machine: it is read line by line, not split. */
guint
test_server_socket_count (TestServer *server, const char *state)
{
  guint port = (guint) g_ascii_strtoull (strrchr (server->url, ':') + 1, NULL, 10);
  g_autofree char *local = g_strdup_printf (":%04X ", port);
  g_autofree char *table = NULL;
  const char *line;
  guint count = 0;

  g_assert_true (g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL));
  /* "  sl  local_address rem_address   st ...", e.g.
   * "   7: 0100007F:1F90 0100007F:C350 08 ...": the local port is the 4 hex
   * digits after the second ':' and the state follows the remote address. */
  for (line = strchr (table, '\n'); line != NULL; line = strchr (line + 1, '\n'))
    {
      const char *address = strchr (line + 1, ':');
      const char *port_field = address != NULL ? strchr (address + 1, ':') : NULL;

      if (port_field == NULL || strncmp (port_field, local, strlen (local)) != 0)
        continue;
      /* ":PPPP RRRRRRRR:PPPP SS" */
      if (strlen (port_field) > 22 && strncmp (port_field + 20, state, 2) == 0)
        count++;
    }
  return count;
}

static gboolean
on_time_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_time_up (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* Lets @ms pass with the main loop running. */
void
test_run_for (guint ms)
{
  gboolean time_up = FALSE;

  g_timeout_add (ms, on_time_up, &time_up);
  test_wait_until (is_time_up, &time_up, ms + 5000);
}
