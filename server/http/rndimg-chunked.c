/* SPDX-License-Identifier: MIT */
/* The framing of a chunked request body, followed byte by byte so that
 * the gate (rndimg-gate.c) knows where the body ends and what comes next
 * is a request head it checks, and so that only framing libsoup 3.2 reads
 * the same way reaches it. libsoup reads a chunk size with strtoul(),
 * which takes "0x1a", leading blanks and a sign, and turns what it cannot
 * read into 0, the last chunk; it reads one line after the last chunk
 * whatever it holds, so a trailer field would leave the rest of the
 * trailer to be read as the next request. Refused here instead: a size
 * that is not 1 to 15 hex digits (an extension after ';' is allowed), a
 * chunk longer or shorter than its size, a size line over 127 bytes (libsoup
 * reads 128), and trailer fields. Pure byte work, no I/O. */
#include "rndimg-chunked.h"

#include <string.h>

#define MAX_SIZE_DIGITS 15   /* under 2^60: no overflow, and no body is near it */

enum {
  SIZE_LINE,      /* a chunk-size line */
  DATA,           /* chunk_left bytes of a chunk */
  DATA_END,       /* the line end after a chunk */
  LAST_LINE,      /* the empty line after the last chunk */
};

void
rndimg_chunked_init (RndimgChunked *self)
{
  memset (self, 0, sizeof *self);
  self->state = SIZE_LINE;
}

/* Reads @line (its LF removed) as 1*HEXDIG [ *WSP ";" extension ] [CR]. */
static gboolean
parse_size_line (const char *line, gsize length, guint64 *size)
{
  gsize digits = 0;
  guint64 value = 0;

  if (length > 0 && line[length - 1] == '\r')
    length--;
  while (digits < length && g_ascii_isxdigit (line[digits]))
    value = value * 16 + (guint64) g_ascii_xdigit_value (line[digits++]);
  if (digits == 0 || digits > MAX_SIZE_DIGITS)
    return FALSE;
  for (gsize i = digits; i < length; i++)
    if (line[i] == '\r' || line[i] == '\0')
      return FALSE;
  if (digits < length)
    {
      gsize blanks = digits + strspn (line + digits, " \t");

      if (blanks >= length || line[blanks] != ';')
        return FALSE;
    }
  *size = value;
  return TRUE;
}

/* Takes one byte of a line that must be empty ("\r\n" or "\n"). Returns
 * FALSE when the byte cannot be part of it; *@ended at its LF. */
static gboolean
take_empty_line_byte (RndimgChunked *self, guint8 byte, gboolean *ended)
{
  *ended = FALSE;
  if (byte == '\r' && self->line_length == 0)
    {
      self->line_length = 1;
      return TRUE;
    }
  if (byte != '\n')
    return FALSE;
  self->line_length = 0;
  *ended = TRUE;
  return TRUE;
}

static RndimgChunkedResult
take_size_byte (RndimgChunked *self, guint8 byte, const char **problem)
{
  guint64 size;

  if (byte != '\n')
    {
      /* One byte short of libsoup's buffer, so its line end fits too. */
      if (self->line_length + 2 >= RNDIMG_CHUNKED_LINE_MAX)
        {
          *problem = "a chunk-size line is at most 127 bytes with its line end";
          return RNDIMG_CHUNKED_BAD;
        }
      self->line[self->line_length++] = (char) byte;
      return RNDIMG_CHUNKED_MORE;
    }
  if (!parse_size_line (self->line, self->line_length, &size))
    {
      *problem = "a chunk size must be 1 to 15 hexadecimal digits, then an optional ;extension";
      return RNDIMG_CHUNKED_BAD;
    }
  self->line_length = 0;
  self->chunk_left = size;
  self->state = size > 0 ? DATA : LAST_LINE;
  return RNDIMG_CHUNKED_MORE;
}

RndimgChunkedResult
rndimg_chunked_feed (RndimgChunked *self, const guint8 *data, gsize length, gsize *taken, const char **problem)
{
  gsize at = 0;

  while (at < length)
    {
      RndimgChunkedResult result = RNDIMG_CHUNKED_MORE;
      gsize run;
      gboolean ended;

      switch (self->state)
        {
        case SIZE_LINE:
          result = take_size_byte (self, data[at], problem);
          break;
        case DATA:
          run = (gsize) MIN ((guint64) (length - at), self->chunk_left);
          self->chunk_left -= run;
          at += run;
          if (self->chunk_left == 0)
            self->state = DATA_END;
          continue;
        case DATA_END:
          if (!take_empty_line_byte (self, data[at], &ended))
            {
              *problem = "a chunk's data must end with CRLF right after as many bytes as its size says";
              result = RNDIMG_CHUNKED_BAD;
            }
          else if (ended)
            self->state = SIZE_LINE;
          break;
        case LAST_LINE:
          if (!take_empty_line_byte (self, data[at], &ended))
            {
              *problem = "trailer fields are not accepted: the last chunk must be followed by an empty line";
              result = RNDIMG_CHUNKED_BAD;
            }
          else if (ended)
            result = RNDIMG_CHUNKED_DONE;
          break;
        }
      if (result == RNDIMG_CHUNKED_BAD)
        {
          *taken = at;
          return result;
        }
      at++;
      if (result == RNDIMG_CHUNKED_DONE)
        {
          *taken = at;
          return result;
        }
    }
  *taken = at;
  return RNDIMG_CHUNKED_MORE;
}
