/* SPDX-License-Identifier: MIT */
/* A time in UTC as RFC 3339 text with microseconds,
 * 2026-11-24T14:37:25.938523Z, written by hand: a GDateTime and its
 * format() cost ~6 000 instructions, a twentieth of a publish (the
 * events' published_at, the audit records). */
#pragma once

#include <glib.h>
#include <string.h>
#include <time.h>

G_BEGIN_DECLS

#define RNDIMG_UTC_TEXT_SIZE sizeof "0000-00-00T00:00:00.000000Z"

/* @value's last @count decimal digits at @at. */
static inline void
rndimg_utc_text_put_digits (char *at, int count, long value)
{
  for (int i = count - 1; i >= 0; i--, value /= 10)
    at[i] = (char) ('0' + value % 10);
}

/* @usec (microseconds since the epoch, as g_get_real_time()) into @text. */
static inline void
rndimg_utc_text (gint64 usec, char text[RNDIMG_UTC_TEXT_SIZE])
{
  time_t seconds = (time_t) (usec / G_USEC_PER_SEC);
  struct tm utc;

  memcpy (text, "0000-00-00T00:00:00.000000Z", RNDIMG_UTC_TEXT_SIZE);
  if (gmtime_r (&seconds, &utc) == NULL)
    return;
  rndimg_utc_text_put_digits (text, 4, utc.tm_year + 1900L);
  rndimg_utc_text_put_digits (text + 5, 2, utc.tm_mon + 1);
  rndimg_utc_text_put_digits (text + 8, 2, utc.tm_mday);
  rndimg_utc_text_put_digits (text + 11, 2, utc.tm_hour);
  rndimg_utc_text_put_digits (text + 14, 2, utc.tm_min);
  rndimg_utc_text_put_digits (text + 17, 2, utc.tm_sec);
  rndimg_utc_text_put_digits (text + 20, 6, (long) (usec % G_USEC_PER_SEC));
}

G_END_DECLS
