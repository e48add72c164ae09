/* SPDX-License-Identifier: MIT */
/* What the variant suites (test-variants.c, test-picsum.c,
 * test-masters.c) share: the pictures they put in a server's folder, a
 * server on it, one GET that does not follow redirects, a spelling
 * followed to its canonical URL, libvips' decode of an answer, and
 * /metrics read by name. */
#include "variant-fixture.h"
#include "attack-pictures.h"
#include "picture-files.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

/* ---- pictures for the folder ---- */

/* A few hundred bytes that declare a 30000x30000 RGB picture (900 MP). */
GBytes *
make_bomb_png (void)
{
  return attack_png_declaring (30000, 30000, 64);
}

void
write_file (const char *folder, const char *name, const void *data, gsize length)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
}

/* An 800x600 JPEG whose EXIF says where it was taken: an APP1 segment
 * (a TIFF header, IFD0 with one entry, ImageDescription: ASCII, 13 bytes
 * at offset 26) put right after the SOI marker of libvips' JPEG. */
void
write_jpeg_with_exif (const char *folder)
{
  static const guint8 app1[] = {
    0xff, 0xe1, 0, 47,
    'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2a, 0, 8, 0, 0, 0,
    1, 0, 0x0e, 0x01, 2, 0, 13, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0,
    'S', 'E', 'C', 'R', 'E', 'T', '-', 'P', 'L', 'A', 'C', 'E', 0,
  };
  g_autoptr(VipsImage) black = NULL;
  g_autoptr(VipsImage) picture = NULL;
  g_autoptr(GByteArray) jpeg = g_byte_array_new ();
  void *buffer = NULL;
  size_t length = 0;

  g_assert_cmpint (vips_black (&black, 800, 600, "bands", 3, NULL), ==, 0);
  g_assert_cmpint (vips_linear1 (black, &picture, 1.0, 90.0, "uchar", TRUE, NULL), ==, 0);
  g_assert_cmpint (vips_jpegsave_buffer (picture, &buffer, &length, "strip", TRUE, NULL), ==, 0);
  g_byte_array_append (jpeg, buffer, 2);
  g_byte_array_append (jpeg, app1, sizeof app1);
  g_byte_array_append (jpeg, (const guint8 *) buffer + 2, (guint) length - 2);
  g_free (buffer);
  write_file (folder, "photo.jpg", jpeg->data, jpeg->len);
  /* The test of the test: libvips reads the description back. */
  {
    g_autoptr(VipsImage) back = vips_image_new_from_buffer (jpeg->data, jpeg->len, "", NULL);
    const char *description = NULL;

    g_assert_nonnull (back);
    g_assert_cmpint (vips_image_get_string (back, "exif-ifd0-ImageDescription", &description), ==, 0);
    g_assert_nonnull (strstr (description, "SECRET-PLACE"));
  }
}

/* The shipped 01.png (400x400), the JPEG, a corrupt PNG and a bomb. */
char *
make_folder (void)
{
  char *folder = test_make_image_folder (1);
  static const guint8 corrupt[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 'n', 'o', 't', ' ', 'a', ' ',
                                    'p', 'i', 'c', 't', 'u', 'r', 'e' };
  g_autoptr(GBytes) bomb = make_bomb_png ();

  write_jpeg_with_exif (folder);
  write_file (folder, "corrupt.png", corrupt, sizeof corrupt);
  write_file (folder, "bomb.png", g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb));
  return folder;
}

/* ---- requests ---- */

void
fixture_start (Fixture *fixture, const char *first_arg, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  va_list ap;

  if (fixture->folder == NULL)
    fixture->folder = make_folder ();
  if (fixture->variant_dir == NULL)
    fixture->variant_dir = g_dir_make_tmp ("rndimg-variants-XXXXXX", &error);
  g_assert_no_error (error);
  g_ptr_array_add (args, g_strdup_printf ("--images=%s", fixture->folder));
  g_ptr_array_add (args, g_strdup_printf ("--variant-dir=%s", fixture->variant_dir));
  g_ptr_array_add (args, g_strdup ("--interval=0"));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);
  fixture->server = test_server_start_argv ((const char *const *) args->pdata);
  if (fixture->session == NULL)
    fixture->session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 64, NULL);
}

