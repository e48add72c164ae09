/* SPDX-License-Identifier: MIT */
/* Which formats this libvips can encode, found once by encoding a tiny
 * picture in each, on a thread of its own (lowered: the threads libvips
 * starts then stay in its thread set and serve later renders). The first
 * probe loads the render module (libvips) if nothing did before; AVIF is
 * probed apart, when first asked for, since it loads libvips' heif module
 * and libheif's encoders. Both take tens of milliseconds, a hundred or so
 * with the module's load: rndimg_encoders_when_known() lets a request wait
 * for them while the main loop serves the others; rndimg_encoders_can_encode()
 * probes in place when asked before they are known. Without the module
 * every format is taken (the render then fails with the module's error,
 * a 503). */
#include "rndimg-encoders.h"
#include "rndimg-picture-thread.h"

typedef struct {
  RndimgEncodersFunc func;
  gpointer user_data;
  GDestroyNotify free_data;
  gboolean with_avif;
} Waiter;

/* One probe: what it asks, on the main context; what it found, on its
 * thread. */
typedef struct {
  RndimgRenderEngine *engine;
  gboolean formats;          /* JPEG, PNG, WebP */
  gboolean avif;
  gboolean unavailable;
  gboolean can_encode[RNDIMG_FORMAT_AVIF + 1];
} Probe;

struct _RndimgEncoders
{
  RndimgRenderEngine *engine;   /* owned */
  GMainContext *context;        /* where waiters are told */
  gboolean formats_known;
  gboolean avif_known;
  gboolean unavailable;
  gboolean can_encode[RNDIMG_FORMAT_AVIF + 1];
  GQueue waiters;               /* Waiter, in order */
  GThread *thread;              /* a probe under way, told by @done */
  GSource *done;
  Probe *probe;
};

RndimgEncoders *
rndimg_encoders_new (RndimgRenderEngine *engine, GMainContext *context)
{
  RndimgEncoders *self = g_new0 (RndimgEncoders, 1);

  self->engine = g_object_ref (engine);
  self->context = g_main_context_ref (context);
  g_queue_init (&self->waiters);
  return self;
}

static void
waiter_free (Waiter *waiter)
{
  if (waiter->free_data != NULL)
    waiter->free_data (waiter->user_data);
  g_free (waiter);
}

static void
probe_free (Probe *probe)
{
  g_object_unref (probe->engine);
  g_free (probe);
}

/* Waits for a probe under way (never left running in a process that
 * exits); the waiters are dropped untold. */
void
rndimg_encoders_free (RndimgEncoders *self)
{
  if (self->thread != NULL)
    {
      g_thread_join (self->thread);
      g_source_destroy (self->done);
      g_source_unref (self->done);
      probe_free (self->probe);
    }
  g_queue_clear_full (&self->waiters, (GDestroyNotify) waiter_free);
  g_main_context_unref (self->context);
  g_object_unref (self->engine);
  g_free (self);
}

static void
run_probe (Probe *probe)
{
  const RndimgRenderEntryPoints *render = rndimg_render_engine_get (probe->engine, NULL);

  if (render == NULL)
    {
      probe->unavailable = TRUE;
      return;
    }
  rndimg_picture_thread_lower ();
  for (RndimgFormat format = RNDIMG_FORMAT_JPEG; probe->formats && format < RNDIMG_FORMAT_AVIF; format++)
    probe->can_encode[format] = render->probe_encoder (format);
  if (probe->avif)
    probe->can_encode[RNDIMG_FORMAT_AVIF] = render->load_format ("vips-heif") &&
                                            render->probe_encoder (RNDIMG_FORMAT_AVIF);
  render->finish_thread ();
}

static void
learn (RndimgEncoders *self, const Probe *probe)
{
  if (probe->unavailable)
    {
      self->unavailable = TRUE;
      return;
    }
  if (probe->formats && !self->formats_known)
    {
      for (RndimgFormat format = RNDIMG_FORMAT_JPEG; format < RNDIMG_FORMAT_AVIF; format++)
        self->can_encode[format] = probe->can_encode[format];
      self->formats_known = TRUE;
    }
  if (probe->avif && !self->avif_known)
    {
      self->can_encode[RNDIMG_FORMAT_AVIF] = probe->can_encode[RNDIMG_FORMAT_AVIF];
      self->avif_known = TRUE;
      if (!self->can_encode[RNDIMG_FORMAT_AVIF])
        g_message ("libvips here cannot encode AVIF (libheif without an AV1 encoder): avif answers 406");
    }
}

