/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-test-util.h"

G_BEGIN_DECLS

/* A plain socket to a test server, for bytes libsoup's client would not send. */
typedef struct {
  int fd;
  char *method;     /* of the request sent and not yet answered, if known */
  char *path;
} RawConnection;

RawConnection *raw_connect          (TestServer    *server);
void           raw_connection_free  (RawConnection *connection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawConnection, raw_connection_free)
gboolean       raw_send             (RawConnection *connection,
                                     const void    *bytes,
                                     gsize          length);
gboolean       raw_send_text        (RawConnection *connection,
                                     const char    *text);
char          *raw_read_answer      (RawConnection *connection,
                                     guint          timeout_ms);
gboolean       raw_wait_closed      (RawConnection *connection,
                                     guint          timeout_ms);

/* What an answer's text says. */
guint       raw_answer_status   (const char *answer);
char       *raw_answer_header   (const char *answer,
                                 const char *name);
const char *raw_answer_body     (const char *answer);
void        raw_assert_json_error (const char *answer,
                                   guint       min_status,
                                   guint       max_status);
gsize       raw_server_rss_kib  (TestServer *server);
gsize       raw_server_status_kib (TestServer *server,
                                   const char *field);
guint64     raw_server_status_number (TestServer *server,
                                      const char *field);
void        raw_assert_bad_event_ids (TestServer *server,
                                      const char *path,
                                      const char *name,
                                      const char *headers);

G_END_DECLS
