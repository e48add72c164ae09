/* SPDX-License-Identifier: MIT */
/* The broker contract: what every RndimgBroker must do, whatever keeps
 * its events. Written once; each implementation registers itself in
 * main() with a function that makes a fresh broker keeping 3 events: the
 * memory broker, and the Redis broker on a real redis-server (flushed
 * before each case). Then what only a shared broker does: several nodes
 * on one Redis, Redis going away and coming back. */
#include "rndimg-broker.h"
#include "rndimg-history-file.h"
#include "rndimg-history-saver.h"
#include "rndimg-memory-broker.h"
#include "rndimg-redis-broker.h"
#include "redis-fixture.h"

#include <glib/gstdio.h>
#include <string.h>

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
  event = rndimg_broker_publish_finish (fixture->broker, wait_result (&result), NULL, &error);
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

  rndimg_broker_history_async (fixture->broker, since, NULL, NULL, on_result, &result);
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

static gint64
missed_for (Fixture *fixture, gint64 since, const char *const *albums)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 missed = -1;

  rndimg_broker_history_async (fixture->broker, since, albums, NULL, on_result, &result);
  events = rndimg_broker_history_finish (fixture->broker, wait_result (&result), &missed, &error);
  g_assert_no_error (error);
  return missed;
}

/* The events gone are counted per album (a sub-album's in its parent's). */
static void
test_history_counts_missed_per_album (Fixture *fixture, gconstpointer kind)
{
  static const char *const names[] = {
    "dogs/a.png", "cats/b.png", "dogs/puppies/c.png", "top.png", "top.png", "top.png", "top.png",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    rndimg_event_unref (publish (fixture, names[i], "api"));
  /* Three kept (5, 6, 7): 1 to 4 are gone. */
  g_assert_cmpint (missed_for (fixture, 0, NULL), ==, 4);
  g_assert_cmpint (missed_for (fixture, 0, (const char *const[]) { "dogs", NULL }), ==, 2);
  g_assert_cmpint (missed_for (fixture, 0, (const char *const[]) { "dogs/puppies", NULL }), ==, 1);
  g_assert_cmpint (missed_for (fixture, 0, (const char *const[]) { "cats", "dogs", NULL }), ==, 3);
  g_assert_cmpint (missed_for (fixture, 0, (const char *const[]) { "birds", NULL }), ==, 0);
  g_assert_cmpint (missed_for (fixture, 1, (const char *const[]) { "dogs", NULL }), ==, 1);
  g_assert_cmpint (missed_for (fixture, 4, (const char *const[]) { "dogs", NULL }), ==, 0);
}

static gboolean
describe_fake (const char *name, GString *members, gpointer user_data)
{
  g_string_append_printf (members, ",\"described\":\"%s\"", name);
  return TRUE;
}

static char *
url_path_fake (const char *name, gpointer user_data)
{
  return g_strconcat ("/at/", name, NULL);
}

/* What the describer writes is in every event handed out: the publish
 * answer, the signal's, the history's. */
static void
test_events_described (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgEvent) event = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *json = NULL;
  g_autofree char *replayed = NULL;
  gint64 missed;

  rndimg_broker_set_describer (fixture->broker, describe_fake, url_path_fake, NULL);
  event = publish (fixture, "dogs/a.png", "api");
  json = rndimg_event_to_json (event, "http://h", 0);
  g_assert_nonnull (strstr (json, "\"described\":\"dogs/a.png\""));
  g_assert_nonnull (strstr (json, "\"url\":\"http://h/at/dogs/a.png\""));
  events = history (fixture, 0, &missed);
  replayed = rndimg_event_to_json (g_ptr_array_index (events, 0), "http://h", 0);
  g_assert_nonnull (strstr (replayed, "\"described\":\"dogs/a.png\""));
}

/* Publishes 01.png with key @record, request @fingerprint. */
static RndimgEvent *
publish_keyed (Fixture *fixture, const char *record, const char *fingerprint, gboolean *replayed, GError **error)
{
  RndimgPublishKey key = { (char *) record, (char *) fingerprint };
  RndimgEventChange change = { .kind = RNDIMG_EVENT_PUBLISHED, .name = "01.png", .source = "api" };
  g_autoptr(GAsyncResult) result = NULL;

  rndimg_broker_publish_with_key_async (fixture->broker, &change, &key, NULL, on_result, &result);
  return rndimg_broker_publish_finish (fixture->broker, wait_result (&result), replayed, error);
}

