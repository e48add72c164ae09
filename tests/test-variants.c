/* SPDX-License-Identifier: MIT */
/* Picture variants (/img/...) against real servers: each answer decoded
 * with libvips for its exact size and format; canonical URLs immutable
 * with ETag and 304, other spellings 302 no-store to them; every bad
 * parameter a 400 naming it; one render for many concurrent requests; the
 * queue limit's 503; both cache budgets held; the disk cache across a
 * restart; decompression bombs refused at upload and in the folder; a
 * corrupt picture and a render over its time limit answered with JSON. */
#include "picture-files.h"
#include "variant-fixture.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define API "/polling/api/v1.0"

static void
assert_variant (Fixture *fixture, const char *path, const char *accept, int width, int height,
                const char *loader, const char *content_type)
{
  g_auto(TestResponse) response = { 0 };
  const char *headers[] = { "Accept", accept, NULL };
  g_autoptr(VipsImage) image = NULL;
  const char *made_by = NULL;

  g_test_message ("%s (Accept: %s)", path, accept ? accept : "none");
  get_variant (fixture, path, accept != NULL ? headers : NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpstr (test_response_header (&response, "Content-Type"), ==, content_type);
  g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, "public, max-age=31536000, immutable");
  image = decode (response.body);
  g_assert_cmpint (vips_image_get_width (image), ==, width);
  g_assert_cmpint (vips_image_get_height (image), ==, height);
  g_assert_cmpint (vips_image_get_string (image, "vips-loader", &made_by), ==, 0);
  g_assert_cmpstr (made_by, ==, loader);
}

/* ---- the tests ---- */

static void
test_sizes_and_formats (void)
{
  g_auto(Fixture) fixture = { 0 };

  fixture_start (&fixture, NULL);
  assert_variant (&fixture, "/img/01.png/300x200.webp", NULL, 300, 200, "webpload_buffer", "image/webp");
  assert_variant (&fixture, "/img/01.png/300x200.jpg", NULL, 300, 200, "jpegload_buffer", "image/jpeg");
  assert_variant (&fixture, "/img/01.png/64x64.png", NULL, 64, 64, "pngload_buffer", "image/png");
  assert_variant (&fixture, "/img/01.png/48x32.avif", NULL, 48, 32, "heifload_buffer", "image/avif");
  assert_variant (&fixture, "/img/01.png/200x0.png", NULL, 200, 200, "pngload_buffer", "image/png");
  assert_variant (&fixture, "/img/01.png/0x0.png", NULL, 400, 400, "pngload_buffer", "image/png");
  assert_variant (&fixture, "/img/photo.jpg/0x150.jpg", NULL, 200, 150, "jpegload_buffer", "image/jpeg");
  assert_variant (&fixture, "/img/01.png/100x50@2x.jpg", NULL, 200, 100, "jpegload_buffer", "image/jpeg");
  assert_variant (&fixture, "/img/01.png/100x50.jpg?dpr=1.5", NULL, 150, 75, "jpegload_buffer", "image/jpeg");
  assert_variant (&fixture, "/img/01.png/800x600.png?fit=inside", NULL, 400, 400, "pngload_buffer", "image/png");
  assert_variant (&fixture, "/img/01.png/800x600.png?fit=inside&enlarge", NULL, 600, 600, "pngload_buffer", "image/png");
  assert_variant (&fixture, "/img/photo.jpg/300x300.png?fit=contain", NULL, 300, 300, "pngload_buffer", "image/png");
  assert_variant (&fixture, "/img/photo.jpg/300x300.webp?crop=attention", NULL, 300, 300, "webpload_buffer", "image/webp");
  assert_variant (&fixture, "/img/photo.jpg/120x90.jpg?grayscale&blur=3&q=40", NULL, 120, 90, "jpegload_buffer", "image/jpeg");
  assert_variant (&fixture, "/img/01.png/90x60", "image/webp,*/*", 90, 60, "webpload_buffer", "image/webp");
  assert_variant (&fixture, "/img/01.png/90x60", "*/*", 90, 60, "jpegload_buffer", "image/jpeg");
}

static void
test_grayscale_is_gray (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_autoptr(VipsImage) image = NULL;

  fixture_start (&fixture, NULL);
  get_variant (&fixture, "/img/01.png/50x50.png?grayscale", NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  image = decode (response.body);
  g_assert_cmpint (vips_image_get_bands (image), ==, 1);
}

/* The JPEG's frame marker, walking its segments from SOI: 0xc0 baseline,
 * 0xc2 progressive; 0 when none is found. */
static guint8
jpeg_frame_marker (GBytes *bytes)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  gsize at = 2;

  g_assert_true (length > 4 && data[0] == 0xff && data[1] == 0xd8);
  while (at + 4 <= length && data[at] == 0xff)
    {
      guint8 marker = data[at + 1];

      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
        return marker;
      at += 2 + ((gsize) data[at + 2] << 8 | data[at + 3]);
    }
  return 0;
}

static void
test_jpeg_progressive_when_large (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) small = { 0 };
  g_auto(TestResponse) large = { 0 };

  fixture_start (&fixture, NULL);
  get_variant (&fixture, "/img/photo.jpg/300x200.jpg", NULL, &small);
  g_assert_cmpuint (small.status, ==, 200);
  g_assert_cmphex (jpeg_frame_marker (small.body), ==, 0xc0);
  get_variant (&fixture, "/img/photo.jpg/640x480.jpg", NULL, &large);
  g_assert_cmpuint (large.status, ==, 200);
  g_assert_cmphex (jpeg_frame_marker (large.body), ==, 0xc2);
}

