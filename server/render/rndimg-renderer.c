/* SPDX-License-Identifier: MIT */
/* Renders picture variants with libvips on a bounded pool of threads,
 * never on the main loop. One render per variant key however many ask at
 * once (they all wait for it); a full queue refuses at once; each render
 * is killed at its time limit. libvips is set up before, once for the
 * process (rndimg-vips.c); the render threads run lowered. */
#include "rndimg-renderer.h"
#include "rndimg-picture-header.h"
#include "rndimg-vips.h"

G_DEFINE_QUARK (rndimg-render-error-quark, rndimg_render_error)

/* One render, and every request waiting for it. */
typedef struct {
  RndimgRenderer *renderer;     /* a reference: finish runs on the main context */
  char *key;
  char *path;
  RndimgVariantSpec spec;
  GPtrArray *tasks;             /* GTask, each waiting */
  GBytes *bytes;                /* the result, or */
  GError *error;
  double seconds;
} Job;

struct _RndimgRenderer
{
  GObject parent_instance;

  RndimgRendererLimits limits;
  GThreadPool *pool;
  GMainContext *context;        /* where results are delivered */
  GHashTable *jobs;             /* key -> Job, waiting or running */
  gint running;                 /* atomic */
  gboolean can_encode[RNDIMG_FORMAT_AVIF + 1];
  RndimgRendererCounts counts;
};

G_DEFINE_FINAL_TYPE (RndimgRenderer, rndimg_renderer, G_TYPE_OBJECT)

static void
job_free (Job *job)
{
  g_free (job->key);
  g_free (job->path);
  g_ptr_array_unref (job->tasks);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_error (&job->error);
  g_free (job);
}

static void
rndimg_renderer_finalize (GObject *object)
{
  RndimgRenderer *self = RNDIMG_RENDERER (object);

  /* Every job holds a reference: none is left by now. */
  g_thread_pool_free (self->pool, TRUE, TRUE);
  g_hash_table_unref (self->jobs);
  g_main_context_unref (self->context);
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
}

static void
set_vips_error (GError **error, RndimgRenderError code, const char *what)
{
  g_autofree char *detail = vips_error_buffer_copy ();

  g_strchomp (detail);
  g_set_error (error, RNDIMG_RENDER_ERROR, code, "%s%s%s", what, *detail ? ": " : "", detail);
}

typedef struct {
  gint64 deadline;
  gboolean passed;
} Deadline;

/* Kills the render whose deadline has passed; libvips checks between
 * tiles (and resets the flag once read, so we keep our own). */
static void
on_eval (VipsImage *image, VipsProgress *progress, gpointer user_data)
{
  Deadline *deadline = user_data;

  if (g_get_monotonic_time () > deadline->deadline)
    {
      deadline->passed = TRUE;
      vips_image_set_kill (image, TRUE);
    }
}

/* Progressive JPEG only where it shows: a large picture appears early as
 * a coarse whole. A thumbnail arrives in a packet or two anyway, and
 * progressive coding costs a tenth more CPU per render (callgrind: 53.7
 * against 48.9 million instructions for a 400x400 PNG to 250x250). */
#define PROGRESSIVE_MIN_PIXELS (512 * 512)

static gboolean
wants_progressive (VipsImage *image)
{
  return (guint64) vips_image_get_width (image) * (guint64) vips_image_get_height (image) >= PROGRESSIVE_MIN_PIXELS;
}

