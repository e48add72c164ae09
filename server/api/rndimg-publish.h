/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-access.h"
#include "rndimg-broker.h"
#include "rndimg-catalogue.h"
#include "rndimg-url-signer.h"

G_BEGIN_DECLS

/* A POST /publish as any HTTP executor read it (libsoup's handler, or
 * another), after its token was checked. */
typedef struct {
  GBytes *body;                  /* as sent; empty or NULL: none */
  const char *name;              /* what rndimg_publish_read_body() read in it; NULL: none */
  const char *album;
  const char *idempotency_key;   /* the Idempotency-Key field, every line joined by ", "; NULL: none */
  const char *base_url;          /* http(s)://host[:port] the client used */
  const RndimgAccess *access;    /* what the client's credential allows (private albums, scopes) */
  RndimgUrlSigner *signer;       /* signs a private picture's URLs in the answer; NULL: none */
} RndimgPublishRequest;

/* What to answer, whatever writes it. */
typedef struct {
  guint status;
  GBytes *body;                  /* JSON: the event, or {"status":"error",...} */
  char *location;                /* 201: the picture's URL; else NULL */
  const char *retry_after;       /* seconds, when a retry later makes sense; else NULL */
  gboolean replayed;             /* the first answer for this Idempotency-Key, again */
} RndimgPublishAnswer;

gboolean             rndimg_publish_read_body      (GBytes                     *body,
                                                    char                      **name,
                                                    char                      **album,
                                                    GError                    **error);
void                 rndimg_publish_async          (RndimgCatalogue            *catalogue,
                                                    RndimgBroker               *broker,
                                                    const RndimgPublishRequest *request,
                                                    GCancellable               *cancellable,
                                                    GAsyncReadyCallback         callback,
                                                    gpointer                    user_data);
RndimgPublishAnswer *rndimg_publish_now            (RndimgCatalogue            *catalogue,
                                                    RndimgBroker               *broker,
                                                    const RndimgPublishRequest *request);
void                 rndimg_publish_picture_async  (RndimgBroker               *broker,
                                                    const RndimgPicture        *picture,
                                                    const char                 *source,
                                                    const RndimgPublishKey     *key,
                                                    const char                 *base_url,
                                                    RndimgUrlSigner            *signer,
                                                    GCancellable               *cancellable,
                                                    GAsyncReadyCallback         callback,
                                                    gpointer                    user_data);
RndimgPublishAnswer *rndimg_publish_finish         (GAsyncResult               *result);
void                 rndimg_publish_answer_free    (RndimgPublishAnswer        *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPublishAnswer, rndimg_publish_answer_free)

gboolean             rndimg_publish_key_parse      (const char                 *field,
                                                    char                      **key,
                                                    GError                    **error);
RndimgPublishKey    *rndimg_publish_key_new        (const char                 *scope,
                                                    const char                 *key,
                                                    GBytes                     *request);

#define RNDIMG_PUBLISH_KEY_MAX_LENGTH 255

G_END_DECLS