/* A key publishes once: the same request again gets its event (replayed,
 * nothing told), another request with it an error, another key anew. */
static void
test_publish_key_publishes_once (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgEvent) first = NULL;
  g_autoptr(RndimgEvent) again = NULL;
  g_autoptr(RndimgEvent) reused = NULL;
  g_autoptr(RndimgEvent) other = NULL;
  gboolean replayed = TRUE;

  first = publish_keyed (fixture, "key-one", "request-a", &replayed, &error);
  g_assert_no_error (error);
  g_assert_false (replayed);
  again = publish_keyed (fixture, "key-one", "request-a", &replayed, &error);
  g_assert_no_error (error);
  g_assert_true (replayed);
  g_assert_cmpint (again->id, ==, first->id);
  g_assert_cmpstr (again->published_at, ==, first->published_at);
  reused = publish_keyed (fixture, "key-one", "request-b", &replayed, &error);
  g_assert_error (error, RNDIMG_BROKER_ERROR, RNDIMG_BROKER_ERROR_KEY_REUSED);
  g_assert_null (reused);
  g_clear_error (&error);
  other = publish_keyed (fixture, "key-two", "request-a", &replayed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (other->id, ==, first->id + 1);
  g_assert_cmpuint (fixture->heard->len, ==, 2);
}

static void
on_synced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rndimg_broker_sync_finish (RNDIMG_BROKER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* A sync answers once the history holds what was published before it. */
static void
test_sync_holds_what_was_published (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgEvent) event = publish (fixture, "01.png", "api");
  gboolean synced = FALSE;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  rndimg_broker_sync_async (fixture->broker, NULL, on_synced, &synced);
  while (!synced && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (synced);
  g_assert_cmpint (rndimg_broker_get_newest_id (fixture->broker), >=, event->id);
  g_assert_true (rndimg_broker_is_current (fixture->broker));
}

static const struct {
  const char *name;
  void (*func) (Fixture *fixture, gconstpointer kind);
} contract[] = {
  { "publish-key-publishes-once", test_publish_key_publishes_once },
  { "sync-holds-what-was-published", test_sync_holds_what_was_published },
  { "history-counts-missed-per-album", test_history_counts_missed_per_album },
  { "events-described", test_events_described },
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

/* ---- what only the memory broker does ---- */

static void
run_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}


/* Publishes 01.png at once with key @record, request @fingerprint. */
static RndimgEvent *
publish_now_keyed (Fixture *fixture, const char *record, const char *fingerprint, gboolean *replayed,
                   GError **error)
{
  RndimgPublishKey key = { (char *) record, (char *) fingerprint };
  RndimgEventChange change = { .kind = RNDIMG_EVENT_PUBLISHED, .name = "01.png", .source = "api" };

  return rndimg_broker_publish_now (fixture->broker, &change, &key, replayed, error);
}

/* A publish answered in the call (no main-loop pass) is the same publish:
 * subscribers told before it returns, the key kept, the event described. */
static void
test_publish_now_is_a_publish (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgEvent) first = NULL;
  g_autoptr(RndimgEvent) again = NULL;
  g_autoptr(RndimgEvent) reused = NULL;
  g_autoptr(RndimgEvent) queued = NULL;
  gboolean replayed = TRUE;

  g_assert_true (rndimg_broker_can_publish_now (fixture->broker));
  first = publish_now_keyed (fixture, "key-one", "request-a", &replayed, &error);
  g_assert_no_error (error);
  g_assert_false (replayed);
  g_assert_cmpint (first->id, ==, 1);
  g_assert_cmpuint (fixture->heard->len, ==, 1);   /* in the call */
  again = publish_now_keyed (fixture, "key-one", "request-a", &replayed, &error);
  g_assert_no_error (error);
  g_assert_true (replayed);
  g_assert_cmpint (again->id, ==, first->id);
  reused = publish_now_keyed (fixture, "key-one", "request-b", &replayed, &error);
  g_assert_error (error, RNDIMG_BROKER_ERROR, RNDIMG_BROKER_ERROR_KEY_REUSED);
  g_assert_null (reused);
  /* And the asynchronous publish continues the same ids. */
  queued = publish (fixture, "02.png", "api");
  g_assert_cmpint (queued->id, ==, 2);
  g_assert_cmpuint (fixture->heard->len, ==, 2);
}