static int
save (VipsImage *image, RndimgFormat format, guint quality, void **buffer, size_t *length)
{
  guint q = quality != 0 ? quality : rndimg_format_default_quality (format);

  switch (format)
    {
    case RNDIMG_FORMAT_JPEG:
      return vips_jpegsave_buffer (image, buffer, length, "Q", q, "interlace", wants_progressive (image),
                                   "optimize_coding", TRUE, "strip", TRUE, NULL);
    case RNDIMG_FORMAT_PNG:
      return vips_pngsave_buffer (image, buffer, length, "compression", 6, "strip", TRUE, NULL);
    case RNDIMG_FORMAT_WEBP:
      return vips_webpsave_buffer (image, buffer, length, "Q", q, "strip", TRUE, NULL);
    case RNDIMG_FORMAT_AVIF:
      return vips_heifsave_buffer (image, buffer, length, "Q", q, "strip", TRUE, "effort", 2,
                                   "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL);
    case RNDIMG_FORMAT_AUTO:
    default:
      vips_error ("rndimg", "no format chosen");
      return -1;
    }
}

/* The box libvips' thumbnail is asked for, from the spec and the source. */
static void
thumbnail_box (const RndimgVariantSpec *spec, int source_width, int source_height, int *width, int *height)
{
  *width = spec->width != 0 ? (int) spec->width : VIPS_MAX_COORD;
  *height = spec->height != 0 ? (int) spec->height : VIPS_MAX_COORD;
  if (spec->width == 0 && spec->height == 0)
    {
      *width = source_width;
      *height = source_height;
    }
}

/* Every metadata block goes, not only through the savers' "strip":
 * libvips 8.14.1's webpsave ignores it and writes EXIF (GPS included),
 * made again from the "exif-ifd*" fields if the block alone is removed. */
static gboolean
is_metadata (const char *field)
{
  static const char *const prefixes[] = { "exif-", "xmp-", "iptc-", "icc-", "photoshop-", "orientation",
                                          "gif-comment", "png-comment" };

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (field, prefixes[i]))
      return TRUE;
  return FALSE;
}

static int
strip_metadata (VipsImage **image)
{
  VipsImage *next = NULL;
  g_auto(GStrv) fields = NULL;

  if (rndimg_vips_step (image, &next, vips_copy (*image, &next, NULL)) != 0)
    return -1;
  fields = vips_image_get_fields (*image);
  for (char **field = fields; *field != NULL; field++)
    if (is_metadata (*field))
      vips_image_remove (*image, *field);
  return 0;
}

static int
apply_look (VipsImage **image, const RndimgVariantSpec *spec)
{
  VipsImage *next = NULL;

  if (spec->fit == RNDIMG_FIT_CONTAIN && spec->width != 0 && spec->height != 0 &&
      rndimg_vips_step (image, &next, vips_gravity (*image, &next, VIPS_COMPASS_DIRECTION_CENTRE, (int) spec->width,
                                          (int) spec->height, "extend", VIPS_EXTEND_WHITE, NULL)) != 0)
    return -1;
  if (spec->grayscale &&
      rndimg_vips_step (image, &next, vips_colourspace (*image, &next, VIPS_INTERPRETATION_B_W, NULL)) != 0)
    return -1;
  if (spec->blur != 0 && rndimg_vips_step (image, &next, vips_gaussblur (*image, &next, (double) spec->blur, NULL)) != 0)
    return -1;
  if (spec->format == RNDIMG_FORMAT_JPEG && vips_image_hasalpha (*image) &&
      rndimg_vips_step (image, &next, rndimg_vips_flatten_on_white (*image, &next)) != 0)
    return -1;
  return strip_metadata (image);
}

/* libvips' own reading of the header, for the size the thumbnail is
 * asked for; its pixel check guards a file swapped in since the judgement. */
static VipsImage *
open_checked (const char *path, guint64 max_input_pixels, GError **error)
{
  VipsImage *header = vips_image_new_from_file (path, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
  guint64 pixels;

  if (header == NULL)
    {
      set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be read");
      return NULL;
    }
  pixels = (guint64) vips_image_get_width (header) * (guint64) vips_image_get_height (header);
  if (pixels > max_input_pixels)
    {
      g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE,
                   "the picture has %" G_GUINT64_FORMAT " pixels, over the limit of %" G_GUINT64_FORMAT,
                   pixels, max_input_pixels);
      g_object_unref (header);
      return NULL;
    }
  return header;
}

static gboolean
check_output (VipsImage *image, GError **error)
{
  RndimgVariantSpec made = { .width = (guint) vips_image_get_width (image),
                             .height = (guint) vips_image_get_height (image) };
  g_auto(RndimgVariantProblem) problem = { 0 };

  if (rndimg_variant_check_limits (&made, &problem))
    return TRUE;
  g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_OUTPUT_TOO_LARGE,
               "the variant would be %ux%u: %s", made.width, made.height, problem.message);
  return FALSE;
}

/* The picture judged by its header as at upload and in the catalogue
 * (pictures/rndimg-picture-header.c), from the file as it is now. */
