/* SPDX-License-Identifier: MIT */
/* The pictures received in this session, newest first (as the strip
 * shows them), at most a capacity (the oldest are forgotten), and which
 * one is shown. A new picture goes first and is shown; the position moves
 * with Back and Forward. A list model (RndimgViewerEntry) for the strip;
 * "changed" when the list or the position changes. Decoded textures are
 * kept within a byte budget: the oldest give theirs back first. */
#include "rndimg-viewer-history.h"

struct _RndimgViewerEntry
{
  GObject parent_instance;

  RndimgAnswer *answer;
  GdkTexture *texture;     /* NULL: given back */
  GdkTexture *thumbnail;
};

G_DEFINE_FINAL_TYPE (RndimgViewerEntry, rndimg_viewer_entry, G_TYPE_OBJECT)

static void
rndimg_viewer_entry_finalize (GObject *object)
{
  RndimgViewerEntry *self = RNDIMG_VIEWER_ENTRY (object);

  rndimg_answer_free (self->answer);
  g_clear_object (&self->texture);
  g_clear_object (&self->thumbnail);
  G_OBJECT_CLASS (rndimg_viewer_entry_parent_class)->finalize (object);
}

static void
rndimg_viewer_entry_class_init (RndimgViewerEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_viewer_entry_finalize;
}

static void
rndimg_viewer_entry_init (RndimgViewerEntry *self)
{
}

const RndimgAnswer *
rndimg_viewer_entry_get_answer (RndimgViewerEntry *self)
{
  return self->answer;
}

GdkTexture *
rndimg_viewer_entry_get_texture (RndimgViewerEntry *self)
{
  return self->texture;
}

GdkTexture *
rndimg_viewer_entry_get_thumbnail (RndimgViewerEntry *self)
{
  return self->thumbnail;
}

struct _RndimgViewerHistory
{
  GObject parent_instance;

  GPtrArray *entries;     /* RndimgViewerEntry *, newest first */
  guint capacity;
  int position;           /* -1 when empty */
};

static void rndimg_viewer_history_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RndimgViewerHistory, rndimg_viewer_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, rndimg_viewer_history_list_init))

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static GType
get_item_type (GListModel *list)
{
  return RNDIMG_TYPE_VIEWER_ENTRY;
}

static guint
get_n_items (GListModel *list)
{
  return RNDIMG_VIEWER_HISTORY (list)->entries->len;
}

static gpointer
get_item (GListModel *list, guint position)
{
  RndimgViewerHistory *self = RNDIMG_VIEWER_HISTORY (list);

  return position < self->entries->len ? g_object_ref (g_ptr_array_index (self->entries, position)) : NULL;
}

static void
rndimg_viewer_history_list_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static gsize
texture_bytes (GdkTexture *texture)
{
  return texture != NULL ? (gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4 : 0;
}

/* The bytes of the decoded textures kept (besides the thumbnails). */
gsize
rndimg_viewer_history_get_texture_bytes (RndimgViewerHistory *self)
{
  gsize total = 0;

  for (guint i = 0; i < self->entries->len; i++)
    total += texture_bytes (((RndimgViewerEntry *) g_ptr_array_index (self->entries, i))->texture);
  return total;
}

/* Over the budget, the oldest entries but the shown one give their
 * textures back. */
static void
keep_within_budget (RndimgViewerHistory *self)
{
  gsize total = rndimg_viewer_history_get_texture_bytes (self);

  for (int i = (int) self->entries->len - 1; i >= 0 && total > RNDIMG_VIEWER_HISTORY_TEXTURE_BUDGET; i--)
    {
      RndimgViewerEntry *entry = g_ptr_array_index (self->entries, i);

      if (i == self->position)
        continue;
      total -= texture_bytes (entry->texture);
      g_clear_object (&entry->texture);
    }
}

void
rndimg_viewer_history_add (RndimgViewerHistory *self, const RndimgAnswer *answer, GdkTexture *texture,
                           GdkTexture *thumbnail)
{
  RndimgViewerEntry *entry = g_object_new (RNDIMG_TYPE_VIEWER_ENTRY, NULL);

  entry->answer = rndimg_answer_copy (answer);
  entry->texture = texture != NULL ? g_object_ref (texture) : NULL;
  entry->thumbnail = thumbnail != NULL ? g_object_ref (thumbnail) : NULL;
  g_ptr_array_insert (self->entries, 0, entry);
  /* While the list changes, the shown entry stays the one a selection
   * that follows the list has; it is the new one after. */
  if (self->position >= 0)
    self->position++;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  if (self->entries->len > self->capacity)
    {
      if (self->position == (int) self->entries->len - 1)
        self->position = 0;
      g_ptr_array_remove_index (self->entries, self->entries->len - 1);
      g_list_model_items_changed (G_LIST_MODEL (self), self->entries->len, 1, 0);
    }
  self->position = 0;
  keep_within_budget (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* @answer's picture, which came before the newest but was not shown (a
 * newer one was, or another entry): first in the list, the shown entry
 * kept. */
void
rndimg_viewer_history_add_unshown (RndimgViewerHistory *self, const RndimgAnswer *answer)
{
  RndimgViewerEntry *entry = g_object_new (RNDIMG_TYPE_VIEWER_ENTRY, NULL);

  entry->answer = rndimg_answer_copy (answer);
  g_ptr_array_insert (self->entries, 0, entry);
  if (self->position >= 0)
    self->position++;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  if (self->entries->len > self->capacity)
    {
      if (self->position == (int) self->entries->len - 1)
        self->position--;
      g_ptr_array_remove_index (self->entries, self->entries->len - 1);
      g_list_model_items_changed (G_LIST_MODEL (self), self->entries->len, 1, 0);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

/* @entry's square thumbnail, made once its picture came. */
void
rndimg_viewer_history_set_thumbnail (RndimgViewerHistory *self, RndimgViewerEntry *entry, GdkTexture *thumbnail)
{
  guint index;

  if (!g_ptr_array_find (self->entries, entry, &index) || entry->thumbnail == thumbnail)
    return;
  g_clear_object (&entry->thumbnail);
  entry->thumbnail = thumbnail != NULL ? g_object_ref (thumbnail) : NULL;
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
}

/* A better texture of @entry's picture (a larger variant), or its own
 * again once fetched. */
void
rndimg_viewer_history_set_texture (RndimgViewerHistory *self, RndimgViewerEntry *entry, GdkTexture *texture)
{
  if (entry->texture == texture)
    return;
  g_clear_object (&entry->texture);
  entry->texture = texture != NULL ? g_object_ref (texture) : NULL;
  keep_within_budget (self);
}

guint
rndimg_viewer_history_get_length (RndimgViewerHistory *self)
{
  return self->entries->len;
}

/* The shown entry's index (0 is the newest), -1 when empty. */
int
rndimg_viewer_history_get_position (RndimgViewerHistory *self)
{
  return self->position;
}

/* FALSE (and nothing changes) when @position is outside the list. */
gboolean
rndimg_viewer_history_set_position (RndimgViewerHistory *self, int position)
{
  if (position < 0 || position >= (int) self->entries->len)
    return FALSE;
  if (position != self->position)
    {
      self->position = position;
      g_signal_emit (self, signals[CHANGED], 0);
    }
  return TRUE;
}

RndimgViewerEntry *
rndimg_viewer_history_get (RndimgViewerHistory *self, guint index)
{
  g_return_val_if_fail (index < self->entries->len, NULL);
  return g_ptr_array_index (self->entries, index);
}

/* The shown entry, or NULL when there is none. */
RndimgViewerEntry *
rndimg_viewer_history_get_current (RndimgViewerHistory *self)
{
  return self->position >= 0 ? g_ptr_array_index (self->entries, self->position) : NULL;
}

/* The entry of @url, or NULL. */
RndimgViewerEntry *
rndimg_viewer_history_find (RndimgViewerHistory *self, const char *url)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      RndimgViewerEntry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->answer->url, url) == 0)
        return entry;
    }
  return NULL;
}