static RndimgBroker *
memory_broker_in (const char *path)
{
  return rndimg_memory_broker_new_with_state (HISTORY_LENGTH, path);
}

/* What the lazy save (a thread of its own) writes is read back whole by
 * the next start, a change's every field with it, awkward text included. */
static void
test_state_file_keeps_changes (void)
{
  g_autofree char *folder = g_dir_make_tmp ("rndimg-state-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "history.json", NULL);
  g_autoptr(RndimgBroker) broker = memory_broker_in (path);
  g_autoptr(RndimgBroker) restarted = NULL;
  RndimgEventChange moved = {
    .kind = RNDIMG_EVENT_MOVED, .name = "dogs/\"new\"\tname.png", .from = "cats/old\\name.png",
    .source = "api", .is_private = TRUE, .from_private = FALSE, .payload = "{\"size\":[1,2],\"note\":\"\u00e9\"}",
  };
  RndimgEventChange album = { .kind = RNDIMG_EVENT_ALBUM_CHANGED, .album = "dogs", .source = "api" };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  RndimgEvent *read;
  gint64 missed = -1;

  g_autoptr(RndimgEvent) plain = rndimg_broker_publish_now (broker, &(RndimgEventChange) {
      .kind = RNDIMG_EVENT_PUBLISHED, .name = "01.png", .source = "timer" }, NULL, NULL, &error);
  g_autoptr(RndimgEvent) first = rndimg_broker_publish_now (broker, &moved, NULL, NULL, &error);
  g_autoptr(RndimgEvent) second = rndimg_broker_publish_now (broker, &album, NULL, NULL, &error);
  g_assert_no_error (error);
  run_for (500);   /* the lazy save is written by now; the broker still runs */

  restarted = memory_broker_in (path);
  g_assert_cmpstr (rndimg_broker_get_epoch (restarted), ==, rndimg_broker_get_epoch (broker));
  rndimg_broker_history_async (restarted, 0, NULL, NULL, on_result, &result);
  events = rndimg_broker_history_finish (restarted, wait_result (&result), &missed, &error);
  g_assert_no_error (error);
  assert_ids (events, 1, 3);
  read = g_ptr_array_index (events, 0);
  g_assert_cmpstr (read->name, ==, "01.png");
  g_assert_cmpstr (read->source, ==, "timer");
  g_assert_cmpstr (read->published_at, ==, plain->published_at);
  read = g_ptr_array_index (events, 1);
  g_assert_cmpint (read->kind, ==, RNDIMG_EVENT_MOVED);
  g_assert_cmpstr (read->name, ==, moved.name);
  g_assert_cmpstr (read->from, ==, moved.from);
  g_assert_cmpstr (read->payload, ==, moved.payload);
  g_assert_true (read->is_private);
  g_assert_false (read->from_private);
  read = g_ptr_array_index (events, 2);
  g_assert_cmpint (read->kind, ==, RNDIMG_EVENT_ALBUM_CHANGED);
  g_assert_cmpstr (read->album_name, ==, "dogs");
  g_clear_object (&restarted);
  g_clear_object (&broker);
  g_remove (path);
  g_rmdir (folder);
}

/* A lazy save still being written when a durable one (more ids reserved)
 * is made never lands over it: the file keeps the newer reservation. */
static void
test_late_save_never_overwrites_newer (void)
{
  g_autofree char *folder = g_dir_make_tmp ("rndimg-state-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "history.json", NULL);
  g_autoptr(RndimgHistorySaver) saver = rndimg_history_saver_new (path);
  g_autofree char *epoch = NULL;
  g_autoptr(GError) error = NULL;
  GQueue events = G_QUEUE_INIT;
  GQueue read = G_QUEUE_INIT;
  gint64 newest_id = 0;

  /* Enough events that the thread is still writing when the durable save comes. */
  for (int i = 1; i <= 20000; i++)
    g_queue_push_tail (&events, rndimg_event_new (i, "01.png", "api"));
  for (int round = 0; round < 5; round++)
    {
      rndimg_history_saver_save_soon (saver, "0123456789abcdef", 20000, &events);
      g_assert_true (rndimg_history_saver_save_now (saver, "0123456789abcdef", 21024 + round, &events, &error));
      g_assert_no_error (error);
      run_for (300);
      g_assert_true (rndimg_history_file_load (path, &epoch, &newest_id, &read, &error));
      g_assert_no_error (error);
      g_assert_cmpint (newest_id, ==, 21024 + round);
      g_queue_clear_full (&read, (GDestroyNotify) rndimg_event_unref);
      g_clear_pointer (&epoch, g_free);
    }
  g_queue_clear_full (&events, (GDestroyNotify) rndimg_event_unref);
  g_remove (path);
  g_rmdir (folder);
}

/* ---- the Redis broker ---- */

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
  g_autoptr(RndimgEvent) event = rndimg_broker_publish_finish (RNDIMG_BROKER (source), result, NULL, NULL);

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
  event = rndimg_broker_publish_finish (broker, wait_result (&result), NULL, &error);
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

/* ---- ids after Redis lost everything ---- */

static void
flush_redis (void)
{
  g_autofree char *flushed = test_redis_command (redis, "FLUSHALL");

  g_assert_cmpstr (flushed, ==, "OK");
}

static gboolean
counter_is (gpointer wanted)
{
  g_autofree char *counter = test_redis_command (redis, "HGET rndimg:meta s");

  return g_strcmp0 (counter, wanted) == 0;
}

static void
wait_counter (const char *wanted)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!counter_is ((gpointer) wanted))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      run_for (20);
    }
}