static gboolean
judge_source (const char *path, guint64 max_input_pixels, GError **error)
{
  g_autoptr(GError) refused = NULL;

  if (rndimg_picture_header_judge_file (path, max_input_pixels, NULL, &refused))
    return TRUE;
  g_set_error (error, RNDIMG_RENDER_ERROR,
               g_error_matches (refused, RNDIMG_PICTURE_HEADER_ERROR, RNDIMG_PICTURE_HEADER_ERROR_TOO_LARGE)
                 ? RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE : RNDIMG_RENDER_ERROR_CORRUPT,
               "%s", refused->message);
  return FALSE;
}

static GBytes *
render (const RndimgRendererLimits *limits, const char *path, const RndimgVariantSpec *spec, GError **error)
{
  g_autoptr(VipsImage) header = judge_source (path, limits->max_input_pixels, error)
                                  ? open_checked (path, limits->max_input_pixels, error) : NULL;
  VipsImage *image = NULL;
  Deadline deadline = { g_get_monotonic_time () + (gint64) (limits->time_limit_seconds * G_USEC_PER_SEC), FALSE };
  gboolean cover = spec->fit == RNDIMG_FIT_COVER && spec->width != 0 && spec->height != 0;
  gboolean only_down = spec->fit == RNDIMG_FIT_INSIDE && !spec->enlarge;
  void *buffer = NULL;
  size_t length = 0;
  int width, height, status;

  if (header == NULL)
    return NULL;
  thumbnail_box (spec, vips_image_get_width (header), vips_image_get_height (header), &width, &height);
  if (vips_thumbnail (path, &image, width, "height", height, "fail_on", VIPS_FAIL_ON_ERROR,
                      "size", only_down ? VIPS_SIZE_DOWN : VIPS_SIZE_BOTH,
                      "crop", cover ? (VipsInteresting) (VIPS_INTERESTING_CENTRE + spec->crop) : VIPS_INTERESTING_NONE,
                      NULL) != 0)
    {
      set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be decoded");
      return NULL;
    }
  if (!check_output (image, error) || apply_look (&image, spec) != 0)
    {
      if (error != NULL && *error == NULL)
        set_vips_error (error, RNDIMG_RENDER_ERROR_CORRUPT, "the picture cannot be processed");
      g_object_unref (image);
      return NULL;
    }
  vips_image_set_progress (image, TRUE);
  g_signal_connect (image, "eval", G_CALLBACK (on_eval), &deadline);
  status = save (image, spec->format, spec->quality, &buffer, &length);
  if (status != 0)
    {
      gboolean killed = deadline.passed;

      set_vips_error (error, killed ? RNDIMG_RENDER_ERROR_TIMEOUT : RNDIMG_RENDER_ERROR_CORRUPT,
                      killed ? "the render took longer than its time limit" : "the picture cannot be decoded");
      g_object_unref (image);
      return NULL;
    }
  g_object_unref (image);
  /* libvips' buffer has room to spare (it grows as it writes): cut to
   * size, or the cache's byte budget would count a fraction of its memory. */
  return g_bytes_new_take (g_realloc (buffer, MAX (length, 1)), length);
}

