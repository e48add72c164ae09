/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

#include "rndimg-albums.h"
#include "rndimg-answer.h"

G_BEGIN_DECLS

/* A function as a GTask's source tag: ISO C has no cast from a function
 * pointer to gpointer, only through an integer. */
#define RNDIMG_TASK_TAG(function) ((gpointer) (guintptr) (function))

#define RNDIMG_CLIENT_ERROR (rndimg_client_error_quark ())
GQuark rndimg_client_error_quark (void);

typedef enum {
  RNDIMG_CLIENT_ERROR_REFUSED,
  RNDIMG_CLIENT_ERROR_TIMEOUT,
  RNDIMG_CLIENT_ERROR_UNREACHABLE,
  RNDIMG_CLIENT_ERROR_BAD_ANSWER,
  RNDIMG_CLIENT_ERROR_REJECTED,     /* an upload the server refused (401/403/413/415) */
} RndimgClientError;

#define RNDIMG_TYPE_CLIENT (rndimg_client_get_type ())
G_DECLARE_FINAL_TYPE (RndimgClient, rndimg_client, RNDIMG, CLIENT, GObject)

RndimgClient *rndimg_client_new               (const char          *base_url);
const char   *rndimg_client_get_base_url      (RndimgClient        *self);
void          rndimg_client_set_base_url      (RndimgClient        *self,
                                               const char          *base_url);
char         *rndimg_client_url               (RndimgClient        *self,
                                               const char          *path);
SoupSession  *rndimg_client_get_session       (RndimgClient        *self);
void          rndimg_client_set_token         (RndimgClient        *self,
                                               const char          *token);
const char   *rndimg_client_get_token         (RndimgClient        *self);

void          rndimg_client_set_album         (RndimgClient        *self,
                                               const char          *album);
const char   *rndimg_client_get_album         (RndimgClient        *self);
char         *rndimg_client_album_query       (RndimgClient        *self,
                                               const char          *separator);
void          rndimg_client_get_random_async  (RndimgClient        *self,
                                               const char          *exclude,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
RndimgAnswer *rndimg_client_get_random_finish (RndimgClient        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void          rndimg_client_upload_async      (RndimgClient        *self,
                                               GBytes              *picture,
                                               const char          *content_type,
                                               const char          *token,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
RndimgAnswer *rndimg_client_upload_finish     (RndimgClient        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void          rndimg_client_fetch_async       (RndimgClient        *self,
                                               const char          *url,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GBytes       *rndimg_client_fetch_finish      (RndimgClient        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void          rndimg_client_list_albums_async (RndimgClient        *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray    *rndimg_client_list_albums_finish (RndimgClient       *self,
                                                GAsyncResult       *result,
                                                GError            **error);

GError       *rndimg_client_classify_error    (const GError        *error);
char         *rndimg_client_normalize_base_url (const char         *text,
                                                GError            **error);
char         *rndimg_client_display_host      (const char          *url);
char         *rndimg_client_variant_url       (const char          *url,
                                                const char          *variant_version,
                                                int                  width,
                                                int                  height,
                                                int                  scale);
char         *rndimg_client_thumbnail_url     (const char          *url,
                                               const char          *variant_version,
                                               int                  side,
                                               int                  scale);

G_END_DECLS
