/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The longest head the hot path reads; a longer one goes to libsoup,
 * whose gate takes heads up to RNDIMG_GATE_HEAD_LIMIT. */
#define RNDIMG_REQUEST_HEAD_HOT_LIMIT (16 * 1024)

typedef enum {
  RNDIMG_REQUEST_HEAD_INCOMPLETE,   /* more bytes are needed */
  RNDIMG_REQUEST_HEAD_HOT,          /* parsed: the hot path may answer it */
  RNDIMG_REQUEST_HEAD_NOT_HOT,      /* anything unusual: libsoup's, through the gate */
} RndimgRequestHeadResult;

/* A request head read by the hot path. The strings point into a copy of
 * the head it owns. */
typedef struct {
  char *copy;                 /* owned */
  gsize length;               /* of the head, blank line included */
  const char *method;         /* interned, as SOUP_METHOD_GET is */
  const char *path;           /* as sent */
  const char *query;          /* as sent, or NULL */
  char *decoded_path;         /* owned, or NULL when @path has no escape */
  const char *host;           /* without brackets around IPv6 (in host_copy) */
  char *host_copy;            /* owned */
  int port;                   /* 80 when the Host names none */
  guint64 body_length;        /* Content-Length, or 0 */
  gboolean close;             /* Connection: close */
} RndimgRequestHead;

RndimgRequestHeadResult rndimg_request_head_parse (const guint8        *data,
                                                   gsize                length,
                                                   RndimgRequestHead   *head,
                                                   SoupMessageHeaders  *headers);
void                    rndimg_request_head_clear (RndimgRequestHead   *head);

G_END_DECLS
