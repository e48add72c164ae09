/* SPDX-License-Identifier: MIT */
/* Three real rndimg-server nodes sharing one real redis-server
 * (--broker redis://…): an event published on one reaches the clients of
 * the others once each and in order, ids grow across nodes, a client
 * resumes on any node, ids continue when every node restarts, Redis
 * going away costs writes (503) but neither open streams nor events, a
 * node tells its clients of a picture only once it can serve it, a node
 * that fell behind the trimmed stream tells them what they missed, and a
 * change made on one node (a delete, an edit, a private album) is made on
 * every node. */
#include "picture-files.h"
#include "redis-fixture.h"
#include "rndimg-test-util.h"

#include <signal.h>
#include <string.h>

#define API RNDIMG_API_PREFIX
#define NODES 3

/* How a case starts its nodes. */
typedef struct {
  const char *interval;         /* --interval; NULL: "0" */
  const char *history;          /* --history; NULL: the default */
  gboolean albums;              /* the folder has albums dogs (2 pictures) and cats (1) */
} Setup;

typedef struct {
  TestRedis *redis;
  const Setup *setup;
  char *folder;                 /* the pictures every node ships */
  char *uploads[NODES];         /* each node's own: no shared file system */
  char *state;                  /* each node's --state-file, kept across restarts */
  TestServer *nodes[NODES];
  SoupSession *session;
  SoupSession *async_session;
} Cluster;

static TestServer *
start_node (Cluster *cluster, int node)
{
  g_autofree char *images = g_strconcat ("--images=", cluster->folder, NULL);
  g_autofree char *uploads = g_strconcat ("--uploads=", cluster->uploads[node], NULL);
  g_autofree char *broker = g_strconcat ("--broker=", cluster->redis->url, NULL);
  g_autofree char *every = g_strconcat ("--interval=", cluster->setup->interval ? cluster->setup->interval : "0",
                                        NULL);
  g_autofree char *history = g_strconcat ("--history=", cluster->setup->history ? cluster->setup->history : "128",
                                          NULL);
  g_autofree char *state = g_strdup_printf ("--state-file=%s/node%d.json", cluster->state, node);

  return test_server_start (images, uploads, broker, every, history, state, "--heartbeat=1", NULL);
}

static void
start_nodes (Cluster *cluster)
{
  for (int n = 0; n < NODES; n++)
    cluster->nodes[n] = start_node (cluster, n);
}

static void
stop_nodes (Cluster *cluster)
{
  for (int n = 0; n < NODES; n++)
    g_clear_pointer (&cluster->nodes[n], test_server_stop);
}

static const Setup defaults = { NULL, NULL, FALSE };
static const Setup short_history = { .history = "3" };
static const Setup quick_slideshow = { .interval = "0.4" };
static const Setup with_albums = { .albums = TRUE };
static const Setup albums_short_history = { .history = "3", .albums = TRUE };

static void
cluster_set_up (Cluster *cluster, gconstpointer setup)
{
  cluster->setup = setup != NULL ? setup : &defaults;
  cluster->redis = test_redis_start ();
  cluster->folder = test_make_image_folder (5);
  if (cluster->setup->albums)
    {
      picture_files_make_folder (cluster->folder, "dogs");
      picture_files_make_folder (cluster->folder, "cats");
      picture_files_copy_shipped (cluster->folder, "dogs/d1.png", "06.png");
      picture_files_copy_shipped (cluster->folder, "dogs/d2.png", "07.png");
      picture_files_copy_shipped (cluster->folder, "cats/c1.png", "08.png");
    }
  for (int n = 0; n < NODES; n++)
    cluster->uploads[n] = g_dir_make_tmp ("rndimg-uploads-XXXXXX", NULL);
  cluster->state = g_dir_make_tmp ("rndimg-nodes-XXXXXX", NULL);
  cluster->session = soup_session_new ();
  cluster->async_session = soup_session_new_with_options ("max-conns", 100, "max-conns-per-host", 100,
                                                          "timeout", 0, NULL);
  start_nodes (cluster);
}

static void
cluster_tear_down (Cluster *cluster, gconstpointer setup)
{
  stop_nodes (cluster);
  g_object_unref (cluster->async_session);
  g_object_unref (cluster->session);
  test_remove_folder (cluster->folder);
  g_free (cluster->folder);
  test_remove_folder (cluster->state);
  g_free (cluster->state);
  for (int n = 0; n < NODES; n++)
    {
      test_remove_folder (cluster->uploads[n]);
      g_free (cluster->uploads[n]);
    }
  test_redis_stop (cluster->redis);
}

