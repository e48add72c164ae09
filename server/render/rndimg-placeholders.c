/* SPDX-License-Identifier: MIT */
/* Placeholders per picture: the average colour and a BlurHash, computed
 * once per picture version from a small decode in a worker thread of its
 * own, lowered (one picture at a time, so the main loop and the other
 * requests never wait for it), with the content hash its variants' URLs carry (so answers and
 * events can give it without reading the file on the main loop); kept in
 * the state folder (placeholders.jsonl, one JSON line appended per
 * picture) so a restart does not redo them (nor load the render module,
 * libvips, which only a picture without a placeholder yet needs).
 * Until a picture's turn comes its placeholder is unknown (null in JSON). */
#include "rndimg-placeholders.h"
#include "rndimg-blurhash.h"
#include "rndimg-content-hash.h"
#include "rndimg-picture-thread.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The decode is shrunk to this before the BlurHash is computed: plenty
 * for its 4x3 cosine components, and each halving of the side takes about
 * a quarter of the CPU a placeholder costs (bench/placeholder-cost.sh). */
#define SMALL_SIDE 32
#define MAX_CACHE_BYTES (256 * 1024 * 1024)
#define MAX_BLURHASH_LENGTH 64

typedef struct {
  char *version;              /* of the picture it was made from */
  RndimgPlaceholder placeholder;
} Entry;

struct _RndimgPlaceholders
{
  GObject parent_instance;

  RndimgCatalogue *catalogue;
  RndimgRenderEngine *engine;  /* decodes, in the render module */
  char *cache_file;           /* NULL: not kept */
  guint64 max_input_pixels;   /* pictures larger are not decoded */
  GHashTable *entries;        /* picture name -> Entry */
  GHashTable *failed;         /* picture name -> the version that could not be decoded */
  GQueue waiting;             /* RndimgPicture, to compute */
  GHashTable *queued;         /* picture names waiting or in the worker */
  gboolean working;
  GThreadPool *worker;        /* one thread, exclusive: lowered for good */
  GCancellable *cancellable;
  GFileOutputStream *cache;   /* cache_file, appended to; NULL: not kept */
};

G_DEFINE_FINAL_TYPE (RndimgPlaceholders, rndimg_placeholders, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_free (entry->version);
  g_free (entry->placeholder.blurhash);
  g_free (entry->placeholder.variant_version);
  g_free (entry);
}

