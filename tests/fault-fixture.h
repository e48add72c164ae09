/* SPDX-License-Identifier: MIT */
/* What the fault suites share: nodes on one real Redis, each node's link
 * to it through its own TCP proxy the test controls (tcp-proxy.h), nginx
 * in front when asked (data/nginx/rndimg-cluster.conf.in, as
 * scripts/cluster.sh fills it), and followers of the three kinds that
 * behave as clients do: they resume from the last id they got whenever
 * their connection ends, on the next URL of their list. */
#pragma once

#include "redis-fixture.h"
#include "rndimg-test-util.h"
#include "tcp-proxy.h"

G_BEGIN_DECLS

#define API RNDIMG_API_PREFIX
#define FAULT_MAX_NODES 3

typedef struct {
  guint nodes;                  /* 2 or 3 */
  const char *history;          /* --history; NULL: 128 */
  gboolean albums;              /* albums dogs (2 pictures) and cats (1) */
  gboolean nginx;               /* nginx in front of the nodes */
  gboolean append_only;         /* Redis keeps an append-only file (fsync always) */
} FaultSetup;

typedef struct {
  const FaultSetup *setup;
  TestRedis *redis;
  TestProxy *proxies[FAULT_MAX_NODES];   /* node N's link to Redis */
  TestServer *nodes[FAULT_MAX_NODES];    /* NULL while stopped */
  int ports[FAULT_MAX_NODES];            /* kept across restarts */
  char *folder;
  char *state;
  char *uploads[FAULT_MAX_NODES];
  SoupSession *session;
  SoupSession *async_session;
  GSubprocess *nginx;
  char *nginx_dir;
  char *entry;                           /* nginx's URL, or node A's */
} Faults;

void        faults_set_up        (Faults     *faults,
                                  gconstpointer setup);
void        faults_tear_down     (Faults     *faults,
                                  gconstpointer setup);
void        faults_start_node    (Faults     *faults,
                                  guint       node);
void        faults_stop_node     (Faults     *faults,
                                  guint       node);
void        faults_kill_node     (Faults     *faults,
                                  guint       node);
char       *faults_url           (Faults     *faults,
                                  guint       node,
                                  const char *path);
gboolean    faults_node_is_linked (Faults    *faults,
                                  guint       node);
void        faults_wait_linked   (Faults     *faults,
                                  guint       node);
gint64      faults_redis_newest_id (Faults   *faults);

/* POST /publish on @url (a node's or nginx's) with @json (NULL: none)
 * and @key as the Idempotency-Key header (already in its wire form; NULL:
 * none); the answer is in @response. */
void        faults_publish       (Faults       *faults,
                                  const char   *url,
                                  const char   *json,
                                  const char   *key,
                                  TestResponse *response);
TestPending *faults_publish_async (Faults      *faults,
                                  const char   *url,
                                  const char   *key);

typedef enum {
  FOLLOW_SSE,
  FOLLOW_LONG_POLL,
  FOLLOW_WEBSOCKET,
} FollowKind;

typedef struct _Follower Follower;

Follower   *follower_new         (Faults     *faults,
                                  FollowKind  kind,
                                  const char *const *bases,
                                  const char *query,
                                  gint64      since);
void        follower_free        (Follower   *follower);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Follower, follower_free)
const char *follower_kind_name   (FollowKind  kind);
gboolean    follower_wait_for    (Follower   *follower,
                                  gint64      id,
                                  guint       timeout_ms);
gboolean    follower_is_connected (Follower  *follower);
void        follower_wait_connected (Follower *follower);
GArray     *follower_ids         (Follower   *follower);
gint64      follower_missed      (Follower   *follower);

/* Every id of @ids once, in that order, and nothing else (after a short
 * wait for strays); fails naming the follower's kind and what it got. */
#define follower_assert_ids(follower, ids, count) \
  follower_assert_ids_at (__FILE__, __LINE__, (follower), (ids), (count))
void        follower_assert_ids_at (const char  *file,
                                    int          line,
                                    Follower    *follower,
                                    const gint64 *ids,
                                    guint        count);
#define follower_assert_range(follower, first, last) \
  follower_assert_range_at (__FILE__, __LINE__, (follower), (first), (last))
void        follower_assert_range_at (const char *file,
                                      int         line,
                                      Follower   *follower,
                                      gint64      first,
                                      gint64      last);

G_END_DECLS
