/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Everything the command line (and environment) can set. */
typedef struct {
  char *address;
  int port;
  char *images_dir;
  char *web_dir;
  double interval_seconds;     /* slideshow timer; 0 turns it off */
  int history;                 /* events kept for replay */
  gint64 max_upload_bytes;
  char *token;                 /* NULL: no token configured */
  int max_waiters;             /* held long-polls */
  int max_streams;             /* open SSE streams */
  int max_sockets;             /* open WebSockets */
  double heartbeat_seconds;
  gboolean verbose;
} RndimgConfig;

void rndimg_config_clear (RndimgConfig *config);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgConfig, rndimg_config_clear)

G_END_DECLS
