/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-prepared-file.h"

G_BEGIN_DECLS

/* Bounds on what the web folder may hold in memory (identity bytes;
 * the encodings come on top and are smaller). */
#define RNDIMG_WEB_MAX_FILES 256
#define RNDIMG_WEB_MAX_FILE_BYTES (4 * 1024 * 1024)
#define RNDIMG_WEB_MAX_BYTES (32 * 1024 * 1024)
#define RNDIMG_WEB_MAX_DEPTH 4

#define RNDIMG_WEB_CACHE_REVALIDATE "no-cache"
#define RNDIMG_WEB_CACHE_IMMUTABLE "public, max-age=31536000, immutable"

/* What one path of the folder answers: the file and how long it keeps. */
typedef struct {
  RndimgPreparedFile *file;
  const char *cache_control;
} RndimgWebRoute;

/* One prepared state of the folder: read-only, shared by reference. */
typedef struct _RndimgWebFiles RndimgWebFiles;

RndimgWebFiles       *rndimg_web_files_ref         (RndimgWebFiles *files);
void                  rndimg_web_files_unref       (RndimgWebFiles *files);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgWebFiles, rndimg_web_files_unref)
const RndimgWebRoute *rndimg_web_files_lookup      (RndimgWebFiles *files,
                                                    const char     *relative);
guint                 rndimg_web_files_get_count   (RndimgWebFiles *files);
gsize                 rndimg_web_files_get_memory  (RndimgWebFiles *files);

gboolean              rndimg_web_path_is_safe      (const char     *relative);
const char           *rndimg_web_content_type      (const char     *relative);

#define RNDIMG_TYPE_WEB_FOLDER (rndimg_web_folder_get_type ())
G_DECLARE_FINAL_TYPE (RndimgWebFolder, rndimg_web_folder, RNDIMG, WEB_FOLDER, GObject)

RndimgWebFolder *rndimg_web_folder_new            (const char          *path);
RndimgWebFiles  *rndimg_web_folder_peek_current   (RndimgWebFolder     *self);
void             rndimg_web_folder_prepare_async  (RndimgWebFolder     *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
RndimgWebFiles  *rndimg_web_folder_prepare_finish (RndimgWebFolder     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
