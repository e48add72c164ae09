/* SPDX-License-Identifier: MIT */
/* The fault suites' fixture (fault-fixture.h): Redis, a proxy per node,
 * the nodes, nginx from the repository's template, and followers that
 * reconnect as clients do. */
#include "fault-fixture.h"
#include "picture-files.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define RETRY_MS 200
#define POLL_TIMEOUT "5"

/* ---- nodes ---- */

static char *
node_state_file (Faults *faults, guint node)
{
  return g_strdup_printf ("--state-file=%s/node%u.json", faults->state, node);
}

void
faults_start_node (Faults *faults, guint node)
{
  g_autofree char *images = g_strconcat ("--images=", faults->folder, NULL);
  g_autofree char *uploads = g_strconcat ("--uploads=", faults->uploads[node], NULL);
  g_autofree char *url = test_proxy_redis_url (faults->proxies[node]);
  g_autofree char *broker = g_strconcat ("--broker=", url, NULL);
  g_autofree char *history = g_strconcat ("--history=", faults->setup->history ? faults->setup->history : "128",
                                          NULL);
  g_autofree char *state = node_state_file (faults, node);
  g_autofree char *port = g_strdup_printf ("--port=%d", faults->ports[node]);
  const char *args[] = {
    images, uploads, broker, history, state, port, "--interval=0", "--heartbeat=1",
    /* Behind nginx every follower comes from 127.0.0.1. */
    "--max-connections-per-address=100000", NULL
  };

  g_assert_null (faults->nodes[node]);
  faults->nodes[node] = test_server_start_argv (args);
  faults->ports[node] = atoi (strrchr (faults->nodes[node]->url, ':') + 1);
}

/* SIGTERM: the node must exit 0. */
void
faults_stop_node (Faults *faults, guint node)
{
  g_clear_pointer (&faults->nodes[node], test_server_stop);
}

/* SIGKILL: a crash. */
void
faults_kill_node (Faults *faults, guint node)
{
  g_clear_pointer (&faults->nodes[node], test_server_kill);
}

/* @path on node @node (its port, whether it runs or not). */
char *
faults_url (Faults *faults, guint node, const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%d%s", faults->ports[node], path);
}

/* The node's /stats say its broker has no problem. */
gboolean
faults_node_is_linked (Faults *faults, guint node)
{
  g_autoptr(JsonObject) stats = test_server_stats (faults->nodes[node], faults->session);

  return json_object_get_null_member (stats, "broker_problem");
}

static gboolean
is_linked (gpointer data)
{
  gpointer *args = data;

  return faults_node_is_linked (args[0], GPOINTER_TO_UINT (args[1]));
}

void
faults_wait_linked (Faults *faults, guint node)
{
  gpointer args[] = { faults, GUINT_TO_POINTER (node) };

  g_assert_true (test_wait_until (is_linked, args, 15000));
}

/* The newest id Redis handed out (0: none). */
gint64
faults_redis_newest_id (Faults *faults)
{
  g_autofree char *text = test_redis_command (faults->redis, "HGET rndimg:meta s");

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* ---- nginx ---- */

static char *
replace (const char *text, const char *name, const char *value)
{
  g_auto(GStrv) parts = g_strsplit (text, name, -1);

  return g_strjoinv (value, parts);
}

/* The template as scripts/cluster.sh fills it. */
static char *
nginx_configuration (Faults *faults, int port)
{
  const char *root = g_getenv ("RNDIMG_SOURCE_ROOT");
  g_autofree char *template_path = g_build_filename (root, "data", "nginx", "rndimg-cluster.conf.in", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) upstream = g_string_new (NULL);
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  char *steps[5];

  g_assert_nonnull (root);
  g_assert_true (g_file_get_contents (template_path, &text, NULL, NULL));
  for (guint n = 0; n < faults->setup->nodes; n++)
    g_string_append_printf (upstream, " server 127.0.0.1:%d max_fails=1 fail_timeout=2s;", faults->ports[n]);
  steps[0] = replace (text, "@DIR@", faults->nginx_dir);
  steps[1] = replace (steps[0], "@PORT@", port_text);
  steps[2] = replace (steps[1], "@UPSTREAM_SERVERS@", upstream->str);
  steps[3] = replace (steps[2], "@USER@", getuid () == 0 ? "user root;" : "");
  steps[4] = replace (steps[3], "@WORKER_CONNECTIONS@", "1024");
  for (int i = 0; i < 4; i++)
    g_free (steps[i]);
  return steps[4];
}

static gboolean
answers (gpointer url)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 2, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  return soup_message_get_status (msg) == 200;
}

