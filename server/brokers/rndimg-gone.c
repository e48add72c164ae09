/* SPDX-License-Identifier: MIT */
/* What a broker remembers of the events that left its history, so that a
 * client following some albums is told how many of THEIR events it
 * missed, not every event gone. Each event that leaves is kept as its id
 * and album (no JSON, no details) in a ring of GONE_PER_KEPT times the
 * history's length (at most GONE_MAX): within it the count is exact. Ids
 * it does not hold (older than the ring, ids this node never saw: before
 * it started, or gone from a shared history before it read them, or
 * skipped by a restart of the memory broker) are of unknown albums and
 * all counted: there, missed is an upper bound, as it was for everyone. */
#include "rndimg-gone.h"

#include <string.h>

#define GONE_PER_KEPT 8
#define GONE_MAX 65536

typedef struct {
  gint64 id;
  char *album;          /* NULL: at the top */
} Gone;

struct _RndimgGone
{
  Gone *ring;
  guint capacity;
  guint length;
  guint newest;         /* index of the newest entry (when length > 0) */
};

RndimgGone *
rndimg_gone_new (guint history_length)
{
  RndimgGone *self = g_new0 (RndimgGone, 1);

  self->capacity = CLAMP ((guint64) history_length * GONE_PER_KEPT, 1, GONE_MAX);
  self->ring = g_new0 (Gone, self->capacity);
  return self;
}

void
rndimg_gone_free (RndimgGone *self)
{
  for (guint i = 0; i < self->capacity; i++)
    g_free (self->ring[i].album);
  g_free (self->ring);
  g_free (self);
}

/* @event left the history (events leave oldest first). */
void
rndimg_gone_add (RndimgGone *self, const RndimgEvent *event)
{
  Gone *slot;

  self->newest = self->length == 0 ? 0 : (self->newest + 1) % self->capacity;
  self->length = MIN (self->length + 1, self->capacity);
  slot = &self->ring[self->newest];
  g_free (slot->album);
  *slot = (Gone) { event->id, rndimg_event_album (event) };
}

/* Pops the oldest events of @history beyond @history_length, noting each. */
void
rndimg_gone_evict (RndimgGone *self, GQueue *history, guint history_length)
{
  while (history->length > history_length)
    {
      g_autoptr(RndimgEvent) event = g_queue_pop_head (history);

      rndimg_gone_add (self, event);
    }
}

static gboolean
album_in (const char *album, const char *const *albums)
{
  if (albums == NULL)
    return TRUE;
  for (guint i = 0; album != NULL && albums[i] != NULL; i++)
    {
      gsize length = strlen (albums[i]);

      if (strncmp (album, albums[i], length) == 0 && (album[length] == '\0' || album[length] == '/'))
        return TRUE;
    }
  return FALSE;
}

/* How many events of @albums (NULL: all) with ids after @since and before
 * @before (the oldest id still kept; 0: none kept) are gone: the ring's
 * of @albums, and every id it does not hold (of an unknown album). */
gint64
rndimg_gone_count (RndimgGone *self, gint64 since, gint64 before, const char *const *albums)
{
  gint64 missed = 0;
  gint64 above = before > 0 ? before : self->length > 0 ? self->ring[self->newest].id + 1 : 0;

  for (guint n = 0; n < self->length; n++)
    {
      const Gone *gone = &self->ring[(self->newest + self->capacity - n) % self->capacity];

      if (gone->id <= since)
        break;
      missed += MAX (above - 1 - gone->id, 0);   /* ids between, unknown */
      if (album_in (gone->album, albums))
        missed++;
      above = gone->id;
    }
  return missed + MAX (above - 1 - since, 0);
}
