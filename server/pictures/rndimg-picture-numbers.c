/* SPDX-License-Identifier: MIT */
/* Every picture's number, as Lorem Picsum's clients write ids
 * (/id/237/200/300): given once, from 0 up, never given again, and kept in
 * the state folder (picture-numbers.tsv) across restarts. The pictures a
 * first start finds are numbered in natural name order; any later one when
 * it is first seen (the folder watch announces it, or an answer needs its
 * number). A picture whose file changes keeps its number; one that leaves
 * the folder keeps it too, in case it comes back; one deleted for good is
 * retired (rndimg_picture_numbers_retire): its number is never used again,
 * and its name, should it come back, gets a new one.
 *
 * The file is a log: "NUMBER<TAB>NAME" for each number given, "retired<TAB>
 * NAME" for each retirement, appended as they happen (a few dozen bytes,
 * written before the number is handed out, so a crash never hands one out
 * twice); "next<TAB>N" heads it when it is rewritten whole, at start, once
 * it holds many stale lines. Lines that do not parse are skipped. */
#include "rndimg-picture-numbers.h"

#include <string.h>

/* Larger files are not read: a corrupt or hostile state folder. */
#define MAX_FILE_BYTES (512 * 1024 * 1024)

typedef struct {
  guint64 number;
  const char *name;      /* borrowed from by_name; NULL: retired or forgotten */
} Entry;

struct _RndimgPictureNumbers
{
  GObject parent_instance;

  char *path;                   /* NULL: kept in memory only */
  GFileOutputStream *log;       /* path, appended to; NULL: not kept */
  RndimgCatalogue *catalogue;   /* followed; NULL until then */
  GArray *entries;              /* Entry, ascending by number */
  GHashTable *by_name;          /* name (owned) -> index in entries */
  guint64 next;                 /* the next number to give */
  guint unused;                 /* entries whose name is NULL */
};

G_DEFINE_FINAL_TYPE (RndimgPictureNumbers, rndimg_picture_numbers, G_TYPE_OBJECT)

static void
rndimg_picture_numbers_finalize (GObject *object)
{
  RndimgPictureNumbers *self = RNDIMG_PICTURE_NUMBERS (object);

  if (self->catalogue != NULL)
    g_signal_handlers_disconnect_by_data (self->catalogue, self);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->log);
  g_array_unref (self->entries);
  g_hash_table_unref (self->by_name);
  g_free (self->path);

  G_OBJECT_CLASS (rndimg_picture_numbers_parent_class)->finalize (object);
}

static void
rndimg_picture_numbers_class_init (RndimgPictureNumbersClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_picture_numbers_finalize;
}

static void
rndimg_picture_numbers_init (RndimgPictureNumbers *self)
{
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
held_number (RndimgPictureNumbers *self, const char *name, guint64 *number)
{
  gpointer index;

  if (!g_hash_table_lookup_extended (self->by_name, name, NULL, &index))
    return FALSE;
  *number = g_array_index (self->entries, Entry, GPOINTER_TO_UINT (index)).number;
  return TRUE;
}

/* Drops the entries of names no longer held and renumbers the index. */
static void
compact_entries (RndimgPictureNumbers *self)
{
  guint kept = 0;

  /* The names stay owned by their entries' new places in the table. */
  g_hash_table_steal_all (self->by_name);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry entry = g_array_index (self->entries, Entry, i);

      if (entry.name == NULL)
        continue;
      g_array_index (self->entries, Entry, kept) = entry;
      g_hash_table_insert (self->by_name, (gpointer) entry.name, GUINT_TO_POINTER (kept));
      kept++;
    }
  g_array_set_size (self->entries, kept);
  self->unused = 0;
}

/* Forgets @name's number (the number itself is never given again). */
static void
forget (RndimgPictureNumbers *self, const char *name)
{
  gpointer index;

  if (!g_hash_table_lookup_extended (self->by_name, name, NULL, &index))
    return;
  g_array_index (self->entries, Entry, GPOINTER_TO_UINT (index)).name = NULL;
  g_hash_table_remove (self->by_name, name);
  if (++self->unused > 64 && self->unused > self->entries->len / 2)
    compact_entries (self);
}

/* Holds @name under @number, which is above every number held. */
static void
hold (RndimgPictureNumbers *self, const char *name, guint64 number)
{
  char *owned = g_strdup (name);
  Entry entry = { number, owned };

  forget (self, name);
  g_hash_table_insert (self->by_name, owned, GUINT_TO_POINTER (self->entries->len));
  g_array_append_val (self->entries, entry);
  self->next = MAX (self->next, number + 1);
}

