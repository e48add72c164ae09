/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      rndimg_viewer_token_lookup_async  (const char          *server,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char     *rndimg_viewer_token_lookup_finish (GAsyncResult        *result,
                                             GError             **error);
void      rndimg_viewer_token_store_async   (const char          *server,
                                             const char          *token,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean  rndimg_viewer_token_store_finish  (GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
