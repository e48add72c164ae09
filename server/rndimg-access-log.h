/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

G_BEGIN_DECLS

void rndimg_access_log_install_writer (void);
void rndimg_access_log_record         (const RndimgFinishedRequest *request);

G_END_DECLS
