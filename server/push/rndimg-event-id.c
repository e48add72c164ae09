/* SPDX-License-Identifier: MIT */
/* The one reading of a resume point, for the three ways of following:
 * ?lastEventId= (and Last-Event-ID) on event streams, ?since= on
 * long-polls and WebSockets. The query is read as the client sent it, not
 * as libsoup's decoded table: there "%00" and "%001" become "" (the value
 * ends at the NUL), which would read as absent, and a repeated parameter
 * as its last value. Here a parameter present is an id or a 400. */
#include "rndimg-event-id.h"

#include <string.h>

/* @text: decimal digits only, no sign, no space, at most G_MAXINT64. */
RndimgEventIdKind
rndimg_event_id_parse (const char *text, gint64 *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_isdigit (text[0]) ||
      !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return RNDIMG_EVENT_ID_INVALID;
  *id = (gint64) value;
  return RNDIMG_EVENT_ID_VALID;
}

/* A form-encoded part of a query, decoded; NULL when it holds an escaped
 * NUL or a bad escape. */
static char *
form_decode (const char *start, gsize length)
{
  g_autofree char *raw = g_strndup (start, length);

  g_strdelimit (raw, "+", ' ');
  return g_uri_unescape_string (raw, NULL);
}

/* The id in the query parameter @name of @exchange: absent when the
 * parameter is not there, invalid when it is there more than once,
 * empty, or not an id once decoded. */
RndimgEventIdKind
rndimg_event_id_from_query (RndimgExchange *exchange, const char *name, gint64 *id)
{
  const char *query = rndimg_exchange_get_query (exchange);
  g_auto(GStrv) pairs = query != NULL ? g_strsplit (query, "&", -1) : NULL;
  g_autofree char *value = NULL;
  gboolean found = FALSE;

  for (gsize i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      gsize key_length = equals != NULL ? (gsize) (equals - pairs[i]) : strlen (pairs[i]);
      g_autofree char *key = form_decode (pairs[i], key_length);

      if (g_strcmp0 (key, name) != 0)
        continue;
      if (found)
        return RNDIMG_EVENT_ID_INVALID;
      found = TRUE;
      value = equals != NULL ? form_decode (equals + 1, strlen (equals + 1)) : NULL;
      if (value == NULL)
        return RNDIMG_EVENT_ID_INVALID;
    }
  if (!found)
    return RNDIMG_EVENT_ID_ABSENT;
  return rndimg_event_id_parse (value, id);
}