static void
test_render_threads_lowered (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_autoptr(GHashTable) niceness = NULL;
  const char *pid;
  GHashTableIter iter;
  gpointer name, nice;
  guint lowered = 0;
  /* The server inherits this process's nice value (0 unless run under nice). */
  int base = getpriority (PRIO_PROCESS, 0);
  int render = MIN (base + 10, 19);

  fixture_start (&fixture, "--render-workers=2", NULL);
  get_variant (&fixture, "/img/photo.jpg/120x90.jpg", NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  pid = g_subprocess_get_identifier (fixture.server->process);
  niceness = test_server_thread_niceness (fixture.server);
  g_hash_table_iter_init (&iter, niceness);
  while (g_hash_table_iter_next (&iter, &name, &nice))
    {
      g_test_message ("thread %s: nice %d", (const char *) name, GPOINTER_TO_INT (nice));
      if (g_str_has_prefix (name, pid) && ((const char *) name)[strlen (pid)] == ' ')
        g_assert_cmpint (GPOINTER_TO_INT (nice), ==, base);   /* the main loop keeps the process's */
      if (GPOINTER_TO_INT (nice) == render)
        lowered++;
      if (strstr (name, "libvips worker") != NULL)
        g_assert_cmpint (GPOINTER_TO_INT (nice), ==, render);
    }
  /* the render thread that ran, and the libvips thread it started */
  g_assert_cmpuint (lowered, >=, 2);
}

static void
test_metadata_stripped (void)
{
  g_auto(Fixture) fixture = { 0 };
  const char *formats[] = { "jpg", "png", "webp", "avif" };

  fixture_start (&fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_auto(TestResponse) response = { 0 };
      g_autofree char *path = g_strdup_printf ("/img/photo.jpg/400x300.%s", formats[i]);

      get_variant (&fixture, path, NULL, &response);
      g_assert_cmpuint (response.status, ==, 200);
      g_test_message ("%s", path);
      /* memmem: the bytes hold NULs, where g_strstr_len() would stop. */
      g_assert_null (memmem (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body),
                             "SECRET-PLACE", strlen ("SECRET-PLACE")));

    }
}

static void
test_canonical_and_redirects (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_autofree char *canonical = NULL;
  g_autofree char *version = NULL;
  const char *spellings[] = {
    "/img/01.png/300x200.webp?grayscale=1&blur",
    "/img/01.png/150x100@2x.webp?blur=5&grayscale",
    "/img/01.png/300x200.webp?blur=5&grayscale=true&fit=cover&crop=centre",
    "/img/01.png/0000000000000000/300x200.webp?grayscale&blur=5",
  };
  const char *etag;

  fixture_start (&fixture, NULL);
  canonical = canonical_of (&fixture, "/img/01.png/300x200.webp?grayscale&blur=5");
  g_assert_true (g_str_has_prefix (canonical, fixture.server->url));
  /* /img/01.png/<16 hex digits>/300x200.webp?grayscale&blur=5 */
  version = g_strndup (canonical + strlen (fixture.server->url) + strlen ("/img/01.png/"), 16);
  g_assert_cmpuint (strspn (version, "0123456789abcdef"), ==, 16);
  g_assert_true (g_str_has_suffix (canonical, "/300x200.webp?grayscale&blur=5"));
  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *location = canonical_of (&fixture, spellings[i]);

      g_assert_cmpstr (location, ==, canonical);
    }

  get_once (&fixture, canonical, NULL, &first);
  g_assert_cmpuint (first.status, ==, 200);
  g_assert_cmpstr (test_response_header (&first, "Cache-Control"), ==, "public, max-age=31536000, immutable");
  etag = test_response_header (&first, "ETag");
  g_assert_nonnull (etag);
  g_assert_null (test_response_header (&first, "Vary"));
  get_once (&fixture, canonical, (const char *[]) { "If-None-Match", etag, NULL }, &again);
  g_assert_cmpuint (again.status, ==, 304);
  g_assert_cmpuint (g_bytes_get_size (again.body), ==, 0);
  g_assert_cmpstr (test_response_header (&again, "ETag"), ==, etag);
  g_assert_cmpstr (test_response_header (&again, "Cache-Control"), ==, "public, max-age=31536000, immutable");
}

static void
test_negotiated_varies (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) webp = { 0 };
  g_auto(TestResponse) jpeg = { 0 };

  fixture_start (&fixture, NULL);
  get_variant (&fixture, "/img/01.png/80x80", (const char *[]) { "Accept", "image/webp", NULL }, &webp);
  get_variant (&fixture, "/img/01.png/80x80", (const char *[]) { "Accept", "image/png", NULL }, &jpeg);
  g_assert_cmpstr (test_response_header (&webp, "Vary"), ==, "Accept");
  g_assert_cmpstr (test_response_header (&jpeg, "Vary"), ==, "Accept");
  g_assert_cmpstr (test_response_header (&webp, "Content-Type"), ==, "image/webp");
  g_assert_cmpstr (test_response_header (&jpeg, "Content-Type"), ==, "image/jpeg");
  g_assert_cmpstr (test_response_header (&webp, "ETag"), !=, test_response_header (&jpeg, "ETag"));
}


