/* SPDX-License-Identifier: MIT */
/* Placeholders per picture: the average colour and a BlurHash, computed
 * once per picture version from a small decode in a worker thread (one
 * picture at a time, so the main loop and the other requests never wait
 * for it), and kept in the state folder so a restart does not redo them.
 * Until a picture's turn comes its placeholder is unknown (null in JSON). */
#include "rndimg-placeholders.h"
#include "rndimg-blurhash.h"
#include "rndimg-picture-decode.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The decode is shrunk to this before the BlurHash is computed. */
#define SMALL_SIDE 64
#define SAVE_DELAY_SECONDS 5
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
  char *cache_file;           /* NULL: not kept */
  GHashTable *entries;        /* picture name -> Entry */
  GQueue waiting;             /* RndimgImage, to compute */
  GHashTable *queued;         /* picture names waiting or in the worker */
  gboolean working;
  GCancellable *cancellable;
  guint save_id;
};

G_DEFINE_FINAL_TYPE (RndimgPlaceholders, rndimg_placeholders, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_free (entry->version);
  g_free (entry->placeholder.blurhash);
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

static void
remember (RndimgPlaceholders *self, const char *name, const char *version, const char *colour, const char *blurhash)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->version = g_strdup (version);
  g_strlcpy (entry->placeholder.colour, colour, sizeof entry->placeholder.colour);
  entry->placeholder.blurhash = g_strdup (blurhash);
  g_hash_table_replace (self->entries, g_strdup (name), entry);
}

/* Reads what an earlier run computed; anything odd in it is skipped. */
static void
load_cache (RndimgPlaceholders *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GList) names = NULL;
  JsonNode *root, *pictures;

  if (self->cache_file == NULL || (file = g_mapped_file_new (self->cache_file, FALSE, NULL)) == NULL ||
      g_mapped_file_get_length (file) > MAX_CACHE_BYTES ||
      !json_parser_load_from_data (parser, g_mapped_file_get_contents (file), (gssize) g_mapped_file_get_length (file), NULL))
    return;
  root = json_parser_get_root (parser);
  pictures = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "pictures") : NULL;
  if (pictures == NULL || !JSON_NODE_HOLDS_OBJECT (pictures))
    return;
  names = json_object_get_members (json_node_get_object (pictures));
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (pictures), l->data);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *version = entry != NULL ? json_object_get_string_member_with_default (entry, "version", NULL) : NULL;
      const char *colour = entry != NULL ? json_object_get_string_member_with_default (entry, "colour", NULL) : NULL;
      const char *blurhash = entry != NULL ? json_object_get_string_member_with_default (entry, "blurhash", NULL) : NULL;

      if (version != NULL && colour != NULL && blurhash != NULL && colour_is_valid (colour) &&
          blurhash_is_valid (blurhash) && rndimg_catalogue_name_is_valid (l->data))
        remember (self, l->data, version, colour, blurhash);
    }
}