static gint64
event_id (JsonObject *event)
{
  return json_object_get_int_member (event, "id");
}

static TestEventStream *
open_stream (Cluster *cluster, int node, const char *last_event_id)
{
  g_autofree char *url = test_server_url (cluster->nodes[node], API "/events");

  return test_event_stream_open (cluster->async_session, url, last_event_id);
}

static void
assert_stream_ids (TestEventStream *stream, gint64 first, guint count)
{
  g_assert_true (test_event_stream_wait (stream, count, 5000));
  /* Once each: nothing more arrives. */
  g_assert_false (test_event_stream_wait (stream, count + 1, 300));
  for (guint i = 0; i < count; i++)
    g_assert_cmpint (event_id (g_ptr_array_index (stream->events, i)), ==, first + i);
}

static JsonObject *
publish_on (Cluster *cluster, int node)
{
  return test_publish (cluster->nodes[node], cluster->session, "01.png");
}

static gboolean
stat_is (gpointer data)
{
  gpointer *args = data;

  return test_server_stat (args[0], args[1], args[2]) == GPOINTER_TO_INT (args[3]);
}

static void
wait_stat (Cluster *cluster, int node, const char *name, int value)
{
  gpointer args[] = { cluster->nodes[node], cluster->session, (gpointer) name, GINT_TO_POINTER (value) };

  g_assert_true (test_wait_until (stat_is, args, 5000));
}

static void
test_publish_reaches_other_nodes (Cluster *cluster, gconstpointer data)
{
  TestEventStream *stream = open_stream (cluster, 1, NULL);
  g_autofree char *poll_url = test_server_url (cluster->nodes[2], API "/rndimg/poll?timeout=10");
  g_autoptr(TestPending) poll = test_request_async (cluster->async_session, "GET", poll_url, NULL);
  g_autoptr(JsonObject) polled = NULL;

  wait_stat (cluster, 1, "open_streams", 1);
  wait_stat (cluster, 2, "waiting_polls", 1);
  for (int i = 0; i < 3; i++)
    json_object_unref (publish_on (cluster, 0));
  g_assert_true (test_wait_until (test_pending_is_done, poll, 5000));
  test_assert_status (poll, 200);
  polled = test_pending_json (poll);
  g_assert_cmpint (event_id (polled), ==, 1);
  assert_stream_ids (stream, 1, 3);
  test_event_stream_close (stream);
}

static void
test_ids_grow_across_nodes (Cluster *cluster, gconstpointer data)
{
  enum { PER_NODE = 10 };
  TestEventStream *stream = open_stream (cluster, 0, NULL);
  TestPending *publishes[NODES * PER_NODE];
  gboolean seen[NODES * PER_NODE + 1] = { FALSE };

  wait_stat (cluster, 0, "open_streams", 1);
  for (int i = 0; i < PER_NODE; i++)
    for (int n = 0; n < NODES; n++)
      {
        g_autofree char *url = test_server_url (cluster->nodes[n], API "/publish");

        publishes[i * NODES + n] = test_request_async (cluster->async_session, "POST", url, NULL);
      }
  for (int i = 0; i < NODES * PER_NODE; i++)
    {
      g_autoptr(JsonObject) event = NULL;
      gint64 id;

      g_assert_true (test_wait_until (test_pending_is_done, publishes[i], 10000));
      test_assert_status (publishes[i], 201);
      event = test_pending_json (publishes[i]);
      id = event_id (event);
      g_assert_cmpint (id, >=, 1);
      g_assert_cmpint (id, <=, NODES * PER_NODE);
      g_assert_false (seen[id]);
      seen[id] = TRUE;
      test_pending_free (publishes[i]);
    }
  /* The stream on node A saw every id once, in order. */
  assert_stream_ids (stream, 1, NODES * PER_NODE);
  test_event_stream_close (stream);
}

