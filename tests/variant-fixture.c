/* SPDX-License-Identifier: MIT */
/* What the variant suites share: see variant-fixture.h. */
#include "variant-fixture.h"

#include <glib/gstdio.h>
#include <string.h>

/* Starts a server on the fixture's folder (one shipped picture when the
 * caller set none) and variant folder, with @args after its own. */
void
variant_fixture_start_argv (VariantFixture *fixture, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (fixture->folder == NULL)
    fixture->folder = test_make_image_folder (1);
  if (fixture->variant_dir == NULL)
    fixture->variant_dir = g_dir_make_tmp ("rndimg-variants-XXXXXX", &error);
  g_assert_no_error (error);
  g_ptr_array_add (argv, g_strdup_printf ("--images=%s", fixture->folder));
  g_ptr_array_add (argv, g_strdup_printf ("--variant-dir=%s", fixture->variant_dir));
  g_ptr_array_add (argv, g_strdup ("--interval=0"));
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  fixture->server = test_server_start_argv ((const char *const *) argv->pdata);
  if (fixture->session == NULL)
    fixture->session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 64, NULL);
}

void
variant_fixture_stop_server (VariantFixture *fixture)
{
  g_clear_pointer (&fixture->server, test_server_stop);
}

void
variant_fixture_clear (VariantFixture *fixture)
{
  variant_fixture_stop_server (fixture);
  g_clear_object (&fixture->session);
  if (fixture->folder != NULL)
    test_remove_folder (fixture->folder);
  if (fixture->variant_dir != NULL)
    test_remove_folder (fixture->variant_dir);
  g_free (fixture->folder);
  g_free (fixture->variant_dir);
}

/* One GET that does not follow redirects; @headers: name, value, ..., NULL. */
void
variant_get_once (VariantFixture *fixture, const char *path, const char *const *headers, TestResponse *response)
{
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path) : test_server_url (fixture->server, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  for (; headers != NULL && headers[0] != NULL; headers += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[0], headers[1]);
  response->body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  /* Checked against docs/openapi.yaml by the suite's last test. */
  test_record_answer (msg, response->body);
}

/* The canonical URL a spelling redirects to (asserting the redirect). */
char *
variant_canonical_of (VariantFixture *fixture, const char *path)
{
  g_auto(TestResponse) response = { 0 };
  const char *cache_control;

  variant_get_once (fixture, path, NULL, &response);
  g_assert_cmpuint (response.status, ==, 302);
  cache_control = test_response_header (&response, "Cache-Control");
  g_assert_nonnull (cache_control);
  g_assert_nonnull (strstr (cache_control, "no-store"));
  return g_strdup (test_response_header (&response, "Location"));
}

/* Follows @path to its canonical URL and gets it. */
void
variant_get (VariantFixture *fixture, const char *path, const char *const *headers, TestResponse *response)
{
  g_autofree char *canonical = variant_canonical_of (fixture, path);

  variant_get_once (fixture, canonical, headers, response);
}

VipsImage *
variant_decode (GBytes *bytes)
{
  gsize length;
  const void *data = g_bytes_get_data (bytes, &length);
  VipsImage *image = vips_image_new_from_buffer (data, length, "", NULL);

  g_assert_nonnull (image);
  return image;
}

/* @name's value in /metrics (a series with its labels); FALSE when the
 * server has no such series. */
gboolean
variant_read_metric (VariantFixture *fixture, const char *name, double *value)
{
  g_auto(TestResponse) response = { 0 };
  g_autofree char *url = test_server_url (fixture->server, "/metrics");
  g_autofree char *prefix = g_strconcat ("\n", name, " ", NULL);
  g_autofree char *text = NULL;
  const char *line;

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  text = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  line = strstr (text, prefix);
  *value = line != NULL ? g_ascii_strtod (line + strlen (prefix), NULL) : 0;
  return line != NULL;
}

/* @name's value, asserting the server has it. */
double
variant_metric (VariantFixture *fixture, const char *name)
{
  double value;

  if (!variant_read_metric (fixture, name, &value))
    g_error ("the server has no metric %s", name);
  return value;
}

/* @name's value, 0 when the series is absent (none counted yet). */
double
variant_metric_or_zero (VariantFixture *fixture, const char *name)
{
  double value;

  variant_read_metric (fixture, name, &value);
  return value;
}

guint64
variant_folder_bytes (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint64 total = 0;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      total += (guint64) st.st_size;
    }
  return total;
}

/* Files in @folder whose name ends in @suffix (NULL: every file). */
guint
variant_count_files (const char *folder, const char *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (suffix == NULL || g_str_has_suffix (name, suffix))
      count++;
  return count;
}

void
variant_write_file (const char *folder, const char *name, const void *data, gsize length)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
}