static void
save_cache (RndimgPlaceholders *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer name, value;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pictures");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      Entry *entry = value;

      json_builder_set_member_name (builder, name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, entry->version);
      json_builder_set_member_name (builder, "colour");
      json_builder_add_string_value (builder, entry->placeholder.colour);
      json_builder_set_member_name (builder, "blurhash");
      json_builder_add_string_value (builder, entry->placeholder.blurhash);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  if (!g_file_set_contents_full (self->cache_file, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    g_warning ("placeholders not kept: %s", error->message);
}

static gboolean
on_save_due (gpointer user_data)
{
  RndimgPlaceholders *self = user_data;

  self->save_id = 0;
  save_cache (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (RndimgPlaceholders *self)
{
  if (self->cache_file != NULL && self->save_id == 0)
    self->save_id = g_timeout_add_seconds (SAVE_DELAY_SECONDS, on_save_due, self);
}

typedef struct {
  char colour[8];
  char *blurhash;
} Computed;

static void
computed_free (Computed *computed)
{
  g_free (computed->blurhash);
  g_free (computed);
}

/* In the worker thread. */
static void
compute (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RndimgImage *image = task_data;
  g_autoptr(RndimgPixels) pixels = NULL;
  GError *error = NULL;
  Computed *computed;
  gboolean portrait;

  if (g_task_return_error_if_cancelled (task))
    return;
  pixels = rndimg_picture_decode_small (image->path, image->content_type, SMALL_SIDE, &error);
  if (pixels == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  computed = g_new0 (Computed, 1);
  portrait = pixels->height > pixels->width;
  computed->blurhash = rndimg_blurhash_encode (pixels, portrait ? 3 : 4, portrait ? 4 : 3, computed->colour);
  g_task_return_pointer (task, computed, (GDestroyNotify) computed_free);
}

static void start_next (RndimgPlaceholders *self);

static void
on_computed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RndimgPlaceholders *self = RNDIMG_PLACEHOLDERS (source);
  RndimgImage *image = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Computed *computed = g_task_propagate_pointer (G_TASK (result), &error);

  self->working = FALSE;
  g_hash_table_remove (self->queued, image->name);
  if (computed == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        g_warning ("no placeholder for %s: %s", image->name, error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        start_next (self);
      return;
    }
  remember (self, image->name, image->version, computed->colour, computed->blurhash);
  computed_free (computed);
  schedule_save (self);
  g_signal_emit (self, signals[CHANGED], 0, image->name);
  start_next (self);
}

static void
start_next (RndimgPlaceholders *self)
{
  g_autoptr(GTask) task = NULL;
  RndimgImage *image;

  if (self->working || (image = g_queue_pop_head (&self->waiting)) == NULL)
    return;
  self->working = TRUE;
  task = g_task_new (self, self->cancellable, on_computed, NULL);
  g_task_set_task_data (task, image, (GDestroyNotify) rndimg_image_unref);
  g_task_run_in_thread (task, compute);
}

static gboolean
is_current (RndimgPlaceholders *self, const RndimgImage *image)
{
  Entry *entry = g_hash_table_lookup (self->entries, image->name);

  return entry != NULL && g_str_equal (entry->version, image->version);
}

static void
enqueue (RndimgPlaceholders *self, RndimgImage *image)
{
  if (is_current (self, image) || g_hash_table_contains (self->queued, image->name))
    return;
  g_hash_table_add (self->queued, g_strdup (image->name));
  g_queue_push_tail (&self->waiting, rndimg_image_ref (image));
  start_next (self);
}

static void
on_image_added (RndimgCatalogue *catalogue, RndimgImage *image, gpointer user_data)
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
  if (self->save_id != 0)
    {
      g_clear_handle_id (&self->save_id, g_source_remove);
      save_cache (self);
    }
  g_queue_clear_full (&self->waiting, (GDestroyNotify) rndimg_image_unref);
  g_clear_object (&self->catalogue);
  G_OBJECT_CLASS (rndimg_placeholders_parent_class)->dispose (object);
}

static void
rndimg_placeholders_finalize (GObject *object)
{
  RndimgPlaceholders *self = RNDIMG_PLACEHOLDERS (object);

  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->queued);
  g_object_unref (self->cancellable);
  g_free (self->cache_file);
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
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->waiting);
}

/* Placeholders for every picture of @catalogue, kept in @cache_file (NULL:
 * computed again each run). Starts on the pictures it does not know. */
RndimgPlaceholders *
rndimg_placeholders_new (RndimgCatalogue *catalogue, const char *cache_file)
{
  RndimgPlaceholders *self = g_object_new (RNDIMG_TYPE_PLACEHOLDERS, NULL);
  g_autoptr(GPtrArray) pictures = rndimg_catalogue_list (catalogue);

  self->catalogue = g_object_ref (catalogue);
  self->cache_file = g_strdup (cache_file);
  load_cache (self);
  g_signal_connect (catalogue, "image-added", G_CALLBACK (on_image_added), self);
  for (guint i = 0; i < pictures->len; i++)
    enqueue (self, g_ptr_array_index (pictures, i));
  return self;
}

/* The placeholder of @image as it is now (borrowed), or NULL while it is
 * being computed (a changed file is queued again here). */
const RndimgPlaceholder *
rndimg_placeholders_lookup (RndimgPlaceholders *self, const RndimgImage *image)
{
  Entry *entry = g_hash_table_lookup (self->entries, image->name);

  if (entry != NULL && g_str_equal (entry->version, image->version))
    return &entry->placeholder;
  enqueue (self, (RndimgImage *) image);
  return NULL;
}

/* Pictures still waiting for their placeholder. */
guint
rndimg_placeholders_get_pending (RndimgPlaceholders *self)
{
  return g_hash_table_size (self->queued);
}
