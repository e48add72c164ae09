/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*RndimgBusyPollSpin) (gpointer user_data, gint64 until);
GSource *rndimg_busy_poll_source_new (int watched_fd, guint window_usec, RndimgBusyPollSpin spin, gpointer user_data);

G_END_DECLS
