/* SPDX-License-Identifier: MIT */
/* A Server-Sent Events parser after the HTML standard's rules: lines end
 * in CRLF, LF or CR (even split across chunks), ':' starts a comment, a
 * blank line dispatches the event, several data lines join with "\n". */
#include "rndimg-sse-parser.h"

#include <string.h>

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
process_field (RndimgSseParser *self, const char *field, const char *value)
{
  if (strcmp (field, "event") == 0)
    {
      g_free (self->event_type);
      self->event_type = g_strdup (value);
    }
  else if (strcmp (field, "data") == 0)
    {
      g_string_append (self->data, value);
      g_string_append_c (self->data, '\n');
    }
  else if (strcmp (field, "id") == 0)
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
  char *colon;

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
  /* An id with a NUL in it is ignored, as the standard says. */
  if (memchr (line, '\0', length) != NULL)
    return;
  colon = strchr (line, ':');
  if (colon == NULL)
    {
      process_field (self, line, "");
      return;
    }
  *colon = '\0';
  process_field (self, line, colon[1] == ' ' ? colon + 2 : colon + 1);
}

void
rndimg_sse_parser_feed (RndimgSseParser *self, const char *data, gsize length)
{
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
          continue;
        }
      g_string_append_c (self->line, c);
    }
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