/* Numbers are given in increasing order: a line that breaks it is not ours. */
static gboolean
is_above_held (RndimgPictureNumbers *self, guint64 number)
{
  return self->entries->len == 0 || number > g_array_index (self->entries, Entry, self->entries->len - 1).number;
}

/* One line of the file; anything odd in it is skipped. */
static void
read_line (RndimgPictureNumbers *self, char *line)
{
  char *tab = strchr (line, '\t');
  guint64 number;

  if (tab == NULL)
    return;
  *tab = '\0';
  if (g_str_equal (line, "retired"))
    forget (self, tab + 1);
  else if (g_str_equal (line, "next"))
    {
      if (g_ascii_string_to_unsigned (tab + 1, 10, 0, RNDIMG_PICTURE_NUMBERS_LIMIT, &number, NULL))
        self->next = MAX (self->next, number);
    }
  else if (g_ascii_string_to_unsigned (line, 10, 0, RNDIMG_PICTURE_NUMBERS_LIMIT - 1, &number, NULL) &&
           is_above_held (self, number) && rndimg_catalogue_name_is_valid (tab + 1))
    hold (self, tab + 1, number);
}

/* Reads what earlier runs gave; returns the number of lines. */
static guint
load (RndimgPictureNumbers *self)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint count;

  if (self->path == NULL || (file = g_mapped_file_new (self->path, FALSE, NULL)) == NULL ||
      g_mapped_file_get_length (file) > MAX_FILE_BYTES)
    return 0;
  text = g_strndup (g_mapped_file_get_contents (file), g_mapped_file_get_length (file));
  lines = g_strsplit (text, "\n", -1);
  count = g_strv_length (lines);
  for (guint i = 0; lines[i] != NULL; i++)
    read_line (self, lines[i]);
  return count;
}

static void
write_whole (RndimgPictureNumbers *self)
{
  g_autoptr(GString) text = g_string_new ("# rndimg: each picture's number (NUMBER, tab, NAME); never given twice\n");
  g_autoptr(GError) error = NULL;

  g_string_append_printf (text, "next\t%" G_GUINT64_FORMAT "\n", self->next);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, i);

      if (entry->name != NULL)
        g_string_append_printf (text, "%" G_GUINT64_FORMAT "\t%s\n", entry->number, entry->name);
    }
  if (!g_file_set_contents_full (self->path, text->str, (gssize) text->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &error))
    g_warning ("picture numbers not kept: %s", error->message);
}

static void
open_log (RndimgPictureNumbers *self, guint lines_read)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (self->path == NULL)
    return;
  if (lines_read > 2 * g_hash_table_size (self->by_name) + 64)
    write_whole (self);
  file = g_file_new_for_path (self->path);
  self->log = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error);
  if (self->log == NULL)
    g_warning ("picture numbers not kept: %s", error->message);
}

static void
append_line (RndimgPictureNumbers *self, const char *line)
{
  g_autoptr(GError) error = NULL;

  if (self->log != NULL && !g_output_stream_write_all (G_OUTPUT_STREAM (self->log), line, strlen (line), NULL, NULL,
                                                        &error))
    {
      g_warning ("picture numbers not kept: %s", error->message);
      g_clear_object (&self->log);
    }
}

/* Makes room under RNDIMG_PICTURE_NUMBERS_MAX_HELD by forgetting the
 * oldest names the catalogue no longer has (never a listed picture's). */
static void
make_room (RndimgPictureNumbers *self)
{
  for (guint i = 0; i < self->entries->len && g_hash_table_size (self->by_name) >= RNDIMG_PICTURE_NUMBERS_MAX_HELD;
       i++)
    {
      const char *name = g_array_index (self->entries, Entry, i).name;
      g_autoptr(RndimgPicture) listed = NULL;

      if (name == NULL || (listed = rndimg_catalogue_lookup (self->catalogue, name)) != NULL)
        continue;
      g_array_index (self->entries, Entry, i).name = NULL;
      self->unused++;
      g_hash_table_remove (self->by_name, name);
    }
  compact_entries (self);
}

/* Gives @name the next number, written down before it is handed out. */
static guint64
give (RndimgPictureNumbers *self, const char *name)
{
  guint64 number = self->next;
  g_autofree char *line = g_strdup_printf ("%" G_GUINT64_FORMAT "\t%s\n", number, name);

  if (self->catalogue != NULL && g_hash_table_size (self->by_name) >= RNDIMG_PICTURE_NUMBERS_MAX_HELD)
    make_room (self);
  append_line (self, line);
  hold (self, name, number);
  return number;
}