static void
test_resume_on_another_node (Cluster *cluster, gconstpointer data)
{
  TestEventStream *first = open_stream (cluster, 0, NULL);
  TestEventStream *resumed;
  g_autoptr(JsonObject) last = NULL;

  wait_stat (cluster, 0, "open_streams", 1);
  json_object_unref (publish_on (cluster, 1));
  json_object_unref (publish_on (cluster, 1));
  assert_stream_ids (first, 1, 2);
  test_event_stream_close (first);
  json_object_unref (publish_on (cluster, 1));
  last = publish_on (cluster, 1);
  g_assert_cmpint (event_id (last), ==, 4);
  wait_stat (cluster, 2, "newest_id", 4);
  resumed = open_stream (cluster, 2, "2");
  assert_stream_ids (resumed, 3, 2);
  test_event_stream_close (resumed);
}

static char *
epoch_of (Cluster *cluster, int node)
{
  g_autoptr(JsonObject) stats = test_server_stats (cluster->nodes[node], cluster->session);

  return g_strdup (json_object_get_string_member (stats, "epoch"));
}

static void
test_ids_continue_after_every_node_restarts (Cluster *cluster, gconstpointer data)
{
  g_autofree char *epoch = NULL;
  g_autofree char *epoch_after = NULL;
  g_autoptr(JsonObject) event = NULL;

  json_object_unref (publish_on (cluster, 0));
  json_object_unref (publish_on (cluster, 1));
  epoch = epoch_of (cluster, 2);
  stop_nodes (cluster);
  start_nodes (cluster);
  wait_stat (cluster, 2, "newest_id", 2);
  event = publish_on (cluster, 2);
  g_assert_cmpint (event_id (event), ==, 3);
  epoch_after = epoch_of (cluster, 0);
  g_assert_cmpstr (epoch_after, ==, epoch);
  g_assert_cmpstr (json_object_get_string_member (event, "epoch"), ==, epoch);
}

static gboolean
can_publish (gpointer node)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonObject) stats = test_server_stats (node, session);

  return json_object_get_null_member (stats, "broker_problem");
}

/* Redis comes back empty (no persistence, a crash) while every node is
 * restarted too: the nodes read the newest id from their state files, so
 * ids go on, under a new epoch that tells clients the history is gone. */
static void
test_ids_continue_when_redis_and_nodes_restart_empty (Cluster *cluster, gconstpointer data)
{
  g_autofree char *epoch = NULL;
  g_autofree char *state_file = NULL;
  g_autoptr(JsonObject) event = NULL;

  json_object_unref (publish_on (cluster, 0));
  json_object_unref (publish_on (cluster, 1));
  epoch = epoch_of (cluster, 2);
  stop_nodes (cluster);
  state_file = g_strdup_printf ("%s/node2-redis-127.0.0.1-%d-0.json", cluster->state, cluster->redis->port);
  g_assert_true (g_file_test (state_file, G_FILE_TEST_IS_REGULAR));
  test_redis_take_down (cluster->redis, FALSE);
  test_redis_bring_up (cluster->redis);
  start_nodes (cluster);
  g_assert_true (test_wait_until (can_publish, cluster->nodes[2], 5000));
  event = publish_on (cluster, 2);
  g_assert_cmpint (event_id (event), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (event, "epoch"), !=, epoch);
}

static void
test_redis_down_then_back (Cluster *cluster, gconstpointer data)
{
  TestEventStream *stream = open_stream (cluster, 1, NULL);
  g_autofree char *publish_url = test_server_url (cluster->nodes[0], API "/publish");
  g_autofree char *ready_url = test_server_url (cluster->nodes[0], "/readyz");
  g_auto(TestResponse) refused = { 0 };
  g_auto(TestResponse) ready = { 0 };
  g_autoptr(JsonObject) readiness = NULL;
  g_autoptr(JsonObject) after = NULL;

  wait_stat (cluster, 1, "open_streams", 1);
  json_object_unref (publish_on (cluster, 0));
  g_assert_true (test_event_stream_wait (stream, 1, 5000));
  test_redis_take_down (cluster->redis, TRUE);
  test_run_for (300);
  test_send (cluster->session, "POST", publish_url, &refused);
  test_assert_json_error (&refused, 503);
  g_assert_nonnull (test_response_header (&refused, "Retry-After"));
  test_get (cluster->session, ready_url, &ready);
  test_assert_status (&ready, 200);
  readiness = test_response_json (&ready);
  g_assert_nonnull (strstr (json_object_get_string_member (readiness, "message"), "publishing is unavailable"));
  /* Reads and open streams stay up. */
  g_assert_false (stream->ended);
  g_assert_cmpint (test_server_stat (cluster->nodes[1], cluster->session, "open_streams"), ==, 1);

  test_redis_bring_up (cluster->redis);
  for (int tries = 0; tries < 50 && after == NULL; tries++)
    {
      g_auto(TestResponse) response = { 0 };

      test_run_for (100);
      test_send (cluster->session, "POST", publish_url, &response);
      if (response.status == 201)
        after = test_response_json (&response);
    }
  g_assert_nonnull (after);
  g_assert_cmpint (event_id (after), ==, 2);
  assert_stream_ids (stream, 1, 2);
  test_event_stream_close (stream);
}

