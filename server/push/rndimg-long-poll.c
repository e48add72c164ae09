/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/rndimg/poll?since=ID&timeout=SECONDS
 *
 * A long-poll subscriber: answered by the first event after `since` (from
 * history when the client is behind), or 204 at its timeout or shutdown.
 * A held request costs no CPU and little memory: its connection is taken
 * from libsoup at once (libsoup's state for it goes), and the answer is
 * written by us in one send (rndimg-taken-answer.c), after which a
 * keep-alive connection goes back to libsoup for the next request. */
#include "rndimg-long-poll.h"
#include "rndimg-deadlines.h"
#include "rndimg-frame-writer.h"
#include "rndimg-http.h"
#include "rndimg-taken-answer.h"

#define DEFAULT_TIMEOUT_SECONDS 30
#define MAX_TIMEOUT_SECONDS 300
/* One answer of a few hundred bytes into an idle socket: never reached. */
#define MAX_UNSENT_BYTES (64 * 1024)

typedef struct {
  RndimgSubscriber parent;
  RndimgDeadline *timeout;    /* NULL once it ran */
  RndimgFrameWriter *writer;  /* the taken connection; NULL once answered */
  char *headers;              /* of the answer, made at hold time */
  gboolean keep_alive;        /* the client may send another request after */
  gboolean timed_out;
} LongPoll;

static void
on_answer_sent (GIOStream *stream, gpointer done)
{
  rndimg_taken_answer_done_finish (done, stream);
}

/* Writes the whole answer in one send; once it is all out, the request
 * is reported and the connection goes back to libsoup (or is closed). */
static void
answer (LongPoll *poll, guint status, GBytes *body, gboolean keep_alive)
{
  SoupServerMessage *msg = poll->parent.msg;
  RndimgFrameWriter *writer = g_steal_pointer (&poll->writer);
  g_autoptr(GBytes) whole = rndimg_taken_answer_render (msg, poll->headers, status,
                                                          body != NULL ? "application/json" : NULL,
                                                          body, keep_alive);
  RndimgAnswerDone *done = rndimg_taken_answer_done_new (msg, status, body, keep_alive);

  if (rndimg_frame_writer_write (writer, whole))
    rndimg_frame_writer_finish (writer, on_answer_sent, done);
  else
    {
      rndimg_frame_writer_free (writer);   /* the client is gone */
      rndimg_taken_answer_done_finish (done, NULL);
    }
}

/* The answer; the subscriber is done after it. */
static RndimgSubscriberState
long_poll_deliver (RndimgSubscriber *sub, GBytes *payload)
{
  answer ((LongPoll *) sub, SOUP_STATUS_OK, payload, ((LongPoll *) sub)->keep_alive);
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

  answer (poll, SOUP_STATUS_NO_CONTENT, NULL, poll->timed_out && poll->keep_alive);
  return FALSE;
}

/* The timeouts of a registry's held long-polls, behind one GSource. */
static RndimgDeadlines *
deadlines_of (RndimgSubscribers *registry)
{
  return g_object_get_data (G_OBJECT (registry), "rndimg-long-poll-deadlines");
}

static void
long_poll_free (RndimgSubscriber *sub)
{
  LongPoll *poll = (LongPoll *) sub;

  if (poll->timeout != NULL)
    rndimg_deadlines_cancel (deadlines_of (sub->registry), poll->timeout);
  g_clear_pointer (&poll->writer, rndimg_frame_writer_free);   /* unanswered: closed */
  g_free (poll->headers);
  rndimg_subscriber_clear (sub);
  g_free (poll);
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
rndimg_long_poll_new (RndimgBroker *broker, guint max_waiters)
{
  RndimgSubscribers *registry = rndimg_subscribers_new (broker, &long_poll_funcs, max_waiters,
                                                        "too many clients are waiting; retry later");

  g_object_set_data_full (G_OBJECT (registry), "rndimg-long-poll-deadlines", rndimg_deadlines_new (),
                          (GDestroyNotify) rndimg_deadlines_free);
  return registry;
}

static void
on_timeout (gpointer user_data)
{
  LongPoll *poll = user_data;

  poll->timeout = NULL;
  poll->timed_out = TRUE;
  rndimg_subscribers_end (poll->parent.registry, &poll->parent);
}

static void
on_write_failed (gpointer user_data)
{
  RndimgSubscriber *sub = user_data;

  rndimg_subscribers_drop (sub->registry, sub, "the client went away");
}

static gboolean
parse_parameters (SoupServerMessage *msg, GHashTable *query, gint64 *since, guint64 *timeout)
{
  const char *since_text = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  const char *timeout_text = query != NULL ? g_hash_table_lookup (query, "timeout") : NULL;
  guint64 value;

  *since = -1;
  *timeout = DEFAULT_TIMEOUT_SECONDS;
  if (since_text != NULL && !rndimg_http_parse_number (since_text, 0, G_MAXINT64, &value))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST,
                              "since must be an event id (a whole number, 0 or more)");
      return FALSE;
    }
  if (since_text != NULL)
    *since = (gint64) value;
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

  rndimg_http_set_no_store (msg);
  if (!parse_parameters (msg, query, &since, &timeout) || !rndimg_subscribers_admit (registry, msg))
    return;

  poll = g_new0 (LongPoll, 1);
  rndimg_subscriber_init (&poll->parent, &long_poll_funcs, msg);
  poll->keep_alive = rndimg_taken_answer_keep_alive (msg);
  poll->headers = rndimg_taken_answer_headers (msg);
  poll->writer = rndimg_frame_writer_new (MAX_UNSENT_BYTES, on_write_failed, poll);
  if (!rndimg_frame_writer_take_over (poll->writer, msg))
    {
      rndimg_frame_writer_free (poll->writer);
      rndimg_subscriber_clear (&poll->parent);
      g_free (poll);
      rndimg_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "this request cannot be held");
      return;
    }
  poll->timeout = rndimg_deadlines_add (deadlines_of (registry), (guint) timeout * 1000, on_timeout, poll);
  rndimg_subscribers_add (registry, &poll->parent,
                          rndimg_broker_resume_point (rndimg_subscribers_get_broker (registry), since,
                                                      query != NULL ? g_hash_table_lookup (query, "epoch") : NULL));
}