/* nginx goes (and takes its workers) when the test dies, however. */
static void
stop_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_nginx (Faults *faults)
{
  const char *binary = g_getenv ("RNDIMG_NGINX") ? g_getenv ("RNDIMG_NGINX") : "nginx";
  int port = test_free_loopback_port ();
  g_autofree char *configuration = NULL;
  g_autofree char *path = NULL;
  g_autofree char *error_log = NULL;
  g_autofree char *health = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);

  faults->nginx_dir = g_dir_make_tmp ("rndimg-nginx-XXXXXX", &error);
  g_assert_no_error (error);
  configuration = nginx_configuration (faults, port);
  path = g_build_filename (faults->nginx_dir, "nginx.conf", NULL);
  error_log = g_build_filename (faults->nginx_dir, "nginx-error.log", NULL);
  g_assert_true (g_file_set_contents (path, configuration, -1, NULL));
  g_subprocess_launcher_set_child_setup (launcher, stop_with_parent, NULL, NULL);
  faults->nginx = g_subprocess_launcher_spawn (launcher, &error, binary, "-c", path, "-p", faults->nginx_dir,
                                               "-e", error_log, NULL);
  g_assert_no_error (error);
  faults->entry = g_strdup_printf ("http://127.0.0.1:%d", port);
  health = g_strconcat (faults->entry, "/healthz", NULL);
  g_assert_true (test_wait_until (answers, health, 10000));
}

static void
stop_nginx (Faults *faults)
{
  if (faults->nginx == NULL)
    return;
  g_subprocess_send_signal (faults->nginx, SIGTERM);
  g_subprocess_wait (faults->nginx, NULL, NULL);
  g_clear_object (&faults->nginx);
  test_remove_folder (faults->nginx_dir);
  g_free (faults->nginx_dir);
}

/* ---- set-up ---- */

void
faults_set_up (Faults *faults, gconstpointer setup)
{
  faults->setup = setup;
  faults->redis = faults->setup->append_only ? test_redis_start_append_only () : test_redis_start ();
  faults->folder = test_make_image_folder (5);
  if (faults->setup->albums)
    {
      picture_files_make_folder (faults->folder, "dogs");
      picture_files_make_folder (faults->folder, "cats");
      picture_files_copy_shipped (faults->folder, "dogs/d1.png", "06.png");
      picture_files_copy_shipped (faults->folder, "dogs/d2.png", "07.png");
      picture_files_copy_shipped (faults->folder, "cats/c1.png", "08.png");
    }
  faults->state = g_dir_make_tmp ("rndimg-nodes-XXXXXX", NULL);
  faults->session = soup_session_new_with_options ("timeout", 30, NULL);
  faults->async_session = soup_session_new_with_options ("max-conns", 200, "max-conns-per-host", 200,
                                                         "timeout", 0, NULL);
  for (guint n = 0; n < faults->setup->nodes; n++)
    {
      faults->uploads[n] = g_dir_make_tmp ("rndimg-uploads-XXXXXX", NULL);
      faults->proxies[n] = test_proxy_new (faults->redis->port);
      faults_start_node (faults, n);
    }
  if (faults->setup->nginx)
    start_nginx (faults);
  else
    faults->entry = g_strdup (faults->nodes[0]->url);
  for (guint n = 0; n < faults->setup->nodes; n++)
    faults_wait_linked (faults, n);
}