static gboolean
blurhash_is_valid (const char *text)
{
  static const char base83[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
  gsize length = strlen (text);

  return length >= 6 && length <= MAX_BLURHASH_LENGTH && strspn (text, base83) == length;
}

static gboolean
colour_is_valid (const char *text)
{
  if (strlen (text) != 7 || text[0] != '#')
    return FALSE;
  for (int i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
variant_version_is_valid (const char *text)
{
  return strlen (text) == 16 && strspn (text, "0123456789abcdef") == 16;
}

static void
remember (RndimgPlaceholders *self, const char *name, const char *version, const char *colour, const char *blurhash,
          const char *variant_version)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->version = g_strdup (version);
  g_strlcpy (entry->placeholder.colour, colour, sizeof entry->placeholder.colour);
  entry->placeholder.blurhash = g_strdup (blurhash);
  entry->placeholder.variant_version = g_strdup (variant_version);
  g_hash_table_replace (self->entries, g_strdup (name), entry);
}

/* One line of the cache: {"name":…,"version":…,"colour":…,"blurhash":…,
 * "variant_version":…}; a line without the last (an older server's) is
 * computed again. {"name":…,"version":…,"failed":true}: that version
 * cannot be decoded, and is not tried again at the next start (which
 * would load the render module for it). */
static void
load_line (RndimgPlaceholders *self, JsonParser *parser, const char *line, gsize length)
{
  JsonNode *root;
  JsonObject *entry;
  const char *name, *version, *colour, *blurhash, *variant_version;

  if (!json_parser_load_from_data (parser, line, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  entry = json_node_get_object (root);
  name = json_object_get_string_member_with_default (entry, "name", NULL);
  if (name != NULL && json_object_get_boolean_member_with_default (entry, "removed", FALSE))
    {
      g_hash_table_remove (self->entries, name);
      g_hash_table_remove (self->failed, name);
      return;
    }
  version = json_object_get_string_member_with_default (entry, "version", NULL);
  if (name != NULL && version != NULL && json_object_get_boolean_member_with_default (entry, "failed", FALSE))
    {
      if (rndimg_catalogue_name_is_valid (name))
        g_hash_table_replace (self->failed, g_strdup (name), g_strdup (version));
      return;
    }
  colour = json_object_get_string_member_with_default (entry, "colour", NULL);
  blurhash = json_object_get_string_member_with_default (entry, "blurhash", NULL);
  variant_version = json_object_get_string_member_with_default (entry, "variant_version", NULL);
  if (name != NULL && version != NULL && colour != NULL && blurhash != NULL && variant_version != NULL &&
      colour_is_valid (colour) && blurhash_is_valid (blurhash) && variant_version_is_valid (variant_version) &&
      rndimg_catalogue_name_is_valid (name))
    {
      remember (self, name, version, colour, blurhash, variant_version);
      g_hash_table_remove (self->failed, name);
    }
}

/* Reads what earlier runs computed (JSON Lines, later lines win);
 * anything odd in it is skipped. Returns the number of lines. */
static guint
load_cache (RndimgPlaceholders *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GMappedFile) file = NULL;
  const char *data, *end, *line;
  guint lines = 0;

  if (self->cache_file == NULL || (file = g_mapped_file_new (self->cache_file, FALSE, NULL)) == NULL ||
      g_mapped_file_get_length (file) > MAX_CACHE_BYTES)
    return 0;
  data = g_mapped_file_get_contents (file);
  end = data + g_mapped_file_get_length (file);
  for (line = data; line < end; lines++)
    {
      const char *newline = memchr (line, '\n', (gsize) (end - line));
      const char *stop = newline != NULL ? newline : end;

      load_line (self, parser, line, (gsize) (stop - line));
      line = stop + 1;
    }
  return lines;
}

static char *
failure_line (const char *name, const char *version)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, version);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
entry_line (const char *name, const Entry *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, entry->version);
  json_builder_set_member_name (builder, "colour");
  json_builder_add_string_value (builder, entry->placeholder.colour);
  json_builder_set_member_name (builder, "blurhash");
  json_builder_add_string_value (builder, entry->placeholder.blurhash);
  json_builder_set_member_name (builder, "variant_version");
  json_builder_add_string_value (builder, entry->placeholder.variant_version);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return text;
}

/* Rewrites the cache with one line per picture known (at start, when it
 * holds many stale lines), then keeps it open for appending. */
static void
open_cache (RndimgPlaceholders *self, guint lines_read)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (self->cache_file == NULL)
    return;
  file = g_file_new_for_path (self->cache_file);
  if (lines_read > 2 * (g_hash_table_size (self->entries) + g_hash_table_size (self->failed)) + 64)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      GHashTableIter iter;
      gpointer name, entry, version;

      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, &name, &entry))
        {
          g_autofree char *line = entry_line (name, entry);
          g_string_append (g_string_append (text, line), "\n");
        }
      g_hash_table_iter_init (&iter, self->failed);
      while (g_hash_table_iter_next (&iter, &name, &version))
        {
          g_autofree char *line = failure_line (name, version);
          g_string_append (g_string_append (text, line), "\n");
        }
      if (!g_file_set_contents_full (self->cache_file, text->str, (gssize) text->len,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
        g_warning ("placeholders not kept: %s", error->message);
      g_clear_error (&error);
    }
  self->cache = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error);
  if (self->cache == NULL)
    g_warning ("placeholders not kept: %s", error->message);
}

/* One line per placeholder computed: a few dozen bytes written, never
 * the whole cache, so the main loop never waits on it. */
static void
append_line (RndimgPlaceholders *self, const char *line)
{
  g_autoptr(GError) error = NULL;

  if (self->cache == NULL)
    return;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (self->cache), line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (self->cache), "\n", 1, NULL, NULL, &error))
    {
      g_warning ("placeholders not kept: %s", error->message);
      g_clear_object (&self->cache);
    }
}

static void
keep (RndimgPlaceholders *self, const char *name)
{
  g_autofree char *line = entry_line (name, g_hash_table_lookup (self->entries, name));

  append_line (self, line);
}

static void
keep_failure (RndimgPlaceholders *self, const char *name, const char *version)
{
  g_autofree char *line = failure_line (name, version);

  append_line (self, line);
}

typedef struct {
  char colour[8];
  char *blurhash;
  char *variant_version;
} Computed;

static void
computed_free (Computed *computed)
{
  g_free (computed->blurhash);
  g_free (computed->variant_version);
  g_free (computed);
}

