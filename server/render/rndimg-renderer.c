/* SPDX-License-Identifier: MIT */
/* Renders picture variants with libvips on a bounded pool of threads,
 * never on the main loop. One render per variant key however many ask at
 * once (they all wait for it); a full queue refuses at once; each render
 * is killed at its time limit. Renders start in order, as workers come
 * free and as the render memory budget allows: each is admitted with an
 * estimate of what it holds (rndimg-render-memory.c), and waits while the
 * renders under way hold too much; one that could never fit is refused.
 * Renders asked for ahead of need (the next asker's AVIF) wait behind
 * every other, and start only once the pool has been idle (no other
 * render running or waiting) for a while: never ahead of one somebody
 * waits for, nor between the renders of a page's first screen. How a render gets its pixels (a reduced master, the
 * original, or making the masters first) is planned as it starts
 * (rndimg-masters.c): renders of a picture whose masters are being made
 * wait for them. Scheduling is on the main context; the renders
 * themselves are the render module's (rndimg-render-engine.c), loaded by
 * the first render or the first ask of which formats can be encoded; the
 * render threads run lowered. */
#include "rndimg-renderer.h"
#include "rndimg-picture-header.h"
#include "rndimg-picture-thread.h"

/* Renders made ahead, waiting at most; beyond, they are not made. */
#define BACKGROUND_QUEUE_LIMIT 16
/* Renders made ahead start once no other has run for this long: the
 * renders of a page's first screen come a few at a time, with short gaps
 * (bench/README.md, "first screen"). */
#define IDLE_BEFORE_AHEAD_MS 1000
/* Memory goes back to the system once no render has run for this long. */
#define IDLE_BEFORE_RETURN_MS 500

/* One render, and every request waiting for it. */
typedef struct {
  RndimgRenderer *renderer;     /* a reference: finish runs on the main context */
  char *key;
  RndimgPicture *picture;
  RndimgVariantSpec spec;
  gboolean background;          /* nobody waits for it yet */
  GPtrArray *tasks;             /* GTask, each waiting */
  gboolean planned;             /* @plan made: it is next to start */
  RndimgMastersPlan plan;
  guint64 memory;               /* its estimate, held while it runs */
  guint64 memory_limit;         /* not 0: admitted on a worst case; the header decides */
  /* On the worker: */
  GBytes *bytes;                /* the result, or */
  GError *error;
  double seconds;
  RndimgMastersOutcome outcome;
} Job;

struct _RndimgRenderer
{
  GObject parent_instance;

  RndimgRendererLimits limits;
  RndimgMasters *masters;       /* owned */
  RndimgRenderEngine *engine;   /* owned */
  RndimgEncoders *encoders;
  GThreadPool *pool;
  GMainContext *context;        /* where results are delivered */
  GHashTable *jobs;             /* key -> Job, waiting or running */
  GQueue waiting;               /* Job asked for, in order */
  GQueue waiting_background;    /* Job made ahead, in order */
  guint running;
  guint unfinished;             /* asked-for Jobs waiting or running */
  guint64 memory;               /* the running Jobs' estimates */
  gint running_threads;         /* atomic: renders on a thread now, for /metrics */
  guint idle_id;                /* returns memory when the pool stays idle */
  gint64 idle_since;            /* monotonic: when the last render ended (0: none yet) */
  guint ahead_id;               /* starts the renders made ahead once idle long enough */
  RndimgRendererCounts counts;
  GMutex open_masters_lock;     /* the render threads make it on first need */
  RndimgOpenMasters *open_masters;
  void (*free_open_masters) (RndimgOpenMasters *masters);
};

/* How many masters stay mapped between renders (rndimg-open-masters.c). */
#define OPEN_MASTERS 8

G_DEFINE_FINAL_TYPE (RndimgRenderer, rndimg_renderer, G_TYPE_OBJECT)

static void dispatch (RndimgRenderer *self);

static void
job_free (Job *job)
{
  g_free (job->key);
  rndimg_picture_unref (job->picture);
  g_ptr_array_unref (job->tasks);
  rndimg_masters_plan_clear (&job->plan);
  rndimg_masters_outcome_clear (&job->outcome);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_error (&job->error);
  g_free (job);
}

static void
rndimg_renderer_finalize (GObject *object)
{
  RndimgRenderer *self = RNDIMG_RENDERER (object);

  /* Every job holds a reference: none is left by now. */
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->ahead_id, g_source_remove);
  g_thread_pool_free (self->pool, TRUE, TRUE);
  rndimg_encoders_free (self->encoders);
  g_hash_table_unref (self->jobs);
  g_main_context_unref (self->context);
  g_clear_object (&self->masters);
  g_clear_object (&self->engine);
  if (self->open_masters != NULL)
    self->free_open_masters (self->open_masters);
  g_mutex_clear (&self->open_masters_lock);
  G_OBJECT_CLASS (rndimg_renderer_parent_class)->finalize (object);
}