void
faults_tear_down (Faults *faults, gconstpointer setup)
{
  stop_nginx (faults);
  for (guint n = 0; n < faults->setup->nodes; n++)
    {
      /* A paused link would hold the node's last words to Redis. */
      test_proxy_resume (faults->proxies[n]);
      faults_stop_node (faults, n);
      test_proxy_free (faults->proxies[n]);
      test_remove_folder (faults->uploads[n]);
      g_free (faults->uploads[n]);
    }
  g_free (faults->entry);
  g_object_unref (faults->async_session);
  g_object_unref (faults->session);
  test_remove_folder (faults->folder);
  g_free (faults->folder);
  test_remove_folder (faults->state);
  g_free (faults->state);
  test_redis_stop (faults->redis);
}

/* ---- publishing ---- */

void
faults_publish (Faults *faults, const char *url, const char *json, const char *key, TestResponse *response)
{
  const char *headers[] = { "Idempotency-Key", key, NULL };
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  test_request (faults->session, "POST", url, key != NULL ? headers : NULL, body,
                json != NULL ? "application/json" : NULL, response);
}

TestPending *
faults_publish_async (Faults *faults, const char *url, const char *key)
{
  const char *headers[] = { "Idempotency-Key", key, NULL };

  return test_request_async (faults->async_session, "POST", url, key != NULL ? headers : NULL);
}

/* ---- followers ---- */

/* One connection of a follower. Its callbacks may run after the follower
 * let it go (cancelled, or finished just before): they find follower NULL. */
typedef struct {
  int refs;
  Follower *follower;
  GCancellable *cancellable;
  GDataInputStream *lines;
  SoupWebsocketConnection *socket;
} Attempt;

struct _Follower
{
  Faults *faults;
  FollowKind kind;
  GStrv bases;
  guint base;               /* the one in use */
  char *query;              /* "album=dogs", or NULL */
  gint64 last_id;           /* -1: none yet */
  GArray *ids;              /* gint64, in arrival order */
  gint64 missed;
  Attempt *attempt;
  gboolean connected;
  guint retry_id;
};

static Attempt *
attempt_ref (Attempt *attempt)
{
  attempt->refs++;
  return attempt;
}

static void
attempt_unref (Attempt *attempt)
{
  if (--attempt->refs > 0)
    return;
  if (attempt->socket != NULL)
    g_signal_handlers_disconnect_by_data (attempt->socket, attempt);
  g_clear_object (&attempt->socket);
  g_clear_object (&attempt->lines);
  g_object_unref (attempt->cancellable);
  g_free (attempt);
}

static void connect_next (Follower *follower);

static gboolean
on_retry (gpointer data)
{
  Follower *follower = data;

  follower->retry_id = 0;
  connect_next (follower);
  return G_SOURCE_REMOVE;
}