/* In the worker thread. */
static void
compute (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RndimgPlaceholders *self = source;
  RndimgPicture *image = task_data;
  const RndimgRenderEntryPoints *render;
  g_autoptr(RndimgPixels) pixels = NULL;
  g_autofree char *variant_version = NULL;
  GError *error = NULL;
  Computed *computed;
  gboolean portrait;

  if (g_task_return_error_if_cancelled (task))
    return;
  render = rndimg_render_engine_get (self->engine, &error);
  if (render != NULL)
    pixels = render->decode_small (image, SMALL_SIDE, self->max_input_pixels, &error);
  if (pixels == NULL || (variant_version = rndimg_content_hash (image->path, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  computed = g_new0 (Computed, 1);
  computed->variant_version = g_steal_pointer (&variant_version);
  portrait = pixels->height > pixels->width;
  computed->blurhash = rndimg_blurhash_encode (pixels, portrait ? 3 : 4, portrait ? 4 : 3, computed->colour);
  g_task_return_pointer (task, computed, (GDestroyNotify) computed_free);
}

static void start_next (RndimgPlaceholders *self);

static gboolean
is_listed (RndimgPlaceholders *self, const RndimgPicture *image)
{
  g_autoptr(RndimgPicture) listed = rndimg_catalogue_lookup_any (self->catalogue, image->name);

  return listed != NULL && g_str_equal (listed->version, image->version);
}

static void
on_computed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgPlaceholders *self = RNDIMG_PLACEHOLDERS (source);
  RndimgPicture *image = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Computed *computed = g_task_propagate_pointer (G_TASK (result), &error);

  self->working = FALSE;
  g_hash_table_remove (self->queued, image->name);
  if (computed == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Not tried again until the file changes; a picture deleted
       * meanwhile is no news, nor a render module that cannot be loaded
       * (said once, by rndimg-render-engine.c). */
      if (is_listed (self, image) && !g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNAVAILABLE))
        g_warning ("no placeholder for %s: %s", image->name, error->message);
      g_hash_table_replace (self->failed, g_strdup (image->name), g_strdup (image->version));
      if (!g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNAVAILABLE))
        keep_failure (self, image->name, image->version);
      start_next (self);
      return;
    }
  /* A picture deleted while it was computed gets none. */
  if (!is_listed (self, image))
    {
      computed_free (computed);
      start_next (self);
      return;
    }
  remember (self, image->name, image->version, computed->colour, computed->blurhash, computed->variant_version);
  computed_free (computed);
  keep (self, image->name);
  g_signal_emit (self, signals[CHANGED], 0, image->name);
  start_next (self);
}

static void
start_next (RndimgPlaceholders *self)
{
  g_autoptr(GTask) task = NULL;
  RndimgPicture *image;

  if (self->working || (image = g_queue_pop_head (&self->waiting)) == NULL)
    return;
  self->working = TRUE;
  task = g_task_new (self, self->cancellable, on_computed, NULL);
  g_task_set_task_data (task, image, (GDestroyNotify) rndimg_picture_unref);
  g_thread_pool_push (self->worker, g_steal_pointer (&task), NULL);
}

/* In the worker thread, which stays lowered: not a thread of GLib's
 * shared pool, which would hand it to other work after. */
static void
run_compute (gpointer data, gpointer user_data)
{
  g_autoptr(GTask) task = data;

  rndimg_picture_thread_lower ();
  compute (task, g_task_get_source_object (task), g_task_get_task_data (task), g_task_get_cancellable (task));
}

static gboolean
is_current (RndimgPlaceholders *self, const RndimgPicture *image)
{
  Entry *entry = g_hash_table_lookup (self->entries, image->name);

  return (entry != NULL && g_str_equal (entry->version, image->version)) ||
         g_strcmp0 (g_hash_table_lookup (self->failed, image->name), image->version) == 0;
}

static void
enqueue (RndimgPlaceholders *self, RndimgPicture *image)
{
  if (is_current (self, image) || g_hash_table_contains (self->queued, image->name))
    return;
  g_hash_table_add (self->queued, g_strdup (image->name));
  g_queue_push_tail (&self->waiting, rndimg_picture_ref (image));
  start_next (self);
}

static void
on_image_added (RndimgCatalogue *catalogue, RndimgPicture *image, gpointer user_data)
{
  enqueue (user_data, image);
}