static Probe *
probe_new (RndimgEncoders *self, gboolean avif)
{
  Probe *probe = g_new0 (Probe, 1);

  probe->engine = g_object_ref (self->engine);
  probe->formats = !self->formats_known;
  probe->avif = avif && !self->avif_known;
  return probe;
}

/* Whether what a request needs is known: the module's fate and the
 * formats but AVIF, and AVIF's too when @with_avif. */
gboolean
rndimg_encoders_known (RndimgEncoders *self, gboolean with_avif)
{
  return self->unavailable || (self->formats_known && (!with_avif || self->avif_known));
}

/* A probe in place's thread. */
static gpointer
probe_only (gpointer data)
{
  run_probe (data);
  return NULL;
}

/* A probe others wait for: its thread tells the main context when done. */
static gpointer
probe_thread (gpointer data)
{
  RndimgEncoders *self = data;

  run_probe (self->probe);
  g_source_attach (self->done, self->context);
  return NULL;
}

static void start_probe (RndimgEncoders *self);

/* On the main context, once the probe's thread has ended: what it found is
 * learnt, and every waiter whose needs are known is told; one that needs
 * AVIF, asked for meanwhile, starts the next probe. */
static gboolean
on_probe_done (gpointer user_data)
{
  RndimgEncoders *self = user_data;
  GList *link = self->waiters.head;

  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->done, g_source_unref);
  learn (self, self->probe);
  g_clear_pointer (&self->probe, probe_free);
  while (link != NULL)
    {
      Waiter *waiter = link->data;
      GList *next = link->next;

      if (rndimg_encoders_known (self, waiter->with_avif))
        {
          g_queue_delete_link (&self->waiters, link);
          waiter->func (waiter->user_data);
          waiter_free (waiter);
        }
      link = next;
    }
  /* A waiter told may have asked again, and started a probe itself. */
  if (self->thread == NULL && !g_queue_is_empty (&self->waiters))
    start_probe (self);
  return G_SOURCE_REMOVE;
}

static void
start_probe (RndimgEncoders *self)
{
  gboolean avif = FALSE;

  for (GList *link = self->waiters.head; link != NULL; link = link->next)
    avif |= ((Waiter *) link->data)->with_avif;
  self->probe = probe_new (self, avif);
  self->done = g_idle_source_new ();
  g_source_set_callback (self->done, on_probe_done, self, NULL);
  self->thread = g_thread_new ("rndimg-probe", probe_thread, self);
}

/* Calls @func(@user_data) on the main context once what a request needs is
 * known (rndimg_encoders_known()): at once when it is, else after a probe
 * on a thread of its own, the main loop serving on meanwhile. @free_data
 * frees @user_data afterwards, or if the encoders go first. */
void
rndimg_encoders_when_known (RndimgEncoders *self, gboolean with_avif, RndimgEncodersFunc func, gpointer user_data,
                            GDestroyNotify free_data)
{
  Waiter *waiter;

  if (rndimg_encoders_known (self, with_avif))
    {
      func (user_data);
      if (free_data != NULL)
        free_data (user_data);
      return;
    }
  waiter = g_new0 (Waiter, 1);
  *waiter = (Waiter) { func, user_data, free_data, with_avif };
  g_queue_push_tail (&self->waiters, waiter);
  if (self->thread == NULL)
    start_probe (self);
}

/* Whether @format can be rendered, probing in place (the main loop waits)
 * when it is not known yet. */
gboolean
rndimg_encoders_can_encode (RndimgEncoders *self, RndimgFormat format)
{
  gboolean avif = format == RNDIMG_FORMAT_AVIF;

  if (!rndimg_encoders_known (self, avif))
    {
      Probe *probe = probe_new (self, avif);

      g_thread_join (g_thread_new ("rndimg-probe", probe_only, probe));
      learn (self, probe);
      probe_free (probe);
    }
  if (self->unavailable)
    return format != RNDIMG_FORMAT_AUTO;
  return format != RNDIMG_FORMAT_AUTO && self->can_encode[format];
}
