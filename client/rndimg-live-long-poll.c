/* SPDX-License-Identifier: MIT */
/* Live over long-polling: one held GET at a time, resuming after the
 * newest event (?since= for our server; ETag / Last-Modified sent back as
 * If-None-Match / If-Modified-Since, the way nchan and other long-poll
 * servers resume). It never spins: an answer that brings nothing new and
 * comes back at once is followed by a growing pause. */
#include "rndimg-live-private.h"
#include "rndimg-api-prefix.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#define POLL_TIMEOUT_SECONDS 25
/* A held poll that ends sooner than this was not held: the server is
 * answering at once, so the next one waits. */
#define QUICK_ANSWER_MS 1000

static void poll_next (RndimgLive *self);

static void
remember_validators (RndimgLive *self, SoupMessage *msg)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *last_modified = soup_message_headers_get_one (headers, "Last-Modified");

  if (etag != NULL)
    {
      g_free (self->poll_etag);
      self->poll_etag = g_strdup (etag);
    }
  if (last_modified != NULL)
    {
      g_free (self->poll_last_modified);
      self->poll_last_modified = g_strdup (last_modified);
    }
}

static void
poll_after_nothing_new (RndimgLive *self)
{
  gint64 held_ms = (g_get_monotonic_time () - self->poll_started_usec) / 1000;

  if (held_ms >= QUICK_ANSWER_MS)
    poll_next (self);
  else
    rndimg_live_later (self, rndimg_backoff_next (&self->backoff), poll_next);
}

static void
on_poll_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgLive) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = msg != NULL ? soup_message_get_status (msg) : 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    rndimg_live_connection_lost (self, error);
  else if (status == SOUP_STATUS_OK || status == SOUP_STATUS_NO_CONTENT || status == SOUP_STATUS_NOT_MODIFIED)
    {
      gboolean news = status == SOUP_STATUS_OK &&
        rndimg_live_deliver (self, g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      remember_validators (self, msg);
      /* The event's handler may have stopped us. */
      if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
        return;
      if (news)
        poll_next (self);
      else
        poll_after_nothing_new (self);
    }
  else
    {
      g_autoptr(GError) bad = g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                                           _("Bad answer: the long-poll answered HTTP %u"), status);
      rndimg_live_connection_lost (self, bad);
    }
}

static void
poll_next (RndimgLive *self)
{
  g_autofree char *epoch = self->epoch != NULL ? g_uri_escape_string (self->epoch, NULL, FALSE) : NULL;
  /* With the epoch, a server whose history is another one replays its own
   * instead of waiting for an id that will not come. */
  g_autofree char *since = self->newest_id < 0 ? g_strdup ("")
                           : epoch != NULL ? g_strdup_printf ("&since=%" G_GINT64_FORMAT "&epoch=%s", self->newest_id, epoch)
                           : g_strdup_printf ("&since=%" G_GINT64_FORMAT, self->newest_id);
  g_autofree char *album = rndimg_client_album_query (self->client, "&");
  g_autofree char *path = g_strdup_printf (RNDIMG_API_PREFIX "/rndimg/poll?timeout=%d%s%s",
                                           POLL_TIMEOUT_SECONDS, since, album);
  g_autofree char *url = rndimg_client_url (self->client, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  if (self->poll_etag != NULL)
    soup_message_headers_replace (headers, "If-None-Match", self->poll_etag);
  if (self->poll_last_modified != NULL)
    soup_message_headers_replace (headers, "If-Modified-Since", self->poll_last_modified);
  self->poll_started_usec = g_get_monotonic_time ();
  soup_session_send_and_read_async (rndimg_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_poll_answer, g_object_ref (self));
}

/* The newest event id in a /stats answer, or -1. */
static gint64
newest_id_from_stats (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root, *member;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL))
    return -1;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  member = json_object_get_member (json_node_get_object (root), "newest_id");
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (member);
}

/* A held poll says nothing until an event or its timeout: ask /stats
 * first, so "connected" means the server is really there, and start from
 * its newest id, so an event published before the poll arrives still
 * reaches us. A server without /stats (any other HTTP answer) is there
 * too: we poll without a starting id. */
static void
on_poll_probe (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgLive) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    {
      rndimg_live_connection_lost (self, error);
      return;
    }
  if (soup_message_get_status (msg) == SOUP_STATUS_OK && self->newest_id < 0)
    self->newest_id = newest_id_from_stats (body);
  rndimg_live_connected (self);
  poll_next (self);
}

void
rndimg_live_long_poll_connect (RndimgLive *self)
{
  g_autofree char *url = rndimg_client_url (self->client, RNDIMG_API_PREFIX "/stats");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  soup_session_send_and_read_async (rndimg_client_get_session (self->client), msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_poll_probe, g_object_ref (self));
}
