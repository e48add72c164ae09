/* SPDX-License-Identifier: MIT */
/* The broker contract: what every RndimgBroker must do, whatever keeps
 * its events. Written once; each implementation registers itself in
 * main() with a function that makes a fresh broker keeping 3 events: the
 * memory broker, and the Redis broker on a real redis-server (flushed
 * before each case). Then what only a shared broker does: several nodes
 * on one Redis, Redis going away and coming back. */
#include "rndimg-broker.h"
#include "rndimg-memory-broker.h"
#include "rndimg-redis-broker.h"
#include "redis-fixture.h"

static TestRedis *redis;

#define HISTORY_LENGTH 3

/* One implementation under test: its name in test paths and a factory. */
typedef struct {
  const char *name;
  RndimgBroker *(*make) (guint history_length);
} BrokerKind;

typedef struct {
  RndimgBroker *broker;
  GPtrArray *heard;          /* RndimgEvent, from "published" */
} Fixture;

static void
on_published (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  g_ptr_array_add (user_data, rndimg_event_ref (event));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer kind)
{
  fixture->broker = ((const BrokerKind *) kind)->make (HISTORY_LENGTH);
  fixture->heard = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_event_unref);
  g_signal_connect (fixture->broker, "published", G_CALLBACK (on_published), fixture->heard);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer kind)
{
  g_object_unref (fixture->broker);
  g_ptr_array_unref (fixture->heard);
}

static void
on_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs the main loop until the callback has the result, for at most 5 s. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

static RndimgEvent *
publish (Fixture *fixture, const char *name, const char *source)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RndimgEvent *event;

  rndimg_broker_publish_async (fixture->broker, name, source, NULL, on_result, &result);
  event = rndimg_broker_publish_finish (fixture->broker, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  return event;
}

static GPtrArray *
history (Fixture *fixture, gint64 since, gint64 *missed)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  rndimg_broker_history_async (fixture->broker, since, NULL, on_result, &result);
  events = rndimg_broker_history_finish (fixture->broker, wait_result (&result), missed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

static void
assert_ids (GPtrArray *events, gint64 first, guint count)
{
  g_assert_cmpuint (events->len, ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpint (((RndimgEvent *) g_ptr_array_index (events, i))->id, ==, first + i);
}

static void
test_epoch_in_every_event (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgEvent) event = publish (fixture, "01.png", "api");
  const char *epoch = rndimg_broker_get_epoch (fixture->broker);

  g_assert_true (g_regex_match_simple ("^[0-9a-f]{16}$", epoch, 0, 0));
  g_assert_cmpstr (event->epoch, ==, epoch);
  g_assert_cmpstr (((RndimgEvent *) g_ptr_array_index (fixture->heard, 0))->epoch, ==, epoch);
}

static void
test_empty (Fixture *fixture, gconstpointer kind)
{
  gint64 missed = -1;
  g_autoptr(GPtrArray) events = history (fixture, 0, &missed);

  g_assert_cmpint (rndimg_broker_get_newest_id (fixture->broker), ==, 0);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_cmpint (missed, ==, 0);
}

static void
test_publish_numbers_and_stamps (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgEvent) first = publish (fixture, "01.png", "api");
  g_autoptr(RndimgEvent) second = publish (fixture, "02.png", "timer");

  g_assert_cmpint (first->id, ==, 1);
  g_assert_cmpint (second->id, ==, 2);
  g_assert_cmpstr (second->name, ==, "02.png");
  g_assert_cmpstr (second->source, ==, "timer");
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z$",
                                       second->published_at, 0, 0));
  g_assert_cmpint (rndimg_broker_get_newest_id (fixture->broker), ==, 2);
}

static void
test_published_signal_in_order (Fixture *fixture, gconstpointer kind)
{
  for (int i = 0; i < 5; i++)
    rndimg_event_unref (publish (fixture, "01.png", "api"));

  assert_ids (fixture->heard, 1, 5);
}

static void
test_history_after (Fixture *fixture, gconstpointer kind)
{
  gint64 missed = -1;
  g_autoptr(GPtrArray) after_one = NULL;
  g_autoptr(GPtrArray) after_newest = NULL;

  for (int i = 0; i < 3; i++)
    rndimg_event_unref (publish (fixture, "01.png", "api"));
  after_one = history (fixture, 1, &missed);
  assert_ids (after_one, 2, 2);
  g_assert_cmpint (missed, ==, 0);
  after_newest = history (fixture, 3, &missed);
  g_assert_cmpuint (after_newest->len, ==, 0);
}