/* Lets the current connection go. */
static void
let_go (Follower *follower)
{
  Attempt *attempt = g_steal_pointer (&follower->attempt);

  follower->connected = FALSE;
  if (attempt == NULL)
    return;
  attempt->follower = NULL;
  g_cancellable_cancel (attempt->cancellable);
  if (attempt->socket != NULL && soup_websocket_connection_get_state (attempt->socket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (attempt->socket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  attempt_unref (attempt);
}

/* The connection ended or failed: as a client, again from the last id
 * after a moment, on the next URL (@move) or the same. */
static void
reconnect (Follower *follower, gboolean move)
{
  let_go (follower);
  if (move)
    follower->base = (follower->base + 1) % g_strv_length (follower->bases);
  if (follower->retry_id == 0)
    follower->retry_id = g_timeout_add (RETRY_MS, on_retry, follower);
}

static void
record (Follower *follower, const char *json, gsize length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *event;
  gint64 id;

  g_assert_true (json_parser_load_from_data (parser, json, (gssize) length, NULL));
  event = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_int_member (event, "id");
  g_array_append_val (follower->ids, id);
  follower->missed += json_object_get_int_member_with_default (event, "missed", 0);
  follower->last_id = id;
}

static char *
url_for (Follower *follower, const char *path)
{
  GString *url = g_string_new (follower->bases[follower->base]);
  char separator = '?';

  g_string_append (url, API);
  g_string_append (url, path);
  if (follower->kind == FOLLOW_LONG_POLL)
    {
      g_string_append (url, "?timeout=" POLL_TIMEOUT);
      separator = '&';
    }
  if (follower->kind != FOLLOW_SSE && follower->last_id >= 0)
    {
      g_string_append_printf (url, "%csince=%" G_GINT64_FORMAT, separator, follower->last_id);
      separator = '&';
    }
  if (follower->query != NULL)
    g_string_append_printf (url, "%c%s", separator, follower->query);
  return g_string_free (url, FALSE);
}

/* SSE: a line at a time. */
static void read_line (Attempt *attempt);

static void
on_line (GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *attempt = data;
  Follower *follower = attempt->follower;
  gsize length = 0;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                                     &length, NULL);

  if (follower != NULL && line == NULL)
    reconnect (follower, TRUE);
  else if (follower != NULL)
    {
      if (g_str_has_prefix (line, "data: "))
        record (follower, line + strlen ("data: "), length - strlen ("data: "));
      read_line (attempt);
    }
  attempt_unref (attempt);
}

static void
read_line (Attempt *attempt)
{
  g_data_input_stream_read_line_async (attempt->lines, G_PRIORITY_DEFAULT, attempt->cancellable, on_line,
                                       attempt_ref (attempt));
}

static void
on_stream_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *attempt = data;
  Follower *follower = attempt->follower;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GInputStream) body = soup_session_send_finish (SOUP_SESSION (source), result, NULL);

  if (follower != NULL && (body == NULL || soup_message_get_status (msg) != 200))
    reconnect (follower, TRUE);
  else if (follower != NULL)
    {
      follower->connected = TRUE;
      attempt->lines = g_data_input_stream_new (body);
      read_line (attempt);
    }
  attempt_unref (attempt);
}

static void
open_stream (Follower *follower)
{
  g_autofree char *url = url_for (follower, "/events");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "text/event-stream");
  if (follower->last_id >= 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, follower->last_id);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Last-Event-ID", id);
    }
  soup_session_send_async (follower->faults->async_session, msg, G_PRIORITY_DEFAULT,
                           follower->attempt->cancellable, on_stream_sent, attempt_ref (follower->attempt));
}

/* Long-poll: one poll after another. */
static void poll_once (Follower *follower);