static void
rndimg_renderer_class_init (RndimgRendererClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_renderer_finalize;
}

static void
rndimg_renderer_init (RndimgRenderer *self)
{
  g_queue_init (&self->waiting);
  g_queue_init (&self->waiting_background);
  g_mutex_init (&self->open_masters_lock);
}

/* Every waiting request gets the one result. */
static void
answer_tasks (Job *job)
{
  for (guint i = 0; i < job->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (job->tasks, i);

      g_task_set_task_data (task, g_memdup2 (&job->seconds, sizeof job->seconds), g_free);
      if (job->bytes != NULL)
        g_task_return_pointer (task, g_bytes_ref (job->bytes), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (task, g_error_copy (job->error));
    }
}

static void
count_result (RndimgRenderer *self, const Job *job)
{
  if (job->bytes != NULL)
    self->counts.renders++;
  else if (g_error_matches (job->error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_TIMEOUT))
    self->counts.timeouts++;
  else if (g_error_matches (job->error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE))
    self->counts.refused_input++;
  else if (g_error_matches (job->error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_OVER_MEMORY))
    self->counts.refused_memory++;
  else
    self->counts.failures++;
}

/* The job is done (or refused before it ran): answered and forgotten. */
static void
retire (RndimgRenderer *self, Job *job)
{
  g_hash_table_remove (self->jobs, job->key);
  if (!job->background)
    self->unfinished--;
  count_result (self, job);
  answer_tasks (job);
  job_free (job);
  g_object_unref (self);
}

static void
return_memory (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  rndimg_picture_thread_return_memory ();
  g_task_return_boolean (task, TRUE);
}

/* The pool stayed idle: what the renders' threads freed goes back to the
 * system, on a thread of GLib's (it walks every heap). */
static gboolean
on_idle (gpointer user_data)
{
  RndimgRenderer *self = user_data;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  self->idle_id = 0;
  g_task_run_in_thread (task, return_memory);
  return G_SOURCE_REMOVE;
}

/* On the main context, from a worker. */
static gboolean
finish_job (gpointer data)
{
  Job *job = data;
  RndimgRenderer *self = job->renderer;

  self->running--;
  self->memory -= job->memory;
  self->idle_since = g_get_monotonic_time ();
  rndimg_masters_finish (self->masters, job->picture, &job->plan, &job->outcome);
  retire (self, job);
  dispatch (self);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->running == 0)
    self->idle_id = g_timeout_add (IDLE_BEFORE_RETURN_MS, on_idle, self);
  return G_SOURCE_REMOVE;
}

/* The masters kept mapped, made by the module on the first render. */
static RndimgOpenMasters *
open_masters (RndimgRenderer *self, const RndimgRenderEntryPoints *render)
{
  RndimgOpenMasters *masters;

  g_mutex_lock (&self->open_masters_lock);
  if (self->open_masters == NULL)
    {
      self->open_masters = render->open_masters_new (OPEN_MASTERS);
      self->free_open_masters = render->open_masters_free;
    }
  masters = self->open_masters;
  g_mutex_unlock (&self->open_masters_lock);
  return masters;
}

/* On a worker thread. */
static void
run_job (gpointer data, gpointer user_data)
{
  Job *job = data;
  RndimgRenderer *self = job->renderer;
  gint64 started = g_get_monotonic_time ();
  RndimgRenderDeadline deadline = { started + (gint64) (self->limits.time_limit_seconds * G_USEC_PER_SEC), FALSE };
  const RndimgRenderEntryPoints *render = rndimg_render_engine_get (self->engine, &job->error);

  rndimg_picture_thread_lower ();
  g_atomic_int_inc (&self->running_threads);
  if (render != NULL)
    {
      job->bytes = render->run_job (open_masters (self, render), job->picture->path, &job->spec, &job->plan, self->limits.max_input_pixels,
                                    job->memory_limit, &deadline, &job->outcome, &job->error);
      render->finish_thread ();
    }
  job->seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  g_atomic_int_dec_and_test (&self->running_threads);
  g_main_context_invoke (self->context, finish_job, job);
}

/* What @job will hold while it runs, by its plan. */
static guint64
estimate_memory (const Job *job)
{
  const RndimgMastersPlan *plan = &job->plan;
  RndimgSourceFacts facts = plan->facts;
  RndimgRenderBox box;

  if (!plan->facts_known)
    rndimg_source_facts_assume (&facts, job->picture->content_type, job->picture->width, job->picture->height);
  rndimg_render_box (&job->spec, facts.width, facts.height, &box);
  if (plan->step == RNDIMG_MASTERS_FROM_MASTER)
    return rndimg_render_memory_for_master (&plan->master, facts.bands, &box, job->spec.format);
  return rndimg_render_memory_for_original (&facts, &box, job->spec.format, plan->step == RNDIMG_MASTERS_MAKE);
}