/* Numbers kept in @path (NULL: in memory only), read at once. */
RndimgPictureNumbers *
rndimg_picture_numbers_new (const char *path)
{
  RndimgPictureNumbers *self = g_object_new (RNDIMG_TYPE_PICTURE_NUMBERS, NULL);
  guint lines;

  self->path = g_strdup (path);
  lines = load (self);
  compact_entries (self);
  open_log (self, lines);
  return self;
}

static void
on_image_added (RndimgCatalogue *catalogue, RndimgPicture *image, gpointer user_data)
{
  rndimg_picture_numbers_number (user_data, image->name);
}

/* Numbers every picture of @catalogue that has none yet, in natural name
 * order, then each new one as the catalogue announces it. */
void
rndimg_picture_numbers_follow (RndimgPictureNumbers *self, RndimgCatalogue *catalogue)
{
  g_autoptr(GPtrArray) pictures = rndimg_catalogue_list (catalogue);

  g_return_if_fail (self->catalogue == NULL);
  self->catalogue = g_object_ref (catalogue);
  for (guint i = 0; i < pictures->len; i++)
    rndimg_picture_numbers_number (self, ((RndimgPicture *) g_ptr_array_index (pictures, i))->name);
  g_signal_connect (catalogue, "image-added", G_CALLBACK (on_image_added), self);
}

/* @name's number if it has one; never gives one. */
gboolean
rndimg_picture_numbers_lookup (RndimgPictureNumbers *self, const char *name, guint64 *number)
{
  return held_number (self, name, number);
}

/* @name's number, given now if it has none. */
guint64
rndimg_picture_numbers_number (RndimgPictureNumbers *self, const char *name)
{
  guint64 number;

  if (held_number (self, name, &number))
    return number;
  return give (self, name);
}

static gint
compare_entry_number (gconstpointer a, gconstpointer b)
{
  guint64 x = ((const Entry *) a)->number, y = ((const Entry *) b)->number;

  return x < y ? -1 : x > y;
}

/* The name holding @number, or NULL (never given, retired, forgotten). */
const char *
rndimg_picture_numbers_name_of (RndimgPictureNumbers *self, guint64 number)
{
  Entry key = { number, NULL };
  guint index;

  if (!g_array_binary_search (self->entries, &key, compare_entry_number, &index))
    return NULL;
  return g_array_index (self->entries, Entry, index).name;
}

/* Numbers the catalogue's pictures that have none (an upload not yet
 * announced, say), in natural name order. */
static void
number_every_picture (RndimgPictureNumbers *self)
{
  g_autoptr(GPtrArray) pictures = rndimg_catalogue_list (self->catalogue);

  for (guint i = 0; i < pictures->len; i++)
    rndimg_picture_numbers_number (self, ((RndimgPicture *) g_ptr_array_index (pictures, i))->name);
}

/* (transfer full) Up to @limit of the catalogue's pictures by number,
 * after the first @offset of them. */
GPtrArray *
rndimg_picture_numbers_page (RndimgPictureNumbers *self, guint64 offset, guint limit)
{
  GPtrArray *page = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  guint64 skipped = 0;

  g_return_val_if_fail (self->catalogue != NULL, page);
  number_every_picture (self);
  for (guint i = 0; i < self->entries->len && page->len < limit; i++)
    {
      const char *name = g_array_index (self->entries, Entry, i).name;
      RndimgPicture *picture = name != NULL ? rndimg_catalogue_lookup (self->catalogue, name) : NULL;

      if (picture == NULL)
        continue;
      if (skipped++ < offset)
        rndimg_picture_unref (picture);
      else
        g_ptr_array_add (page, picture);
    }
  return page;
}

/* (transfer full) Every picture of the catalogue, by number. */
GPtrArray *
rndimg_picture_numbers_all (RndimgPictureNumbers *self)
{
  return rndimg_picture_numbers_page (self, 0, G_MAXUINT);
}

/* The picture @name is gone for good (deleted, not merely moved out of
 * the folder for a while): its number is never given again, and @name,
 * should it come back, gets a new one. Call it once the picture has left
 * the catalogue. */
void
rndimg_picture_numbers_retire (RndimgPictureNumbers *self, const char *name)
{
  g_autofree char *line = NULL;

  if (!g_hash_table_contains (self->by_name, name))
    return;
  line = g_strdup_printf ("retired\t%s\n", name);
  append_line (self, line);
  forget (self, name);
}
