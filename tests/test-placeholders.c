/* SPDX-License-Identifier: MIT */
/* Placeholders (average colour, BlurHash, variant_version) against a real
 * server, for pictures libvips writes here: every format the catalogue
 * takes (GIF included), grey, 16 bits, alpha and CMYK come out as the
 * colour they show; a truncated picture gets none and the server goes on;
 * a picture over --max-input-pixels is not decoded; the work runs on a
 * thread of its own, 10 nice levels below the process. */
#include "rndimg-test-util.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <vips/vips.h>

#define API "/polling/api/v1.0"
/* Small, so that a valid 120x100 picture is over it. */
#define MAX_INPUT_PIXELS 10000

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsImage, g_object_unref)

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
} Fixture;

/* ---- pictures, written by libvips ---- */

/* @width x @height, every pixel @values (one per band), as floats. */
static VipsImage *
solid (int width, int height, int bands, const double *values)
{
  g_autoptr(VipsImage) black = NULL;
  double ones[4] = { 1, 1, 1, 1 };
  VipsImage *image = NULL;

  g_assert_cmpint (vips_black (&black, width, height, "bands", bands, NULL), ==, 0);
  g_assert_cmpint (vips_linear (black, &image, ones, (double *) values, bands, NULL), ==, 0);
  return image;
}

/* @image as @format (a VipsBandFormat) tagged @interpretation. */
static VipsImage *
retag (VipsImage *image, VipsBandFormat format, VipsInterpretation interpretation)
{
  g_autoptr(VipsImage) cast = NULL;
  VipsImage *tagged = NULL;

  g_assert_cmpint (vips_cast (image, &cast, format, NULL), ==, 0);
  g_assert_cmpint (vips_copy (cast, &tagged, "interpretation", interpretation, NULL), ==, 0);
  return tagged;
}

static void
save (VipsImage *image, const char *folder, const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);

  if (vips_image_write_to_file (image, path, NULL) != 0)
    g_error ("libvips cannot write %s: %s", name, vips_error_buffer ());
}

/* 8 bits, sRGB or, with one band, black and white. */
static VipsImage *
solid_8_bit (int width, int height, int bands, const double *values)
{
  g_autoptr(VipsImage) image = solid (width, height, bands, values);

  return retag (image, VIPS_FORMAT_UCHAR, bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB);
}

static void
save_solid (const char *folder, const char *name, int bands, const double *values)
{
  g_autoptr(VipsImage) image = solid_8_bit (60, 40, bands, values);

  save (image, folder, name);
}

static void
write_16_bit_pictures (const char *folder)
{
  static const double red16[] = { 65535, 0, 0 };
  static const double grey16[] = { 128 * 257 };
  g_autoptr(VipsImage) rgb = solid (60, 40, 3, red16);
  g_autoptr(VipsImage) rgb16 = retag (rgb, VIPS_FORMAT_USHORT, VIPS_INTERPRETATION_RGB16);
  g_autoptr(VipsImage) grey = solid (30, 50, 1, grey16);
  g_autoptr(VipsImage) grey_16 = retag (grey, VIPS_FORMAT_USHORT, VIPS_INTERPRETATION_GREY16);

  save (rgb16, folder, "red-16-bit.png");
  save (grey_16, folder, "grey-16-bit.png");
}

static void
write_cmyk_jpeg (const char *folder)
{
  static const double red[] = { 255, 0, 0 };
  g_autoptr(VipsImage) rgb = solid_8_bit (60, 40, 3, red);
  g_autoptr(VipsImage) cmyk = NULL;

  g_assert_cmpint (vips_colourspace (rgb, &cmyk, VIPS_INTERPRETATION_CMYK, NULL), ==, 0);
  save (cmyk, folder, "red-cmyk.jpg");
}

