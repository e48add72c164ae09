#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A real rndimg-server on a free loopback port, for one test. */
typedef struct {
  GSubprocess *process;
  char *url;              /* "http://127.0.0.1:PORT", no trailing slash */
} TestServer;

TestServer *test_server_start      (const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
TestServer *test_server_start_argv (const char *const *args);
void        test_server_stop       (TestServer *server);
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

void      test_request            (SoupSession  *session,
                                   const char   *method,
                                   const char   *url,
                                   const char   *const *request_headers,
                                   GBytes       *request_body,
                                   const char   *content_type,
                                   TestResponse *response);
JsonObject *test_response_json    (TestResponse *response);
const char *test_response_header  (TestResponse *response,
                                   const char   *name);
void        test_assert_json_error (TestResponse *response,
                                    guint         status);

char       *test_make_image_folder (guint count);
void        test_remove_folder     (const char *path);
char       *test_source_image      (const char *name);
gboolean    test_wait_until        (GSourceFunc condition,
                                    gpointer    data,
                                    guint       timeout_ms);

G_END_DECLS