static void
test_history_counts_missed (Fixture *fixture, gconstpointer kind)
{
  gint64 missed = -1;
  g_autoptr(GPtrArray) events = NULL;

  for (int i = 0; i < 7; i++)
    rndimg_event_unref (publish (fixture, "01.png", "api"));
  /* Three kept (5, 6, 7): 1 to 4 are gone. */
  events = history (fixture, 0, &missed);
  assert_ids (events, 5, HISTORY_LENGTH);
  g_assert_cmpint (missed, ==, 4);
}

static const struct {
  const char *name;
  void (*func) (Fixture *fixture, gconstpointer kind);
} contract[] = {
  { "empty", test_empty },
  { "publish-numbers-and-stamps", test_publish_numbers_and_stamps },
  { "published-signal-in-order", test_published_signal_in_order },
  { "history-after", test_history_after },
  { "history-counts-missed", test_history_counts_missed },
  { "epoch-in-every-event", test_epoch_in_every_event },
};

/* Every case of the contract, as /broker/NAME/CASE. */
static void
add_contract (const BrokerKind *kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS (contract); i++)
    {
      g_autofree char *path = g_strdup_printf ("/broker/%s/%s", kind->name, contract[i].name);

      g_test_add (path, Fixture, kind, fixture_set_up, contract[i].func, fixture_tear_down);
    }
}

static const BrokerKind memory_broker = { "memory", rndimg_memory_broker_new };

/* ---- the Redis broker ---- */

static void
run_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static gboolean
is_ready (RndimgBroker *broker)
{
  return rndimg_broker_get_problem (broker) == NULL &&
         rndimg_redis_broker_is_following (RNDIMG_REDIS_BROKER (broker));
}

static void
wait_for (gboolean (*condition) (RndimgBroker *broker), RndimgBroker *broker, gboolean wanted)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (condition (broker) != wanted)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* A node on the test's Redis, connected and following the stream. */
static RndimgBroker *
make_node (guint history_length)
{
  g_autoptr(GError) error = NULL;
  RndimgBroker *broker = rndimg_redis_broker_new (redis->url, history_length, &error);

  g_assert_no_error (error);
  wait_for (is_ready, broker, TRUE);
  return broker;
}

static RndimgBroker *
make_fresh_redis_broker (guint history_length)
{
  g_autofree char *flushed = test_redis_command (redis, "FLUSHALL");

  g_assert_cmpstr (flushed, ==, "OK");
  return make_node (history_length);
}

static const BrokerKind redis_broker = { "redis", make_fresh_redis_broker };

/* Runs the loop until @events holds @count events, for at most 5 s. */
static void
wait_heard (GPtrArray *events, guint count)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (events->len < count && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (events->len, ==, count);
}

static GPtrArray *
listen_to (RndimgBroker *broker)
{
  GPtrArray *heard = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_event_unref);

  g_signal_connect (broker, "published", G_CALLBACK (on_published), heard);
  return heard;
}

/* Published on node A, heard once by node B, with the same id and epoch. */
static void
test_second_node_hears_first (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgBroker) second = make_node (HISTORY_LENGTH);
  g_autoptr(GPtrArray) heard = listen_to (second);
  g_autoptr(RndimgEvent) event = publish (fixture, "07.png", "upload");

  wait_heard (heard, 1);
  g_assert_cmpint (((RndimgEvent *) g_ptr_array_index (heard, 0))->id, ==, event->id);
  g_assert_cmpstr (((RndimgEvent *) g_ptr_array_index (heard, 0))->name, ==, "07.png");
  g_assert_cmpstr (((RndimgEvent *) g_ptr_array_index (heard, 0))->source, ==, "upload");
  g_assert_cmpstr (rndimg_broker_get_epoch (second), ==, rndimg_broker_get_epoch (fixture->broker));
  /* A node started later has the history too. */
  g_assert_cmpint (rndimg_broker_get_newest_id (second), ==, event->id);
}

static void
count_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgEvent) event = rndimg_broker_publish_finish (RNDIMG_BROKER (source), result, NULL);

  g_assert_nonnull (event);
  (*(guint *) user_data)++;
}

