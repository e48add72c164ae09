/* SPDX-License-Identifier: MIT */
/* Faults from the outside, on real nodes sharing one real Redis, each
 * node's link to it through a TCP proxy the test pauses and resumes
 * (tests/tcp-proxy.c), followed by SSE, long-poll and WebSocket clients
 * that resume as clients do:
 * - a node that has just restarted answers a resume only from a history
 *   it knows is complete: no event twice (issue 33, point 1);
 * - a publish whose answer is an error never publishes later: 503 means
 *   not published, 504 that the outcome is unknown, and a retry with the
 *   same Idempotency-Key publishes at most once, on any node (point 2);
 * - /readyz, /stats and /metrics follow the link on every probe, and
 *   only a Redis that answers is "back" (point 3);
 * - followers of every kind, albums too, through a Redis crash (with and
 *   without its append-only file) and a node killed and restarted. */
#include "fault-fixture.h"

#include <string.h>

static const FaultSetup two_nodes = { .nodes = 2 };
static const FaultSetup two_nodes_albums = { .nodes = 2, .albums = TRUE };
static const FaultSetup append_only = { .nodes = 2, .albums = TRUE, .append_only = TRUE };

static gint64
id_of (TestResponse *response)
{
  g_autoptr(JsonObject) event = test_response_json (response);

  return json_object_get_int_member (event, "id");
}

static void
publish_ok (Faults *faults, guint node, const char *json, gint64 expected_id)
{
  g_autofree char *url = faults_url (faults, node, API "/publish");
  g_auto(TestResponse) response = { 0 };

  faults_publish (faults, url, json, NULL, &response);
  test_assert_status (&response, 201);
  if (expected_id > 0)
    g_assert_cmpint (id_of (&response), ==, expected_id);
}

static const char *
album_body (gint64 id)
{
  return id % 2 == 1 ? "{\"album\":\"dogs\"}" : "{\"album\":\"cats\"}";
}

static void
wait_stat (Faults *faults, guint node, const char *name, gint64 value)
{
  for (int tries = 0; tries < 200; tries++)
    {
      if (test_server_stat (faults->nodes[node], faults->session, name) == value)
        return;
      test_run_for (50);
    }
  g_assert_cmpint (test_server_stat (faults->nodes[node], faults->session, name), ==, value);
}

static char *
epoch_of (Faults *faults, guint node)
{
  g_autoptr(JsonObject) stats = test_server_stats (faults->nodes[node], faults->session);

  return g_strdup (json_object_get_string_member (stats, "epoch"));
}

/* Point 1. Node B restarts with its link to Redis held, so it cannot
 * catch up yet; clients that had every event (the newest from node A)
 * resume on it. Once its link goes through, they get the next event
 * and nothing they had. */
static void
test_restarted_node_resumes_without_repeats (Faults *faults, gconstpointer data)
{
  enum { BEFORE = 20 };
  g_autofree char *b = faults_url (faults, 1, "");
  g_autofree char *epoch = NULL;
  g_autofree char *with_epoch = NULL;
  const char *bases[] = { b, NULL };
  const gint64 next[] = { BEFORE + 1 };
  Follower *followers[5];

  for (gint64 id = 1; id <= BEFORE; id++)
    publish_ok (faults, 0, album_body (id), id);
  wait_stat (faults, 1, "newest_id", BEFORE);
  epoch = epoch_of (faults, 0);
  with_epoch = g_strconcat ("epoch=", epoch, NULL);

  faults_stop_node (faults, 1);
  test_proxy_pause (faults->proxies[1]);
  faults_start_node (faults, 1);
  followers[0] = follower_new (faults, FOLLOW_SSE, bases, NULL, BEFORE);
  followers[1] = follower_new (faults, FOLLOW_LONG_POLL, bases, NULL, BEFORE);
  followers[2] = follower_new (faults, FOLLOW_WEBSOCKET, bases, NULL, BEFORE);
  followers[3] = follower_new (faults, FOLLOW_LONG_POLL, bases, with_epoch, BEFORE);
  followers[4] = follower_new (faults, FOLLOW_SSE, bases, "album=dogs", BEFORE - 1);
  wait_stat (faults, 1, "open_streams", 2);
  wait_stat (faults, 1, "waiting_polls", 2);
  wait_stat (faults, 1, "open_websockets", 1);
  test_proxy_resume (faults->proxies[1]);
  faults_wait_linked (faults, 1);
  wait_stat (faults, 1, "newest_id", BEFORE);

  publish_ok (faults, 0, album_body (BEFORE + 1), BEFORE + 1);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    {
      follower_assert_ids (followers[i], next, 1);
      follower_free (followers[i]);
    }
}