typedef struct {
  Fixture *fixture;
  double renders;
} RendersDone;

static gboolean
renders_done (gpointer user_data)
{
  RendersDone *done = user_data;

  return metric (done->fixture, "rndimg_variant_renders_total") >= done->renders &&
         metric (done->fixture, "rndimg_variant_render_queue") == 0;
}

/* A negotiated request that takes AVIF gets the next best format at once
 * (kept a minute), while the AVIF is made for the next asker; its ETag
 * then no longer matches, and the AVIF comes. An explicit .avif is AVIF. */
static void
test_first_view_does_not_wait_for_avif (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) next = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) jpeg_only = { 0 };
  g_autofree char *canonical = NULL;
  const char *accept = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
  RendersDone done = { &fixture, 2 };

  fixture_start (&fixture, NULL);
  canonical = canonical_of (&fixture, "/img/01.png/90x60");
  get_once (&fixture, canonical, (const char *[]) { "Accept", accept, NULL }, &first);
  g_assert_cmpuint (first.status, ==, 200);
  g_assert_cmpstr (test_response_header (&first, "Content-Type"), ==, "image/webp");
  g_assert_cmpstr (test_response_header (&first, "Cache-Control"), ==, "public, max-age=60");
  g_assert_cmpstr (test_response_header (&first, "Vary"), ==, "Accept");
  /* The WebP answered, the AVIF made behind it. */
  g_assert_true (test_wait_until (renders_done, &done, 60000));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_background_renders_total"), ==, 1);
  get_once (&fixture, canonical, (const char *[]) { "Accept", accept, "If-None-Match",
                                                            test_response_header (&first, "ETag"), NULL }, &next);
  g_assert_cmpuint (next.status, ==, 200);
  g_assert_cmpstr (test_response_header (&next, "Content-Type"), ==, "image/avif");
  g_assert_cmpstr (test_response_header (&next, "Cache-Control"), ==, "public, max-age=31536000, immutable");
  g_assert_cmpstr (test_response_header (&next, "ETag"), !=, test_response_header (&first, "ETag"));
  get_once (&fixture, canonical, (const char *[]) { "Accept", accept, "If-None-Match",
                                                            test_response_header (&next, "ETag"), NULL }, &again);
  g_assert_cmpuint (again.status, ==, 304);
  /* AVIF alone accepted: the interim answer is a JPEG. */
  get_variant (&fixture, "/img/01.png/91x60", (const char *[]) { "Accept", "image/avif", NULL }, &jpeg_only);
  g_assert_cmpstr (test_response_header (&jpeg_only, "Content-Type"), ==, "image/jpeg");
  g_assert_cmpstr (test_response_header (&jpeg_only, "Cache-Control"), ==, "public, max-age=60");
  /* An explicit .avif waits for its render, and is immutable. */
  assert_variant (&fixture, "/img/01.png/92x60.avif", accept, 92, 60, "heifload_buffer", "image/avif");
}

static void
test_bad_parameters (void)
{
  g_auto(Fixture) fixture = { 0 };
  static const struct { const char *path, *parameter; } cases[] = {
    { "/img/01.png/0x-5.jpg", "height" },
    { "/img/01.png/-5x10.jpg", "width" },
    { "/img/01.png/5001x10.jpg", "width" },
    { "/img/01.png/10x5001.jpg", "height" },
    { "/img/01.png/abcx10.jpg", "width" },
    { "/img/01.png/abc", "size" },
    { "/img/01.png/10x10.gif", "format" },
    { "/img/01.png/10x10.bmp", "format" },
    { "/img/01.png/10x10.jpg?blur=11", "blur" },
    { "/img/01.png/10x10.jpg?blur=0", "blur" },
    { "/img/01.png/10x10.jpg?blur=abc", "blur" },
    { "/img/01.png/10x10.jpg?dpr=4", "dpr" },
    { "/img/01.png/10x10.jpg?dpr=0", "dpr" },
    { "/img/01.png/10x10@4x.jpg", "dpr" },
    { "/img/01.png/10x10@2x.jpg?dpr=2", "dpr" },
    { "/img/01.png/2000x2000@3x.jpg", "width" },
    { "/img/01.png/5000x5001.jpg", "height" },
    { "/img/01.png/10x10.jpg?q=0", "q" },
    { "/img/01.png/10x10.jpg?q=101", "q" },
    { "/img/01.png/10x10.jpg?fit=fill", "fit" },
    { "/img/01.png/10x10.jpg?crop=north", "crop" },
    { "/img/01.png/10x10.jpg?fit=inside&crop=entropy", "crop" },
    { "/img/01.png/10x10.jpg?enlarge", "enlarge" },
    { "/img/01.png/10x10.jpg?grayscale=maybe", "grayscale" },
    { "/img/01.png/10x10.jpg?zoom=2", "zoom" },
    { "/img/01.png/10x10.jpg?q=50&q=60", "q" },
    { "/img/01.png/10x10.jpg?q=%FF", "q" },
  };

  fixture_start (&fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_refused_naming (&fixture, cases[i].path, cases[i].parameter);
}

static void
test_unknown_picture (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };

  fixture_start (&fixture, NULL);
  get_once (&fixture, "/img/nothing.png/10x10.jpg", NULL, &response);
  test_assert_json_error (&response, 404);
}