static void
rndimg_placeholders_dispose (GObject *object)
{
  RndimgPlaceholders *self = RNDIMG_PLACEHOLDERS (object);

  g_cancellable_cancel (self->cancellable);
  if (self->catalogue != NULL)
    g_signal_handlers_disconnect_by_data (self->catalogue, self);
  if (self->cache != NULL)
    g_output_stream_close (G_OUTPUT_STREAM (self->cache), NULL, NULL);
  g_clear_object (&self->cache);
  g_queue_clear_full (&self->waiting, (GDestroyNotify) rndimg_picture_unref);
  g_clear_object (&self->catalogue);
  G_OBJECT_CLASS (rndimg_placeholders_parent_class)->dispose (object);
}

static void
rndimg_placeholders_finalize (GObject *object)
{
  RndimgPlaceholders *self = RNDIMG_PLACEHOLDERS (object);

  /* Not waiting: the last reference may go in the worker thread itself. */
  g_thread_pool_free (self->worker, FALSE, FALSE);
  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->failed);
  g_hash_table_unref (self->queued);
  g_object_unref (self->cancellable);
  g_free (self->cache_file);
  g_object_unref (self->engine);
  G_OBJECT_CLASS (rndimg_placeholders_parent_class)->finalize (object);
}

static void
rndimg_placeholders_class_init (RndimgPlaceholdersClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rndimg_placeholders_dispose;
  G_OBJECT_CLASS (klass)->finalize = rndimg_placeholders_finalize;

  /* (RndimgPlaceholders *, const char *name): a placeholder is known now. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
rndimg_placeholders_init (RndimgPlaceholders *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->worker = g_thread_pool_new (run_compute, NULL, 1, TRUE, NULL);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->waiting);
}

/* Placeholders for every picture of @catalogue, kept in @cache_file (NULL:
 * computed again each run); pictures over @max_input_pixels get none.
 * Starts on the pictures it does not know. */
RndimgPlaceholders *
rndimg_placeholders_new (RndimgCatalogue *catalogue, RndimgRenderEngine *engine, const char *cache_file,
                         guint64 max_input_pixels)
{
  RndimgPlaceholders *self = g_object_new (RNDIMG_TYPE_PLACEHOLDERS, NULL);
  g_autoptr(GPtrArray) pictures = rndimg_catalogue_list_all (catalogue);

  self->catalogue = g_object_ref (catalogue);
  self->engine = g_object_ref (engine);
  self->cache_file = g_strdup (cache_file);
  self->max_input_pixels = max_input_pixels;
  open_cache (self, load_cache (self));
  g_signal_connect (catalogue, "image-added", G_CALLBACK (on_image_added), self);
  for (guint i = 0; i < pictures->len; i++)
    enqueue (self, g_ptr_array_index (pictures, i));
  return self;
}

/* The placeholder of @image as it is now (borrowed), or NULL while it is
 * being computed (a changed file is queued again here). */
const RndimgPlaceholder *
rndimg_placeholders_lookup (RndimgPlaceholders *self, const RndimgPicture *image)
{
  Entry *entry = g_hash_table_lookup (self->entries, image->name);

  if (entry != NULL && g_str_equal (entry->version, image->version))
    return &entry->placeholder;
  enqueue (self, (RndimgPicture *) image);
  return NULL;
}

/* Pictures still waiting for their placeholder. */
guint
rndimg_placeholders_get_pending (RndimgPlaceholders *self)
{
  return g_hash_table_size (self->queued);
}

/* @image's variant_version if the worker computed it for the file as it
 * is now (borrowed), else NULL; unlike rndimg_placeholders_lookup(),
 * queues nothing. */
const char *
rndimg_placeholders_peek_variant_version (RndimgPlaceholders *self, const RndimgPicture *image)
{
  Entry *entry = g_hash_table_lookup (self->entries, image->name);

  return entry != NULL && g_str_equal (entry->version, image->version) ? entry->placeholder.variant_version : NULL;
}

/* Picture @name left the catalogue: its placeholder goes (from the
 * state file too, by a line that says so). */
void
rndimg_placeholders_forget (RndimgPlaceholders *self, const char *name)
{
  g_autofree char *escaped = NULL;
  g_autofree char *line = NULL;

  gboolean known = g_hash_table_remove (self->entries, name);

  known = g_hash_table_remove (self->failed, name) || known;
  if (!known || self->cache == NULL)
    return;
  escaped = g_strescape (name, NULL);
  line = g_strdup_printf ("{\"name\":\"%s\",\"removed\":true}\n", escaped);
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (self->cache), line, strlen (line), NULL, NULL, NULL))
    g_clear_object (&self->cache);
}