static gboolean
has_header (TestResponse *response, const char *name, const char *value)
{
  return g_strcmp0 (test_response_header (response, name), value) == 0;
}

/* Point 2. Node B's link is paused: its publish cannot be answered in
 * time. The answer says the outcome is unknown (504), and the publish
 * held in the link never happens when it goes through; a retry with the
 * same key publishes once, and a retry of that on node A is answered with
 * the same event, which node A's followers of every kind get once. (Both pictures are published once first, so that Redis
 * has them and the held script would publish at once.) */
static void
test_unanswered_publish_never_happens_later (Faults *faults, gconstpointer data)
{
  g_autofree char *a = faults_url (faults, 0, "");
  g_autofree char *on_a = faults_url (faults, 0, API "/publish");
  g_autofree char *on_b = faults_url (faults, 1, API "/publish");
  const char *bases[] = { a, NULL };
  const gint64 once[] = { 3 };
  Follower *followers[3];
  g_auto(TestResponse) unknown = { 0 };
  g_auto(TestResponse) unkeyed = { 0 };
  g_auto(TestResponse) retried = { 0 };
  g_auto(TestResponse) replayed = { 0 };

  publish_ok (faults, 1, "{\"name\":\"01.png\"}", 1);
  publish_ok (faults, 1, "{\"name\":\"02.png\"}", 2);
  for (guint kind = 0; kind < G_N_ELEMENTS (followers); kind++)
    {
      followers[kind] = follower_new (faults, (FollowKind) kind, bases, NULL, 2);
      follower_wait_connected (followers[kind]);
    }
  wait_stat (faults, 1, "newest_id", 2);
  test_proxy_pause (faults->proxies[1]);
  faults_publish (faults, on_b, "{\"name\":\"01.png\"}", "\"retry-me\"", &unknown);
  faults_publish (faults, on_b, "{\"name\":\"02.png\"}", NULL, &unkeyed);
  test_proxy_resume (faults->proxies[1]);
  faults_wait_linked (faults, 1);
  /* What the link held has reached Redis by now: nothing was published. */
  test_run_for (1000);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 2);
  test_assert_json_error (&unknown, 504);
  g_assert_cmpuint (unkeyed.status, >=, 503);
  g_assert_cmpuint (unkeyed.status, <=, 504);

  faults_publish (faults, on_b, "{\"name\":\"01.png\"}", "\"retry-me\"", &retried);
  test_assert_status (&retried, 201);
  g_assert_cmpint (id_of (&retried), ==, 3);
  g_assert_null (test_response_header (&retried, "Idempotent-Replayed"));
  faults_publish (faults, on_a, "{\"name\":\"01.png\"}", "\"retry-me\"", &replayed);
  test_assert_status (&replayed, 201);
  g_assert_cmpint (id_of (&replayed), ==, 3);
  g_assert_true (has_header (&replayed, "Idempotent-Replayed", "true"));
  for (guint kind = 0; kind < G_N_ELEMENTS (followers); kind++)
    {
      follower_assert_ids (followers[kind], once, 1);
      follower_free (followers[kind]);
    }
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 3);
}

/* Point 2. Redis holds writes (CLIENT PAUSE … WRITE) while reads go on:
 * the publish times out, node A's follow connection shows it did not
 * happen, and the answer is a 503 that stays true once Redis runs the
 * held script. */
static void
test_publish_refused_when_writes_stall (Faults *faults, gconstpointer data)
{
  g_autofree char *on_a = faults_url (faults, 0, API "/publish");
  g_autofree char *paused = NULL;
  g_auto(TestResponse) refused = { 0 };

  publish_ok (faults, 0, "{\"name\":\"01.png\"}", 1);
  paused = test_redis_command (faults->redis, "CLIENT PAUSE 3000 WRITE");
  g_assert_cmpstr (paused, ==, "OK");
  faults_publish (faults, on_a, "{\"name\":\"01.png\"}", NULL, &refused);
  test_assert_json_error (&refused, 503);
  g_assert_nonnull (test_response_header (&refused, "Retry-After"));
  /* The pause is over: the held script ran, and refused itself. */
  test_run_for (1500);
  faults_wait_linked (faults, 0);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 1);
  publish_ok (faults, 0, NULL, 2);
}

