/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/rndimg/poll?since=ID&timeout=SECONDS
 *
 * A long-poll subscriber: answered by the first event after `since` (from
 * history when the client is behind), or 204 at its timeout or shutdown.
 * A held request costs no CPU and little memory: its connection is taken
 * from its executor at once (libsoup's state for it goes, if libsoup read
 * it), and the answer is written by us in one send, of bytes shared by
 * every client with the same head (rndimg-taken-answer.c);
 * after the fan-out the request is reported and a keep-alive connection
 * goes back to the hot path for the next request. */
#include "rndimg-long-poll.h"
#include "rndimg-connection.h"
#include "rndimg-deadlines.h"
#include "rndimg-event-id.h"
#include "rndimg-frame-writer.h"
#include "rndimg-http.h"
#include "rndimg-taken-answer.h"

#define DEFAULT_TIMEOUT_SECONDS 30
#define MAX_TIMEOUT_SECONDS 300
/* One answer of a few hundred bytes into an idle socket: never reached. */
#define MAX_UNSENT_BYTES (64 * 1024)

typedef struct {
  RndimgSubscriber parent;
  RndimgConnections *connections;   /* borrowed: outlives the registry */
  RndimgDeadlines *deadlines; /* borrowed: the registry's, which outlives finish() (shutdown runs the
                               * connections' later work before the registries go) */
  RndimgDeadline *timeout;    /* NULL once it ran or was cancelled */
  RndimgFrameWriter *writer;  /* the taken connection */
  RndimgTakenHead *head;      /* of the answer, found at hold time; NULL once out of the registry */
  gboolean timed_out;
  /* Set by the answer; the rest is done after the fan-out (finish()). */
  gboolean answered;
  gboolean keep_alive;
  gboolean failed;            /* the client was gone */
  guint status;
  gsize body_bytes;
} LongPoll;

/* The answer could not be written (told when a batch of sends ends, or
 * by the socket later): finish() closes the connection. */
static void
on_write_failed (gpointer data)
{
  LongPoll *poll = data;

  poll->failed = TRUE;
}

static void
on_answer_sent (RndimgConnection *connection, gpointer done)
{
  rndimg_taken_answer_done_finish (done, connection);
}

/* Writes the whole answer in one send(): the bytes every client with the
 * same head gets for this event (or timeout), made for the first of them.
 * Nothing is made, allocated or copied for the others. */
static void
answer (LongPoll *poll, guint status, GBytes *body, gboolean keep_alive)
{
  GBytes *bytes = rndimg_taken_head_answer (poll->head, status, body != NULL ? "application/json" : NULL,
                                            body, keep_alive, &poll->body_bytes);

  poll->answered = TRUE;
  poll->status = status;
  poll->keep_alive = keep_alive;
  poll->failed = !rndimg_frame_writer_write (poll->writer, bytes);
}

static void
destroy (LongPoll *poll)
{
  /* Unanswered (its client left, or it was dropped): closed, and reported so. */
  if (poll->writer != NULL)
    rndimg_exchange_report (poll->parent.exchange, RNDIMG_STATUS_CLIENT_CLOSED, 0);
  g_clear_pointer (&poll->writer, rndimg_frame_writer_free);
  g_clear_pointer (&poll->head, rndimg_taken_head_unref);
  rndimg_subscriber_clear (&poll->parent);
  g_free (poll);
}

/* After the fan-out: the request is reported and its connection goes
 * back to libsoup (or is closed) once its answer is all out. */
static void
finish (gpointer data)
{
  LongPoll *poll = data;
  RndimgAnswerDone *done = rndimg_taken_answer_done_new (poll->connections, poll->parent.exchange, poll->status,
                                                         poll->body_bytes, poll->keep_alive);
  RndimgFrameWriter *writer = g_steal_pointer (&poll->writer);

  if (poll->timeout != NULL)
    rndimg_deadlines_cancel (poll->deadlines, g_steal_pointer (&poll->timeout));
  if (poll->failed)
    {
      rndimg_frame_writer_free (writer);
      rndimg_taken_answer_done_finish (done, NULL);
    }
  else
    rndimg_frame_writer_finish (writer, on_answer_sent, done);
  destroy (poll);
}

/* The answer; the subscriber is done after it. */
static RndimgSubscriberState
long_poll_deliver (RndimgSubscriber *sub, GBytes *payload)
{
  LongPoll *poll = (LongPoll *) sub;

  answer (poll, SOUP_STATUS_OK, payload, rndimg_taken_head_keeps_alive (poll->head));
  return RNDIMG_SUBSCRIBER_DONE;
}

/* Only the oldest missed event: the client asks again after it. */
static gboolean
long_poll_replay (RndimgSubscriber *sub, GPtrArray *events, gint64 missed)
{
  return rndimg_subscribers_send_event (sub, g_ptr_array_index (events, 0), missed);
}

/* 204, at the timeout (the connection is kept) or at shutdown (closed). */
static gboolean
long_poll_end (RndimgSubscriber *sub)
{
  LongPoll *poll = (LongPoll *) sub;

  answer (poll, SOUP_STATUS_NO_CONTENT, NULL, poll->timed_out && rndimg_taken_head_keeps_alive (poll->head));
  return FALSE;
}

/* What a registry's held long-polls share: the registry's kind data. */
typedef struct {
  RndimgDeadlines *deadlines; /* their timeouts, behind one GSource */
  RndimgTakenHeads *heads;    /* their answers' heads, each distinct one once */
} Shared;

