/* SPDX-License-Identifier: MIT */
/* GET /polling/api/v1.0/rndimg/poll?since=ID&timeout=SECONDS
 *
 * A long-poll subscriber: answered by the first event after `since` (from
 * history when the client is behind), or 204 at its timeout or shutdown.
 * Held requests are paused: no CPU, no timer but their own timeout. */
#include "rndimg-long-poll.h"
#include "rndimg-http.h"

#define DEFAULT_TIMEOUT_SECONDS 30
#define MAX_TIMEOUT_SECONDS 300

typedef struct {
  RndimgSubscriber parent;
  GSource *timeout;
} LongPoll;

/* The answer; the subscriber is done after it. */
static RndimgSubscriberState
long_poll_deliver (RndimgSubscriber *sub, GBytes *payload)
{
  soup_server_message_set_status (sub->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (sub->msg),
                                         "application/json", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (sub->msg), payload);
  soup_server_message_unpause (sub->msg);
  return RNDIMG_SUBSCRIBER_DONE;
}

/* Only the oldest missed event: the client asks again after it. */
static gboolean
long_poll_replay (RndimgSubscriber *sub, GPtrArray *events, gint64 missed)
{
  return rndimg_subscribers_send_event (sub, g_ptr_array_index (events, 0), missed);
}

/* 204; counted as held until the answer is out, so a shutdown waits for it. */
static gboolean
long_poll_end (RndimgSubscriber *sub)
{
  soup_server_message_set_status (sub->msg, SOUP_STATUS_NO_CONTENT, NULL);
  soup_server_message_unpause (sub->msg);
  return TRUE;
}

static void
long_poll_free (RndimgSubscriber *sub)
{
  LongPoll *poll = (LongPoll *) sub;

  g_source_destroy (poll->timeout);
  g_source_unref (poll->timeout);
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
  return rndimg_subscribers_new (broker, &long_poll_funcs, max_waiters,
                                 "too many clients are waiting; retry later");
}

static gboolean
on_timeout (gpointer user_data)
{
  RndimgSubscriber *sub = user_data;

  rndimg_subscribers_end (sub->registry, sub);
  return G_SOURCE_REMOVE;
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
  /* Not _seconds(): that one may fire up to a second early, batched. */
  poll->timeout = g_timeout_source_new ((guint) timeout * 1000);
  g_source_set_callback (poll->timeout, on_timeout, poll, NULL);
  g_source_attach (poll->timeout, NULL);
  soup_server_message_pause (msg);
  rndimg_subscribers_add (registry, &poll->parent,
                          rndimg_broker_resume_point (rndimg_subscribers_get_broker (registry), since,
                                                      query != NULL ? g_hash_table_lookup (query, "epoch") : NULL));
}
