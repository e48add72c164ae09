/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A TCP proxy on a free loopback port in front of one on 127.0.0.1,
 * run by a thread of its own (so that it keeps going while a test blocks
 * in a synchronous request), which the test controls: paused, it still
 * accepts connections but holds every byte both ways (a link that stops
 * answering without closing); cut, it closes every connection with a
 * reset. */
typedef struct _TestProxy TestProxy;

TestProxy *test_proxy_new         (int        target_port);
int        test_proxy_get_port    (TestProxy *proxy);
char      *test_proxy_redis_url   (TestProxy *proxy);
void       test_proxy_pause       (TestProxy *proxy);
void       test_proxy_resume      (TestProxy *proxy);
void       test_proxy_cut         (TestProxy *proxy);
guint      test_proxy_connections (TestProxy *proxy);
void       test_proxy_free        (TestProxy *proxy);

G_END_DECLS