/* The first @keep bytes of a picture libvips writes as @name. */
static void
write_truncated (const char *folder, const char *name, gsize keep)
{
  g_autoptr(VipsImage) noise = NULL;
  g_autoptr(VipsImage) noisy = NULL;
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autofree char *bytes = NULL;
  gsize length;

  /* Noise, so that the compressed data is long enough to cut. */
  g_assert_cmpint (vips_gaussnoise (&noise, 200, 40, "mean", 128.0, "sigma", 60.0, NULL), ==, 0);
  noisy = retag (noise, VIPS_FORMAT_UCHAR, VIPS_INTERPRETATION_B_W);
  save (noisy, folder, name);
  g_assert_true (g_file_get_contents (path, &bytes, &length, NULL));
  g_assert_cmpuint (length, >, keep);
  g_assert_true (g_file_set_contents (path, bytes, (gssize) keep, NULL));
}

static void
make_pictures (const char *folder)
{
  static const double red[] = { 255, 0, 0 };
  static const double grey[] = { 128 };
  static const double red_opaque[] = { 255, 0, 0, 255 };
  static const double red_half[] = { 255, 0, 0, 128 };
  static const double red_clear[] = { 255, 0, 0, 0 };

  save_solid (folder, "red.png", 3, red);
  save_solid (folder, "red.jpg", 3, red);
  save_solid (folder, "red.webp", 3, red);
  save_solid (folder, "red.gif", 3, red);
  save_solid (folder, "grey.png", 1, grey);
  save_solid (folder, "red-opaque.png", 4, red_opaque);
  save_solid (folder, "red-half.png", 4, red_half);
  save_solid (folder, "red-clear.png", 4, red_clear);
  write_16_bit_pictures (folder);
  write_cmyk_jpeg (folder);
  write_truncated (folder, "truncated.png", 2000);
  write_truncated (folder, "truncated.jpg", 2000);
  {
    g_autoptr(VipsImage) over = solid_8_bit (120, 100, 3, red);
    g_autoptr(VipsImage) at = solid_8_bit (100, 100, 3, red);

    save (over, folder, "over-limit.png");
    save (at, folder, "at-limit.png");
  }
}

/* ---- the server ---- */

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *images = NULL;
  g_autofree char *limit = g_strdup_printf ("--max-input-pixels=%d", MAX_INPUT_PIXELS);

  fixture->folder = g_dir_make_tmp ("rndimg-placeholders-XXXXXX", NULL);
  make_pictures (fixture->folder);
  images = g_strconcat ("--images=", fixture->folder, NULL);
  fixture->session = soup_session_new ();
  fixture->server = test_server_start (images, "--interval=0", limit, NULL);
  test_server_wait_for_placeholders (fixture->server, fixture->session, 20000);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_server_stop (fixture->server);
  g_object_unref (fixture->session);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

static JsonObject *
picture (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_strconcat (API "/images/", name, NULL);
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  answer = test_response_json (&response);
  return json_object_ref (json_object_get_object_member (answer, "image"));
}

static void
assert_no_placeholder (Fixture *fixture, const char *name)
{
  g_autoptr(JsonObject) image = picture (fixture, name);

  g_assert_true (json_object_get_null_member (image, "colour"));
  g_assert_true (json_object_get_null_member (image, "blurhash"));
  g_assert_true (json_object_get_null_member (image, "variant_version"));
}

/* @name's placeholder: its colour within @tolerance of (@r, @g, @b) on
 * each channel, a BlurHash and a variant_version. */
static void
assert_colour (Fixture *fixture, const char *name, int r, int g, int b, int tolerance)
{
  g_autoptr(JsonObject) image = picture (fixture, name);
  const char *colour = json_object_get_string_member (image, "colour");
  int expected[3] = { r, g, b };
  unsigned int got[3];

  g_assert_nonnull (colour);
  g_assert_cmpint (sscanf (colour, "#%02x%02x%02x", &got[0], &got[1], &got[2]), ==, 3);
  for (int c = 0; c < 3; c++)
    if (ABS ((int) got[c] - expected[c]) > tolerance)
      g_error ("%s: colour %s, expected #%02x%02x%02x within %d", name, colour, r, g, b, tolerance);
  g_assert_cmpuint (strlen (json_object_get_string_member (image, "blurhash")), >=, 6);
  g_assert_cmpuint (strlen (json_object_get_string_member (image, "variant_version")), ==, 16);
}

/* ---- the tests ---- */