RndimgViewerEntry *
rndimg_viewer_history_get_newest (RndimgViewerHistory *self)
{
  return self->entries->len > 0 ? g_ptr_array_index (self->entries, 0) : NULL;
}

static void
rndimg_viewer_history_finalize (GObject *object)
{
  g_ptr_array_unref (RNDIMG_VIEWER_HISTORY (object)->entries);
  G_OBJECT_CLASS (rndimg_viewer_history_parent_class)->finalize (object);
}

static void
rndimg_viewer_history_class_init (RndimgViewerHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_viewer_history_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rndimg_viewer_history_init (RndimgViewerHistory *self)
{
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  self->position = -1;
}

RndimgViewerHistory *
rndimg_viewer_history_new (guint capacity)
{
  RndimgViewerHistory *self = g_object_new (RNDIMG_TYPE_VIEWER_HISTORY, NULL);

  self->capacity = MAX (capacity, 1);
  return self;
}

static gboolean
names (RndimgViewerEntry *entry, const char *name)
{
  return g_strcmp0 (entry->answer->name, name) == 0;
}

/* The picture @name was deleted on the server: its entries go. The one
 * shown after is the next older (or the newest left). TRUE when the
 * shown entry was among them. */
gboolean
rndimg_viewer_history_remove (RndimgViewerHistory *self, const char *name)
{
  gboolean shown_removed = FALSE;
  guint removed = 0;

  for (guint i = self->entries->len; i-- > 0;)
    {
      if (!names (g_ptr_array_index (self->entries, i), name))
        continue;
      shown_removed = shown_removed || (int) i == self->position;
      if ((int) i < self->position)
        self->position--;
      g_ptr_array_remove_index (self->entries, i);
      g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
      removed++;
    }
  if (removed == 0)
    return FALSE;
  if (self->entries->len == 0)
    self->position = -1;
  else if (self->position >= (int) self->entries->len)
    self->position = (int) self->entries->len - 1;
  g_signal_emit (self, signals[CHANGED], 0);
  return shown_removed;
}

/* The picture @name changed (its text) or moved (@answer has its new
 * name and URL): its entries take @answer, their textures kept (the
 * bytes are the same). TRUE when the shown entry was among them. */
gboolean
rndimg_viewer_history_update (RndimgViewerHistory *self, const char *name, const RndimgAnswer *answer)
{
  gboolean shown_updated = FALSE;

  for (guint i = 0; i < self->entries->len; i++)
    {
      RndimgViewerEntry *entry = g_ptr_array_index (self->entries, i);

      if (!names (entry, name))
        continue;
      rndimg_answer_free (entry->answer);
      entry->answer = rndimg_answer_copy (answer);
      entry->answer->kind = RNDIMG_ANSWER_PUBLISHED;
      shown_updated = shown_updated || (int) i == self->position;
      g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 1);
    }
  return shown_updated;
}
