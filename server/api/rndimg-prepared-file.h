/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RNDIMG_ENCODING_IDENTITY,
  RNDIMG_ENCODING_GZIP,
  RNDIMG_ENCODING_BROTLI,
  RNDIMG_ENCODING_N
} RndimgEncoding;

/* One encoding of a file: the bytes as sent and their strong ETag. */
typedef struct {
  GBytes *bytes;
  char *etag;
  const char *content_encoding;   /* the header's value; NULL for identity */
} RndimgRepresentation;

typedef struct _RndimgPreparedFile RndimgPreparedFile;

RndimgPreparedFile         *rndimg_prepared_file_new         (GBytes             *bytes,
                                                              const char         *content_type,
                                                              gint64              modified_unix);
RndimgPreparedFile         *rndimg_prepared_file_ref         (RndimgPreparedFile *self);
void                        rndimg_prepared_file_unref       (RndimgPreparedFile *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPreparedFile, rndimg_prepared_file_unref)

void                        rndimg_prepared_file_add_header  (RndimgPreparedFile *self,
                                                              const char         *name,
                                                              const char         *value);
const char                 *rndimg_prepared_file_get_hash    (const RndimgPreparedFile *self);
const char                 *rndimg_prepared_file_get_content_type  (const RndimgPreparedFile *self);
const char                 *rndimg_prepared_file_get_last_modified (const RndimgPreparedFile *self);
gint64                      rndimg_prepared_file_get_modified      (const RndimgPreparedFile *self);
GBytes                     *rndimg_prepared_file_get_identity      (const RndimgPreparedFile *self);
const char * const         *rndimg_prepared_file_get_headers (const RndimgPreparedFile *self);
gsize                       rndimg_prepared_file_get_memory  (const RndimgPreparedFile *self);
const RndimgRepresentation *rndimg_prepared_file_choose      (const RndimgPreparedFile *self,
                                                              const char         *accept_encoding);

RndimgEncoding              rndimg_accept_encoding_choose    (const char         *accept_encoding,
                                                              gboolean            gzip_available,
                                                              gboolean            brotli_available);

G_END_DECLS
