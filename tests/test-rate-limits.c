/* SPDX-License-Identifier: MIT */
/* Fair limits per client, against real servers: one client flooding
 * renders not cached yet gets 429 (Retry-After, the IETF RateLimit
 * fields) while another client's renders still go through, and none is
 * the shared queue's 503; a token spending its writes gets 429 while
 * another token's go through; both counted in /metrics. */
#include "push-fixture.h"

#include <glib/gstdio.h>
#include <string.h>

#define FLOODER_TOKEN "flooding-client-0123456789"
#define OTHER_TOKEN "another-client-0123456789ab"

typedef struct {
  Fixture base;
  char *tokens;
} Limited;

static void
limited_set_up (Limited *fixture, gconstpointer data)
{
  const char *const *extra = data;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  fixture->base.folder = test_make_image_folder (3);
  fixture->tokens = g_strconcat (fixture->base.folder, "-tokens.ini", NULL);
  g_assert_true (g_file_set_contents (fixture->tokens,
                                      "[flooder]\ntoken=" FLOODER_TOKEN "\nscopes=read publish\n"
                                      "[other]\ntoken=" OTHER_TOKEN "\nscopes=read publish\n", -1, NULL));
  g_ptr_array_add (args, g_strconcat ("--images=", fixture->base.folder, NULL));
  g_ptr_array_add (args, g_strconcat ("--tokens-file=", fixture->tokens, NULL));
  g_ptr_array_add (args, g_strdup ("--interval=0"));
  for (; extra != NULL && *extra != NULL; extra++)
    g_ptr_array_add (args, g_strdup (*extra));
  g_ptr_array_add (args, NULL);
  fixture->base.session = soup_session_new ();
  fixture->base.async_session = new_async_session ();
  fixture->base.server = test_server_start_argv ((const char *const *) args->pdata);
}

static void
limited_tear_down (Limited *fixture, gconstpointer data)
{
  fixture_tear_down (&fixture->base, data);
  g_unlink (fixture->tokens);
  g_free (fixture->tokens);
}

static TestPending *
render_as (Limited *fixture, const char *token, guint side)
{
  g_autofree char *url = g_strdup_printf ("%s/img/0%u.png/%ux%u.png", fixture->base.server->url,
                                          1 + side % 3, side, side);
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", bearer, NULL };

  return test_request_async (fixture->base.async_session, "GET", url, headers);
}

static guint
count_status (GPtrArray *pending, guint status)
{
  guint count = 0;

  for (guint i = 0; i < pending->len; i++)
    count += ((TestPending *) g_ptr_array_index (pending, i))->status == status;
  return count;
}

static double
metric (Limited *fixture, const char *series)
{
  g_autofree char *url = test_server_url (fixture->base.server, "/metrics");
  g_auto(TestResponse) response = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *sample = g_strconcat ("\n", series, NULL);
  const char *line;

  test_get (fixture->base.session, url, &response);
  text = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  line = strstr (text, sample);
  return line != NULL ? g_ascii_strtod (line + strlen (sample), NULL) : 0;
}

/* Each 429 says when to come back and what the share is. */
static void
assert_limit_fields (SoupMessageHeaders *headers, const char *name)
{
  const char *policy = soup_message_headers_get_one (headers, "RateLimit-Policy");
  const char *now = soup_message_headers_get_one (headers, "RateLimit");
  g_autofree char *quoted = g_strdup_printf ("\"%s\";", name);

  g_assert_nonnull (soup_message_headers_get_one (headers, "Retry-After"));
  g_assert_cmpint (atoi (soup_message_headers_get_one (headers, "Retry-After")), >=, 1);
  g_assert_nonnull (policy);
  g_assert_true (g_str_has_prefix (policy, quoted));
  g_assert_nonnull (strstr (policy, ";q="));
  g_assert_nonnull (strstr (policy, ";w="));
  g_assert_nonnull (now);
  g_assert_true (g_str_has_prefix (now, quoted));
  g_assert_nonnull (strstr (now, ";r=0;t="));
  g_assert_cmpstr (soup_message_headers_get_one (headers, "RateLimit-Remaining"), ==, "0");
  g_assert_nonnull (soup_message_headers_get_one (headers, "RateLimit-Limit"));
  g_assert_nonnull (soup_message_headers_get_one (headers, "RateLimit-Reset"));
}