static void
test_one_render_for_many (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  g_autofree char *canonical = NULL;

  fixture_start (&fixture, "--render-workers=1", NULL);
  canonical = canonical_of (&fixture, "/img/photo.jpg/3000x2000.png");
  for (int i = 0; i < 20; i++)
    g_ptr_array_add (pending, test_request_async (fixture.session, "GET", canonical, NULL));
  g_assert_true (test_wait_until (test_pendings_done, pending, 60000));
  for (guint i = 0; i < pending->len; i++)
    {
      TestPending *one = g_ptr_array_index (pending, i);

      g_assert_cmpuint (one->status, ==, 200);
      g_assert_true (g_bytes_equal (one->body, ((TestPending *) g_ptr_array_index (pending, 0))->body));
    }
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_total"), ==, 1);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_joins_total") +
                     metric (&fixture, "rndimg_variant_cache_hits_total"), ==, 19);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_joins_total"), >=, 1);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_seconds_count"), ==, 1);
}

#define IMG_SERIES "rndimg_http_requests_total{route=\"/img/\",method=\"GET\",status=\"%s\"}"

static gboolean
client_closed_counted (gpointer fixture)
{
  g_autofree char *series = g_strdup_printf (IMG_SERIES, "499");

  return metric_or_zero (fixture, series) >= 1;
}

/* A client that leaves while its variant renders is counted (and logged)
 * as 499, client closed request, not as a 500 of ours: libsoup 3.2 marks
 * the message 500 when the answer cannot be written. */
static void
test_client_gone_is_499 (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autofree char *canonical = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *series_500 = g_strdup_printf (IMG_SERIES, "500");

  fixture_start (&fixture, "--variant-disk=0", NULL);
  canonical = canonical_of (&fixture, "/img/photo.jpg/4001x3999.png?fit=contain");
  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", strstr (canonical + strlen ("http://"), "/"));
  connection = g_socket_client_connect_to_uri (client, canonical, 0, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request, strlen (request),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  test_run_for (100);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_assert_true (test_wait_until (client_closed_counted, &fixture, 60000));
  g_assert_cmpfloat (metric_or_zero (&fixture, series_500), ==, 0);
}

static void
test_queue_limit (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  guint ok = 0, busy = 0;

  fixture_start (&fixture, "--render-workers=1", "--render-queue=2", NULL);
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/photo.jpg/%dx3000.png", 2000 + i);
      g_autofree char *canonical = canonical_of (&fixture, path);

      g_ptr_array_add (pending, test_request_async (fixture.session, "GET", canonical, NULL));
    }
  g_assert_true (test_wait_until (test_pendings_done, pending, 120000));
  for (guint i = 0; i < pending->len; i++)
    {
      TestPending *one = g_ptr_array_index (pending, i);

      if (one->status == 200)
        ok++;
      else
        {
          g_autoptr(JsonObject) answer = test_pending_json (one);

          g_assert_cmpuint (one->status, ==, 503);
          g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "error");
          busy++;
        }
    }
  g_test_message ("%u rendered, %u refused", ok, busy);
  g_assert_cmpuint (ok, >=, 3);
  g_assert_cmpuint (busy, >=, 1);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_refused_busy_total"), ==, busy);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_queue"), ==, 0);
}

static void
test_busy_has_retry_after (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify) test_pending_free);
  g_auto(TestResponse) refused = { 0 };
  g_autofree char *canonical = NULL;

  fixture_start (&fixture, "--render-workers=1", "--render-queue=0", NULL);
  canonical = canonical_of (&fixture, "/img/photo.jpg/5000x4000.png");
  g_ptr_array_add (pending, test_request_async (fixture.session, "GET", canonical, NULL));
  test_run_for (300);
  g_clear_pointer (&canonical, g_free);
  canonical = canonical_of (&fixture, "/img/photo.jpg/4000x5000.png");
  get_once (&fixture, canonical, NULL, &refused);
  test_assert_json_error (&refused, 503);
  g_assert_cmpstr (test_response_header (&refused, "Retry-After"), ==, "1");
  g_assert_true (test_wait_until (test_pendings_done, pending, 60000));
}

/* The disk cache's books agree with its folder (its thread writes and
 * removes files after the answers went out). */
static gboolean
disk_books_agree (gpointer fixture)
{
  return metric (fixture, "rndimg_variant_cache_disk_bytes") ==
         (double) folder_bytes (((Fixture *) fixture)->variant_dir);
}

static void
test_eviction_within_budgets (void)
{
  g_auto(Fixture) fixture = { 0 };

  fixture_start (&fixture, "--variant-memory=40000", "--variant-disk=60000", NULL);
  for (int i = 0; i < 12; i++)
    {
      g_auto(TestResponse) response = { 0 };
      g_autofree char *path = g_strdup_printf ("/img/01.png/%dx%d.png", 100 + i, 100 + i);

      get_variant (&fixture, path, NULL, &response);
      g_assert_cmpuint (response.status, ==, 200);
      g_assert_cmpfloat (metric (&fixture, "rndimg_variant_cache_memory_bytes"), <=, 40000);
      g_assert_cmpfloat (metric (&fixture, "rndimg_variant_cache_disk_bytes"), <=, 60000);
      g_assert_cmpuint (folder_bytes (fixture.variant_dir), <=, 60000);
    }
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_cache_evictions_total"), >, 0);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_cache_disk_evictions_total"), >, 0);
  if (!test_wait_until (disk_books_agree, &fixture, 10000))
    g_error ("the disk cache counts %.0f bytes, its folder holds %" G_GUINT64_FORMAT,
             metric (&fixture, "rndimg_variant_cache_disk_bytes"), (guint64) folder_bytes (fixture.variant_dir));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_total"), ==, 12);
}