/* The Idempotency-Key across nodes: the same key and body answered with
 * the first event (and Idempotent-Replayed), another body 422, a request
 * with the key still in flight 409, malformed keys 400. */
static void
test_idempotency_key_across_nodes (Faults *faults, gconstpointer data)
{
  g_autofree char *on_a = faults_url (faults, 0, API "/publish");
  g_autofree char *on_b = faults_url (faults, 1, API "/publish");
  static const char *const malformed[] = {
    "\"unterminated", "\"\"", "\"a\", \"b\"", "\"tab\tinside\"", "\"bad \\escape\"", "12x!", NULL
  };
  g_autofree char *long_key = g_strdup_printf ("\"%0256d\"", 7);
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) other_body = { 0 };
  g_auto(TestResponse) too_long = { 0 };
  g_auto(TestResponse) busy = { 0 };
  g_auto(TestResponse) bare = { 0 };
  g_auto(TestResponse) bare_again = { 0 };
  g_autoptr(TestPending) held = NULL;
  g_autoptr(JsonObject) held_event = NULL;

  faults_publish (faults, on_a, "{\"name\":\"03.png\"}", "\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", &first);
  test_assert_status (&first, 201);
  faults_publish (faults, on_b, "{\"name\":\"03.png\"}", "\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", &again);
  test_assert_status (&again, 201);
  g_assert_cmpint (id_of (&again), ==, id_of (&first));
  g_assert_true (has_header (&again, "Idempotent-Replayed", "true"));
  faults_publish (faults, on_b, "{\"name\":\"04.png\"}", "\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", &other_body);
  test_assert_json_error (&other_body, 422);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 1);

  for (guint i = 0; malformed[i] != NULL; i++)
    {
      g_auto(TestResponse) response = { 0 };

      faults_publish (faults, on_a, NULL, malformed[i], &response);
      test_assert_json_error (&response, 400);
    }
  faults_publish (faults, on_a, NULL, long_key, &too_long);
  test_assert_json_error (&too_long, 400);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 1);

  /* A bare token is taken as the same key as the string. */
  faults_publish (faults, on_a, NULL, "k-42", &bare);
  test_assert_status (&bare, 201);
  faults_publish (faults, on_b, NULL, "\"k-42\"", &bare_again);
  test_assert_status (&bare_again, 201);
  g_assert_cmpint (id_of (&bare_again), ==, id_of (&bare));

  test_proxy_pause (faults->proxies[0]);
  held = faults_publish_async (faults, on_a, "\"in-flight\"");
  wait_stat (faults, 0, "publishes_pending", 1);
  faults_publish (faults, on_a, NULL, "\"in-flight\"", &busy);
  test_assert_json_error (&busy, 409);
  test_proxy_resume (faults->proxies[0]);
  g_assert_true (test_wait_until (test_pending_is_done, held, 10000));
  test_assert_status (held, 201);
  held_event = test_pending_json (held);
  g_assert_cmpint (json_object_get_int_member (held_event, "id"), ==, 3);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 3);
}

static gboolean
says_unavailable (Faults *faults, guint node)
{
  g_autofree char *ready_url = faults_url (faults, node, "/readyz");
  g_autofree char *strict_url = faults_url (faults, node, "/readyz?broker=required");
  g_auto(TestResponse) ready = { 0 };
  g_auto(TestResponse) strict = { 0 };
  g_autoptr(JsonObject) readiness = NULL;

  test_get (faults->session, ready_url, &ready);
  test_assert_status (&ready, 200);
  readiness = test_response_json (&ready);
  test_get (faults->session, strict_url, &strict);
  return strstr (json_object_get_string_member (readiness, "message"), "publishing is unavailable") != NULL &&
         strict.status == 503;
}

static double
metric (Faults *faults, guint node, const char *name)
{
  g_autofree char *url = faults_url (faults, node, "/metrics");
  g_autofree char *prefix = g_strconcat ("\n", name, " ", NULL);
  g_auto(TestResponse) response = { 0 };
  g_autofree char *text = NULL;
  const char *line;

  test_get (faults->session, url, &response);
  test_assert_status (&response, 200);
  text = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  line = strstr (text, prefix);
  g_assert_nonnull (line);
  return g_ascii_strtod (line + strlen (prefix), NULL);
}

