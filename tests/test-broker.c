/* SPDX-License-Identifier: MIT */
/* The broker contract: what every RndimgBroker must do, whatever keeps
 * its events. Written once; each implementation registers itself in
 * main() with a function that makes a fresh broker keeping 3 events. */
#include "rndimg-broker.h"
#include "rndimg-memory-broker.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_contract (&memory_broker);

  return g_test_run ();
}