static void
test_disk_cache_survives_restart (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) before = { 0 };
  g_auto(TestResponse) after = { 0 };
  g_autofree char *canonical = NULL;
  g_autofree char *path = NULL;

  fixture_start (&fixture, NULL);
  canonical = canonical_of (&fixture, "/img/01.png/123x45.webp");
  path = g_strdup (canonical + strlen (fixture.server->url));
  get_once (&fixture, path, NULL, &before);
  g_assert_cmpuint (before.status, ==, 200);
  fixture_stop_server (&fixture);

  fixture_start (&fixture, NULL);
  get_once (&fixture, path, NULL, &after);
  g_assert_cmpuint (after.status, ==, 200);
  g_assert_true (g_bytes_equal (before.body, after.body));
  g_assert_cmpstr (test_response_header (&before, "ETag"), ==, test_response_header (&after, "ETag"));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_cache_disk_hits_total"), ==, 1);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_total"), ==, 0);
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static void
test_bomb_refused_at_upload (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_autoptr(GBytes) bomb = make_bomb_png ();
  g_autofree char *url = NULL;
  guint files_before;

  fixture.folder = make_folder ();
  files_before = count_files (fixture.folder);
  fixture_start (&fixture, NULL);
  url = test_server_url (fixture.server, API "/images");
  test_request (fixture.session, "POST", url, NULL, bomb, "image/png", &response);
  test_assert_json_error (&response, 413);
  g_assert_cmpuint (count_files (fixture.folder), ==, files_before);
}

static void
test_bomb_in_folder (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };

  fixture_start (&fixture, NULL);
  get_variant (&fixture, "/img/bomb.png/100x100.jpg", NULL, &response);
  test_assert_json_error (&response, 422);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_refused_input_total"), ==, 1);
}

static void
test_corrupt_picture (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_auto(TestResponse) still = { 0 };

  fixture_start (&fixture, NULL);
  get_variant (&fixture, "/img/corrupt.png/100x100.jpg", NULL, &response);
  test_assert_json_error (&response, 422);
  get_variant (&fixture, "/img/01.png/100x100.jpg", NULL, &still);
  g_assert_cmpuint (still.status, ==, 200);
}

static void
test_time_limit (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };

  fixture_start (&fixture, "--render-timeout=0.01", NULL);
  get_variant (&fixture, "/img/photo.jpg/5000x5000.png?blur=10", NULL, &response);
  test_assert_json_error (&response, 503);
  g_assert_nonnull (test_response_header (&response, "Retry-After"));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_timeouts_total"), ==, 1);
}

/* A progressive JPEG that keeps all its chroma: decoding it holds 6 bytes
 * a pixel of coefficients, whatever the size asked for. */
static void
write_progressive_jpeg (const char *folder, const char *name, int width, int height)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  VipsImage *noise[3] = { NULL };
  g_autoptr(VipsImage) colour = NULL;
  g_autoptr(VipsImage) large = NULL;
  g_autoptr(VipsImage) bytes = NULL;

  for (guint band = 0; band < 3; band++)
    g_assert_cmpint (vips_gaussnoise (&noise[band], width / 8, height / 8, "sigma", 40.0, NULL), ==, 0);
  g_assert_cmpint (vips_bandjoin (noise, &colour, 3, NULL), ==, 0);
  for (guint band = 0; band < 3; band++)
    g_object_unref (noise[band]);
  g_assert_cmpint (vips_resize (colour, &large, 8, "kernel", VIPS_KERNEL_CUBIC, NULL), ==, 0);
  g_assert_cmpint (vips_cast (large, &bytes, VIPS_FORMAT_UCHAR, NULL), ==, 0);
  g_assert_cmpint (vips_jpegsave (bytes, path, "Q", 90, "interlace", TRUE, "subsample_mode",
                                  VIPS_FOREIGN_SUBSAMPLE_OFF, NULL), ==, 0);
}

/* A render that could never fit the render memory budget is refused
 * (422, naming the budget), before anything is decoded. */
static void
test_render_memory_refused (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  fixture.folder = test_make_image_folder (1);
  write_progressive_jpeg (fixture.folder, "large.jpg", 3000, 2000);
  fixture_start (&fixture, "--render-memory=16777216", NULL);
  get_variant (&fixture, "/img/large.jpg/100x100.jpg", NULL, &response);
  test_assert_json_error (&response, 422);
  answer = test_response_json (&response);
  g_assert_nonnull (strstr (json_object_get_string_member (answer, "message"), "render memory"));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_refused_memory_total"), ==, 1);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_total"), ==, 0);
  /* A small picture still renders under that budget. */
  {
    g_auto(TestResponse) small = { 0 };

    get_variant (&fixture, "/img/01.png/100x100.jpg", NULL, &small);
    g_assert_cmpuint (small.status, ==, 200);
  }
}