static void
on_polled (GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *attempt = data;
  Follower *follower = attempt->follower;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  guint status = body != NULL ? soup_message_get_status (msg) : 0;

  if (follower != NULL && (status == 200 || status == 204))
    {
      if (status == 200)
        record (follower, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      poll_once (follower);
    }
  else if (follower != NULL)
    reconnect (follower, TRUE);
  attempt_unref (attempt);
}

static void
poll_once (Follower *follower)
{
  g_autofree char *url = url_for (follower, "/rndimg/poll");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  follower->connected = TRUE;
  soup_session_send_and_read_async (follower->faults->async_session, msg, G_PRIORITY_DEFAULT,
                                    follower->attempt->cancellable, on_polled, attempt_ref (follower->attempt));
}

/* WebSocket. */
static void
on_socket_message (SoupWebsocketConnection *socket, SoupWebsocketDataType type, GBytes *message, gpointer data)
{
  Attempt *attempt = data;

  if (attempt->follower != NULL)
    record (attempt->follower, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
}

static void
on_socket_closed (SoupWebsocketConnection *socket, gpointer data)
{
  Attempt *attempt = data;

  if (attempt->follower != NULL)
    reconnect (attempt->follower, TRUE);
}

static void
on_socket_open (GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *attempt = data;
  Follower *follower = attempt->follower;
  SoupWebsocketConnection *socket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);

  if (follower != NULL && socket == NULL)
    reconnect (follower, TRUE);
  else if (follower != NULL)
    {
      attempt->socket = socket;
      follower->connected = TRUE;
      g_signal_connect (socket, "message", G_CALLBACK (on_socket_message), attempt);
      g_signal_connect (socket, "closed", G_CALLBACK (on_socket_closed), attempt);
    }
  else
    g_clear_object (&socket);
  attempt_unref (attempt);
}

static void
open_socket (Follower *follower)
{
  g_autofree char *url = url_for (follower, "/ws");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  soup_session_websocket_connect_async (follower->faults->async_session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        follower->attempt->cancellable, on_socket_open,
                                        attempt_ref (follower->attempt));
}

static void
connect_next (Follower *follower)
{
  follower->attempt = g_new0 (Attempt, 1);
  follower->attempt->refs = 1;
  follower->attempt->follower = follower;
  follower->attempt->cancellable = g_cancellable_new ();
  switch (follower->kind)
    {
    case FOLLOW_SSE:
      open_stream (follower);
      break;
    case FOLLOW_LONG_POLL:
      poll_once (follower);
      break;
    case FOLLOW_WEBSOCKET:
    default:
      open_socket (follower);
      break;
    }
}

const char *
follower_kind_name (FollowKind kind)
{
  static const char *const names[] = { "SSE", "long-poll", "WebSocket" };

  return names[kind];
}

/* A follower of @kind on @bases (NULL-terminated base URLs, tried in
 * turn when a connection ends), with @query ("album=dogs"; NULL: none),
 * resuming after @since (-1: from now). */
Follower *
follower_new (Faults *faults, FollowKind kind, const char *const *bases, const char *query, gint64 since)
{
  Follower *follower = g_new0 (Follower, 1);

  follower->faults = faults;
  follower->kind = kind;
  follower->bases = g_strdupv ((char **) bases);
  follower->query = g_strdup (query);
  follower->last_id = since;
  follower->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  connect_next (follower);
  return follower;
}

void
follower_free (Follower *follower)
{
  let_go (follower);
  g_clear_handle_id (&follower->retry_id, g_source_remove);
  g_strfreev (follower->bases);
  g_free (follower->query);
  g_array_unref (follower->ids);
  g_free (follower);
}

gboolean
follower_is_connected (Follower *follower)
{
  return follower->connected;
}

static gboolean
is_connected (gpointer follower)
{
  return follower_is_connected (follower);
}

void
follower_wait_connected (Follower *follower)
{
  g_assert_true (test_wait_until (is_connected, follower, 10000));
}

typedef struct {
  Follower *follower;
  gint64 id;
} Reached;

static gboolean
has_reached (gpointer data)
{
  Reached *reached = data;

  return reached->follower->last_id >= reached->id;
}

/* TRUE once the follower got id @id or a later one. */
gboolean
follower_wait_for (Follower *follower, gint64 id, guint timeout_ms)
{
  Reached reached = { follower, id };

  return test_wait_until (has_reached, &reached, timeout_ms);
}

GArray *
follower_ids (Follower *follower)
{
  return follower->ids;
}

gint64
follower_missed (Follower *follower)
{
  return follower->missed;
}

static char *
describe_ids (Follower *follower)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < follower->ids->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i ? " " : "", g_array_index (follower->ids, gint64, i));
  return g_string_free (text, FALSE);
}

void
follower_assert_ids_at (const char *file, int line, Follower *follower, const gint64 *ids, guint count)
{
  gboolean same;

  if (count > 0)
    follower_wait_for (follower, ids[count - 1], 10000);
  /* Anything more would come now. */
  test_run_for (300);
  same = follower->ids->len == count;
  for (guint i = 0; same && i < count; i++)
    same = g_array_index (follower->ids, gint64, i) == ids[i];
  if (!same)
    {
      g_autofree char *got = describe_ids (follower);
      g_autofree char *message = g_strdup_printf ("%s:%d: the %s follower got [%s], expected %u ids ending with %"
                                                  G_GINT64_FORMAT, file, line, follower_kind_name (follower->kind),
                                                  got, count, count > 0 ? ids[count - 1] : 0);

      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, message);
    }
}

/* Ids @first to @last, each once, in order. */
void
follower_assert_range_at (const char *file, int line, Follower *follower, gint64 first, gint64 last)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (gint64 id = first; id <= last; id++)
    g_array_append_val (ids, id);
  follower_assert_ids_at (file, line, follower, (const gint64 *) (gpointer) ids->data, ids->len);
}
