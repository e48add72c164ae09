/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        rndimg_viewer_decode_async  (GBytes               *bytes,
                                         int                   thumbnail_side,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GdkTexture *rndimg_viewer_decode_finish (GAsyncResult         *result,
                                         GdkTexture          **thumbnail,
                                         GError              **error);
void        rndimg_viewer_thumbnail_async  (GdkTexture          *texture,
                                            int                  side,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GdkTexture *rndimg_viewer_thumbnail_finish (GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
