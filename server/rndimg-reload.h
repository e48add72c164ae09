/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-service.h"

G_BEGIN_DECLS

guint rndimg_reload_on_sighup (RndimgService *service);
void  rndimg_reload           (RndimgService *service);

G_END_DECLS