typedef struct {
  SoupSession *session;
  const char *url;
  GBytes *body;
} Download;

static gboolean
downloads (gpointer data)
{
  Download *download = data;
  g_auto(TestResponse) response = { 0 };

  test_get (download->session, download->url, &response);
  if (response.status != 200)
    return FALSE;
  download->body = g_bytes_ref (response.body);
  return TRUE;
}

/* Uploaded on node A, the picture is served by node C byte for byte (C
 * fetched it from Redis when it heard of it). */
static void
test_upload_on_a_downloadable_from_c (Cluster *cluster, gconstpointer data)
{
  g_autofree char *source = test_source_image ("042.png");
  g_autoptr(GMappedFile) file = g_mapped_file_new (source, FALSE, NULL);
  g_autoptr(GBytes) png = g_mapped_file_get_bytes (file);
  g_autofree char *upload_url = test_server_url (cluster->nodes[0], API "/images");
  g_autofree char *on_c = NULL;
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) created = NULL;
  Download download = { cluster->session, NULL, NULL };

  test_post (cluster->session, upload_url, png, "image/png", &response);
  test_assert_status (&response, 201);
  created = test_response_json (&response);
  on_c = g_strdup_printf ("%s/static/img/%s", cluster->nodes[2]->url, json_object_get_string_member (created, "name"));
  download.url = on_c;
  g_assert_true (test_wait_until (downloads, &download, 5000));
  g_assert_true (g_bytes_equal (download.body, png));
  g_bytes_unref (download.body);
}

static void
publish_album_on (Cluster *cluster, int node, const char *album)
{
  g_autofree char *url = test_server_url (cluster->nodes[node], API "/publish");
  g_autofree char *json = album != NULL ? g_strdup_printf ("{\"album\":\"%s\"}", album) : g_strdup ("{\"name\":\"01.png\"}");
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_auto(TestResponse) response = { 0 };

  test_request (cluster->session, "POST", url, NULL, body, "application/json", &response);
  g_assert_cmpuint (response.status, ==, 201);
}

static TestEventStream *
open_album_stream (Cluster *cluster, int node, const char *album, const char *last_event_id)
{
  g_autofree char *path = g_strconcat (API "/events?album=", album, NULL);
  g_autofree char *url = test_server_url (cluster->nodes[node], path);

  return test_event_stream_open (cluster->async_session, url, last_event_id);
}

static void
assert_event_ids (TestEventStream *stream, const gint64 *ids, guint count)
{
  g_assert_true (test_event_stream_wait (stream, count, 5000));
  g_assert_false (test_event_stream_wait (stream, count + 1, 300));
  for (guint i = 0; i < count; i++)
    g_assert_cmpint (event_id (g_ptr_array_index (stream->events, i)), ==, ids[i]);
}

/* An event node @node learned from Redis carries its picture's details
 * from that node's catalogue: those of the picture's page there. */