/* The first waiting job that may start now (its plan made), or NULL:
 * those waiting for their picture's masters are passed over. */
static Job *
next_job (RndimgRenderer *self, GQueue *queue)
{
  for (GList *link = queue->head; link != NULL; link = link->next)
    {
      Job *job = link->data;

      if (!job->planned)
        {
          rndimg_masters_plan_clear (&job->plan);
          rndimg_masters_plan (self->masters, job->picture, &job->spec, job->background, &job->plan);
          job->planned = job->plan.step != RNDIMG_MASTERS_WAIT;
        }
      if (job->planned)
        {
          g_queue_delete_link (queue, link);
          return job;
        }
    }
  return NULL;
}

/* Refused before it starts: over the input limit by the catalogue's
 * size (as its header would say), or over the whole memory budget. */
static void
refuse_before_start (RndimgRenderer *self, Job *job)
{
  guint64 pixels = (guint64) job->picture->width * job->picture->height;

  if (pixels > self->limits.max_input_pixels)
    g_set_error (&job->error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE,
                 "the picture has %" G_GUINT64_FORMAT " pixels, over the limit of %" G_GUINT64_FORMAT,
                 pixels, self->limits.max_input_pixels);
  else
    rndimg_render_set_over_memory_error (&job->error, job->memory, self->limits.memory_budget);
  if (job->plan.step == RNDIMG_MASTERS_MAKE)
    rndimg_masters_finish (self->masters, job->picture, &job->plan, &job->outcome);
  retire (self, job);
}

static gboolean
on_idle_long_enough (gpointer user_data)
{
  RndimgRenderer *self = user_data;

  self->ahead_id = 0;
  dispatch (self);
  return G_SOURCE_REMOVE;
}

/* Whether a job made ahead may start now: nothing else runs or waits, and
 * nothing has run for IDLE_BEFORE_AHEAD_MS; else, when idle, it is
 * looked at again once that is over. */
static gboolean
idle_for_ahead (RndimgRenderer *self)
{
  gint64 waited_ms;

  if (self->running > 0 || !g_queue_is_empty (&self->waiting) || g_queue_is_empty (&self->waiting_background))
    return FALSE;
  waited_ms = (g_get_monotonic_time () - self->idle_since) / 1000;
  if (self->idle_since == 0 || waited_ms >= IDLE_BEFORE_AHEAD_MS)
    return TRUE;
  if (self->ahead_id == 0)
    self->ahead_id = g_timeout_add ((guint) (IDLE_BEFORE_AHEAD_MS - waited_ms), on_idle_long_enough, self);
  return FALSE;
}

/* Starts waiting jobs while a worker is free and the memory budget
 * allows, in order: asked-for first, then those made ahead, one at a
 * time once the pool is idle (a first screen's renders neither wait for
 * nor pay before it is shown the AVIFs made for its next viewer). A job that
 * does not fit waits, and holds the jobs behind it (a small one never
 * overtakes a large one for ever). */
static void
dispatch (RndimgRenderer *self)
{
  while (self->running < self->limits.workers)
    {
      GQueue *queue = &self->waiting;
      Job *job = next_job (self, queue);

      if (job == NULL && idle_for_ahead (self))
        job = next_job (self, queue = &self->waiting_background);
      if (job == NULL)
        return;
      job->memory = estimate_memory (job);
      if (job->memory > self->limits.memory_budget && !job->plan.facts_known)
        {
          /* Only its format's worst case is known: it runs alone, holding
           * the whole budget, and its header decides (rndimg-render-job.c). */
          job->memory = job->memory_limit = self->limits.memory_budget;
        }
      if (job->memory > self->limits.memory_budget)
        {
          refuse_before_start (self, job);
          continue;
        }
      if (self->memory + job->memory > self->limits.memory_budget)
        {
          /* Back at its place, its plan kept (it may be its picture's maker). */
          g_queue_push_head (queue, job);
          self->counts.waited_memory++;
          return;
        }
      self->running++;
      self->memory += job->memory;
      g_debug ("render %s (%s): about %" G_GUINT64_FORMAT " KiB", job->key,
               job->plan.step == RNDIMG_MASTERS_MAKE ? "making masters" :
               job->plan.step == RNDIMG_MASTERS_FROM_MASTER ? "from a master" : "from the original",
               job->memory / 1024);
      g_thread_pool_push (self->pool, job, NULL);
    }
}

static void
on_masters_ready (RndimgMasters *masters, gpointer user_data)
{
  dispatch (user_data);
}

/* Takes @masters; the render module is loaded from @engine when first
 * needed. */
