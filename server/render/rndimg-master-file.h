/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-pipeline.h"

G_BEGIN_DECLS

/* A master file mapped, its pixels seen as a libvips image (no decoding). */
typedef struct _RndimgMasterFile RndimgMasterFile;

RndimgMasterFile *rndimg_master_file_map     (const char             *path,
                                              const RndimgMasterSize *size,
                                              GError                **error);
RndimgMasterFile *rndimg_master_file_ref     (RndimgMasterFile       *file);
void              rndimg_master_file_unref   (RndimgMasterFile       *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgMasterFile, rndimg_master_file_unref)

VipsImage *rndimg_master_file_resize        (RndimgMasterFile           *file,
                                             guint                       width,
                                             guint                       height,
                                             GError                    **error);
VipsImage *rndimg_master_from_original      (const char                 *path,
                                             const RndimgSourceFacts    *facts,
                                             const RndimgMasterSize     *size,
                                             gboolean                   *turned,
                                             GError                    **error);
VipsImage *rndimg_master_from_master        (RndimgMasterFile           *above,
                                             const RndimgMasterSize     *size,
                                             GError                    **error);
gboolean   rndimg_master_write              (VipsImage                  *image,
                                             gboolean                    turned,
                                             const char                 *path,
                                             RndimgRenderDeadline       *deadline,
                                             guint64                    *bytes,
                                             GError                    **error);

G_END_DECLS