/* Every node that knew the ids is gone with Redis's data; a node that
 * never saw an id publishes first: it starts above the id a client
 * resumed from on it, under a new epoch. */
static void
test_flushed_new_node_takes_client_id (Fixture *fixture, gconstpointer kind)
{
  g_autofree char *epoch = NULL;
  g_autoptr(RndimgEvent) first = NULL;

  for (int i = 0; i < 3; i++)
    rndimg_event_unref (publish (fixture, "01.png", "api"));
  epoch = g_strdup (rndimg_broker_get_epoch (fixture->broker));
  g_object_unref (fixture->broker);
  flush_redis ();
  fixture->broker = make_node (HISTORY_LENGTH);
  /* A client of the old history resumes on the new node. */
  rndimg_broker_resume_point (fixture->broker, 3, epoch);
  first = publish (fixture, "02.png", "api");
  g_assert_cmpint (first->id, ==, 4);
  g_assert_cmpstr (first->epoch, !=, epoch);
}

/* Redis flushed under a running node: that node puts the counter back
 * within a second, so a node that never saw an id continues the ids. */
static void
test_flushed_under_running_node (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgBroker) newcomer = NULL;
  g_autoptr(RndimgEvent) event = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  for (int i = 0; i < 3; i++)
    rndimg_event_unref (publish (fixture, "01.png", "api"));
  flush_redis ();
  wait_counter ("3");
  newcomer = make_node (HISTORY_LENGTH);
  rndimg_broker_publish_async (newcomer, "02.png", "api", NULL, on_result, &result);
  wait_result (&result);
  wait_heard (fixture->heard, 4);
  event = rndimg_event_ref (g_ptr_array_index (fixture->heard, 3));
  g_assert_cmpint (event->id, ==, 4);
  g_assert_cmpstr (event->epoch, ==, rndimg_broker_get_epoch (fixture->broker));
}

/* A node restarted after Redis lost everything reads the newest id it saw
 * from its state file and continues from there. */
static void
test_restarted_node_keeps_ids_on_disk (Fixture *fixture, gconstpointer kind)
{
  g_autofree char *folder = g_dir_make_tmp ("rndimg-state-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "node.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgEvent) event = NULL;
  RndimgBroker *restarted;

  rndimg_redis_broker_set_state_file (RNDIMG_REDIS_BROKER (fixture->broker), path);
  for (int i = 0; i < 3; i++)
    rndimg_event_unref (publish (fixture, "01.png", "api"));
  g_object_unref (fixture->broker);   /* saves */
  flush_redis ();
  restarted = rndimg_redis_broker_new (redis->url, HISTORY_LENGTH, &error);
  g_assert_no_error (error);
  rndimg_redis_broker_set_state_file (RNDIMG_REDIS_BROKER (restarted), path);
  wait_for (is_ready, restarted, TRUE);
  fixture->broker = restarted;
  event = publish (fixture, "02.png", "api");
  g_assert_cmpint (event->id, ==, 4);
  g_unlink (path);
  g_rmdir (folder);
}

