/* SPDX-License-Identifier: MIT */
/* The publisher: the one ordered history of published pictures. Long-poll
 * and SSE both read it and follow its "published" signal, so every viewer
 * sees the same ids in the same order. */
#include "rndimg-publisher.h"
#include "rndimg-http.h"

struct _RndimgPublisher
{
  GObject parent_instance;

  GQueue history;            /* RndimgEvent, oldest first */
  guint history_length;
  gint64 next_id;
};

G_DEFINE_FINAL_TYPE (RndimgPublisher, rndimg_publisher, G_TYPE_OBJECT)

enum { PUBLISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
event_clear (RndimgEvent *event)
{
  g_free (event->name);
  g_free (event->published_at);
}

RndimgEvent *
rndimg_event_ref (RndimgEvent *event)
{
  return g_rc_box_acquire (event);
}

void
rndimg_event_unref (RndimgEvent *event)
{
  g_rc_box_release_full (event, (GDestroyNotify) event_clear);
}

/* The event as clients see it; the URL is built on @base_url (the Host the
 * client used). @missed > 0 says how many older events fell out of history. */
char *
rndimg_event_to_json (const RndimgEvent *event, const char *base_url, gint64 missed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = g_uri_escape_string (event->name, NULL, FALSE);
  g_autofree char *url = g_strconcat (base_url, "/static/img/", escaped, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, event->id);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, event->name);
  json_builder_set_member_name (builder, "published_at");
  json_builder_add_string_value (builder, event->published_at);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, event->source);
  if (missed > 0)
    {
      json_builder_set_member_name (builder, "missed");
      json_builder_add_int_value (builder, missed);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return rndimg_http_json_to_string (root);
}

static void
rndimg_publisher_finalize (GObject *object)
{
  RndimgPublisher *self = RNDIMG_PUBLISHER (object);

  g_queue_clear_full (&self->history, (GDestroyNotify) rndimg_event_unref);
  G_OBJECT_CLASS (rndimg_publisher_parent_class)->finalize (object);
}

static void
rndimg_publisher_class_init (RndimgPublisherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_publisher_finalize;

  /* (RndimgPublisher *, RndimgEvent *) */
  signals[PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
rndimg_publisher_init (RndimgPublisher *self)
{
  g_queue_init (&self->history);
  self->next_id = 1;
}

RndimgPublisher *
rndimg_publisher_new (guint history_length)
{
  RndimgPublisher *self = g_object_new (RNDIMG_TYPE_PUBLISHER, NULL);

  self->history_length = MAX (history_length, 1);
  return self;
}

static char *
now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* Appends an event for image @name and tells every follower.
 * @source must be a static string. Returns (transfer none) the event. */
RndimgEvent *
rndimg_publisher_publish (RndimgPublisher *self, const char *name, const char *source)
{
  RndimgEvent *event = g_rc_box_new0 (RndimgEvent);

  event->id = self->next_id++;
  event->name = g_strdup (name);
  event->source = source;
  event->published_at = now_rfc3339 ();

  g_queue_push_tail (&self->history, event);
  while (self->history.length > self->history_length)
    rndimg_event_unref (g_queue_pop_head (&self->history));

  g_debug ("published #%" G_GINT64_FORMAT " %s (%s)", event->id, name, source);
  g_signal_emit (self, signals[PUBLISHED], 0, event);
  return event;
}

gint64
rndimg_publisher_get_newest_id (RndimgPublisher *self)
{
  return self->next_id - 1;
}

guint64
rndimg_publisher_get_published (RndimgPublisher *self)
{
  return (guint64) (self->next_id - 1);
}

/* Returns (transfer full) the newest event, or NULL before the first. */
RndimgEvent *
rndimg_publisher_get_newest (RndimgPublisher *self)
{
  RndimgEvent *newest = g_queue_peek_tail (&self->history);

  return newest != NULL ? rndimg_event_ref (newest) : NULL;
}

/* Every buffered event newer than @since, oldest first (transfer full).
 * @missed is set to the number of such events no longer in history. */
GPtrArray *
rndimg_publisher_all_after (RndimgPublisher *self, gint64 since, gint64 *missed)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_event_unref);
  RndimgEvent *oldest = g_queue_peek_head (&self->history);
  GList *link = self->history.tail;

  *missed = oldest != NULL && since < oldest->id - 1 ? oldest->id - 1 - since : 0;
  /* Back from the newest to the first event after @since, then forward. */
  while (link != NULL && link->prev != NULL && ((RndimgEvent *) link->prev->data)->id > since)
    link = link->prev;
  for (; link != NULL; link = link->next)
    if (((RndimgEvent *) link->data)->id > since)
      g_ptr_array_add (events, rndimg_event_ref (link->data));
  return events;
}

/* The oldest buffered event newer than @since, or NULL (transfer full). */
RndimgEvent *
rndimg_publisher_next_after (RndimgPublisher *self, gint64 since, gint64 *missed)
{
  RndimgEvent *oldest = g_queue_peek_head (&self->history);
  gint64 index;

  *missed = 0;
  if (oldest == NULL || since >= rndimg_publisher_get_newest_id (self))
    return NULL;
  if (since < oldest->id - 1)
    {
      *missed = oldest->id - 1 - since;
      return rndimg_event_ref (oldest);
    }
  /* Ids are consecutive, so the event after @since sits at a known index. */
  index = since + 1 - oldest->id;
  return rndimg_event_ref (g_queue_peek_nth (&self->history, (guint) index));
}
