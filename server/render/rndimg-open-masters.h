/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-master-file.h"

G_BEGIN_DECLS

typedef struct _RndimgOpenMasters RndimgOpenMasters;

RndimgOpenMasters *rndimg_open_masters_new  (guint                   capacity);
void               rndimg_open_masters_free (RndimgOpenMasters      *self);
RndimgMasterFile  *rndimg_open_masters_get  (RndimgOpenMasters      *self,
                                             const char             *path,
                                             const RndimgMasterSize *size,
                                             GError                **error);

G_END_DECLS