/* On the main context: every waiting request gets the one result. */
static gboolean
finish_job (gpointer data)
{
  Job *job = data;
  RndimgRenderer *self = job->renderer;

  g_hash_table_steal (self->jobs, job->key);
  if (job->bytes != NULL)
    self->counts.renders++;
  else if (g_error_matches (job->error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_TIMEOUT))
    self->counts.timeouts++;
  else if (g_error_matches (job->error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE))
    self->counts.refused_input++;
  else
    self->counts.failures++;
  for (guint i = 0; i < job->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (job->tasks, i);

      g_task_set_task_data (task, g_memdup2 (&job->seconds, sizeof job->seconds), g_free);
      if (job->bytes != NULL)
        g_task_return_pointer (task, g_bytes_ref (job->bytes), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (task, g_error_copy (job->error));
    }
  job_free (job);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* On a worker thread. */
static void
run_job (gpointer data, gpointer user_data)
{
  Job *job = data;
  RndimgRenderer *self = job->renderer;
  gint64 started = g_get_monotonic_time ();

  rndimg_vips_lower_this_thread ();
  g_atomic_int_inc (&self->running);
  job->bytes = render (&self->limits, job->path, &job->spec, &job->error);
  job->seconds = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  vips_error_clear ();
  vips_thread_shutdown ();
  g_atomic_int_dec_and_test (&self->running);
  g_main_context_invoke (self->context, finish_job, job);
}

/* Renders a tiny picture in @format: Debian's libheif may lack an AV1 encoder. */
static gboolean
probe_encoder (RndimgFormat format)
{
  g_autoptr(VipsImage) black = NULL;
  void *buffer = NULL;
  size_t length = 0;
  int status;

  if (vips_black (&black, 16, 16, "bands", 3, NULL) != 0)
    return FALSE;
  status = save (black, format, 0, &buffer, &length);
  g_free (buffer);
  vips_error_clear ();
  return status == 0 && length > 0;
}

/* On a thread of its own, lowered: the threads libvips starts for the
 * probes stay in its thread set and serve later renders. */
static gpointer
probe_encoders (gpointer data)
{
  RndimgRenderer *self = data;

  rndimg_vips_lower_this_thread ();
  for (RndimgFormat format = RNDIMG_FORMAT_JPEG; format <= RNDIMG_FORMAT_AVIF; format++)
    self->can_encode[format] = probe_encoder (format);
  vips_thread_shutdown ();
  return NULL;
}

/* libvips must be started (rndimg_vips_start) before. */
RndimgRenderer *
rndimg_renderer_new (const RndimgRendererLimits *limits)
{
  RndimgRenderer *self = g_object_new (RNDIMG_TYPE_RENDERER, NULL);
  g_autoptr(GError) error = NULL;

  self->limits = *limits;
  self->context = g_main_context_ref_thread_default ();
  self->jobs = g_hash_table_new (g_str_hash, g_str_equal);
  self->pool = g_thread_pool_new (run_job, self, (gint) MAX (limits->workers, 1), TRUE, &error);
  if (self->pool == NULL)
    g_error ("cannot start the render threads: %s", error->message);
  g_thread_join (g_thread_new ("rndimg-probe", probe_encoders, self));
  if (!self->can_encode[RNDIMG_FORMAT_AVIF])
    g_message ("libvips here cannot encode AVIF (libheif without an AV1 encoder): avif answers 406");
  return self;
}

gboolean
rndimg_renderer_can_encode (RndimgRenderer *self, RndimgFormat format)
{
  return format != RNDIMG_FORMAT_AUTO && self->can_encode[format];
}

/* Renders @spec (a concrete format) of the picture at @path, or joins the
 * render of @key already under way. */
void
rndimg_renderer_render_async (RndimgRenderer *self, const char *key, const char *path,
                              const RndimgVariantSpec *spec, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Job *job = g_hash_table_lookup (self->jobs, key);

  if (job != NULL)
    {
      self->counts.joined++;
      g_ptr_array_add (job->tasks, task);
      return;
    }
  /* Counted here, on the main context, from the jobs not yet finished:
   * the pool's own counts lag behind a render thread that the machine's
   * load keeps from running (they run lowered), and would let the queue
   * grow past its limit meanwhile. */
  if (g_hash_table_size (self->jobs) >= self->limits.workers + self->limits.queue_limit)
    {
      self->counts.refused_busy++;
      g_task_return_new_error (task, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_BUSY,
                               "%u renders are waiting already; try again shortly", self->limits.queue_limit);
      g_object_unref (task);
      return;
    }
  job = g_new0 (Job, 1);
  job->renderer = g_object_ref (self);
  job->key = g_strdup (key);
  job->path = g_strdup (path);
  job->spec = *spec;
  job->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (job->tasks, task);
  g_hash_table_insert (self->jobs, job->key, job);
  g_thread_pool_push (self->pool, job, NULL);
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

guint
rndimg_renderer_get_queued (RndimgRenderer *self)
{
  return g_thread_pool_unprocessed (self->pool);
}

guint
rndimg_renderer_get_running (RndimgRenderer *self)
{
  return (guint) g_atomic_int_get (&self->running);
}

const RndimgRendererCounts *
rndimg_renderer_get_counts (RndimgRenderer *self)
{
  return &self->counts;
}
