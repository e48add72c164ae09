/* SPDX-License-Identifier: MIT */
/* The pictures received in this session, oldest first, at most a
 * capacity (the oldest are forgotten), and which one is shown. A new
 * picture goes to the end and is shown; Back and Forward move the
 * position. Emits "changed" when the list or the position changes. */
#include "rndimg-viewer-history.h"

struct _RndimgViewerHistory
{
  GObject parent_instance;

  GPtrArray *entries;     /* RndimgViewerEntry * */
  guint capacity;
  int position;           /* -1 when empty */
};

G_DEFINE_FINAL_TYPE (RndimgViewerHistory, rndimg_viewer_history, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
entry_free (RndimgViewerEntry *entry)
{
  rndimg_answer_free (entry->answer);
  g_bytes_unref (entry->bytes);
  g_object_unref (entry->texture);
  g_free (entry);
}

void
rndimg_viewer_history_add (RndimgViewerHistory *self, const RndimgAnswer *answer, GBytes *bytes,
                           GdkTexture *texture)
{
  RndimgViewerEntry *entry = g_new0 (RndimgViewerEntry, 1);

  entry->answer = rndimg_answer_copy (answer);
  entry->bytes = g_bytes_ref (bytes);
  entry->texture = g_object_ref (texture);
  g_ptr_array_add (self->entries, entry);
  if (self->entries->len > self->capacity)
    g_ptr_array_remove_index (self->entries, 0);
  self->position = (int) self->entries->len - 1;
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
rndimg_viewer_history_get_length (RndimgViewerHistory *self)
{
  return self->entries->len;
}

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

const RndimgViewerEntry *
rndimg_viewer_history_get (RndimgViewerHistory *self, guint index)
{
  g_return_val_if_fail (index < self->entries->len, NULL);
  return g_ptr_array_index (self->entries, index);
}

/* The shown entry, or NULL when there is none. */
const RndimgViewerEntry *
rndimg_viewer_history_get_current (RndimgViewerHistory *self)
{
  return self->position >= 0 ? g_ptr_array_index (self->entries, self->position) : NULL;
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
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->position = -1;
}

RndimgViewerHistory *
rndimg_viewer_history_new (guint capacity)
{
  RndimgViewerHistory *self = g_object_new (RNDIMG_TYPE_VIEWER_HISTORY, NULL);

  self->capacity = MAX (capacity, 1);
  return self;
}
