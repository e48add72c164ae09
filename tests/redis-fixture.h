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
} TestRedis;

TestRedis *test_redis_start   (void);
void       test_redis_stop    (TestRedis  *redis);
void       test_redis_take_down (TestRedis  *redis,
                               gboolean    keep_data);
void       test_redis_bring_up  (TestRedis  *redis);
char      *test_redis_command (TestRedis  *redis,
                               const char *format,
                               ...);

G_END_DECLS
