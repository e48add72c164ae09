/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-masters.h"
#include "rndimg-picture.h"
#include "rndimg-blurhash.h"
#include "rndimg-render-error.h"

G_BEGIN_DECLS

/* The masters kept mapped between renders (rndimg-open-masters.c), made
 * by the module and handed back to it with each job. */
typedef struct _RndimgOpenMasters RndimgOpenMasters;

/* What the render module (librndimg-render, the only code that links
 * libvips) offers the server: one table, found by its symbol name when
 * the module is loaded (rndimg-render-engine.c). The module's own code
 * calls back into the server's (the variant grammar, the render box, the
 * header readers), which the executable exports. A module whose @version
 * differs is refused. */
#define RNDIMG_RENDER_ENTRY_POINTS_VERSION 2
#define RNDIMG_RENDER_ENTRY_POINTS_SYMBOL "rndimg_render_entry_points"

/* libvips finds its own modules folder under $VIPSHOME/lib: this one has
 * none, so it loads none at init (rndimg-vips.c). Set by the server
 * before any thread starts, unless the user set VIPSHOME. */
#define RNDIMG_VIPSHOME_WITHOUT_MODULES "/nonexistent/rndimg-without-vips-modules"

typedef struct {
  guint version;
  /* Once, before any other entry point. */
  gboolean      (*start)          (GError                  **error);
  /* On a picture thread (rndimg-picture-thread.h): */
  RndimgPixels *(*decode_small)   (const RndimgPicture      *image,
                                   guint                     max_side,
                                   guint64                   max_input_pixels,
                                   GError                  **error);
  RndimgOpenMasters *(*open_masters_new)  (guint capacity);
  void          (*open_masters_free) (RndimgOpenMasters      *masters);
  GBytes       *(*run_job)        (RndimgOpenMasters        *open_masters,
                                   const char               *path,
                                   const RndimgVariantSpec  *spec,
                                   const RndimgMastersPlan  *plan,
                                   guint64                   max_input_pixels,
                                   guint64                   memory_limit,
                                   RndimgRenderDeadline     *deadline,
                                   RndimgMastersOutcome     *outcome,
                                   GError                  **error);
  gboolean      (*probe_encoder)  (RndimgFormat              format);
  /* A libvips module a format needs ("vips-heif": AVIF), loaded for good. */
  gboolean      (*load_format)    (const char               *name);
  /* A picture thread is done with its work: libvips' per-thread state goes. */
  void          (*finish_thread)  (void);
} RndimgRenderEntryPoints;

G_END_DECLS