static void
test_every_format (Fixture *fixture, gconstpointer data)
{
  assert_colour (fixture, "red.png", 255, 0, 0, 2);
  assert_colour (fixture, "red.jpg", 255, 0, 0, 4);
  assert_colour (fixture, "red.webp", 255, 0, 0, 4);
  assert_colour (fixture, "red.gif", 255, 0, 0, 2);
}

static void
test_grey_16_bit_alpha_cmyk (Fixture *fixture, gconstpointer data)
{
  assert_colour (fixture, "grey.png", 128, 128, 128, 2);
  assert_colour (fixture, "grey-16-bit.png", 128, 128, 128, 2);
  assert_colour (fixture, "red-16-bit.png", 255, 0, 0, 2);
  /* Alpha flattened on white. */
  assert_colour (fixture, "red-opaque.png", 255, 0, 0, 2);
  assert_colour (fixture, "red-half.png", 255, 127, 127, 3);
  assert_colour (fixture, "red-clear.png", 255, 255, 255, 2);
  /* Through the CMYK profile and back: red, not exactly. */
  assert_colour (fixture, "red-cmyk.jpg", 240, 40, 40, 40);
}

static void
test_truncated_gets_none (Fixture *fixture, gconstpointer data)
{
  g_autofree char *health = test_server_url (fixture->server, "/healthz");
  g_autofree char *list = test_server_url (fixture->server, API "/images");
  g_auto(TestResponse) alive = { 0 };
  g_auto(TestResponse) listed = { 0 };

  assert_no_placeholder (fixture, "truncated.png");
  assert_no_placeholder (fixture, "truncated.jpg");
  test_get (fixture->session, health, &alive);
  test_assert_status (&alive, 200);
  /* Asked for again (the list looks each picture up), a picture that
   * could not be decoded is not tried again until its file changes. */
  test_get (fixture->session, list, &listed);
  test_assert_status (&listed, 200);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "placeholders_pending"), ==, 0);
}

static void
test_over_limit_not_decoded (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) over = picture (fixture, "over-limit.png");

  g_assert_cmpint (json_object_get_int_member (over, "width") * json_object_get_int_member (over, "height"), >,
                   MAX_INPUT_PIXELS);
  assert_no_placeholder (fixture, "over-limit.png");
  assert_colour (fixture, "at-limit.png", 255, 0, 0, 2);
}

/* The work runs on a thread of its own, lowered 10 below the process,
 * and the main loop keeps the process's nice value. No variant has been
 * rendered: the only pool thread lowered is the placeholders' own (GLib
 * names an exclusive pool's threads "pool-…"). */
static void
test_worker_thread_lowered (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GHashTable) niceness = test_server_thread_niceness (fixture->server);
  g_autofree char *main_thread = g_strconcat (g_subprocess_get_identifier (fixture->server->process), " ", NULL);
  /* The server inherits this process's nice value (0 unless run under nice). */
  int base = getpriority (PRIO_PROCESS, 0);
  GHashTableIter iter;
  gpointer name, nice;
  guint lowered_pool_threads = 0;

  g_hash_table_iter_init (&iter, niceness);
  while (g_hash_table_iter_next (&iter, &name, &nice))
    {
      const char *thread_name = strchr (name, ' ') + 1;

      g_test_message ("thread %s: nice %d", (const char *) name, GPOINTER_TO_INT (nice));
      if (g_str_has_prefix (name, main_thread))
        g_assert_cmpint (GPOINTER_TO_INT (nice), ==, base);
      if (g_str_has_prefix (thread_name, "pool-") && GPOINTER_TO_INT (nice) == MIN (base + 10, 19))
        lowered_pool_threads++;
    }
  g_assert_cmpuint (lowered_pool_threads, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The server warns about the truncated pictures; libvips here too. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("libvips: %s", vips_error_buffer ());

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/placeholders/every-format", test_every_format);
  ADD ("/placeholders/grey-16-bit-alpha-cmyk", test_grey_16_bit_alpha_cmyk);
  ADD ("/placeholders/truncated-gets-none", test_truncated_gets_none);
  ADD ("/placeholders/over-limit-not-decoded", test_over_limit_not_decoded);
  ADD ("/placeholders/worker-thread-lowered", test_worker_thread_lowered);
  test_add_answers_described ();
  return g_test_run ();
}
