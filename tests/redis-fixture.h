/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real redis-server (Debian's) on a free loopback port, for one test
 * binary: no saving to disk, stopped with the test. */
typedef struct {
  GSubprocess *process;
  int port;
  char *url;                 /* redis://127.0.0.1:PORT */
  char *folder;
  gboolean append_only;      /* an append-only file, fsync'ed at every write */
} TestRedis;

int        test_free_loopback_port (void);
TestRedis *test_redis_start   (void);
TestRedis *test_redis_start_append_only (void);
void       test_redis_stop    (TestRedis  *redis);
void       test_redis_take_down (TestRedis  *redis,
                               gboolean    keep_data);
void       test_redis_bring_up  (TestRedis  *redis);
void       test_redis_crash     (TestRedis  *redis);
char      *test_redis_command (TestRedis  *redis,
                               const char *format,
                               ...);

G_END_DECLS
