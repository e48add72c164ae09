/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rndimg-api-prefix.h"

G_BEGIN_DECLS

/* A real rndimg-server on a free loopback port, for one test. */
typedef struct {
  GSubprocess *process;
  char *url;              /* "http://127.0.0.1:PORT", no trailing slash */
  char *state_dir;           /* its own history file, unless a test names one */
  char *log_path;            /* its standard error, when started logged; NULL: inherited */
} TestServer;

TestServer *test_server_start      (const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
TestServer *test_server_start_argv (const char *const *args);
TestServer *test_server_start_plain (const char *const *args);
TestServer *test_server_start_plain_logged (const char *const *args,
                                            const char *const *environment);
TestServer *test_server_start_full (const char *const *args,
                                    const char *const *environment);
TestServer *test_server_start_logged (const char *const *args,
                                      const char *const *environment);
char       *test_server_read_log   (TestServer *server);
char       *test_server_wait_log   (TestServer *server,
                                    const char *text,
                                    guint       timeout_ms);
void        test_server_stop       (TestServer *server);
void        test_server_kill       (TestServer *server);
char       *test_server_url        (TestServer *server, const char *path);
const char *test_server_binary     (void);

/* One synchronous request; returns the body and fills status/headers. */
typedef struct {
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
} TestResponse;

void      test_response_clear     (TestResponse *response);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestResponse, test_response_clear)

/* The one place that sends; the helpers below name the usual cases.
 * @request_headers: name, value, name, value, ..., NULL. */
void      test_request            (SoupSession  *session,
                                   const char   *method,
                                   const char   *url,
                                   const char   *const *request_headers,
                                   GBytes       *request_body,
                                   const char   *content_type,
                                   TestResponse *response);
void      test_get                (SoupSession  *session,
                                   const char   *url,
                                   TestResponse *response);
void      test_get_with_headers   (SoupSession  *session,
                                   const char   *url,
                                   const char   *const *request_headers,
                                   TestResponse *response);
/* Any method, without a body. */
void      test_send               (SoupSession  *session,
                                   const char   *method,
                                   const char   *url,
                                   TestResponse *response);
void      test_send_with_headers  (SoupSession  *session,
                                   const char   *method,
                                   const char   *url,
                                   const char   *const *request_headers,
                                   TestResponse *response);
void      test_post               (SoupSession  *session,
                                   const char   *url,
                                   GBytes       *body,
                                   const char   *content_type,
                                   TestResponse *response);
/* @json: the body's text, or NULL to send none. */
void      test_post_json          (SoupSession  *session,
                                   const char   *url,
                                   const char   *json,
                                   TestResponse *response);
void      test_record_answer      (SoupMessage  *msg,
                                   GBytes       *body);
void      test_record_answer_parts (const char  *method,
                                   const char   *path,
                                   guint         status,
                                   const char   *content_type,
                                   const char   *data,
                                   gsize         length);
void      test_add_answers_described (void);
JsonObject *test_response_json    (TestResponse *response);
const char *test_response_header  (TestResponse *response,
                                   const char   *name);

/* Fails the test unless @answer (a TestResponse * or a TestPending *: both
 * carry status and body) has status @expected; the failure names the
 * caller's file and line, both statuses and the answer's message or body. */
#define test_assert_status(answer, expected) \
  test_assert_status_at (__FILE__, __LINE__, G_STRFUNC, (answer)->status, (answer)->body, (expected))
void        test_assert_status_at  (const char   *file,
                                    int           line,
                                    const char   *function,
                                    guint         status,
                                    GBytes       *body,
                                    guint         expected);

/* @expected status, and a JSON body {"status":"error","message":"..."}. */
#define test_assert_json_error(response, expected) \
  test_assert_json_error_at (__FILE__, __LINE__, G_STRFUNC, (response), (expected))
void        test_assert_json_error_at (const char   *file,
                                       int           line,
                                       const char   *function,
                                       TestResponse *response,
                                       guint         expected);

/* A request in flight; done once the whole answer is in. */
typedef struct {
  gboolean done;
  guint status;
  GBytes *body;
  GError *error;
  GCancellable *cancellable;
  gint64 finished_usec;
  SoupMessageHeaders *headers;   /* the answer's; NULL until done */
} TestPending;

TestPending *test_request_async   (SoupSession  *session,
                                   const char   *method,
                                   const char   *url,
                                   const char   *const *request_headers);
void         test_pending_free    (TestPending  *pending);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestPending, test_pending_free)
gboolean     test_pending_is_done (gpointer      pending);
gboolean     test_pendings_done   (gpointer      pendings);
JsonObject  *test_pending_json    (TestPending  *pending);

/* An open Server-Sent Events stream, read line by line as the loop runs. */
typedef struct {
  SoupMessage *msg;
  GDataInputStream *lines;
  GCancellable *cancellable;
  GPtrArray *events;        /* JsonObject of each "data:" line */
  GPtrArray *ids;           /* char * of each "id:" line */
  guint comments;
  gboolean first_line_is_retry;
  guint line_count;
  gboolean ended;
} TestEventStream;

TestEventStream *test_event_stream_open  (SoupSession     *session,
                                          const char      *url,
                                          const char      *last_event_id);
void             test_event_stream_close (TestEventStream *stream);
gboolean         test_event_stream_wait  (TestEventStream *stream,
                                          guint            count,
                                          guint            timeout_ms);

JsonObject *test_server_stats     (TestServer   *server,
                                   SoupSession  *session);
gint64      test_server_stat      (TestServer   *server,
                                   SoupSession  *session,
                                   const char   *name);
void        test_server_wait_for_placeholders (TestServer  *server,
                                               SoupSession *session,
                                               guint        timeout_ms);
gboolean    test_server_metric    (TestServer   *server,
                                   SoupSession  *session,
                                   const char   *name,
                                   double       *value);
JsonObject *test_publish          (TestServer   *server,
                                   SoupSession  *session,
                                   const char   *name);
void        test_raise_fd_limit   (void);
guint       test_server_close_wait_count (TestServer *server);
guint       test_server_socket_count     (TestServer *server,
                                          const char *state);
guint       test_server_fd_count         (TestServer *server);
/* "TID NAME" -> nice value, for each thread of the server now. */
GHashTable *test_server_thread_niceness  (TestServer *server);
GStrv       test_read_proc_stat          (const char *path,
                                          char      **name);

char       *test_make_image_folder (guint count);
void        test_remove_folder     (const char *path);
char       *test_source_image      (const char *name);
gboolean    test_wait_until        (GSourceFunc condition,
                                    gpointer    data,
                                    guint       timeout_ms);
void        test_run_for           (guint       ms);

G_END_DECLS
