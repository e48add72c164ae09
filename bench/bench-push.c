/* SPDX-License-Identifier: MIT */
/* bench-push: what held clients cost the server and how fast one publish
 * reaches them all.
 *
 *   bench-push SERVER_URL SERVER_PID poll|sse CLIENTS ROUNDS
 *
 * For each round: CLIENTS long-polls (or event streams) are held and one
 * publish reaches them all; the time from the publish to the last answer
 * is taken. Prints the median, min and max over the rounds, and the
 * server's resident memory per held client in the first round (run it on
 * a fresh server: later rounds reuse memory freed by earlier ones). */
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define PER_SESSION 50

static const char *server_url;
static int server_pid;

static gint64
server_rss_kib (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", server_pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return g_ascii_strtoll (line + 6, NULL, 10);
}

static void
iterate_until (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

static gint64
stat_value (SoupSession *session, const char *name)
{
  g_autofree char *url = g_strconcat (server_url, "/polling/api/v1.0/stats", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autofree char *pattern = g_strdup_printf ("\"%s\":", name);
  const char *found = body ? g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), pattern) : NULL;

  return found ? g_ascii_strtoll (found + strlen (pattern), NULL, 10) : -1;
}

static void
wait_for_stat (SoupSession *session, const char *name, gint64 value)
{
  while (stat_value (session, name) != value)
    {
      gint64 until = g_get_monotonic_time () + 20000;
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
    }
}

static void
publish (SoupSession *session)
{
  g_autofree char *url = g_strconcat (server_url, "/polling/api/v1.0/publish", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  if (soup_message_get_status (msg) != 201)
    g_error ("publish answered %u", soup_message_get_status (msg));
}

typedef struct {
  guint pending;
  gint64 last_done_usec;
  gboolean all_done;
} Round;

static void
on_poll_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Round *round = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  round->last_done_usec = g_get_monotonic_time ();
  if (--round->pending == 0)
    round->all_done = TRUE;
}

typedef struct {
  Round *round;
  GInputStream *stream;
  GString *seen;
  gboolean counted;
} Stream;

static void read_stream (Stream *stream);

static void
on_stream_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Stream *stream = user_data;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (chunk == NULL || g_bytes_get_size (chunk) == 0)
    return;
  g_string_append_len (stream->seen, g_bytes_get_data (chunk, NULL), (gssize) g_bytes_get_size (chunk));
  if (!stream->counted && strstr (stream->seen->str, "event: image") != NULL)
    {
      stream->counted = TRUE;
      stream->round->last_done_usec = g_get_monotonic_time ();
      if (--stream->round->pending == 0)
        stream->round->all_done = TRUE;
      return;
    }
  read_stream (stream);
}

static void
read_stream (Stream *stream)
{
  g_input_stream_read_bytes_async (stream->stream, 4096, G_PRIORITY_DEFAULT, NULL, on_stream_read, stream);
}

static void
on_stream_open (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Stream *stream = user_data;

  stream->stream = soup_session_send_finish (SOUP_SESSION (source), result, NULL);
  if (stream->stream == NULL)
    g_error ("an event stream could not be opened");
  read_stream (stream);
}

static GPtrArray *
new_sessions (int clients)
{
  GPtrArray *sessions = g_ptr_array_new_with_free_func (g_object_unref);

  for (int i = 0; i < clients; i += PER_SESSION)
    g_ptr_array_add (sessions, soup_session_new_with_options ("max-conns", 4 * PER_SESSION,
                                                              "max-conns-per-host", 4 * PER_SESSION,
                                                              "timeout", 0, NULL));
  return sessions;
}

/* Returns the release time in ms; fills the memory per held client. */
static double
round_of (SoupSession *control, int clients, gboolean streams, double *bytes_per_client)
{
  g_autoptr(GPtrArray) sessions = new_sessions (clients);
  g_autofree Stream *stream_state = g_new0 (Stream, clients);
  g_autofree char *poll_url = g_strconcat (server_url, "/polling/api/v1.0/rndimg/poll?timeout=120", NULL);
  g_autofree char *events_url = g_strconcat (server_url, "/polling/api/v1.0/events", NULL);
  Round round = { .pending = (guint) clients };
  gint64 rss_before = server_rss_kib (), rss_after, published;

  for (int i = 0; i < clients; i++)
    {
      SoupSession *session = g_ptr_array_index (sessions, i / PER_SESSION);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", streams ? events_url : poll_url);

      if (streams)
        {
          stream_state[i] = (Stream) { &round, NULL, g_string_new (NULL), FALSE };
          soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_stream_open, &stream_state[i]);
        }
      else
        soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_poll_done, &round);
    }
  wait_for_stat (control, streams ? "open_streams" : "waiting_polls", clients);
  rss_after = server_rss_kib ();
  *bytes_per_client = (double) (rss_after - rss_before) * 1024.0 / clients;

  published = g_get_monotonic_time ();
  publish (control);
  iterate_until (&round.all_done);

  for (int i = 0; streams && i < clients; i++)
    {
      g_clear_object (&stream_state[i].stream);
      g_string_free (stream_state[i].seen, TRUE);
    }
  g_ptr_array_set_size (sessions, 0);
  wait_for_stat (control, streams ? "open_streams" : "waiting_polls", 0);
  return (double) (round.last_done_usec - published) / 1000.0;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values, int count)
{
  qsort (values, (size_t) count, sizeof *values, compare_doubles);
  return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static void
measure (SoupSession *control, int clients, int rounds, gboolean streams)
{
  g_autofree double *times = g_new (double, rounds);
  double first_round_memory = 0, memory;

  for (int r = 0; r < rounds; r++)
    {
      times[r] = round_of (control, clients, streams, &memory);
      if (r == 0)
        first_round_memory = memory;
    }
  qsort (times, (size_t) rounds, sizeof *times, compare_doubles);
  printf ("%-9s clients=%d rounds=%d  publish->all answered: median %.1f ms (min %.1f, max %.1f)"
          "  server memory per held client: %.0f bytes\n",
          streams ? "sse" : "long-poll", clients, rounds, median (times, rounds), times[0], times[rounds - 1],
          first_round_memory);
}

int
main (int argc, char **argv)
{
  g_autoptr(SoupSession) control = soup_session_new ();
  struct rlimit limit;

  if (argc != 6 || (strcmp (argv[3], "poll") != 0 && strcmp (argv[3], "sse") != 0))
    {
      fprintf (stderr, "usage: bench-push SERVER_URL SERVER_PID poll|sse CLIENTS ROUNDS\n");
      return 2;
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  server_url = argv[1];
  server_pid = atoi (argv[2]);
  measure (control, atoi (argv[4]), atoi (argv[5]), strcmp (argv[3], "sse") == 0);
  return 0;
}
