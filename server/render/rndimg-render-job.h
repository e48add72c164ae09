/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-open-masters.h"

#include "rndimg-masters.h"
#include "rndimg-render-pipeline.h"

G_BEGIN_DECLS

GBytes *rndimg_render_job_run (RndimgOpenMasters        *open_masters,
                               const char               *path,
                               const RndimgVariantSpec  *spec,
                               const RndimgMastersPlan  *plan,
                               guint64                   max_input_pixels,
                               guint64                   memory_limit,
                               RndimgRenderDeadline     *deadline,
                               RndimgMastersOutcome     *outcome,
                               GError                  **error);

G_END_DECLS
