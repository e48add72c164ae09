/* SPDX-License-Identifier: MIT */
/* Many timeouts behind one GSource: the deadlines of held long-polls in a
 * sequence ordered by time, the source set to wake at the earliest. GLib
 * visits every attached source on every pass of the main loop, so a
 * GSource per held request would make each pass (each request served)
 * cost as much as the number of requests held. Adding or removing a
 * deadline is O(log n). */
#include "rndimg-deadlines.h"

struct _RndimgDeadlines
{
  GSource source;
  GSequence *pending;         /* Deadline, earliest first */
  guint64 next_order;
};

typedef struct {
  gint64 due_usec;            /* monotonic */
  guint64 order;              /* ties expire in the order they were set */
  RndimgDeadlineFunc func;
  gpointer user_data;
} Deadline;

static gint
compare_deadlines (gconstpointer a, gconstpointer b, gpointer unused)
{
  const Deadline *left = a, *right = b;

  if (left->due_usec != right->due_usec)
    return left->due_usec < right->due_usec ? -1 : 1;
  return left->order < right->order ? -1 : left->order > right->order;
}

static void
wake_at_earliest (RndimgDeadlines *self)
{
  GSequenceIter *first = g_sequence_get_begin_iter (self->pending);

  g_source_set_ready_time (&self->source,
                           g_sequence_iter_is_end (first) ? -1
                             : ((Deadline *) g_sequence_get (first))->due_usec);
}

/* Runs every deadline that is due; each may add or remove others. */
static gboolean
deadlines_dispatch (GSource *source, GSourceFunc unused, gpointer unused_data)
{
  RndimgDeadlines *self = (RndimgDeadlines *) source;
  gint64 now = g_source_get_time (source);

  for (;;)
    {
      GSequenceIter *first = g_sequence_get_begin_iter (self->pending);
      RndimgDeadlineFunc func;
      gpointer user_data;

      if (g_sequence_iter_is_end (first) || ((Deadline *) g_sequence_get (first))->due_usec > now)
        break;
      func = ((Deadline *) g_sequence_get (first))->func;
      user_data = ((Deadline *) g_sequence_get (first))->user_data;
      g_sequence_remove (first);   /* frees it */
      func (user_data);
    }
  wake_at_earliest (self);
  return G_SOURCE_CONTINUE;
}

static void
deadlines_finalize (GSource *source)
{
  RndimgDeadlines *self = (RndimgDeadlines *) source;

  g_sequence_free (self->pending);
}

static GSourceFuncs deadlines_funcs = {
  .dispatch = deadlines_dispatch,
  .finalize = deadlines_finalize,
};

/* Deadlines run on the thread-default main context. */
RndimgDeadlines *
rndimg_deadlines_new (void)
{
  RndimgDeadlines *self = (RndimgDeadlines *) g_source_new (&deadlines_funcs, sizeof (RndimgDeadlines));

  self->pending = g_sequence_new (g_free);
  g_source_set_static_name (&self->source, "rndimg deadlines");
  g_source_attach (&self->source, g_main_context_get_thread_default ());
  return self;
}

void
rndimg_deadlines_free (RndimgDeadlines *self)
{
  g_source_destroy (&self->source);
  g_source_unref (&self->source);
}

/* Calls @func(@user_data) once, @delay_ms from now (never early), unless
 * cancelled first with rndimg_deadlines_cancel() and the returned handle. */
RndimgDeadline *
rndimg_deadlines_add (RndimgDeadlines *self, guint delay_ms, RndimgDeadlineFunc func, gpointer user_data)
{
  Deadline *deadline = g_new (Deadline, 1);
  GSequenceIter *position;

  *deadline = (Deadline) { g_get_monotonic_time () + (gint64) delay_ms * 1000, self->next_order++, func, user_data };
  position = g_sequence_insert_sorted (self->pending, deadline, compare_deadlines, NULL);
  if (g_sequence_iter_is_begin (position))
    wake_at_earliest (self);
  return (RndimgDeadline *) position;
}

void
rndimg_deadlines_cancel (RndimgDeadlines *self, RndimgDeadline *handle)
{
  GSequenceIter *position = (GSequenceIter *) handle;
  gboolean was_first = g_sequence_iter_is_begin (position);

  g_sequence_remove (position);
  if (was_first)
    wake_at_earliest (self);
}