/* Before a picture's first render only its format's worst case is known
 * (a PNG of 2000x1500 might be 16-bit RGBA and interlaced: some 40 MB
 * with its masters, over a 32 MiB budget); its header decides: a plain
 * 8-bit PNG needs some 15 MB, and renders. */
static void
test_render_memory_header_decides (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_autoptr(VipsImage) image = NULL;

  fixture.folder = test_make_image_folder (0);
  write_picture (fixture.folder, "plain.png", 2000, 1500);
  fixture_start (&fixture, "--render-memory=33554432", NULL);
  get_variant (&fixture, "/img/plain.png/200x150.jpg", NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  image = decode (response.body);
  g_assert_cmpint (vips_image_get_width (image), ==, 200);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_refused_memory_total"), ==, 0);
}

typedef struct {
  guint pending;
  guint ok;
} Pair;

static void
on_pair_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pair *pair = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (body != NULL && soup_message_get_status (msg) == 200)
    pair->ok++;
  pair->pending--;
}

static gboolean
pair_done (gpointer user_data)
{
  return ((Pair *) user_data)->pending == 0;
}

/* Two workers, but memory for one of two large renders at a time (each
 * a progressive JPEG's coefficients, 26 MB: over half the 48 MiB): the
 * second waits for the first (both answered). */
static void
test_render_memory_waits (void)
{
  g_auto(Fixture) fixture = { 0 };
  Pair pair = { 0, 0 };

  fixture.folder = test_make_image_folder (0);
  write_progressive_jpeg (fixture.folder, "one.jpg", 2400, 1800);
  write_progressive_jpeg (fixture.folder, "two.jpg", 2400, 1800);
  fixture_start (&fixture, "--render-memory=50331648", "--render-workers=2", NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *canonical = canonical_of (&fixture, i == 0 ? "/img/one.jpg/200x200.jpg"
                                                                            : "/img/two.jpg/200x200.jpg");
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", canonical);

      pair.pending++;
      soup_session_send_and_read_async (fixture.session, msg, G_PRIORITY_DEFAULT, NULL, on_pair_answer, &pair);
    }
  g_assert_true (test_wait_until (pair_done, &pair, 120000));
  g_assert_cmpuint (pair.ok, ==, 2);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_memory_waits_total"), >=, 1);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_render_memory_bytes"), ==, 0);
}

static void
test_changed_picture_new_version (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *source = test_source_image ("010.png");
  g_autofree char *target = NULL;
  g_autofree char *data = NULL;
  gsize length;

  fixture_start (&fixture, NULL);
  before = canonical_of (&fixture, "/img/01.png/50x50.png");
  g_assert_true (g_file_get_contents (source, &data, &length, NULL));
  target = g_build_filename (fixture.folder, "01.png", NULL);
  g_assert_true (g_file_set_contents (target, data, (gssize) length, NULL));
  for (int i = 0; i < 50; i++)
    {
      g_clear_pointer (&after, g_free);
      after = canonical_of (&fixture, "/img/01.png/50x50.png");
      if (!g_str_equal (after, before))
        break;
      test_run_for (100);
    }
  g_assert_cmpstr (after, !=, before);
  {
    g_auto(TestResponse) old = { 0 };
    g_autofree char *location = NULL;

    get_once (&fixture, before, NULL, &old);
    g_assert_cmpuint (old.status, ==, 302);
    location = g_strdup (test_response_header (&old, "Location"));
    g_assert_cmpstr (location, ==, after);
  }
}

static void
test_metrics_listed (void)
{
  g_auto(Fixture) fixture = { 0 };
  const char *names[] = {
    "rndimg_variant_cache_hits_total", "rndimg_variant_cache_disk_hits_total", "rndimg_variant_cache_misses_total",
    "rndimg_variant_cache_evictions_total", "rndimg_variant_cache_disk_evictions_total",
    "rndimg_variant_renders_total", "rndimg_variant_render_seconds_count", "rndimg_variant_render_queue",
    "rndimg_variant_refused_busy_total", "rndimg_variant_refused_input_total", "rndimg_variant_render_timeouts_total",
  };

  fixture_start (&fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpfloat (metric (&fixture, names[i]), ==, 0);
}


/* ---- a picture's version, never hashed on the main loop ---- */

/* @width x @height of noise as a PNG stored uncompressed: three bytes a
 * pixel, a file that takes a while to hash. */
static void
write_large_png (const char *folder, const char *name, int width, int height)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  gsize length = (gsize) width * height * 3;
  g_autofree guint32 *noise = g_new (guint32, length / 4 + 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20);
  g_autoptr(VipsImage) image = NULL;

  for (gsize i = 0; i < length / 4 + 1; i++)
    noise[i] = g_rand_int (rand);
  image = vips_image_new_from_memory (noise, length, width, height, 3, VIPS_FORMAT_UCHAR);
  g_assert_nonnull (image);
  g_assert_cmpint (vips_pngsave (image, path, "compression", 0, NULL), ==, 0);
}

/* The VERSION a picture's variant URLs carry, as the test computes it,
 * and how long hashing it took here. */
static char *
expected_version (const char *folder, const char *name, double *milliseconds)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  gint64 start = g_get_monotonic_time ();
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                         (const guchar *) g_mapped_file_get_contents (file),
                                                         g_mapped_file_get_length (file));

  *milliseconds = (double) (g_get_monotonic_time () - start) / 1000;
  return g_strndup (digest, 16);
}

