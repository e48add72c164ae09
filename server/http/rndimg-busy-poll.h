/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GSource *rndimg_busy_poll_source_new (int watched_fd, guint window_usec);

G_END_DECLS