/* Three nodes publish at once: every node hears 1..N, each once, in order. */
static void
test_ids_increase_across_nodes (Fixture *fixture, gconstpointer kind)
{
  enum { PER_NODE = 20, NODES = 3 };
  /* Nodes of one cluster share --history; longer than the burst, so no
   * node can fall behind what the stream keeps. */
  RndimgBroker *nodes[NODES] = { make_node (100), make_node (100), make_node (100) };
  GPtrArray *heard[NODES] = { listen_to (nodes[0]), listen_to (nodes[1]), listen_to (nodes[2]) };
  guint answered = 0;

  for (int i = 0; i < PER_NODE; i++)
    for (int n = 0; n < NODES; n++)
      rndimg_broker_publish_async (nodes[n], "01.png", "api", NULL, count_result, &answered);
  while (answered < PER_NODE * NODES)
    g_main_context_iteration (NULL, TRUE);
  for (int n = 0; n < NODES; n++)
    {
      wait_heard (heard[n], PER_NODE * NODES);
      assert_ids (heard[n], 1, PER_NODE * NODES);
    }
  for (int n = 0; n < NODES; n++)
    {
      g_ptr_array_unref (heard[n]);
      g_object_unref (nodes[n]);
    }
}

static gboolean
has_problem (RndimgBroker *broker)
{
  return rndimg_broker_get_problem (broker) != NULL;
}

static void
assert_publish_fails (RndimgBroker *broker)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgEvent) event = NULL;

  rndimg_broker_publish_async (broker, "01.png", "api", NULL, on_result, &result);
  event = rndimg_broker_publish_finish (broker, wait_result (&result), &error);
  g_assert_null (event);
  g_assert_nonnull (error);
}

/* Redis stops (its data saved) and comes back: publishing fails meanwhile,
 * then ids continue and the other node hears each event exactly once. */
static void
test_redis_down_and_back (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgBroker) second = make_node (HISTORY_LENGTH);
  g_autoptr(GPtrArray) heard = listen_to (second);
  g_autofree char *epoch = g_strdup (rndimg_broker_get_epoch (fixture->broker));
  g_autoptr(RndimgEvent) after = NULL;

  rndimg_event_unref (publish (fixture, "01.png", "api"));
  rndimg_event_unref (publish (fixture, "02.png", "api"));
  test_redis_take_down (redis, TRUE);
  wait_for (has_problem, fixture->broker, TRUE);
  assert_publish_fails (fixture->broker);
  test_redis_bring_up (redis);
  wait_for (is_ready, fixture->broker, TRUE);
  wait_for (is_ready, second, TRUE);
  after = publish (fixture, "03.png", "api");
  g_assert_cmpint (after->id, ==, 3);
  g_assert_cmpstr (after->epoch, ==, epoch);
  wait_heard (heard, 3);
  assert_ids (heard, 1, 3);
  run_for (300);
  g_assert_cmpuint (heard->len, ==, 3);
}

/* Redis comes back empty: a new epoch, and ids still grow. */
static void
test_redis_flushed_is_new_epoch (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgBroker) second = make_node (HISTORY_LENGTH);
  g_autoptr(GPtrArray) heard = listen_to (second);
  g_autofree char *epoch = g_strdup (rndimg_broker_get_epoch (fixture->broker));
  g_autoptr(RndimgEvent) after = NULL;
  gint64 missed = -1;
  g_autoptr(GPtrArray) kept = NULL;

  rndimg_event_unref (publish (fixture, "01.png", "api"));
  rndimg_event_unref (publish (fixture, "02.png", "api"));
  wait_heard (heard, 2);
  test_redis_take_down (redis, FALSE);
  wait_for (has_problem, fixture->broker, TRUE);
  test_redis_bring_up (redis);
  wait_for (is_ready, fixture->broker, TRUE);
  after = publish (fixture, "03.png", "api");
  g_assert_cmpint (after->id, ==, 3);
  g_assert_cmpstr (after->epoch, !=, epoch);
  wait_heard (heard, 3);
  g_assert_cmpstr (((RndimgEvent *) g_ptr_array_index (heard, 2))->epoch, ==, after->epoch);
  g_assert_cmpstr (rndimg_broker_get_epoch (second), ==, after->epoch);
  /* The old epoch's events are not history of the new one. */
  kept = history (fixture, 0, &missed);
  assert_ids (kept, 3, 1);
}

static void
add_redis_case (const char *name, void (*func) (Fixture *fixture, gconstpointer kind))
{
  g_autofree char *path = g_strconcat ("/broker/redis/", name, NULL);

  g_test_add (path, Fixture, &redis_broker, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Redis going away is warned about, and these tests make it go away. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  redis = test_redis_start ();

  add_contract (&memory_broker);
  add_contract (&redis_broker);
  add_redis_case ("second-node-hears-first", test_second_node_hears_first);
  add_redis_case ("ids-increase-across-nodes", test_ids_increase_across_nodes);
  add_redis_case ("redis-down-and-back", test_redis_down_and_back);
  add_redis_case ("redis-flushed-is-new-epoch", test_redis_flushed_is_new_epoch);

  status = g_test_run ();
  test_redis_stop (redis);
  return status;
}
