/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Everything the command line, the environment or the config file can set
 * (see rndimg-settings.c for where each value comes from). */
typedef struct {
  char *address;
  int port;
  char *images_dir;
  char *uploads_dir;           /* where uploads are written (and served from) */
  char *web_dir;
  double interval_seconds;     /* slideshow timer; 0 turns it off */
  int history;                 /* events kept for replay */
  char *state_file;            /* the broker's state on disk (memory: its history; Redis: the newest id) */
  char *broker;                /* "memory" or redis://HOST:PORT[/DB] */
  gint64 max_upload_bytes;
  char *token_file;            /* NULL: the token, if any, came from RNDIMG_TOKEN */
  char *token;                 /* NULL: no token configured */
  int max_waiters;             /* held long-polls */
  int max_streams;             /* open SSE streams */
  int max_sockets;             /* open WebSockets */
  double heartbeat_seconds;
  gboolean verbose;
  gboolean access_log;         /* one info line (journal record) per request */
  gboolean no_metrics;         /* no GET /metrics */
  gboolean no_dogceo;          /* no dog.ceo routes */
  gboolean allow_new_albums;   /* an upload may make an album folder */
  char *tls_certificate;      /* PEM file: serve HTTPS with it and tls_key; NULL: HTTP */
  char *tls_key;
  char *public_url;            /* the URL clients reach us by (a proxy's); NULL: from Host */
  char **allow_origins;        /* more origins whose pages may write (NULL-terminated) */
  char **allow_hosts;          /* more Host names accepted without a token */
  int header_timeout_seconds;  /* for a request's headers to arrive */
  int idle_timeout_seconds;    /* a keep-alive connection without a request */
  int max_connections_per_address;
  int busy_poll_usec;          /* the main loop polls without sleeping after traffic */
  gint64 variant_memory_bytes; /* variants kept in memory */
  gint64 variant_disk_bytes;   /* variants kept on disk; 0: none */
  char *variant_dir;           /* where; NULL: variants/ beside the state file */
  int render_workers;          /* variant renders at once */
  int render_queue;            /* renders waiting beyond those; then 503 */
  gint64 render_memory_bytes;  /* what renders under way may hold together */
  double render_timeout_seconds;
  gint64 max_input_pixels;     /* a picture larger is refused (decompression bombs) */
  gboolean no_picsum;          /* no Lorem Picsum routes */
  gboolean no_hot_path;        /* every request read and answered by libsoup */
  char *tokens_file;           /* named tokens with scopes; NULL: none */
  char *jwt_key_file;          /* JWTs are verified with it; NULL: none taken */
  char *jwt_algorithm;         /* HS256, RS256 or ES256 */
  char *signing_keys_file;     /* keys of signed URLs; NULL: signing-keys in the state folder */
  int signed_url_seconds;      /* how long a signed URL lives, at least */
  double trash_days;           /* a deleted picture stays in the trash this long */
  double write_rate;           /* writes per second per client; 0: no limit */
  int write_burst;
  double render_rate;          /* cold renders per second per client; 0: no limit */
  int render_burst;
} RndimgConfig;

void rndimg_config_clear (RndimgConfig       *config);
void rndimg_config_copy  (RndimgConfig       *to,
                          const RndimgConfig *from);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgConfig, rndimg_config_clear)

G_END_DECLS
