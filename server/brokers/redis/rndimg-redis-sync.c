/* SPDX-License-Identifier: MIT */
/* The Redis broker's sync_async(): answers once this node holds every
 * event published before the call.
 *
 * A client resuming after an id this node has not read (it heard it from
 * another node, or this node has just started and is still catching up)
 * must not be answered from what this node has: the events it reads next
 * would reach the client a second time. So the node asks Redis for the
 * newest id in the stream now (rndimg:meta field r) and answers once it
 * has read up to there. One question serves every wait that began before
 * it was sent; waits that began later get the next one. While the command
 * link is down, waits wait: the question goes out when it is up. */
#include "rndimg-redis-broker-private.h"

typedef struct {
  RndimgRedisSyncs *syncs;
  GTask *task;
  gulong cancelled_id;
  guint question;            /* the question that covers it; 0: none yet */
  gint64 target;             /* the newest id then; -1: not known yet */
} Waiter;

struct _RndimgRedisSyncs
{
  RndimgRedisBroker *broker;   /* borrowed: it owns us */
  GQueue waiting;              /* Waiter, oldest first */
  guint questions;             /* asked so far */
  guint asking;                /* the question out; 0: none */
};

RndimgRedisSyncs *
rndimg_redis_syncs_new (RndimgRedisBroker *broker)
{
  RndimgRedisSyncs *self = g_new0 (RndimgRedisSyncs, 1);

  self->broker = broker;
  g_queue_init (&self->waiting);
  return self;
}

/* Answers @waiter (or its cancellation) and frees it; out of the queue. */
static void
finish (Waiter *waiter)
{
  g_cancellable_disconnect (g_task_get_cancellable (waiter->task), waiter->cancelled_id);
  if (!g_task_return_error_if_cancelled (waiter->task))
    g_task_return_boolean (waiter->task, TRUE);
  g_object_unref (waiter->task);
  g_free (waiter);
}

/* A client left while it waited: its wait ends now. (A handler of
 * "cancelled" may not disconnect itself; the cancellable is done with.) */
static void
on_cancelled (GCancellable *cancellable, gpointer data)
{
  Waiter *waiter = data;

  g_queue_remove (&waiter->syncs->waiting, waiter);
  g_task_return_error_if_cancelled (waiter->task);
  g_object_unref (waiter->task);
  g_free (waiter);
}

/* Answers every wait whose target this node has read. */
void
rndimg_redis_syncs_check (RndimgRedisSyncs *self)
{
  GList *link = self->waiting.head;

  while (link != NULL)
    {
      GList *next = link->next;
      Waiter *waiter = link->data;

      if (waiter->target >= 0 && self->broker->last_seen >= waiter->target && self->broker->following)
        {
          g_queue_delete_link (&self->waiting, link);
          finish (waiter);
        }
      link = next;
    }
}

static void
on_answer (redisReply *reply, gpointer user_data)
{
  RndimgRedisSyncs *self = user_data;
  guint question = self->asking;
  gboolean answered;
  gint64 newest = 0;

  if (self->broker->disposing)
    return;
  self->asking = 0;
  answered = reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 1;
  if (answered && reply->element[0]->type == REDIS_REPLY_STRING)
    newest = g_ascii_strtoll (reply->element[0]->str, NULL, 10);
  for (GList *link = self->waiting.head; link != NULL; link = link->next)
    {
      Waiter *waiter = link->data;

      if (waiter->question != question)
        continue;
      if (answered)
        waiter->target = newest;
      else
        waiter->question = 0;   /* asked again once the link is up */
    }
  rndimg_redis_syncs_check (self);
  rndimg_redis_syncs_ask (self);
}

/* Sends the next question, if a wait needs one and none is out. */
void
rndimg_redis_syncs_ask (RndimgRedisSyncs *self)
{
  gboolean needed = FALSE;
  guint question = self->questions + 1;

  if (self->asking != 0)
    return;
  for (GList *link = self->waiting.head; link != NULL && !needed; link = link->next)
    needed = ((Waiter *) link->data)->question == 0;
  if (!needed || !rndimg_redis_link_send (self->broker->command, RNDIMG_REDIS_COMMAND_TIMEOUT_MS, on_answer, self,
                                          "HMGET %s r", RNDIMG_REDIS_META_KEY))
    return;
  self->questions = question;
  self->asking = question;
  for (GList *link = self->waiting.head; link != NULL; link = link->next)
    if (((Waiter *) link->data)->question == 0)
      ((Waiter *) link->data)->question = question;
}

/* Answers @task (transfer full) as sync_async() says. */
void
rndimg_redis_syncs_wait (RndimgRedisSyncs *self, GTask *task)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  waiter->syncs = self;
  waiter->task = task;
  waiter->target = -1;
  if (g_cancellable_is_cancelled (cancellable))
    {
      finish (waiter);
      return;
    }
  g_queue_push_tail (&self->waiting, waiter);
  if (cancellable != NULL)
    waiter->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), waiter, NULL);
  rndimg_redis_syncs_ask (self);
}

/* The broker goes: every wait ends (cancelled or not, its callback runs). */
void
rndimg_redis_syncs_free (RndimgRedisSyncs *self)
{
  Waiter *waiter;

  while ((waiter = g_queue_pop_head (&self->waiting)) != NULL)
    {
      g_cancellable_disconnect (g_task_get_cancellable (waiter->task), waiter->cancelled_id);
      g_task_return_new_error (waiter->task, G_IO_ERROR, G_IO_ERROR_CLOSED, "the broker is closing");
      g_object_unref (waiter->task);
      g_free (waiter);
    }
  g_free (self);
}
