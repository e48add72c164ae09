/* SPDX-License-Identifier: MIT */
/* The render module (server/render/rndimg-render-engine.c): libvips is
 * not in the server's address space until a picture needs decoding or
 * rendering; a restart with its placeholders kept does not load it; a
 * module that is missing or not ours makes renders answer 503 with the
 * reason, said once in the log, and the rest of the server serves on;
 * and the module's lock on Orc's code memory holds while render threads
 * build and free libvips' reduces side by side (rndimg-orc-lock.c); the
 * first variant after a restart loads the module and tries its encoders
 * without stopping the main loop (rndimg-encoders.c). */
#include "variant-fixture.h"

#include <string.h>

/* Whether libvips is mapped into @server's process. */
static gboolean
maps_libvips (TestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (server->process));
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents (path, &maps, NULL, NULL));
  return strstr (maps, "/libvips.so") != NULL;
}

/* A test's own picture folder and state folder, removed after it. */
typedef struct {
  char *images;
  char *state;
  char *state_file;  /* the history, in state */
} Folders;

static Folders
folders_make (void)
{
  Folders folders = { .images = make_folder (), .state = g_dir_make_tmp ("rndimg-render-module-XXXXXX", NULL) };

  g_assert_nonnull (folders.state);
  folders.state_file = g_build_filename (folders.state, "history.json", NULL);
  return folders;
}

static void
folders_clear (Folders *folders)
{
  test_remove_folder (folders->images);
  test_remove_folder (folders->state);
  g_free (folders->images);
  g_free (folders->state);
  g_free (folders->state_file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Folders, folders_clear)

/* A server's arguments on @folders (--interval=0), then @extra (NULL-
 * terminated, may be NULL). */
static GStrv
args_on (const Folders *folders, const char *const *extra)
{
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_autofree char *images_arg = g_strdup_printf ("--images=%s", folders->images);
  g_autofree char *state_arg = g_strdup_printf ("--state-file=%s", folders->state_file);

  g_strv_builder_add_many (args, images_arg, state_arg, "--interval=0", NULL);
  if (extra != NULL)
    g_strv_builder_addv (args, (const char **) extra);
  return g_strv_builder_end (args);
}

/* The server without sanitizers (the same one in a build without them):
 * under ASan the test build preloads libvips (tests/meson.build). */
static TestServer *
start_plain_on (const Folders *folders)
{
  g_auto(GStrv) args = args_on (folders, NULL);

  return test_server_start_plain ((const char *const *) args);
}

static TestServer *
start_on (const Folders *folders, const char *module)
{
  g_auto(GStrv) args = args_on (folders, NULL);
  const char *environment[] = { "RNDIMG_RENDER_MODULE", module, NULL };

  return test_server_start_logged ((const char *const *) args, module != NULL ? environment : NULL);
}

static void
get (TestServer *server, SoupSession *session, const char *path, TestResponse *response)
{
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path) : test_server_url (server, path);

  test_response_clear (response);
  test_request (session, "GET", url, NULL, NULL, NULL, response);
}

/* Where @path redirects to (a variant's canonical URL). */
static char *
redirect_of (TestServer *server, SoupSession *session, const char *path)
{
  g_autofree char *url = test_server_url (server, path);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (session, message, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (message), ==, 302);
  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message), "Location"));
}

/* A variant's canonical URL, then its answer. */
static void
get_variant_of (TestServer *server, SoupSession *session, const char *path, TestResponse *response)
{
  g_autofree char *location = redirect_of (server, session, path);

  get (server, session, location, response);
}

static void
test_restart_keeps_libvips_out (void)
{
  g_auto(Folders) folders = folders_make ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };
  TestServer *server = start_plain_on (&folders);

  /* A fresh state folder: the placeholders need decodes, so libvips. */
  test_server_wait_for_placeholders (server, session, 30000);
  g_assert_true (maps_libvips (server));
  test_server_stop (server);

  server = start_plain_on (&folders);
  get (server, session, "/polling/api/v1.0/rndimg", &response);
  g_assert_cmpuint (response.status, ==, 200);
  test_server_wait_for_placeholders (server, session, 30000);
  g_assert_false (maps_libvips (server));

  get_variant_of (server, session, "/img/01.png/40x30.jpg", &response);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpstr (test_response_header (&response, "Content-Type"), ==, "image/jpeg");
  g_assert_true (maps_libvips (server));
  test_server_stop (server);
}

/* Renders refused with @reason in their JSON and once in the log; the
 * rest of the server unharmed. */
