/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-box.h"

G_BEGIN_DECLS

typedef enum {
  RNDIMG_SOURCE_OTHER,
  RNDIMG_SOURCE_JPEG,
  RNDIMG_SOURCE_PNG,
  RNDIMG_SOURCE_GIF,
  RNDIMG_SOURCE_WEBP,
} RndimgSourceKind;

/* What a picture's header says, as far as its render's memory goes. */
typedef struct {
  RndimgSourceKind kind;
  guint width;            /* as shown, after the EXIF orientation */
  guint height;
  guint bands;            /* decoded: 1 to 4 */
  guint sample_bytes;     /* 1, or 2 for 16 bits a sample */
  gboolean interlaced;    /* a progressive JPEG, an interlaced PNG */
  gboolean chroma_full;   /* a JPEG without chroma subsampling */
  guint orientation;      /* EXIF, 1 to 8 */
  gboolean plain;         /* 8-bit sRGB or grey without alpha: decoded as it is shown */
} RndimgSourceFacts;

void    rndimg_source_facts_assume        (RndimgSourceFacts       *facts,
                                           const char              *content_type,
                                           guint                    width,
                                           guint                    height);
guint64 rndimg_render_memory_for_original (const RndimgSourceFacts *facts,
                                           const RndimgRenderBox   *box,
                                           RndimgFormat             format,
                                           gboolean                 making_masters);
guint64 rndimg_render_memory_for_master   (const RndimgMasterSize  *master,
                                           guint                    bands,
                                           const RndimgRenderBox   *box,
                                           RndimgFormat             format);

G_END_DECLS