static void
assert_event_described (Cluster *cluster, int node, JsonObject *event)
{
  static const char *const members[] = { "bytes", "width", "height", "content_type", "version", "orientation" };
  g_autofree char *path = g_strconcat (API "/images/", json_object_get_string_member (event, "name"), NULL);
  g_autofree char *url = test_server_url (cluster->nodes[node], path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *image;

  test_request (cluster->session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  answer = test_response_json (&response);
  image = json_object_get_object_member (answer, "image");
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *expected = json_to_string (json_object_get_member (image, members[i]), FALSE);
      g_autofree char *got = json_to_string (json_object_get_member (event, members[i]), FALSE);

      g_assert_cmpstr (got, ==, expected);
    }
  g_assert_false (json_object_get_null_member (event, "width"));
}

/* Followers of an album on two nodes get only its events, published on a
 * third; one resuming on another node gets exactly its album's missed
 * events; an upload into an album is served by another node under it. */
static void
test_albums_across_nodes (Cluster *cluster, gconstpointer data)
{
  TestEventStream *dogs = open_album_stream (cluster, 0, "dogs", NULL);
  TestEventStream *cats = open_album_stream (cluster, 1, "cats", NULL);
  TestEventStream *resumed;
  static const gint64 dog_ids[] = { 1, 4 }, cat_ids[] = { 2 }, missed_dogs[] = { 4 };
  g_autofree char *source = test_source_image ("042.png");
  g_autoptr(GMappedFile) file = g_mapped_file_new (source, FALSE, NULL);
  g_autoptr(GBytes) png = g_mapped_file_get_bytes (file);
  g_autofree char *upload_url = test_server_url (cluster->nodes[0], API "/images?album=dogs");
  g_autofree char *on_c = NULL;
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) created = NULL;
  Download download = { cluster->session, NULL, NULL };

  wait_stat (cluster, 0, "open_streams", 1);
  wait_stat (cluster, 1, "open_streams", 1);
  publish_album_on (cluster, 2, "dogs");
  publish_album_on (cluster, 2, "cats");
  publish_album_on (cluster, 2, NULL);
  publish_album_on (cluster, 2, "dogs");
  assert_event_ids (dogs, dog_ids, 2);
  assert_event_ids (cats, cat_ids, 1);
  assert_event_described (cluster, 0, g_ptr_array_index (dogs->events, 0));
  assert_event_described (cluster, 1, g_ptr_array_index (cats->events, 0));
  test_event_stream_close (dogs);
  test_event_stream_close (cats);

  resumed = open_album_stream (cluster, 1, "dogs", "1");
  assert_event_ids (resumed, missed_dogs, 1);
  test_event_stream_close (resumed);

  test_request (cluster->session, "POST", upload_url, NULL, png, "image/png", &response);
  g_assert_cmpuint (response.status, ==, 201);
  created = test_response_json (&response);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (created, "name"), "dogs/"));
  on_c = g_strdup_printf ("%s/static/img/%s", cluster->nodes[2]->url, json_object_get_string_member (created, "name"));
  download.url = on_c;
  g_assert_true (test_wait_until (downloads, &download, 5000));
  g_assert_true (g_bytes_equal (download.body, png));
  g_bytes_unref (download.body);
}

static gint64
missed_of (JsonObject *event)
{
  return json_object_get_int_member_with_default (event, "missed", 0);
}

/* With a history of 3, a client resuming on another node is told how many
 * events of ITS album left the history, not every one gone. */
static void
test_albums_missed_across_nodes (Cluster *cluster, gconstpointer data)
{
  TestEventStream *cats, *dogs;
  static const gint64 last_cat[] = { 10 }, last_dog[] = { 9 };

  /* ids 1..10: dogs on odd ids, cats on even; 8, 9, 10 kept */
  for (guint i = 0; i < 10; i++)
    publish_album_on (cluster, i % NODES, i % 2 == 0 ? "dogs" : "cats");
  wait_stat (cluster, 1, "newest_id", 10);
  cats = open_album_stream (cluster, 1, "cats", "0");
  assert_event_ids (cats, (const gint64[]) { 8, 10 }, 2);
  g_assert_cmpint (missed_of (g_ptr_array_index (cats->events, 0)), ==, 3);   /* 2, 4, 6 */
  test_event_stream_close (cats);
  dogs = open_album_stream (cluster, 1, "dogs", "2");
  assert_event_ids (dogs, last_dog, 1);
  g_assert_cmpint (missed_of (g_ptr_array_index (dogs->events, 0)), ==, 3);   /* 3, 5, 7 */
  test_event_stream_close (dogs);
  cats = open_album_stream (cluster, 1, "cats", "8");
  assert_event_ids (cats, last_cat, 1);
  g_assert_cmpint (missed_of (g_ptr_array_index (cats->events, 0)), ==, 0);
  test_event_stream_close (cats);
}

