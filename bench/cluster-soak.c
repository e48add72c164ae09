/* SPDX-License-Identifier: MIT */
/* bench/cluster-soak: the memory of two nodes under event traffic and
 * faults, for as long as asked (issue 33, point 4). Redis and the nodes
 * are the fault suites' (tests/fault-fixture.c: each node's link to Redis
 * through a TCP proxy this program pauses); the server is $RNDIMG_SERVER
 * (bench/cluster-soak.sh builds a release one, or wraps it in valgrind's
 * massif). Every second node A gets ten publishes, not waited for (a
 * third of them with an Idempotency-Key, and one key retried), followers of the three kinds come
 * and go on both nodes, resuming from their last id; every 30 s node A's
 * link is paused for 3 s, every 45 s node B's; with --uploads, node A
 * also takes an upload a second (the catalogue grows: that memory is the
 * pictures'). Every --sample seconds a line: seconds, events, then each
 * node's VmRSS and RssAnon in KiB, and the publishes not answered yet. */
#include "fault-fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOLLOWERS_PER_NODE 30
#define CHURN_PER_SECOND 3

static gint64
status_kib (TestServer *server, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (server->process));
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, field)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

static GBytes *
distinct_png (guint n)
{
  g_autofree char *source = test_source_image ("042.png");
  g_autofree char *data = NULL;
  gsize length = 0;
  GByteArray *bytes = g_byte_array_new ();

  g_assert_true (g_file_get_contents (source, &data, &length, NULL));
  g_byte_array_append (bytes, (const guint8 *) data, (guint) length);
  g_byte_array_append (bytes, (const guint8 *) &n, sizeof n);
  return g_byte_array_free_to_bytes (bytes);
}

typedef struct {
  Faults *faults;
  GPtrArray *followers[2];      /* Follower, per node */
  GPtrArray *pending;           /* TestPending: publishes not answered yet */
  SoupSession *publisher;       /* its own connections, and a time limit */
  guint published;
  guint keys;
  guint uploads;
} Soak;

static Follower *
new_follower (Soak *soak, guint node, gint64 since)
{
  g_autofree char *base = faults_url (soak->faults, node, "");
  const char *bases[] = { base, NULL };

  return follower_new (soak->faults, (FollowKind) g_random_int_range (0, 3), bases,
                       g_random_boolean () ? NULL : "album=dogs", since);
}

/* Answers that came in: counted, let go. */
static void
collect (Soak *soak)
{
  for (guint i = soak->pending->len; i > 0; i--)
    {
      TestPending *pending = g_ptr_array_index (soak->pending, i - 1);

      if (!pending->done)
        continue;
      if (pending->status == 201)
        soak->published++;
      g_ptr_array_remove_index_fast (soak->pending, i - 1);
    }
}

static void
publish_async (Soak *soak, const char *url, const char *key)
{
  const char *headers[] = { "Idempotency-Key", key, NULL };

  g_ptr_array_add (soak->pending, test_request_async (soak->publisher, "POST", url, key != NULL ? headers : NULL));
}

/* A second's publishes, not waited for (a paused link holds them 2 s). */
static void
publish_second (Soak *soak, gboolean uploads)
{
  g_autofree char *url = faults_url (soak->faults, 0, API "/publish");

  collect (soak);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *key = i % 3 == 0 ? g_strdup_printf ("\"soak-%u\"", soak->keys++) : NULL;

      publish_async (soak, url, key);
    }
  if (soak->keys > 0)
    {
      g_autofree char *again = g_strdup_printf ("\"soak-%u\"", soak->keys - 1);

      publish_async (soak, url, again);
    }
  if (uploads)
    {
      g_autofree char *upload_url = faults_url (soak->faults, 0, API "/images");
      g_autoptr(GBytes) png = distinct_png (soak->uploads++);
      g_auto(TestResponse) response = { 0 };

      test_post (soak->faults->session, upload_url, png, "image/png", &response);
    }
}

/* Some followers leave; as many come, resuming where the leavers were. */
static void
churn (Soak *soak)
{
  for (guint node = 0; node < 2; node++)
    for (int i = 0; i < CHURN_PER_SECOND; i++)
      {
        GPtrArray *followers = soak->followers[node];
        guint leaving = (guint) g_random_int_range (0, (gint32) followers->len);
        GArray *ids = follower_ids (g_ptr_array_index (followers, leaving));
        gint64 since = ids->len > 0 ? g_array_index (ids, gint64, ids->len - 1) : -1;

        g_ptr_array_remove_index_fast (followers, leaving);
        g_ptr_array_add (followers, new_follower (soak, node, since));
      }
}

static void
sample (Soak *soak, gint64 started)
{
  TestServer *a = soak->faults->nodes[0], *b = soak->faults->nodes[1];

  g_print ("%" G_GINT64_FORMAT "\t%u\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT
           "\t%" G_GINT64_FORMAT "\t%u\n", (g_get_monotonic_time () - started) / G_USEC_PER_SEC, soak->published,
           status_kib (a, "VmRSS:"), status_kib (a, "RssAnon:"), status_kib (b, "VmRSS:"),
           status_kib (b, "RssAnon:"), soak->pending->len);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  static const FaultSetup setup = { .nodes = 2, .albums = TRUE };
  gint64 seconds = 600, every = 10;
  gboolean uploads = FALSE;
  Faults faults = { 0 };
  Soak soak = { .faults = &faults };
  gint64 started;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--seconds") && i + 1 < argc)
        seconds = g_ascii_strtoll (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--sample") && i + 1 < argc)
        every = g_ascii_strtoll (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--uploads"))
        uploads = TRUE;
      else
        {
          g_printerr ("usage: %s [--seconds N] [--sample N] [--uploads]\n", argv[0]);
          return 2;
        }
    }
  every = MAX (every, 1);
  test_raise_fd_limit ();
  soak.pending = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  soak.publisher = soup_session_new_with_options ("timeout", 15, "max-conns", 64, "max-conns-per-host", 64, NULL);
  faults_set_up (&faults, &setup);
  for (guint node = 0; node < 2; node++)
    {
      soak.followers[node] = g_ptr_array_new_with_free_func ((GDestroyNotify) follower_free);
      for (int i = 0; i < FOLLOWERS_PER_NODE; i++)
        g_ptr_array_add (soak.followers[node], new_follower (&soak, node, -1));
    }
  g_print ("seconds\tevents\ta_rss_kib\ta_anon_kib\tb_rss_kib\tb_anon_kib\tpending\n");
  started = g_get_monotonic_time ();
  for (gint64 second = 0; second < seconds; second++)
    {
      gint64 next = started + (second + 1) * G_USEC_PER_SEC;

      if (second % 30 == 10)
        test_proxy_pause (faults.proxies[0]);
      if (second % 30 == 13)
        test_proxy_resume (faults.proxies[0]);
      if (second % 45 == 20)
        test_proxy_pause (faults.proxies[1]);
      if (second % 45 == 23)
        test_proxy_resume (faults.proxies[1]);
      publish_second (&soak, uploads);
      churn (&soak);
      if (second % every == 0)
        sample (&soak, started);
      while (g_get_monotonic_time () < next)
        test_run_for (50);
    }
  sample (&soak, started);
  for (guint node = 0; node < 2; node++)
    g_ptr_array_unref (soak.followers[node]);
  test_run_for (3000);
  collect (&soak);
  g_ptr_array_unref (soak.pending);
  g_object_unref (soak.publisher);
  test_proxy_resume (faults.proxies[0]);
  test_proxy_resume (faults.proxies[1]);
  faults_tear_down (&faults, &setup);
  return 0;
}
