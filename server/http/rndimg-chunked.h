/* SPDX-License-Identifier: MIT */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* libsoup 3.2 reads a chunk-size line into 128 bytes (soup-body-input-stream.c). */
#define RNDIMG_CHUNKED_LINE_MAX 128

typedef enum {
  RNDIMG_CHUNKED_MORE,    /* every byte given was taken: the body goes on */
  RNDIMG_CHUNKED_DONE,    /* the body ended with the last byte taken */
  RNDIMG_CHUNKED_BAD,     /* the byte after those taken breaks the framing */
} RndimgChunkedResult;

typedef struct {
  int state;
  guint64 chunk_left;
  gsize line_length;
  char line[RNDIMG_CHUNKED_LINE_MAX];
} RndimgChunked;

void                rndimg_chunked_init (RndimgChunked *self);
RndimgChunkedResult rndimg_chunked_feed (RndimgChunked *self,
                                         const guint8  *data,
                                         gsize          length,
                                         gsize         *taken,
                                         const char   **problem);

G_END_DECLS