/* ---- pictures ---- */

/* What a node's picture store would do, written down. */
typedef struct {
  RndimgRedisBroker *broker;
  GPtrArray *log;            /* "fetched NAME", "published NAME", "share NAME" */
  GHashTable *fetched;       /* name -> GBytes */
  gboolean has_every_picture;
} Pictures;

static gboolean
pictures_missing (const char *name, gpointer user_data)
{
  Pictures *pictures = user_data;

  return !pictures->has_every_picture && !g_hash_table_contains (pictures->fetched, name);
}

static void
pictures_fetched (const char *name, GBytes *bytes, gpointer user_data)
{
  Pictures *pictures = user_data;

  g_ptr_array_add (pictures->log, g_strconcat ("fetched ", name, NULL));
  g_hash_table_insert (pictures->fetched, g_strdup (name), g_bytes_ref (bytes));
}

static void
pictures_share (const char *name, gpointer user_data)
{
  Pictures *pictures = user_data;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("shared", 6);

  g_ptr_array_add (pictures->log, g_strconcat ("share ", name, NULL));
  rndimg_redis_broker_put_picture (pictures->broker, name, bytes);
}

static const RndimgRedisPictureHooks picture_hooks = {
  .missing = pictures_missing, .fetched = pictures_fetched, .share = pictures_share,
};

static void
log_published (RndimgBroker *broker, RndimgEvent *event, gpointer user_data)
{
  Pictures *pictures = user_data;

  g_ptr_array_add (pictures->log, g_strconcat ("published ", event->name, NULL));
}

static Pictures *
pictures_new (RndimgBroker *broker, gboolean has_every_picture)
{
  Pictures *pictures = g_new0 (Pictures, 1);

  pictures->broker = RNDIMG_REDIS_BROKER (broker);
  pictures->log = g_ptr_array_new_with_free_func (g_free);
  pictures->fetched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  pictures->has_every_picture = has_every_picture;
  rndimg_redis_broker_set_picture_hooks (pictures->broker, &picture_hooks, pictures);
  g_signal_connect (broker, "published", G_CALLBACK (log_published), pictures);
  return pictures;
}

static void
pictures_free (Pictures *pictures)
{
  rndimg_redis_broker_set_picture_hooks (pictures->broker, NULL, NULL);
  g_signal_handlers_disconnect_by_data (pictures->broker, pictures);
  g_ptr_array_unref (pictures->log);
  g_hash_table_unref (pictures->fetched);
  g_free (pictures);
}

static void
assert_log (Pictures *pictures, const char *const *expected)
{
  guint count = g_strv_length ((char **) expected);

  g_assert_cmpuint (pictures->log->len, ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpstr (g_ptr_array_index (pictures->log, i), ==, expected[i]);
}

static void
put (RndimgBroker *broker, const char *name, const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  rndimg_redis_broker_put_picture (RNDIMG_REDIS_BROKER (broker), name, bytes);
}

/* A node that lacks the picture of an event fetches it before it tells
 * anyone of the event; one Redis does not have goes out all the same. */
static void
test_picture_fetched_before_event_told (Fixture *fixture, gconstpointer kind)
{
  g_autoptr(RndimgBroker) other = make_node (HISTORY_LENGTH);
  Pictures *pictures = pictures_new (other, FALSE);
  GBytes *bytes;

  put (fixture->broker, "up.png", "the bytes");
  rndimg_event_unref (publish (fixture, "up.png", "upload"));
  rndimg_event_unref (publish (fixture, "nowhere.png", "api"));
  wait_heard (pictures->log, 3);
  assert_log (pictures, (const char *const[]) { "fetched up.png", "published up.png", "published nowhere.png", NULL });
  bytes = g_hash_table_lookup (pictures->fetched, "up.png");
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "the bytes", 9);
  pictures_free (pictures);
}