static guint
count_timer_events (TestEventStream *stream, guint from)
{
  guint count = 0;

  for (guint i = from; i < stream->events->len; i++)
    if (g_str_equal (json_object_get_string_member (g_ptr_array_index (stream->events, i), "source"), "timer"))
      count++;
  return count;
}

/* Three nodes with --interval 0.4: the slideshow advances about once per
 * interval for the cluster (not three times), and goes on when the other
 * two nodes are gone. */
static void
test_one_slideshow_for_the_cluster (Cluster *cluster, gconstpointer setup)
{
  TestEventStream *stream = open_stream (cluster, 2, NULL);
  guint before;

  test_run_for (400);
  before = stream->events->len;
  test_run_for (2400);
  /* 2.4 s / 0.4 s = 6 ticks; three nodes each publishing would be 18. */
  g_assert_cmpuint (count_timer_events (stream, before), >=, 4);
  g_assert_cmpuint (count_timer_events (stream, before), <=, 8);
  g_clear_pointer (&cluster->nodes[0], test_server_stop);
  g_clear_pointer (&cluster->nodes[1], test_server_stop);
  before = stream->events->len;
  /* The lease (2.5 intervals) runs out, then node C's timer takes over. */
  test_run_for (2400);
  g_assert_cmpuint (count_timer_events (stream, before), >=, 2);
  g_assert_cmpuint (count_timer_events (stream, before), <=, 7);
  for (guint i = 1; i < stream->events->len; i++)
    g_assert_cmpint (event_id (g_ptr_array_index (stream->events, i)), ==,
                     event_id (g_ptr_array_index (stream->events, i - 1)) + 1);
  test_event_stream_close (stream);
}

/* A PNG of the test images with @n appended after its end: another file
 * (another upload name) that is still a PNG. */
static GBytes *
distinct_png (guint n)
{
  g_autofree char *source = test_source_image ("042.png");
  g_autofree char *data = NULL;
  gsize length = 0;
  GByteArray *bytes;

  g_assert_true (g_file_get_contents (source, &data, &length, NULL));
  bytes = g_byte_array_new ();
  g_byte_array_append (bytes, (const guint8 *) data, (guint) length);
  g_byte_array_append (bytes, (const guint8 *) &n, sizeof n);
  return g_byte_array_free_to_bytes (bytes);
}

/* Node B tells its clients of a picture uploaded on node A only once it
 * can serve it: asked at once, B answers 200 with the bytes, every time. */
static void
test_picture_served_when_heard (Cluster *cluster, gconstpointer data)
{
  enum { UPLOADS = 12 };
  TestEventStream *stream = open_stream (cluster, 1, NULL);
  g_autofree char *upload_url = test_server_url (cluster->nodes[0], API "/images");

  wait_stat (cluster, 1, "open_streams", 1);
  for (guint i = 0; i < UPLOADS; i++)
    {
      g_autoptr(GBytes) png = distinct_png (i);
      g_auto(TestResponse) created = { 0 };
      g_auto(TestResponse) picture = { 0 };
      g_autofree char *on_b = NULL;
      JsonObject *event;

      test_post (cluster->session, upload_url, png, "image/png", &created);
      test_assert_status (&created, 201);
      g_assert_true (test_event_stream_wait (stream, i + 1, 5000));
      event = g_ptr_array_index (stream->events, i);
      g_assert_cmpstr (json_object_get_string_member (event, "source"), ==, "upload");
      on_b = g_strdup_printf ("%s/static/img/%s", cluster->nodes[1]->url, json_object_get_string_member (event, "name"));
      test_get (cluster->session, on_b, &picture);
      test_assert_status (&picture, 200);
      g_assert_true (g_bytes_equal (picture.body, png));
    }
  test_event_stream_close (stream);
}

/* Node B, stopped while the stream (--history 3) is trimmed past the last
 * event it read, tells its client how many events it lost ("missed") when
 * it reads on, as for any gap: every id up to the newest is accounted for. */