RndimgRenderer *
rndimg_renderer_new (const RndimgRendererLimits *limits, RndimgMasters *masters, RndimgRenderEngine *engine)
{
  RndimgRenderer *self = g_object_new (RNDIMG_TYPE_RENDERER, NULL);
  g_autoptr(GError) error = NULL;

  self->limits = *limits;
  self->limits.workers = MAX (limits->workers, 1);
  self->masters = masters;
  self->engine = g_object_ref (engine);
  self->context = g_main_context_ref_thread_default ();
  self->encoders = rndimg_encoders_new (engine, self->context);
  self->jobs = g_hash_table_new (g_str_hash, g_str_equal);
  self->pool = g_thread_pool_new (run_job, self, (gint) self->limits.workers, TRUE, &error);
  if (self->pool == NULL)
    g_error ("cannot start the render threads: %s", error->message);
  g_signal_connect_object (masters, "ready", G_CALLBACK (on_masters_ready), self, 0);
  return self;
}

/* Which formats the render module encodes (rndimg-encoders.c), owned by
 * the renderer. */
RndimgEncoders *
rndimg_renderer_get_encoders (RndimgRenderer *self)
{
  return self->encoders;
}

/* A job made ahead is asked for: it moves behind the other asked-for ones. */
static void
ask_for (RndimgRenderer *self, Job *job)
{
  GList *link = g_queue_find (&self->waiting_background, job);

  job->background = FALSE;
  self->unfinished++;
  if (link != NULL)
    {
      g_queue_delete_link (&self->waiting_background, link);
      g_queue_push_tail (&self->waiting, job);
    }
}

static Job *
job_new (RndimgRenderer *self, const char *key, RndimgPicture *picture, const RndimgVariantSpec *spec,
         gboolean background)
{
  Job *job = g_new0 (Job, 1);

  job->renderer = g_object_ref (self);
  job->key = g_strdup (key);
  job->picture = rndimg_picture_ref (picture);
  job->spec = *spec;
  job->background = background;
  job->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  return job;
}

/* Renders @spec (a concrete format) of @picture, or joins the render of
 * @key already under way. @background: ahead of need, behind every
 * render asked for; not made at all when too many wait already. */
void
rndimg_renderer_render_async (RndimgRenderer *self, const char *key, RndimgPicture *picture,
                              const RndimgVariantSpec *spec, gboolean background, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Job *job = g_hash_table_lookup (self->jobs, key);

  if (job != NULL)
    {
      self->counts.joined++;
      if (job->background && !background)
        ask_for (self, job);
      g_ptr_array_add (job->tasks, task);
      return;
    }
  /* Counted here, on the main context, from the jobs not yet finished:
   * the pool's own counts lag behind a render thread that the machine's
   * load keeps from running (they run lowered), and would let the queue
   * grow past its limit meanwhile. */
  if ((!background && self->unfinished >= self->limits.workers + self->limits.queue_limit) ||
      (background && self->waiting_background.length >= BACKGROUND_QUEUE_LIMIT))
    {
      if (!background)
        self->counts.refused_busy++;
      g_task_return_new_error (task, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_BUSY,
                               "%u renders are waiting already; try again shortly", self->limits.queue_limit);
      g_object_unref (task);
      return;
    }
  job = job_new (self, key, picture, spec, background);
  g_ptr_array_add (job->tasks, task);
  g_hash_table_insert (self->jobs, job->key, job);
  if (background)
    {
      self->counts.background++;
      g_queue_push_tail (&self->waiting_background, job);
    }
  else
    {
      self->unfinished++;
      g_queue_push_tail (&self->waiting, job);
    }
  dispatch (self);
}

/* The variant's bytes, and in @seconds how long its render took. */
GBytes *
rndimg_renderer_render_finish (RndimgRenderer *self, GAsyncResult *result, double *seconds, GError **error)
{
  double *took = g_task_get_task_data (G_TASK (result));

  if (seconds != NULL)
    *seconds = took != NULL ? *took : 0;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Whether @key is being rendered, or waits to be. */
gboolean
rndimg_renderer_is_rendering (RndimgRenderer *self, const char *key)
{
  return g_hash_table_contains (self->jobs, key);
}

guint
rndimg_renderer_get_queued (RndimgRenderer *self)
{
  return self->waiting.length + self->waiting_background.length;
}

guint
rndimg_renderer_get_running (RndimgRenderer *self)
{
  return (guint) g_atomic_int_get (&self->running_threads);
}

/* The estimates of the renders under way. */
guint64
rndimg_renderer_get_memory (RndimgRenderer *self)
{
  return self->memory;
}

const RndimgRendererCounts *
rndimg_renderer_get_counts (RndimgRenderer *self)
{
  return &self->counts;
}