static void
shared_free (Shared *shared)
{
  rndimg_deadlines_free (shared->deadlines);
  rndimg_taken_heads_free (shared->heads);
  g_free (shared);
}

static Shared *
shared_of (RndimgSubscribers *registry)
{
  return rndimg_subscribers_get_kind_data (registry);
}

/* Out of the registry. An answered one is silenced now and finished after
 * the fan-out (its deadline cancelled then too), so releasing thousands
 * costs a send each and little else. */
static void
long_poll_free (RndimgSubscriber *sub)
{
  LongPoll *poll = (LongPoll *) sub;

  if (!poll->answered)
    {
      if (poll->timeout != NULL)
        rndimg_deadlines_cancel (poll->deadlines, g_steal_pointer (&poll->timeout));
      destroy (poll);
      return;
    }
  /* Its head goes with the registry's set: let go of it now. */
  g_clear_pointer (&poll->head, rndimg_taken_head_unref);
  rndimg_subscriber_mute_hangup (sub);
  rndimg_connections_run_later (poll->connections, finish, poll);
}

static const RndimgSubscriberFuncs long_poll_funcs = {
  .kind = "long-poll",
  .render = rndimg_subscriber_render_json,
  .deliver = long_poll_deliver,
  .replay = long_poll_replay,
  .end = long_poll_end,
  .free = long_poll_free,
};

/* Long-poll subscribers of @broker, at most @max_waiters held at once. */
RndimgSubscribers *
rndimg_long_poll_new (RndimgBroker *broker, RndimgConnections *connections, guint max_waiters)
{
  Shared *shared = g_new0 (Shared, 1);

  shared->deadlines = rndimg_deadlines_new ();
  shared->heads = rndimg_taken_heads_new (connections);
  return rndimg_subscribers_new (broker, connections, &long_poll_funcs, max_waiters,
                                 "too many clients are waiting; retry later",
                                 shared, (GDestroyNotify) shared_free);
}

static void
on_timeout (gpointer user_data)
{
  LongPoll *poll = user_data;

  poll->timeout = NULL;
  if (poll->answered)
    return;   /* out of the registry already, finished after its fan-out */
  poll->timed_out = TRUE;
  rndimg_subscribers_end (poll->parent.registry, &poll->parent);
}

static gboolean
parse_parameters (RndimgExchange *exchange, GHashTable *query, gint64 *since, guint64 *timeout)
{
  const char *timeout_text = query != NULL ? g_hash_table_lookup (query, "timeout") : NULL;

  *since = -1;
  *timeout = DEFAULT_TIMEOUT_SECONDS;
  if (rndimg_event_id_from_query (exchange, "since", since) == RNDIMG_EVENT_ID_INVALID)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "since must be an event id (" RNDIMG_EVENT_ID_RULE ")");
      return FALSE;
    }
  if (timeout_text != NULL && !rndimg_http_parse_number (timeout_text, 1, MAX_TIMEOUT_SECONDS, timeout))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                              "timeout must be a whole number of seconds from 1 to %d",
                              MAX_TIMEOUT_SECONDS);
      return FALSE;
    }
  return TRUE;
}

void
rndimg_long_poll_serve (RndimgExchange *exchange, const char *path, GHashTable *query,
                        gpointer long_polls)
{
  RndimgSubscribers *registry = long_polls;
  RndimgConnection *connection;
  LongPoll *poll;
  gint64 since;
  guint64 timeout;
  g_auto(GStrv) albums = NULL;
  g_autoptr(RndimgAccess) access = NULL;

  rndimg_http_set_no_store (exchange);
  if (!parse_parameters (exchange, query, &since, &timeout) ||
      !rndimg_subscriber_read_albums (exchange, query, &albums) ||
      (access = rndimg_subscribers_read_access (registry, exchange)) == NULL ||
      !rndimg_subscribers_admit (registry, exchange))
    return;

  poll = g_new0 (LongPoll, 1);
  rndimg_subscriber_init (&poll->parent, &long_poll_funcs, exchange);
  poll->parent.albums = g_steal_pointer (&albums);
  poll->parent.access = g_steal_pointer (&access);
  poll->connections = rndimg_subscribers_get_connections (registry);
  poll->head = rndimg_taken_heads_get (shared_of (registry)->heads, exchange);
  poll->writer = rndimg_frame_writer_new (MAX_UNSENT_BYTES, on_write_failed, poll);
  connection = rndimg_exchange_take (exchange);
  if (connection == NULL || !rndimg_frame_writer_take_over (poll->writer, connection))
    {
      g_debug ("a long-poll cannot be held: its connection is gone");
      rndimg_subscriber_clear (&poll->parent);
      g_clear_pointer (&poll->head, rndimg_taken_head_unref);
      g_clear_pointer (&poll->writer, rndimg_frame_writer_free);
      g_free (poll);
      return;
    }
  rndimg_subscriber_watch_hangup (&poll->parent, connection);
  poll->deadlines = shared_of (registry)->deadlines;
  poll->timeout = rndimg_deadlines_add (poll->deadlines, (guint) timeout * 1000, on_timeout, poll);
  rndimg_subscribers_add (registry, &poll->parent, since,
                          query != NULL ? g_hash_table_lookup (query, "epoch") : NULL);
}
