/* SPDX-License-Identifier: MIT */
/* A Server-Sent Events parser after the HTML standard's rules: lines end
 * in CRLF, LF or CR (even split across chunks), ':' starts a comment, a
 * blank line dispatches the event, several data lines join with "\n".
 * A hostile server cannot grow our memory: a line or an event longer than
 * the limits below ends the stream with an error. */
#include "rndimg-sse-parser.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (rndimg-sse-error-quark, rndimg_sse_error)

struct _RndimgSseParser
{
  RndimgSseEventFunc callback;
  gpointer user_data;

  GString *line;          /* the line being received */
  gboolean after_cr;      /* last chunk ended in CR: a leading LF is no line */
  GString *data;
  char *event_type;
  char *last_event_id;
  gint64 retry;
  guint comments;
  gboolean failed;        /* a limit was passed: the stream is unusable */
};

RndimgSseParser *
rndimg_sse_parser_new (RndimgSseEventFunc callback, gpointer user_data)
{
  RndimgSseParser *self = g_new0 (RndimgSseParser, 1);

  self->callback = callback;
  self->user_data = user_data;
  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->retry = -1;
  return self;
}

void
rndimg_sse_parser_free (RndimgSseParser *self)
{
  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_free (self->event_type);
  g_free (self->last_event_id);
  g_free (self);
}

/* For a new connection: forget a half-received event, keep the last id
 * and retry (the next request sends that id as Last-Event-ID). */
void
rndimg_sse_parser_reset (RndimgSseParser *self)
{
  g_string_truncate (self->line, 0);
  g_string_truncate (self->data, 0);
  g_clear_pointer (&self->event_type, g_free);
  self->after_cr = FALSE;
  self->failed = FALSE;
}

static void
dispatch (RndimgSseParser *self)
{
  if (self->data->len > 0)
    {
      g_string_truncate (self->data, self->data->len - 1);   /* the last "\n" */
      self->callback (self->event_type ? self->event_type : "message", self->data->str,
                      self->last_event_id, self->user_data);
    }
  g_string_truncate (self->data, 0);
  g_clear_pointer (&self->event_type, g_free);
}

static gboolean
is_all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (; *text; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return TRUE;
}

static void
process_field (RndimgSseParser *self, const char *field, const char *value, gsize value_length)
{
  if (strcmp (field, "event") == 0)
    {
      g_free (self->event_type);
      self->event_type = g_strdup (value);
    }
  else if (strcmp (field, "data") == 0)
    {
      g_string_append_len (self->data, value, (gssize) value_length);
      g_string_append_c (self->data, '\n');
    }
  /* An id with a NUL in it is ignored, as the standard says. */
  else if (strcmp (field, "id") == 0 && memchr (value, '\0', value_length) == NULL)
    {
      g_free (self->last_event_id);
      self->last_event_id = g_strdup (value);
    }
  else if (strcmp (field, "retry") == 0 && is_all_digits (value) && strlen (value) < 12)
    self->retry = g_ascii_strtoll (value, NULL, 10);
}

static void
process_line (RndimgSseParser *self, char *line, gsize length)
{
  char *colon, *value;

  if (length == 0)
    {
      dispatch (self);
      return;
    }
  if (line[0] == ':')
    {
      self->comments++;
      return;
    }
  colon = memchr (line, ':', length);
  if (colon == NULL)
    {
      process_field (self, line, "", 0);
      return;
    }
  *colon = '\0';
  value = colon[1] == ' ' ? colon + 2 : colon + 1;
  process_field (self, line, value, length - (gsize) (value - line));
}

/* Takes @message. */
static gboolean
fail (RndimgSseParser *self, GError **error, char *message)
{
  self->failed = TRUE;
  g_set_error_literal (error, RNDIMG_SSE_ERROR, RNDIMG_SSE_ERROR_TOO_LONG, message);
  g_free (message);
  return FALSE;
}

/* FALSE once the stream passed a limit; feed nothing more until a reset. */
gboolean
rndimg_sse_parser_feed (RndimgSseParser *self, const char *data, gsize length, GError **error)
{
  g_return_val_if_fail (!self->failed, FALSE);

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (self->after_cr)
        {
          self->after_cr = FALSE;
          if (c == '\n')
            continue;
        }
      if (c == '\r' || c == '\n')
        {
          self->after_cr = c == '\r';
          process_line (self, self->line->str, self->line->len);
          g_string_truncate (self->line, 0);
          if (self->data->len > RNDIMG_SSE_MAX_EVENT_BYTES)
            return fail (self, error, g_strdup_printf (_("an event in the stream is longer than %u KiB"),
                                                      RNDIMG_SSE_MAX_EVENT_BYTES / 1024));
          continue;
        }
      if (self->line->len >= RNDIMG_SSE_MAX_LINE_BYTES)
        return fail (self, error, g_strdup_printf (_("a line in the event stream is longer than %u KiB"),
                                                  RNDIMG_SSE_MAX_LINE_BYTES / 1024));
      g_string_append_c (self->line, c);
    }
  return TRUE;
}

const char *
rndimg_sse_parser_get_last_event_id (RndimgSseParser *self)
{
  return self->last_event_id;
}

/* The reconnection time the stream asked for, in ms, or -1. */
gint64
rndimg_sse_parser_get_retry (RndimgSseParser *self)
{
  return self->retry;
}

guint
rndimg_sse_parser_get_comment_count (RndimgSseParser *self)
{
  return self->comments;
}
