/* SPDX-License-Identifier: MIT */
/* The push suites' fixture and helpers (see push-fixture.h). */
#include "push-fixture.h"

#include <string.h>

SoupSession *
new_async_session (void)
{
  return soup_session_new_with_options ("max-conns", 4000, "max-conns-per-host", 4000,
                                        "timeout", 0, NULL);
}

void
fixture_start (Fixture *fixture, const char *const *extra_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  fixture->folder = test_make_image_folder (5);
  g_ptr_array_add (args, g_strconcat ("--images=", fixture->folder, NULL));
  g_ptr_array_add (args, g_strdup ("--interval=0"));
  for (; extra_args != NULL && *extra_args != NULL; extra_args++)
    g_ptr_array_add (args, g_strdup (*extra_args));
  g_ptr_array_add (args, NULL);
  fixture->server = test_server_start_argv ((const char *const *) args->pdata);
}

void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->session = soup_session_new ();
  fixture->async_session = new_async_session ();
  fixture_start (fixture, data);
}

void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->async_session);
  g_object_unref (fixture->session);
  if (fixture->server != NULL)
    test_server_stop (fixture->server);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

TestPending *
poll_async (Fixture *fixture, const char *query)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/rndimg/poll", query, NULL);

  return test_request_async (fixture->async_session, "GET", url, NULL);
}

typedef struct {
  Fixture *fixture;
  const char *stat;
  gint64 value;
  gint64 last_check_usec;
} StatWait;

/* Asks the server at most every 20 ms, however busy the loop is. */
static gboolean
stat_reached (gpointer user_data)
{
  StatWait *wait = user_data;
  gint64 now = g_get_monotonic_time ();

  if (now - wait->last_check_usec < 20000)
    return FALSE;
  wait->last_check_usec = now;
  return test_server_stat (wait->fixture->server, wait->fixture->session, wait->stat) == wait->value;
}

void
assert_stat_becomes (Fixture *fixture, const char *stat, gint64 value, guint timeout_ms)
{
  StatWait wait = { fixture, stat, value, 0 };

  g_assert_true (test_wait_until (stat_reached, &wait, timeout_ms));
}

void
wait_done (TestPending *pending, guint timeout_ms)
{
  g_assert_true (test_wait_until (test_pending_is_done, pending, timeout_ms));
}

void
assert_event (JsonObject *event, gint64 id, const char *source)
{
  g_assert_cmpstr (json_object_get_string_member (event, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (event, "id"), ==, id);
  if (source != NULL)
    g_assert_cmpstr (json_object_get_string_member (event, "source"), ==, source);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (event, "message"),
                                   json_object_get_string_member (event, "name")));
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$",
                                       json_object_get_string_member (event, "published_at"), 0, 0));
}

JsonObject *
poll_now (Fixture *fixture, const char *query)
{
  g_autoptr(TestPending) poll = poll_async (fixture, query);

  wait_done (poll, 2000);
  test_assert_status (poll, 200);
  return test_pending_json (poll);
}

TestEventStream *
open_events (Fixture *fixture, const char *query, const char *last_event_id)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/events", query, NULL);

  return test_event_stream_open (fixture->async_session, url, last_event_id);
}

guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;

  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

GBytes *
read_source_image (const char *name)
{
  g_autofree char *path = test_source_image (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);

  g_assert_no_error (error);
  return g_mapped_file_get_bytes (file);
}
