/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rndimg_picture_thread_lower         (void);
void rndimg_picture_thread_return_memory (void);

G_END_DECLS