void
fixture_stop_server (Fixture *fixture)
{
  g_clear_pointer (&fixture->server, test_server_stop);
}

void
fixture_clear (Fixture *fixture)
{
  fixture_stop_server (fixture);
  g_clear_object (&fixture->session);
  if (fixture->folder != NULL)
    test_remove_folder (fixture->folder);
  if (fixture->variant_dir != NULL)
    test_remove_folder (fixture->variant_dir);
  g_free (fixture->folder);
  g_free (fixture->variant_dir);
}

/* One GET that does not follow redirects. */
void
get_once (Fixture *fixture, const char *path, const char *const *headers, TestResponse *response)
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


VipsImage *
decode (GBytes *bytes)
{
  gsize length;
  const void *data = g_bytes_get_data (bytes, &length);
  VipsImage *image = vips_image_new_from_buffer (data, length, "", NULL);

  g_assert_nonnull (image);
  return image;
}


/* @path is a 400 whose JSON names @parameter and says what is allowed. */
void
assert_refused_naming (Fixture *fixture, const char *path, const char *parameter)
{
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  g_test_message ("%s", path);
  get_once (fixture, path, NULL, &response);
  test_assert_json_error (&response, 400);
  answer = test_response_json (&response);
  g_assert_cmpstr (json_object_get_string_member (answer, "parameter"), ==, parameter);
  g_assert_true (strlen (json_object_get_string_member (answer, "message")) > 10);
}

/* A picture libvips can decode, of @width x @height, its format from the
 * name's extension. */
void
write_picture (const char *folder, const char *relative, int width, int height)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);
  g_autoptr(VipsImage) black = NULL;
  g_autoptr(VipsImage) picture = NULL;

  g_assert_cmpint (vips_black (&black, width, height, "bands", 3, NULL), ==, 0);
  g_assert_cmpint (vips_linear1 (black, &picture, 1.0, 120.0, "uchar", TRUE, NULL), ==, 0);
  g_assert_cmpint (vips_image_write_to_file (picture, path, NULL), ==, 0);
}

/* ---- requests and readings ---- */

/* The canonical URL a spelling redirects to (asserting the redirect). */
char *
canonical_of (Fixture *fixture, const char *path)
{
  g_auto(TestResponse) response = { 0 };
  const char *cache_control;

  get_once (fixture, path, NULL, &response);
  g_assert_cmpuint (response.status, ==, 302);
  cache_control = test_response_header (&response, "Cache-Control");
  g_assert_nonnull (cache_control);
  g_assert_nonnull (strstr (cache_control, "no-store"));
  return g_strdup (test_response_header (&response, "Location"));
}

/* Follows @path to its canonical URL and gets it: 200 with the bytes. */
void
get_variant (Fixture *fixture, const char *path, const char *const *headers, TestResponse *response)
{
  g_autofree char *canonical = canonical_of (fixture, path);

  get_once (fixture, canonical, headers, response);
}

/* @name's value in /metrics (a series with its labels); FALSE when the
 * server has no such series. */
gboolean
read_metric (Fixture *fixture, const char *name, double *value)
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
metric (Fixture *fixture, const char *name)
{
  double value;

  g_assert_true (read_metric (fixture, name, &value));
  return value;
}

/* @name's value, 0 when the series is absent (none counted yet). */
double
metric_or_zero (Fixture *fixture, const char *name)
{
  double value;

  read_metric (fixture, name, &value);
  return value;
}

guint64
folder_bytes (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint64 total = 0;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      GStatBuf st;

      /* A file the cache's thread removed since it was listed holds nothing. */
      if (g_stat (path, &st) == 0)
        total += (guint64) st.st_size;
      else
        g_assert_cmpint (errno, ==, ENOENT);
    }
  return total;
}

/* Files in @folder whose name ends in @suffix. */
guint
count_files_ending (const char *folder, const char *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, suffix))
      count++;
  return count;
}
