/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/rndimg/poll?since=ID&timeout=SECONDS
 *
 * A long-poll subscriber: answered by the first event after `since` (from
 * history when the client is behind), or 204 at its timeout or shutdown.
 * A held request costs no CPU and little memory: its connection is taken
 * from libsoup at once (libsoup's state for it goes), and the answer is
 * written by us in one send (rndimg-taken-answer.c); after the fan-out the
 * request is reported and a keep-alive connection goes back to libsoup
 * for the next request. */
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
  RndimgDeadline *timeout;    /* NULL once it ran */
  RndimgFrameWriter *writer;  /* the taken connection */
  RndimgTakenHead head;       /* of the answer, made at hold time */
  gboolean timed_out;
  /* Set by the answer; the rest is done after the fan-out (finish()). */
  gboolean answered;
  gboolean keep_alive;
  gboolean failed;            /* the client was gone */
  guint status;
  gsize body_bytes;
} LongPoll;

static void
on_answer_sent (GIOStream *stream, gpointer done)
{
  rndimg_taken_answer_done_finish (done, stream);
}

/* Writes the whole answer, one sendmsg() of pieces made at hold time or
 * shared by the fan-out: nothing is allocated or copied per client. */
static void
answer (LongPoll *poll, guint status, GBytes *body, gboolean keep_alive)
{
  GOutputVector vectors[RNDIMG_TAKEN_ANSWER_VECTORS];
  guint count = rndimg_taken_answer_vectors (&poll->head, status, body != NULL ? "application/json" : NULL,
                                             body, keep_alive, vectors);

  poll->answered = TRUE;
  poll->status = status;
  poll->keep_alive = keep_alive;
  poll->body_bytes = body != NULL && !poll->head.head_only ? g_bytes_get_size (body) : 0;
  poll->failed = !rndimg_frame_writer_write_vectors (poll->writer, vectors, count);
}

static void
destroy (LongPoll *poll)
{
  g_clear_pointer (&poll->writer, rndimg_frame_writer_free);   /* unanswered: closed */
  rndimg_taken_head_clear (&poll->head);
  rndimg_subscriber_clear (&poll->parent);
  g_free (poll);
}

/* After the fan-out: the request is reported and its connection goes
 * back to libsoup (or is closed) once its answer is all out. */
static void
finish (gpointer data)
{
  LongPoll *poll = data;
  RndimgAnswerDone *done = rndimg_taken_answer_done_new (poll->connections, poll->parent.msg, poll->status,
                                                         poll->body_bytes, poll->keep_alive);
  RndimgFrameWriter *writer = g_steal_pointer (&poll->writer);

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
  answer ((LongPoll *) sub, SOUP_STATUS_OK, payload, ((LongPoll *) sub)->head.keep_alive);
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

  answer (poll, SOUP_STATUS_NO_CONTENT, NULL, poll->timed_out && poll->head.keep_alive);
  return FALSE;
}

/* The timeouts of a registry's held long-polls, behind one GSource: the
 * registry's kind data. */
static RndimgDeadlines *
deadlines_of (RndimgSubscribers *registry)
{
  return rndimg_subscribers_get_kind_data (registry);
}

/* Out of the registry. An answered one is silenced now and finished after
 * the fan-out, so releasing thousands costs a send each and little else. */
static void
long_poll_free (RndimgSubscriber *sub)
{
  LongPoll *poll = (LongPoll *) sub;

  if (poll->timeout != NULL)
    rndimg_deadlines_cancel (deadlines_of (sub->registry), poll->timeout);
  poll->timeout = NULL;
  if (!poll->answered)
    {
      destroy (poll);
      return;
    }
  if (sub->hangup_watch != NULL)
    rndimg_connection_mute_hangup (sub->hangup_watch);
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
  return rndimg_subscribers_new (broker, connections, &long_poll_funcs, max_waiters,
                                 "too many clients are waiting; retry later",
                                 rndimg_deadlines_new (), (GDestroyNotify) rndimg_deadlines_free);
}

static void
on_timeout (gpointer user_data)
{
  LongPoll *poll = user_data;

  poll->timeout = NULL;
  poll->timed_out = TRUE;
  rndimg_subscribers_end (poll->parent.registry, &poll->parent);
}

static gboolean
parse_parameters (SoupServerMessage *msg, GHashTable *query, gint64 *since, guint64 *timeout)
{
  const char *timeout_text = query != NULL ? g_hash_table_lookup (query, "timeout") : NULL;

  *since = -1;
  *timeout = DEFAULT_TIMEOUT_SECONDS;
  if (rndimg_event_id_from_query (msg, "since", since) == RNDIMG_EVENT_ID_INVALID)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "since must be an event id (" RNDIMG_EVENT_ID_RULE ")");
      return FALSE;
    }
  if (timeout_text != NULL && !rndimg_http_parse_number (timeout_text, 1, MAX_TIMEOUT_SECONDS, timeout))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "timeout must be a whole number of seconds from 1 to %d",
                              MAX_TIMEOUT_SECONDS);
      return FALSE;
    }
  return TRUE;
}

void
rndimg_long_poll_serve (SoupServerMessage *msg, const char *path, GHashTable *query,
                        gpointer long_polls)
{
  RndimgSubscribers *registry = long_polls;
  LongPoll *poll;
  gint64 since;
  guint64 timeout;
  g_auto(GStrv) albums = NULL;

  rndimg_http_set_no_store (msg);
  if (!parse_parameters (msg, query, &since, &timeout) || !rndimg_subscriber_read_albums (msg, query, &albums) ||
      !rndimg_subscribers_admit (registry, msg))
    return;

  poll = g_new0 (LongPoll, 1);
  rndimg_subscriber_init (&poll->parent, &long_poll_funcs, msg);
  poll->parent.albums = g_steal_pointer (&albums);
  poll->connections = rndimg_subscribers_get_connections (registry);
  rndimg_taken_head_init (&poll->head, poll->connections, msg);
  poll->writer = rndimg_frame_writer_new (MAX_UNSENT_BYTES, rndimg_subscriber_gone, poll);
  if (!rndimg_frame_writer_take_over (poll->writer, poll->connections, msg))
    {
      destroy (poll);
      rndimg_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "this request cannot be held");
      return;
    }
  poll->timeout = rndimg_deadlines_add (deadlines_of (registry), (guint) timeout * 1000, on_timeout, poll);
  rndimg_subscribers_add (registry, &poll->parent, since,
                          query != NULL ? g_hash_table_lookup (query, "epoch") : NULL);
}