static gboolean
link_is_down (gpointer faults)
{
  return !faults_node_is_linked (faults, 0);
}

/* Point 3. Node A's link is paused: within the stated time (1.5 s; 10 s
 * allowed here) /stats, /readyz and /metrics say it is down, and they
 * say so on every probe while it stays paused, though TCP connections to
 * the proxy still succeed; resumed, it is up again once Redis answered,
 * and its followers of every kind get what was published meanwhile, once. */
static void
test_readiness_follows_the_link (Faults *faults, gconstpointer data)
{
  g_autofree char *strict_url = faults_url (faults, 0, "/readyz?broker=required");
  g_autofree char *a = faults_url (faults, 0, "");
  const char *bases[] = { a, NULL };
  const gint64 once[] = { 1 };
  Follower *followers[3];
  g_auto(TestResponse) strict = { 0 };
  gint64 paused_at;

  for (guint kind = 0; kind < G_N_ELEMENTS (followers); kind++)
    {
      followers[kind] = follower_new (faults, (FollowKind) kind, bases, NULL, 0);
      follower_wait_connected (followers[kind]);
    }
  g_assert_false (says_unavailable (faults, 0));
  test_proxy_pause (faults->proxies[0]);
  paused_at = g_get_monotonic_time ();
  g_assert_true (test_wait_until (link_is_down, faults, 10000));
  g_test_message ("the paused link was noticed after %.1f s",
                  (double) (g_get_monotonic_time () - paused_at) / G_USEC_PER_SEC);
  for (int probe = 0; probe < 12; probe++)
    {
      g_assert_false (faults_node_is_linked (faults, 0));
      g_assert_true (says_unavailable (faults, 0));
      g_assert_cmpfloat (metric (faults, 0, "rndimg_broker_up"), ==, 0);
      test_run_for (250);
    }
  g_assert_cmpuint (test_proxy_connections (faults->proxies[0]), >, 0);
  /* Published meanwhile on node B: node A's followers get it once its
   * link is back, once. */
  publish_ok (faults, 1, NULL, 1);
  test_proxy_resume (faults->proxies[0]);
  faults_wait_linked (faults, 0);
  g_assert_false (says_unavailable (faults, 0));
  g_assert_cmpfloat (metric (faults, 0, "rndimg_broker_up"), ==, 1);
  g_assert_cmpfloat (metric (faults, 0, "rndimg_broker_link_losses_total"), >=, 1);
  g_assert_cmpfloat (metric (faults, 0, "rndimg_broker_last_answer_age_seconds"), <, 5);
  test_get (faults->session, strict_url, &strict);
  test_assert_status (&strict, 200);
  for (guint kind = 0; kind < G_N_ELEMENTS (followers); kind++)
    {
      follower_assert_ids (followers[kind], once, 1);
      follower_free (followers[kind]);
    }
}

/* A long-poll resuming after @since on node B gets @id first, told it
 * missed @missed events before it. */
static void
assert_resume_told_missed (Faults *faults, gint64 since, gint64 id, gint64 missed)
{
  g_autofree char *path = g_strdup_printf (API "/rndimg/poll?since=%" G_GINT64_FORMAT, since);
  g_autofree char *url = faults_url (faults, 1, path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) event = NULL;

  test_get (faults->session, url, &response);
  test_assert_status (&response, 200);
  event = test_response_json (&response);
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, id);
  g_assert_cmpint (json_object_get_int_member_with_default (event, "missed", 0), ==, missed);
}

/* Every follower kind, one of them an album's, on both nodes, through a
 * Redis killed and restarted from its append-only file, then killed and
 * restarted empty: every event answered 201 reaches each once, in order.
 * The events Redis lost with its data are gone from the nodes' history
 * too, and a client resuming from before them is told it missed them. */