static void
test_render_flood_is_one_clients_loss (Limited *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) flood = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  TestPending *refused = NULL;

  for (guint i = 0; i < 40; i++)
    g_ptr_array_add (flood, render_as (fixture, FLOODER_TOKEN, 1200 + i));
  /* While the flood is queued, another client asks for renders of its own. */
  test_run_for (200);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (others, render_as (fixture, OTHER_TOKEN, 900 + i));
  g_assert_true (test_wait_until (test_pendings_done, flood, 120000));
  g_assert_true (test_wait_until (test_pendings_done, others, 120000));
  g_test_message ("the flood: %u rendered, %u refused 429, %u refused 503", count_status (flood, 200),
                  count_status (flood, 429), count_status (flood, 503));
  g_assert_cmpuint (count_status (flood, 429), >=, 10);
  g_assert_cmpuint (count_status (flood, 200), >=, 1);
  g_assert_cmpuint (count_status (flood, 503), ==, 0);
  g_assert_cmpuint (count_status (others, 200), ==, others->len);
  for (guint i = 0; i < flood->len && refused == NULL; i++)
    if (((TestPending *) g_ptr_array_index (flood, i))->status == 429)
      refused = g_ptr_array_index (flood, i);
  assert_limit_fields (refused->headers, "renders");
  g_assert_cmpfloat (metric (fixture, "rndimg_rate_limited_renders_total "), ==, count_status (flood, 429));
}

static guint
publish_as (Limited *fixture, const char *token, TestResponse *response)
{
  g_autofree char *url = test_server_url (fixture->base.server, API "/publish");
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", bearer, NULL };

  test_request (fixture->base.session, "POST", url, headers, NULL, NULL, response);
  return response->status;
}

static void
test_writes_per_token (Limited *fixture, gconstpointer data)
{
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) second = { 0 };
  g_auto(TestResponse) third = { 0 };
  g_auto(TestResponse) other = { 0 };

  g_assert_cmpuint (publish_as (fixture, FLOODER_TOKEN, &first), ==, 201);
  /* A write that goes through says what is left. */
  g_assert_cmpstr (test_response_header (&first, "RateLimit-Policy"), ==, "\"writes\";q=2;w=20");
  g_assert_cmpstr (test_response_header (&first, "RateLimit-Remaining"), ==, "1");
  g_assert_cmpuint (publish_as (fixture, FLOODER_TOKEN, &second), ==, 201);
  publish_as (fixture, FLOODER_TOKEN, &third);
  test_assert_json_error (&third, 429);
  assert_limit_fields (third.headers, "writes");
  g_assert_cmpuint (publish_as (fixture, OTHER_TOKEN, &other), ==, 201);
  g_assert_cmpfloat (metric (fixture, "rndimg_rate_limited_writes_total "), ==, 1);
  g_assert_cmpfloat (metric (fixture, "rndimg_audited_writes_total{action=\"publish\",status=\"429\"} "), ==, 1);
}

static const char *const flood_args[] = {
  "--render-workers=1", "--render-queue=32", "--render-burst=4", "--render-rate=0.2", "--variant-disk=0", NULL,
};
static const char *const write_args[] = { "--write-burst=2", "--write-rate=0.1", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/limits/render-flood-is-one-clients-loss", Limited, flood_args, limited_set_up,
              test_render_flood_is_one_clients_loss, limited_tear_down);
  g_test_add ("/limits/writes-per-token", Limited, write_args, limited_set_up, test_writes_per_token,
              limited_tear_down);
  test_add_answers_described ();
  return g_test_run ();
}