static void
assert_renders_unavailable (const char *module, const char *reason)
{
  g_auto(Folders) folders = folders_make ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };
  TestServer *server = start_on (&folders, module);
  g_autofree char *log = NULL;
  g_autofree char *body = NULL;
  const char *said;

  get_variant_of (server, session, "/img/01.png/40x30.jpg", &response);
  test_assert_json_error (&response, 503);
  body = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  g_assert_nonnull (strstr (body, reason));
  test_server_wait_for_placeholders (server, session, 30000);
  get_variant_of (server, session, "/img/01.png/50x30.webp", &response);
  test_assert_json_error (&response, 503);

  get (server, session, "/polling/api/v1.0/rndimg", &response);
  g_assert_cmpuint (response.status, ==, 200);
  get (server, session, "/static/img/01.png", &response);
  g_assert_cmpuint (response.status, ==, 200);

  log = test_server_wait_log (server, "renders and placeholders are unavailable", 10000);
  said = strstr (log, "renders and placeholders are unavailable");
  g_assert_nonnull (said);
  g_assert_nonnull (strstr (said, reason));
  g_assert_null (strstr (said + 1, "renders and placeholders are unavailable"));
  g_assert_null (strstr (log, "no placeholder for"));
  test_server_stop (server);
}

static void
test_missing_module (void)
{
  assert_renders_unavailable ("/nonexistent/rndimg-render.so", "cannot be loaded");
}

static void
test_not_a_module (void)
{
  g_autofree char *folder = g_dir_make_tmp ("rndimg-render-module-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "rndimg-render.so", NULL);

  g_assert_true (g_file_set_contents (path, "not a shared object", -1, NULL));
  assert_renders_unavailable (path, "cannot be loaded");
  test_remove_folder (folder);
}

/* A shared object, but not ours: zlib has no entry points. */
static void
test_someone_elses_module (void)
{
  assert_renders_unavailable ("libz.so.1", "is not this server's render module");
}

/* One client of the concurrent renders: @count sizes nobody asked for
 * before (its own, by @first), each a cold render. */
typedef struct {
  TestServer *server;
  const char *prefix;
  guint first;
  guint count;
  guint answered;
} RenderClient;

static gpointer
ask_distinct_sizes (gpointer data)
{
  RenderClient *client = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };

  for (guint i = 0; i < client->count; i++)
    {
      guint k = client->first + i * 4;
      g_autofree char *path = g_strdup_printf ("%s%ux%u.jpg", client->prefix, 16 + k % 61, 12 + k / 61);

      get (client->server, session, path, &response);
      if (response.status == 200)
        client->answered++;
    }
  return NULL;
}

/* Four clients asking for distinct small sizes of one picture at once,
 * on four render threads: small renders are mostly building and freeing
 * libvips' reduces, so threads build one while another frees its own, the
 * race in Orc 0.4.33's code memory that aborted the server
 * (bench/compare-variants.sh lost it within seconds; without the lock
 * this test failed in 2 runs of 3). Every render answered, the server
 * still up, and the lock in effect (no fallback said in the log). */
static void
test_concurrent_renders (void)
{
  g_auto(Folders) folders = folders_make ();
  const char *pool[] = { "--render-workers=4", "--render-rate=0", "--render-queue=64", NULL };
  g_auto(GStrv) args = args_on (&folders, pool);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };
  TestServer *server = test_server_start_logged ((const char *const *) args, NULL);
  RenderClient clients[4];
  GThread *threads[G_N_ELEMENTS (clients)];
  g_autofree char *location = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *log = NULL;

  test_server_wait_for_placeholders (server, session, 30000);
  location = redirect_of (server, session, "/img/01.png/1x1.jpg");
  g_assert_true (g_str_has_suffix (location, "1x1.jpg"));
  prefix = g_strndup (location, strlen (location) - strlen ("1x1.jpg"));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      clients[i] = (RenderClient) { .server = server, .prefix = prefix, .first = i, .count = 150 };
      threads[i] = g_thread_new ("render-client", ask_distinct_sizes, &clients[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (clients[i].answered, ==, clients[i].count);
    }

  get (server, session, "/polling/api/v1.0/rndimg", &response);
  g_assert_cmpuint (response.status, ==, 200);
  log = test_server_wait_log (server, "", 1000);
  g_assert_null (strstr (log, "Orc code is off"));
  test_server_stop (server);
}

/* The log of a plain server on @folders with @environment, once it has
 * rendered a variant (libvips loaded, its Orc settings made). */
