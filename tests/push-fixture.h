/* SPDX-License-Identifier: MIT */
/* What the push suites share: a fixture that runs a real rndimg-server on
 * a private image folder, and helpers to hold long-polls, open event
 * streams and wait for the server's counters. */
#pragma once

#include "rndimg-test-util.h"

G_BEGIN_DECLS

#define API RNDIMG_API_PREFIX

typedef struct {
  TestServer *server;
  SoupSession *session;       /* synchronous requests */
  SoupSession *async_session; /* held requests */
  char *folder;               /* a private copy of some images */
} Fixture;

SoupSession     *new_async_session   (void);
void             fixture_start       (Fixture *fixture, const char *const *extra_args);
void             fixture_set_up      (Fixture *fixture, gconstpointer extra_args);
void             fixture_tear_down   (Fixture *fixture, gconstpointer extra_args);
TestPending     *poll_async          (Fixture *fixture, const char *query);
JsonObject      *poll_now            (Fixture *fixture, const char *query);
TestEventStream *open_events         (Fixture *fixture, const char *query, const char *last_event_id);
void             assert_stat_becomes (Fixture *fixture, const char *stat, gint64 value, guint timeout_ms);
void             wait_done           (TestPending *pending, guint timeout_ms);
void             assert_event        (JsonObject *event, gint64 id, const char *source);
guint            count_files         (const char *folder);
GBytes          *read_source_image   (const char *name);

/* A WebSocket following events: each text message parsed. */
typedef struct {
  SoupWebsocketConnection *connection;
  GPtrArray *events;          /* JsonObject, in arrival order */
  gboolean closed;
  gushort close_code;
  GError *error;
} Follower;

Follower        *follow              (Fixture *fixture, const char *query);
Follower        *follow_message      (Fixture *fixture, SoupMessage *msg);
void             follower_free       (Follower *follower);
void             assert_events_become (Follower *follower, guint count);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Follower, follower_free)

/* A test case on a fresh server started with @args (a NULL-ended array). */
#define ADD(path, func, args) \
  g_test_add (path, Fixture, (const char *const *) args, fixture_set_up, func, fixture_tear_down)

G_END_DECLS