static void
test_lagging_node_tells_missed (Cluster *cluster, gconstpointer data)
{
  enum { AWAY = 10 };
  TestEventStream *stream = open_stream (cluster, 1, NULL);
  GSubprocess *node_b = cluster->nodes[1]->process;
  gint64 accounted = 0, told_missed = 0;

  wait_stat (cluster, 1, "open_streams", 1);
  json_object_unref (publish_on (cluster, 0));
  json_object_unref (publish_on (cluster, 0));
  g_assert_true (test_event_stream_wait (stream, 2, 5000));
  g_subprocess_send_signal (node_b, SIGSTOP);
  for (int i = 0; i < AWAY; i++)
    json_object_unref (publish_on (cluster, 0));
  g_subprocess_send_signal (node_b, SIGCONT);
  /* Each event is preceded by the ones it says were missed. */
  for (guint i = 0; accounted < 2 + AWAY; i++)
    {
      JsonObject *event;
      gint64 missed;

      g_assert_true (test_event_stream_wait (stream, i + 1, 5000));
      event = g_ptr_array_index (stream->events, i);
      missed = json_object_get_int_member_with_default (event, "missed", 0);
      g_assert_cmpint (event_id (event), ==, accounted + missed + 1);
      accounted = event_id (event);
      told_missed += missed;
    }
  g_assert_cmpint (told_missed, >, 0);
  /* A client resuming on B from before the gap is told the same. */
  {
    TestEventStream *resumed = open_stream (cluster, 1, "2");
    JsonObject *first;

    g_assert_true (test_event_stream_wait (resumed, 1, 5000));
    first = g_ptr_array_index (resumed->events, 0);
    g_assert_cmpint (event_id (first), ==, 2 + json_object_get_int_member_with_default (first, "missed", 0) + 1);
    g_assert_cmpint (json_object_get_int_member_with_default (first, "missed", 0), >, 0);
    test_event_stream_close (resumed);
  }
  test_event_stream_close (stream);
}

/* @method @path on @node with @json (NULL: no body); @expected status;
 * returns the answer. */
static JsonObject *
write_on (Cluster *cluster, int node, const char *method, const char *path, const char *json, guint expected)
{
  g_autofree char *url = test_server_url (cluster->nodes[node], path);
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;
  g_auto(TestResponse) response = { 0 };

  test_request (cluster->session, method, url, NULL, body, json != NULL ? "application/json" : NULL, &response);
  test_assert_status (&response, expected);
  return test_response_json (&response);
}

typedef struct {
  SoupSession *session;
  char *url;
  guint status;
} Answered;

static gboolean
answers_status (gpointer data)
{
  Answered *answered = data;
  g_auto(TestResponse) response = { 0 };

  test_get (answered->session, answered->url, &response);
  return response.status == answered->status;
}

static void
assert_becomes (Cluster *cluster, int node, const char *path, guint status)
{
  Answered answered = { cluster->session, test_server_url (cluster->nodes[node], path), status };

  g_assert_true (test_wait_until (answers_status, &answered, 5000));
  g_free (answered.url);
}

/* Changes cross nodes through Redis: a picture uploaded on A and deleted
 * on A is removed on B's stream and from B's folder; an album made
 * private on A is private on B (a picture uploaded into it there too); a
 * text edited on A is B's. */