static char *
log_after_a_render (const Folders *folders, const char *const *environment)
{
  g_auto(GStrv) args = args_on (folders, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };
  TestServer *server = test_server_start_plain_logged ((const char *const *) args, environment);
  char *log;

  get_variant_of (server, session, "/img/01.png/40x30.jpg", &response);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_true (maps_libvips (server));
  log = test_server_read_log (server);
  test_server_stop (server);
  return log;
}

/* A VIPSHOME of the user's makes libvips load its own modules, into the
 * global scope, liborc with them: the lock is in effect all the same
 * (libvips was bound to it when the module was loaded), so Orc stays on.
 * Its code was turned off here while the check ran after libvips started. */
static void
test_orc_lock_with_vipshome (void)
{
  g_auto(Folders) folders = folders_make ();
  const char *environment[] = { "VIPSHOME", "/usr", NULL };
  g_autofree char *log = log_after_a_render (&folders, environment);

  g_assert_null (strstr (log, "Orc code is off"));
}

/* libvips loaded before the module (LD_PRELOAD) binds to liborc itself:
 * the module says so and turns libvips' Orc code off. */
static void
test_orc_off_when_libvips_first (void)
{
  g_auto(Folders) folders = folders_make ();
  const char *environment[] = { "LD_PRELOAD", g_getenv ("RNDIMG_LIBVIPS"), NULL };
  g_autofree char *log = NULL;

  g_assert_nonnull (environment[1]);
  log = log_after_a_render (&folders, environment);
  g_assert_nonnull (strstr (log, "libvips was loaded before the render module: its Orc code is off"));
}

/* A GET of @path on its own thread, timed from when it was sent. */
typedef struct {
  TestServer *server;
  const char *path;
  gint64 started;
  gint64 answered;
  guint status;
} TimedGet;

static gpointer
timed_get (gpointer data)
{
  TimedGet *get_it = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };

  get_it->started = g_get_monotonic_time ();
  get (get_it->server, session, get_it->path, &response);
  get_it->answered = g_get_monotonic_time ();
  get_it->status = response.status;
  return NULL;
}

/* After a restart with its placeholders kept, libvips is not loaded: the
 * first variant loads it and tries the encoders (~100 ms without
 * sanitizers). That happens on a thread, the variant's request paused; a
 * GET /rndimg sent meanwhile is answered at once, not after it (the main
 * loop used to wait for the load: both took as long). */
static void
test_first_variant_keeps_serving (void)
{
  g_auto(Folders) folders = folders_make ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_auto(TestResponse) response = { 0 };
  TestServer *server = start_plain_on (&folders);
  g_autofree char *canonical = NULL;
  TimedGet variant = { 0 }, random = { 0 };
  GThread *thread;

  test_server_wait_for_placeholders (server, session, 30000);
  test_server_stop (server);
  server = start_plain_on (&folders);
  test_server_wait_for_placeholders (server, session, 30000);
  canonical = redirect_of (server, session, "/img/01.png/40x30.jpg");
  g_assert_nonnull (canonical);
  g_assert_false (maps_libvips (server));

  variant = (TimedGet) { .server = server, .path = canonical };
  random = (TimedGet) { .server = server, .path = "/polling/api/v1.0/rndimg" };
  thread = g_thread_new ("first-variant", timed_get, &variant);
  g_usleep (20000);
  timed_get (&random);
  g_thread_join (thread);

  g_assert_cmpuint (variant.status, ==, 200);
  g_assert_cmpuint (random.status, ==, 200);
  g_test_message ("first variant %.1f ms; GET /rndimg sent 20 ms after it, answered in %.1f ms",
                  (variant.answered - variant.started) / 1000.0, (random.answered - random.started) / 1000.0);
  g_assert_cmpint (random.answered, <, variant.answered);
  g_assert_cmpint ((random.answered - random.started) * 3, <, variant.answered - variant.started);
  test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render-module/restart-keeps-libvips-out", test_restart_keeps_libvips_out);
  g_test_add_func ("/render-module/missing", test_missing_module);
  g_test_add_func ("/render-module/not-a-module", test_not_a_module);
  g_test_add_func ("/render-module/someone-elses", test_someone_elses_module);
  g_test_add_func ("/render-module/concurrent-renders", test_concurrent_renders);
  g_test_add_func ("/render-module/first-variant-keeps-serving", test_first_variant_keeps_serving);
  g_test_add_func ("/render-module/orc-lock-with-vipshome", test_orc_lock_with_vipshome);
  g_test_add_func ("/render-module/orc-off-when-libvips-first", test_orc_off_when_libvips_first);
  return g_test_run ();
}