/* A GET written on its own connection, its answer read later: the test
 * goes on with other requests meanwhile. */
static GSocketConnection *
send_raw_get (Fixture *fixture, const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  const char *host = fixture->server->url + strlen ("http://");
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
  GSocketConnection *connection = g_socket_client_connect_to_uri (client, fixture->server->url, 80, NULL, &error);

  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request, strlen (request),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* The whole answer (the server closes after it). */
static char *
read_raw_answer (GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize got;

  while ((got = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (answer, buffer, got);
  g_assert_no_error (error);
  return g_strdup (answer->str);
}

/* The VERSION in a raw 302's Location to a /img/ URL. */
static char *
redirected_version (const char *answer, const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("\r\nLocation: http://");
  const char *location = strstr (answer, prefix);
  g_autofree char *marker = g_strdup_printf ("/img/%s/", name);
  const char *at;

  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 302"));
  g_assert_nonnull (location);
  at = strstr (location, marker);
  g_assert_nonnull (at);
  return g_strndup (at + strlen (marker), 16);
}

/* GET rndimg again and again from a thread of its own, each timed, until
 * stopped: what another client sees while the test does something else. */
typedef struct {
  gint64 start, end;   /* monotonic µs */
} Sample;

typedef struct {
  char *url;
  gint stop;
  GArray *samples;
  GThread *thread;
} Prober;

static gpointer
probe (gpointer data)
{
  Prober *prober = data;
  g_autoptr(SoupSession) session = soup_session_new ();

  while (!g_atomic_int_get (&prober->stop))
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", prober->url);
      g_autoptr(GBytes) body = NULL;
      Sample sample = { g_get_monotonic_time (), 0 };

      body = soup_session_send_and_read (session, msg, NULL, NULL);
      sample.end = g_get_monotonic_time ();
      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      g_array_append_val (prober->samples, sample);
      g_usleep (2000);
    }
  return NULL;
}

static void
prober_start (Prober *prober, Fixture *fixture)
{
  prober->url = test_server_url (fixture->server, API "/rndimg");
  prober->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  prober->thread = g_thread_new ("prober", probe, prober);
}

static void
prober_stop (Prober *prober)
{
  g_atomic_int_set (&prober->stop, 1);
  g_thread_join (prober->thread);
}

/* The slowest request of those that were under way between @from and
 * @to (or, with @to 0, that ended before @from); @count: how many. */
static double
prober_slowest (Prober *prober, gint64 from, gint64 to, guint *count)
{
  double slowest = 0;

  *count = 0;
  for (guint i = 0; i < prober->samples->len; i++)
    {
      Sample *sample = &g_array_index (prober->samples, Sample, i);
      gboolean counted = to == 0 ? sample->end < from : sample->start < to && sample->end > from;

      if (counted)
        {
          slowest = MAX (slowest, (double) (sample->end - sample->start) / 1000);
          (*count)++;
        }
    }
  return slowest;
}

static void
prober_clear (Prober *prober)
{
  g_free (prober->url);
  g_array_unref (prober->samples);
}

static const char *
variant_version_of (Fixture *fixture, const char *name)
{
  g_auto(TestResponse) response = { 0 };
  g_autofree char *path = g_strdup_printf (API "/images/%s", name);
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *image;

  get_once (fixture, path, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  answer = test_response_json (&response);
  image = json_object_get_object_member (answer, "image");
  return json_object_get_null_member (image, "variant_version")
         ? NULL : g_intern_string (json_object_get_string_member (image, "variant_version"));
}

typedef struct {
  Fixture *fixture;
  const char *name;
} Described;

static gboolean
variant_version_known (gpointer data)
{
  Described *described = data;

  return variant_version_of (described->fixture, described->name) != NULL;
}

/* The first variant request of a large picture (whose version nothing
 * knows yet) does not hold up other requests while the picture is
 * hashed; the version is the picture's SHA-256, as in its details. */
static void
test_version_off_the_main_loop (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *expected = NULL, *answer = NULL, *version = NULL;
  Prober prober = { 0 };
  double hash_ms, idle_ms, busy_ms;
  guint idle_count, busy_count;
  gint64 sent, answered;
  Described described = { &fixture, "big.png" };

  fixture.folder = test_make_image_folder (1);
  write_large_png (fixture.folder, "big.png", 4400, 4400);
  expected = expected_version (fixture.folder, "big.png", &hash_ms);
  fixture_start (&fixture, NULL);
  prober_start (&prober, &fixture);
  g_usleep (100 * 1000);
  sent = g_get_monotonic_time ();
  connection = send_raw_get (&fixture, "/img/big.png/100x100.jpg");
  answer = read_raw_answer (connection);
  answered = g_get_monotonic_time ();
  g_usleep (50 * 1000);
  prober_stop (&prober);
  idle_ms = prober_slowest (&prober, sent, 0, &idle_count);
  busy_ms = prober_slowest (&prober, sent, answered, &busy_count);
  prober_clear (&prober);
  version = redirected_version (answer, "big.png");
  g_test_message ("hashing the 58 MB picture here: %.1f ms; the first variant request: %.1f ms; GET rndimg: "
                  "%.1f ms at most in %u before it, %.1f ms at most in %u during it", hash_ms,
                  (double) (answered - sent) / 1000, idle_ms, idle_count, busy_ms, busy_count);
  g_assert_cmpstr (version, ==, expected);
  g_assert_cmpfloat (busy_ms, <, idle_ms + hash_ms / 2);
  g_assert_true (test_wait_until (variant_version_known, &described, 120000));
  g_assert_cmpstr (variant_version_of (&fixture, "big.png"), ==, expected);
}

/* Many requests for one picture whose version is not known: one hash. */
static void
test_version_hashed_once (void)
{
  g_auto(Fixture) fixture = { 0 };
  const char *spellings[] = { "10x10.jpg", "20x20.png", "30x30.webp", "10x10.jpg?q=50", "40x40", "50x50@2x.jpg" };
  GSocketConnection *connections[G_N_ELEMENTS (spellings)];
  g_autofree char *expected = NULL;
  double hash_ms, hashed_before;

  fixture.folder = test_make_image_folder (1);
  /* The placeholders' worker takes the pictures in name order: a1 first,
   * so it has not reached a2 when the requests come. */
  write_large_png (fixture.folder, "a1.png", 3000, 3000);
  write_large_png (fixture.folder, "a2.png", 3000, 3000);
  expected = expected_version (fixture.folder, "a2.png", &hash_ms);
  fixture_start (&fixture, NULL);
  hashed_before = metric (&fixture, "rndimg_variant_versions_hashed_total");
  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/a2.png/%s", spellings[i]);

      connections[i] = send_raw_get (&fixture, path);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *answer = read_raw_answer (connections[i]);
      g_autofree char *version = redirected_version (answer, "a2.png");

      g_assert_cmpstr (version, ==, expected);
      g_object_unref (connections[i]);
    }
  /* One hash, or none when the placeholders' worker got there first. */
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_versions_hashed_total") - hashed_before, <=, 1);
}

/* A picture that cannot be hashed (over 64 MiB): a JSON error, and the
 * server goes on. */
static void
test_version_unreadable (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) response = { 0 };
  g_auto(TestResponse) still = { 0 };
  g_autofree char *path = NULL;
  int fd;

  fixture.folder = test_make_image_folder (1);
  write_picture (fixture.folder, "huge.png", 40, 30);
  path = g_build_filename (fixture.folder, "huge.png", NULL);
  /* Sparse: 70 MB that take no disk. */
  fd = g_open (path, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 70 * 1000 * 1000), ==, 0);
  close (fd);
  fixture_start (&fixture, NULL);
  get_once (&fixture, "/img/huge.png/10x10.jpg", NULL, &response);
  test_assert_json_error (&response, 500);
  get_variant (&fixture, "/img/01.png/10x10.jpg", NULL, &still);
  g_assert_cmpuint (still.status, ==, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* libvips warns while decoding AVIF ("ignoring nclx profile"), through
   * structured logging that a fatal handler never sees: warnings are not
   * fatal here, criticals still are. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("libvips: %s", vips_error_buffer ());
  g_test_add_func ("/variants/sizes-and-formats", test_sizes_and_formats);
  g_test_add_func ("/variants/jpeg-progressive-when-large", test_jpeg_progressive_when_large);
  g_test_add_func ("/variants/render-threads-lowered", test_render_threads_lowered);
  g_test_add_func ("/variants/client-gone-is-499", test_client_gone_is_499);
  g_test_add_func ("/variants/grayscale", test_grayscale_is_gray);
  g_test_add_func ("/variants/metadata-stripped", test_metadata_stripped);
  g_test_add_func ("/variants/canonical-and-redirects", test_canonical_and_redirects);
  g_test_add_func ("/variants/negotiated-varies", test_negotiated_varies);
  g_test_add_func ("/variants/first-view-does-not-wait-for-avif", test_first_view_does_not_wait_for_avif);
  g_test_add_func ("/variants/bad-parameters", test_bad_parameters);
  g_test_add_func ("/variants/unknown-picture", test_unknown_picture);
  g_test_add_func ("/variants/one-render-for-many", test_one_render_for_many);
  g_test_add_func ("/variants/queue-limit", test_queue_limit);
  g_test_add_func ("/variants/busy-retry-after", test_busy_has_retry_after);
  g_test_add_func ("/variants/eviction-within-budgets", test_eviction_within_budgets);
  g_test_add_func ("/variants/disk-cache-survives-restart", test_disk_cache_survives_restart);
  g_test_add_func ("/variants/bomb-refused-at-upload", test_bomb_refused_at_upload);
  g_test_add_func ("/variants/bomb-in-folder", test_bomb_in_folder);
  g_test_add_func ("/variants/corrupt-picture", test_corrupt_picture);
  g_test_add_func ("/variants/time-limit", test_time_limit);
  g_test_add_func ("/variants/changed-picture-new-version", test_changed_picture_new_version);
  g_test_add_func ("/variants/render-memory/refused", test_render_memory_refused);
  g_test_add_func ("/variants/render-memory/waits", test_render_memory_waits);
  g_test_add_func ("/variants/render-memory/header-decides", test_render_memory_header_decides);
  g_test_add_func ("/variants/metrics-listed", test_metrics_listed);
  g_test_add_func ("/variants/version/off-the-main-loop", test_version_off_the_main_loop);
  g_test_add_func ("/variants/version/hashed-once", test_version_hashed_once);
  g_test_add_func ("/variants/version/unreadable", test_version_unreadable);
  test_add_answers_described ();
  return g_test_run ();
}