static void
test_changes_cross_nodes (Cluster *cluster, gconstpointer data)
{
  TestEventStream *on_b = open_stream (cluster, 1, NULL);
  g_autofree char *source = test_source_image ("042.png");
  g_autoptr(GMappedFile) file = g_mapped_file_new (source, FALSE, NULL);
  g_autoptr(GBytes) png = g_mapped_file_get_bytes (file);
  g_autofree char *upload_url = test_server_url (cluster->nodes[0], API "/images");
  g_autofree char *vault_url = test_server_url (cluster->nodes[0], API "/images?album=vault");
  g_autofree char *name = NULL, *picture_path = NULL, *details_path = NULL, *in_vault = NULL, *on_b_copy = NULL;
  g_auto(TestResponse) uploaded = { 0 };
  g_auto(TestResponse) hidden = { 0 };
  g_autoptr(JsonObject) created = NULL, removed = NULL, hidden_created = NULL;
  JsonObject *event;

  wait_stat (cluster, 1, "open_streams", 1);
  test_post (cluster->session, upload_url, png, "image/png", &uploaded);
  test_assert_status (&uploaded, 201);
  created = test_response_json (&uploaded);
  name = g_strdup (json_object_get_string_member (created, "name"));
  picture_path = g_strconcat ("/static/img/", name, NULL);
  details_path = g_strconcat (API "/images/", name, NULL);
  assert_becomes (cluster, 1, picture_path, 200);

  /* Edited on A: B tells and serves the new text. */
  json_object_unref (write_on (cluster, 0, "PATCH", details_path, "{\"alt\":\"Edited on A\"}", 200));
  g_assert_true (test_event_stream_wait (on_b, 2, 5000));
  event = g_ptr_array_index (on_b->events, 1);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "changed");
  g_assert_cmpstr (json_object_get_string_member (event, "alt"), ==, "Edited on A");

  /* Deleted on A: removed on B's stream, gone from B's folder. */
  removed = write_on (cluster, 0, "DELETE", details_path, NULL, 200);
  g_assert_true (test_event_stream_wait (on_b, 3, 5000));
  event = g_ptr_array_index (on_b->events, 2);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "removed");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, name);
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, json_object_get_int_member (removed, "id"));
  assert_becomes (cluster, 1, picture_path, 404);
  assert_becomes (cluster, 2, picture_path, 404);
  on_b_copy = g_build_filename (cluster->uploads[1], name, NULL);
  g_assert_false (g_file_test (on_b_copy, G_FILE_TEST_EXISTS));

  /* An album made private on A, a picture uploaded into it: private on B. */
  json_object_unref (write_on (cluster, 0, "POST", API "/albums", "{\"name\":\"vault\",\"private\":true}", 201));
  test_post (cluster->session, vault_url, png, "image/png", &hidden);
  test_assert_status (&hidden, 201);
  hidden_created = test_response_json (&hidden);
  in_vault = g_strconcat ("/static/img/", json_object_get_string_member (hidden_created, "name"), NULL);
  /* B's stranger hears nothing of the vault. */
  if (test_event_stream_wait (on_b, 4, 1500))
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), g_ptr_array_index (on_b->events, 3));
      g_autofree char *text = json_to_string (node, FALSE);

      g_error ("a stranger on B heard of the private album: %s", text);
    }
  {
    g_autofree char *vault_on_b = g_build_filename (cluster->uploads[1], "vault", NULL);
    g_autofree char *albums = test_server_url (cluster->nodes[1], API "/albums");
    g_auto(TestResponse) listed = { 0 };

    g_assert_true (g_file_test (vault_on_b, G_FILE_TEST_IS_DIR));
    test_get (cluster->session, albums, &listed);
    g_assert_null (memmem (g_bytes_get_data (listed.body, NULL), g_bytes_get_size (listed.body), "vault", 5));
  }
  assert_becomes (cluster, 1, in_vault, 404);
  assert_becomes (cluster, 1, API "/albums/vault", 404);
  test_event_stream_close (on_b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

#define ADD(path, func) g_test_add (path, Cluster, NULL, cluster_set_up, func, cluster_tear_down)
  ADD ("/cluster/publish-reaches-other-nodes", test_publish_reaches_other_nodes);
  ADD ("/cluster/ids-grow-across-nodes", test_ids_grow_across_nodes);
  ADD ("/cluster/resume-on-another-node", test_resume_on_another_node);
  ADD ("/cluster/ids-continue-after-every-node-restarts", test_ids_continue_after_every_node_restarts);
  ADD ("/cluster/ids-continue-when-redis-and-nodes-restart-empty", test_ids_continue_when_redis_and_nodes_restart_empty);
  ADD ("/cluster/redis-down-then-back", test_redis_down_then_back);
  ADD ("/cluster/upload-on-a-downloadable-from-c", test_upload_on_a_downloadable_from_c);
  ADD ("/cluster/picture-served-when-heard", test_picture_served_when_heard);
  ADD ("/cluster/changes-cross-nodes", test_changes_cross_nodes);
  g_test_add ("/cluster/albums-across-nodes", Cluster, &with_albums, cluster_set_up,
              test_albums_across_nodes, cluster_tear_down);
  g_test_add ("/cluster/albums-missed-across-nodes", Cluster, &albums_short_history, cluster_set_up,
              test_albums_missed_across_nodes, cluster_tear_down);
  g_test_add ("/cluster/lagging-node-tells-missed", Cluster, &short_history, cluster_set_up,
              test_lagging_node_tells_missed, cluster_tear_down);
  g_test_add ("/cluster/one-slideshow-for-the-cluster", Cluster, &quick_slideshow, cluster_set_up,
              test_one_slideshow_for_the_cluster, cluster_tear_down);
  test_add_answers_described ();
  return g_test_run ();
}