/* Publishing a picture Redis does not have puts it first (once). */
static void
test_publish_puts_missing_picture (Fixture *fixture, gconstpointer kind)
{
  Pictures *pictures = pictures_new (fixture->broker, TRUE);
  g_autofree char *stored = NULL;
  g_autofree char *expiry = NULL;

  rndimg_event_unref (publish (fixture, "kept.png", "timer"));
  rndimg_event_unref (publish (fixture, "kept.png", "timer"));
  assert_log (pictures, (const char *const[]) { "share kept.png", "published kept.png", "published kept.png", NULL });
  stored = test_redis_command (redis, "GET rndimg:picture:kept.png");
  g_assert_cmpstr (stored, ==, "shared");
  expiry = test_redis_command (redis, "PTTL rndimg:picture:kept.png");
  g_assert_cmpstr (expiry, ==, "-1");
  pictures_free (pictures);
}

static gboolean
picture_stored (const char *name)
{
  g_autofree char *exists = test_redis_command (redis, "EXISTS rndimg:picture:%s", name);

  return g_strcmp0 (exists, "1") == 0;
}

/* A picture stays in Redis while an event of the stream (3 long) names
 * it; one whose publish never came expires. */
static void
test_pictures_last_as_long_as_their_events (Fixture *fixture, gconstpointer kind)
{
  g_autofree char *count = NULL;
  g_autofree char *expiry = NULL;
  gint64 ms;

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%d.png", i);

      put (fixture->broker, name, name);
      rndimg_event_unref (publish (fixture, name, "upload"));
    }
  /* Ids 1-5: the stream holds 3-5. */
  g_assert_false (picture_stored ("p0.png"));
  g_assert_false (picture_stored ("p1.png"));
  g_assert_true (picture_stored ("p2.png"));
  /* Named again (6): p2 stays although event 3 leaves; p3 (4) stays. */
  rndimg_event_unref (publish (fixture, "p2.png", "timer"));
  g_assert_true (picture_stored ("p2.png"));
  g_assert_true (picture_stored ("p3.png"));
  rndimg_event_unref (publish (fixture, "01.png", "api"));
  g_assert_false (picture_stored ("p3.png"));
  g_assert_true (picture_stored ("p4.png"));
  count = test_redis_command (redis, "ZCARD rndimg:pictures");
  g_assert_cmpstr (count, ==, "3");
  put (fixture->broker, "orphan.png", "never published");
  while (!picture_stored ("orphan.png"))
    run_for (10);
  expiry = test_redis_command (redis, "PTTL rndimg:picture:orphan.png");
  ms = g_ascii_strtoll (expiry, NULL, 10);
  g_assert_cmpint (ms, >, 0);
  g_assert_cmpint (ms, <=, 3600 * 1000);
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
  g_test_add ("/broker/memory/publish-now-is-a-publish", Fixture, &memory_broker, fixture_set_up,
              test_publish_now_is_a_publish, fixture_tear_down);
  g_test_add_func ("/broker/memory/state-file-keeps-changes", test_state_file_keeps_changes);
  g_test_add_func ("/broker/memory/late-save-never-overwrites-newer", test_late_save_never_overwrites_newer);
  add_redis_case ("second-node-hears-first", test_second_node_hears_first);
  add_redis_case ("ids-increase-across-nodes", test_ids_increase_across_nodes);
  add_redis_case ("redis-down-and-back", test_redis_down_and_back);
  add_redis_case ("redis-flushed-is-new-epoch", test_redis_flushed_is_new_epoch);
  add_redis_case ("flushed-new-node-takes-client-id", test_flushed_new_node_takes_client_id);
  add_redis_case ("flushed-under-running-node", test_flushed_under_running_node);
  add_redis_case ("restarted-node-keeps-ids-on-disk", test_restarted_node_keeps_ids_on_disk);
  add_redis_case ("picture-fetched-before-event-told", test_picture_fetched_before_event_told);
  add_redis_case ("publish-puts-missing-picture", test_publish_puts_missing_picture);
  add_redis_case ("pictures-last-as-long-as-their-events", test_pictures_last_as_long_as_their_events);

  status = g_test_run ();
  test_redis_stop (redis);
  return status;
}