static void
test_followers_through_redis_crashes (Faults *faults, gconstpointer data)
{
  g_autofree char *a = faults_url (faults, 0, "");
  g_autofree char *b = faults_url (faults, 1, "");
  const char *a_first[] = { a, b, NULL }, *b_first[] = { b, a, NULL };
  Follower *followers[4];
  gint64 id = 0;
  g_autoptr(GArray) dogs = g_array_new (FALSE, FALSE, sizeof (gint64));

  followers[0] = follower_new (faults, FOLLOW_SSE, a_first, NULL, 0);
  followers[1] = follower_new (faults, FOLLOW_LONG_POLL, b_first, NULL, 0);
  followers[2] = follower_new (faults, FOLLOW_WEBSOCKET, b_first, NULL, 0);
  followers[3] = follower_new (faults, FOLLOW_WEBSOCKET, a_first, "album=dogs", 0);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    follower_wait_connected (followers[i]);
  for (int round = 0; round < 3; round++)
    {
      for (int i = 0; i < 4; i++)
        {
          id++;
          publish_ok (faults, (guint) (id % 2), album_body (id), id);
          if (id % 2 == 1)
            g_array_append_val (dogs, id);
        }
      if (round == 2)
        break;
      for (guint i = 0; i < 3; i++)
        g_assert_true (follower_wait_for (followers[i], id, 10000));
      g_assert_true (follower_wait_for (followers[3], g_array_index (dogs, gint64, dogs->len - 1), 10000));
      if (round == 0)
        test_redis_crash (faults->redis);          /* its append-only file kept */
      else
        test_redis_take_down (faults->redis, FALSE); /* comes back empty */
      test_redis_bring_up (faults->redis);
      faults_wait_linked (faults, 0);
      faults_wait_linked (faults, 1);
    }
  for (guint i = 0; i < 3; i++)
    follower_assert_range (followers[i], 1, id);
  follower_assert_ids (followers[3], (const gint64 *) (gpointer) dogs->data, dogs->len);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    follower_free (followers[i]);
  assert_resume_told_missed (faults, 2, 9, 6);
}

/* Followers of every kind (and an album's) on node B; B is killed, they
 * move to A with their last id; B restarts and A stops, they move back to
 * B, which has just restarted: each gets every event once, in order. */
static void
test_followers_across_node_restarts (Faults *faults, gconstpointer data)
{
  g_autofree char *a = faults_url (faults, 0, "");
  g_autofree char *b = faults_url (faults, 1, "");
  const char *bases[] = { b, a, NULL };
  Follower *followers[4];
  gint64 id = 0;
  g_autoptr(GArray) cats = g_array_new (FALSE, FALSE, sizeof (gint64));

  followers[0] = follower_new (faults, FOLLOW_SSE, bases, NULL, 0);
  followers[1] = follower_new (faults, FOLLOW_LONG_POLL, bases, NULL, 0);
  followers[2] = follower_new (faults, FOLLOW_WEBSOCKET, bases, NULL, 0);
  followers[3] = follower_new (faults, FOLLOW_LONG_POLL, bases, "album=cats", 0);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    follower_wait_connected (followers[i]);
  for (int step = 0; step < 3; step++)
    {
      guint publisher = step == 1 ? 0 : 1;

      for (int i = 0; i < 4; i++)
        {
          id++;
          publish_ok (faults, publisher, album_body (id), id);
          if (id % 2 == 0)
            g_array_append_val (cats, id);
        }
      if (step == 0)
        faults_kill_node (faults, 1);
      else if (step == 1)
        {
          faults_start_node (faults, 1);
          faults_wait_linked (faults, 1);
          faults_stop_node (faults, 0);
        }
    }
  for (guint i = 0; i < 3; i++)
    follower_assert_range (followers[i], 1, id);
  follower_assert_ids (followers[3], (const gint64 *) (gpointer) cats->data, cats->len);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    follower_free (followers[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

#define ADD(path, setup, func) g_test_add (path, Faults, &setup, faults_set_up, func, faults_tear_down)
  ADD ("/faults/restarted-node-resumes-without-repeats", two_nodes_albums, test_restarted_node_resumes_without_repeats);
  ADD ("/faults/unanswered-publish-never-happens-later", two_nodes, test_unanswered_publish_never_happens_later);
  ADD ("/faults/publish-refused-when-writes-stall", two_nodes, test_publish_refused_when_writes_stall);
  ADD ("/faults/idempotency-key-across-nodes", two_nodes, test_idempotency_key_across_nodes);
  ADD ("/faults/readiness-follows-the-link", two_nodes, test_readiness_follows_the_link);
  ADD ("/faults/followers-through-redis-crashes", append_only, test_followers_through_redis_crashes);
  ADD ("/faults/followers-across-node-restarts", two_nodes_albums, test_followers_across_node_restarts);
  test_add_answers_described ();
  return g_test_run ();
}
