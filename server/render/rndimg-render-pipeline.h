/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-box.h"
#include "rndimg-render-memory.h"
#include "rndimg-vips.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define RNDIMG_RENDER_ERROR (rndimg_render_error_quark ())
typedef enum {
  RNDIMG_RENDER_ERROR_BUSY,            /* the queue is full: try again */
  RNDIMG_RENDER_ERROR_TIMEOUT,         /* over the time limit */
  RNDIMG_RENDER_ERROR_INPUT_TOO_LARGE, /* the picture has too many pixels */
  RNDIMG_RENDER_ERROR_OUTPUT_TOO_LARGE,/* the variant would have too many */
  RNDIMG_RENDER_ERROR_CORRUPT,         /* the picture cannot be decoded */
  RNDIMG_RENDER_ERROR_UNSUPPORTED,     /* the format cannot be encoded here */
  RNDIMG_RENDER_ERROR_OVER_MEMORY,     /* it would need more than the whole render memory budget */
} RndimgRenderError;
GQuark rndimg_render_error_quark (void);

/* A render's time limit, checked by libvips between tiles. */
typedef struct {
  gint64 at;            /* monotonic microseconds */
  gboolean passed;
} RndimgRenderDeadline;

/* A master file mapped, its pixels seen as a libvips image (no decoding). */
typedef struct _RndimgMasterFile RndimgMasterFile;

RndimgMasterFile *rndimg_master_file_map     (const char             *path,
                                              const RndimgMasterSize *size,
                                              GError                **error);
VipsImage        *rndimg_master_file_image   (RndimgMasterFile       *file);
void              rndimg_master_file_free    (RndimgMasterFile       *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgMasterFile, rndimg_master_file_free)

gboolean   rndimg_render_read_facts      (const char                 *path,
                                          guint64                     max_input_pixels,
                                          RndimgSourceFacts          *facts,
                                          GError                    **error);
VipsImage *rndimg_render_resize_original (const char                 *path,
                                          guint                       width,
                                          guint                       height,
                                          GError                    **error);
VipsImage *rndimg_render_resize_image    (VipsImage                  *image,
                                          guint                       width,
                                          guint                       height,
                                          GError                    **error);
VipsImage *rndimg_render_resize_master   (RndimgMasterFile           *file,
                                          guint                       width,
                                          guint                       height,
                                          GError                    **error);
VipsImage *rndimg_render_shrink_master   (RndimgMasterFile           *file,
                                          const RndimgMasterSize     *size,
                                          GError                    **error);
gboolean   rndimg_render_write_master    (VipsImage                  *image,
                                          gboolean                    turned,
                                          const char                 *path,
                                          RndimgRenderDeadline       *deadline,
                                          guint64                    *bytes,
                                          GError                    **error);
GBytes    *rndimg_render_encode          (VipsImage                  *resized,
                                          const RndimgRenderBox      *box,
                                          const RndimgVariantSpec    *spec,
                                          RndimgRenderDeadline       *deadline,
                                          GError                    **error);
gboolean   rndimg_render_probe_encoder   (RndimgFormat                format);

G_END_DECLS
