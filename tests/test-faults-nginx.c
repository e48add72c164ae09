/* SPDX-License-Identifier: MIT */
/* Three nodes behind the cluster's nginx (data/nginx/rndimg-cluster.conf.in
 * as scripts/cluster.sh fills it), on one real Redis: followers of every
 * kind, albums' too, connect through nginx only, and a publisher that
 * retries each publish with its Idempotency-Key until it is answered 201,
 * as a careful client does. Nodes are killed, stopped and restarted under
 * them: every event reaches each follower once, in order, and no key is
 * published twice. */
#include "fault-fixture.h"

#include <string.h>

static const FaultSetup behind_nginx = { .nodes = 3, .albums = TRUE, .nginx = TRUE };

typedef struct {
  gint64 published;             /* the newest id answered */
  GArray *dogs;                 /* ids of events of album dogs */
  GArray *cats;
} Publisher;

/* Publishes event number @n through nginx, retrying with the same key
 * until 201; returns its id. */
static gint64
publish_until_answered (Faults *faults, Publisher *publisher, guint n)
{
  g_autofree char *url = g_strconcat (faults->entry, API "/publish", NULL);
  g_autofree char *key = g_strdup_printf ("\"event-%u\"", n);
  const char *json = n % 2 == 1 ? "{\"album\":\"dogs\"}" : "{\"album\":\"cats\"}";

  for (int attempt = 0; attempt < 100; attempt++)
    {
      g_auto(TestResponse) response = { 0 };
      g_autoptr(JsonObject) event = NULL;
      gint64 id;

      faults_publish (faults, url, json, key, &response);
      if (response.status != 201)
        {
          /* A node dying under it (502), no answer in time (504), none
           * to take it (503), its first attempt still under way (409). */
          g_assert_true (response.status == 502 || response.status == 503 || response.status == 504 ||
                         response.status == 409);
          test_run_for (200);
          continue;
        }
      event = test_response_json (&response);
      id = json_object_get_int_member (event, "id");
      g_assert_cmpint (id, ==, publisher->published + 1);
      publisher->published = id;
      g_array_append_val (n % 2 == 1 ? publisher->dogs : publisher->cats, id);
      return id;
    }
  g_assert_not_reached ();
}

static void
publish_some (Faults *faults, Publisher *publisher, guint count)
{
  for (guint i = 0; i < count; i++)
    publish_until_answered (faults, publisher, (guint) publisher->published + 1);
}

static void
test_followers_through_nginx_while_nodes_die (Faults *faults, gconstpointer data)
{
  const char *bases[] = { faults->entry, NULL };
  Publisher publisher = { 0, g_array_new (FALSE, FALSE, sizeof (gint64)), g_array_new (FALSE, FALSE, sizeof (gint64)) };
  Follower *followers[6];

  followers[0] = follower_new (faults, FOLLOW_SSE, bases, NULL, 0);
  followers[1] = follower_new (faults, FOLLOW_LONG_POLL, bases, NULL, 0);
  followers[2] = follower_new (faults, FOLLOW_WEBSOCKET, bases, NULL, 0);
  followers[3] = follower_new (faults, FOLLOW_SSE, bases, "album=dogs", 0);
  followers[4] = follower_new (faults, FOLLOW_LONG_POLL, bases, "album=cats", 0);
  followers[5] = follower_new (faults, FOLLOW_WEBSOCKET, bases, "album=dogs", 0);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    follower_wait_connected (followers[i]);

  publish_some (faults, &publisher, 6);
  faults_kill_node (faults, 1);
  publish_some (faults, &publisher, 6);
  faults_start_node (faults, 1);
  faults_wait_linked (faults, 1);
  faults_stop_node (faults, 2);
  publish_some (faults, &publisher, 6);
  faults_start_node (faults, 2);
  faults_wait_linked (faults, 2);
  faults_kill_node (faults, 0);
  publish_some (faults, &publisher, 6);
  faults_start_node (faults, 0);
  faults_wait_linked (faults, 0);
  publish_some (faults, &publisher, 2);

  for (guint i = 0; i < 3; i++)
    follower_assert_range (followers[i], 1, publisher.published);
  follower_assert_ids (followers[3], (const gint64 *) (gpointer) publisher.dogs->data, publisher.dogs->len);
  follower_assert_ids (followers[4], (const gint64 *) (gpointer) publisher.cats->data, publisher.cats->len);
  follower_assert_ids (followers[5], (const gint64 *) (gpointer) publisher.dogs->data, publisher.dogs->len);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, publisher.published);
  for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
    follower_free (followers[i]);
  g_array_unref (publisher.dogs);
  g_array_unref (publisher.cats);
}

/* A publish whose node's link is paused, through nginx: 504, and its
 * retry with the same key (landing on another node) publishes it once. */
static void
test_retry_through_nginx_publishes_once (Faults *faults, gconstpointer data)
{
  g_autofree char *url = g_strconcat (faults->entry, API "/publish", NULL);
  const char *bases[] = { faults->entry, NULL };
  g_autoptr(Follower) follower = follower_new (faults, FOLLOW_SSE, bases, NULL, 0);
  const gint64 once[] = { 1 };
  int answered = 0, unknown = 0;

  follower_wait_connected (follower);
  /* Every node's link paused but one: round-robin takes the key to a
   * paused node and to the other; the first 201 publishes, later ones
   * answer the same event again. */
  test_proxy_pause (faults->proxies[0]);
  test_proxy_pause (faults->proxies[1]);
  for (int attempt = 0; attempt < 9 && (answered == 0 || unknown == 0); attempt++)
    {
      g_auto(TestResponse) response = { 0 };

      faults_publish (faults, url, "{\"name\":\"01.png\"}", "\"only-once\"", &response);
      if (response.status == 504)
        unknown++;
      else
        {
          g_autoptr(JsonObject) event = NULL;

          test_assert_status (&response, 201);
          event = test_response_json (&response);
          g_assert_cmpint (json_object_get_int_member (event, "id"), ==, 1);
          answered++;
        }
    }
  test_proxy_resume (faults->proxies[0]);
  test_proxy_resume (faults->proxies[1]);
  g_assert_cmpint (answered, >=, 1);
  g_assert_cmpint (unknown, >=, 1);
  faults_wait_linked (faults, 0);
  faults_wait_linked (faults, 1);
  test_run_for (1000);
  follower_assert_ids (follower, once, 1);
  g_assert_cmpint (faults_redis_newest_id (faults), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_raise_fd_limit ();

  g_test_add ("/faults/nginx/followers-while-nodes-die", Faults, &behind_nginx, faults_set_up,
              test_followers_through_nginx_while_nodes_die, faults_tear_down);
  g_test_add ("/faults/nginx/retry-publishes-once", Faults, &behind_nginx, faults_set_up,
              test_retry_through_nginx_publishes_once, faults_tear_down);
  test_add_answers_described ();
  return g_test_run ();
}
