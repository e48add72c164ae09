/* SPDX-License-Identifier: MIT */
/* Reduced masters (server/render/rndimg-masters.c) against real servers:
 * variants made from masters within a stated quality bound of the same
 * variants made from the original (PSNR, over the shipped pictures, the
 * benchmark's photographs, a JPEG turned by its EXIF orientation, a
 * picture with alpha and a grey one), and no further from an exact resize
 * of the whole picture than libvips' own thumbnail; the same sizes with
 * masters as without; masters made by a picture's third render asked for
 * (never for a picture shown at two sizes), once per version, found again
 * after a restart, made again when deleted, gone when the picture changes
 * or leaves, none for a small picture, all within the disk budget and
 * counted in /metrics. */
#include "variant-fixture.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* The bound, in dB of PSNR over every sample: a variant from a master
 * against the same variant from the original (the server's path without
 * masters: libvips' thumbnail, which decodes a JPEG at 1/2, 1/4 or 1/8
 * when it can), and against an exact resize of the whole decoded picture
 * (Lanczos-3 over every source pixel; libvips' thumbnail itself comes
 * within 40.8 dB of it here). Measured on libvips 8.14 over 84 variants
 * (bench/README.md, "Reduced masters"): worst 42.4 and 40.5 dB. */
#define MIN_PSNR_AGAINST_ORIGINAL 40.0
#define MIN_PSNR_AGAINST_EXACT 38.0

/* ---- pictures ---- */

static void
save_or_die (VipsImage *image, const char *folder, const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);

  if (vips_image_write_to_file (image, path, NULL) != 0)
    g_error ("cannot write %s: %s", path, vips_error_buffer ());
}

/* The benchmark's photographs (bench/compare-variants.sh): the shipped
 * 01.png enlarged and cut to 2000x1333, and a wide 4000x1000 one. */
static void
write_photographs (const char *folder)
{
  g_autofree char *shipped = test_source_image ("01.png");
  g_autoptr(VipsImage) source = vips_image_new_from_file (shipped, NULL);
  g_autoptr(VipsImage) large = NULL;
  g_autoptr(VipsImage) photo = NULL;
  g_autoptr(VipsImage) wide = NULL;

  g_assert_nonnull (source);
  g_assert_cmpint (vips_resize (source, &large, 10, NULL), ==, 0);
  g_assert_cmpint (vips_extract_area (large, &photo, 0, 0, 2000, 1333, NULL), ==, 0);
  g_assert_cmpint (vips_extract_area (large, &wide, 0, 1500, 4000, 1000, NULL), ==, 0);
  save_or_die (photo, folder, "photo.jpg[Q=90]");
  save_or_die (wide, folder, "wide.jpg[Q=90]");
}

/* Over 4 MP, a picture's largest master is its halving, made with vector
 * code from the decoded rows (a JPEG turned by its EXIF too): 3000x2000,
 * and the same to be turned (it shows 2000x3000). */
static void
write_large (const char *folder)
{
  g_autofree char *shipped = test_source_image ("04.png");
  g_autoptr(VipsImage) source = vips_image_new_from_file (shipped, NULL);
  g_autoptr(VipsImage) large = NULL;
  g_autoptr(VipsImage) cut = NULL;

  g_assert_cmpint (vips_resize (source, &large, 7.5, NULL), ==, 0);
  g_assert_cmpint (vips_extract_area (large, &cut, 0, 0, 3000, 2000, NULL), ==, 0);
  save_or_die (cut, folder, "large.jpg[Q=90]");
  vips_image_set_int (cut, VIPS_META_ORIENTATION, 6);
  save_or_die (cut, folder, "large-turned.jpg[Q=90]");
}

/* A 900x600 JPEG whose EXIF says to turn it a quarter (orientation 6): it
 * shows 600x900. */
static void
write_turned (const char *folder)
{
  g_autofree char *shipped = test_source_image ("02.png");
  g_autoptr(VipsImage) source = vips_image_new_from_file (shipped, NULL);
  g_autoptr(VipsImage) large = NULL;
  g_autoptr(VipsImage) cut = NULL;

  g_assert_cmpint (vips_resize (source, &large, 2.25, NULL), ==, 0);
  g_assert_cmpint (vips_extract_area (large, &cut, 0, 0, 900, 600, NULL), ==, 0);
  vips_image_set_int (cut, VIPS_META_ORIENTATION, 6);
  save_or_die (cut, folder, "turned.jpg[Q=90]");
}

/* A 700x500 PNG with an alpha gradient, and a grey one. */
static void
write_alpha_and_grey (const char *folder)
{
  g_autofree char *shipped = test_source_image ("03.png");
  g_autoptr(VipsImage) source = vips_image_new_from_file (shipped, NULL);
  g_autoptr(VipsImage) large = NULL;
  g_autoptr(VipsImage) cut = NULL;
  g_autoptr(VipsImage) ramp = NULL;
  g_autoptr(VipsImage) alpha = NULL;
  g_autoptr(VipsImage) with_alpha = NULL;
  g_autoptr(VipsImage) grey = NULL;

  g_assert_cmpint (vips_resize (source, &large, 1.75, NULL), ==, 0);
  g_assert_cmpint (vips_extract_area (large, &cut, 0, 0, 700, 500, NULL), ==, 0);
  g_assert_cmpint (vips_xyz (&ramp, 700, 500, NULL), ==, 0);
  {
    g_autoptr(VipsImage) x = NULL;

    g_assert_cmpint (vips_extract_band (ramp, &x, 0, NULL), ==, 0);
    g_assert_cmpint (vips_linear1 (x, &alpha, 255.0 / 700, 0, "uchar", TRUE, NULL), ==, 0);
  }
  g_assert_cmpint (vips_bandjoin2 (cut, alpha, &with_alpha, NULL), ==, 0);
  save_or_die (with_alpha, folder, "alpha.png");
  g_assert_cmpint (vips_colourspace (cut, &grey, VIPS_INTERPRETATION_B_W, NULL), ==, 0);
  save_or_die (grey, folder, "grey.png");
}

/* Every shipped picture (data/img: 400x400 PNGs). */
static void
copy_shipped (const char *folder)
{
  g_autofree char *first = test_source_image ("01.png");
  g_autofree char *shipped = g_path_get_dirname (first);
  g_autoptr(GDir) dir = g_dir_open (shipped, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png"))
      {
        g_autofree char *from = g_build_filename (shipped, name, NULL);
        g_autofree char *data = NULL;
        gsize length;

        g_assert_true (g_file_get_contents (from, &data, &length, NULL));
        write_file (folder, name, data, length);
      }
}

/* ---- measures ---- */

static double
psnr (VipsImage *a, VipsImage *b)
{
  g_autoptr(VipsImage) difference = NULL;
  g_autoptr(VipsImage) squared = NULL;
  double mean;

  g_assert_cmpint (vips_image_get_width (a), ==, vips_image_get_width (b));
  g_assert_cmpint (vips_image_get_height (a), ==, vips_image_get_height (b));
  g_assert_cmpint (vips_image_get_bands (a), ==, vips_image_get_bands (b));
  g_assert_cmpint (vips_subtract (a, b, &difference, NULL), ==, 0);
  g_assert_cmpint (vips_multiply (difference, difference, &squared, NULL), ==, 0);
  g_assert_cmpint (vips_avg (squared, &mean, NULL), ==, 0);
  return mean == 0 ? 99.0 : 10 * log10 (255.0 * 255.0 / mean);
}

/* The resize of a cover crop @width x @height of a picture @shown_width x
 * @shown_height, as libvips' thumbnail sizes it. */
static void
cover_box (int shown_width, int shown_height, int width, int height, int *resized_width, int *resized_height)
{
  double scale = MAX ((double) width / shown_width, (double) height / shown_height);

  *resized_width = MAX (1, (int) floor (shown_width * scale + 0.5));
  *resized_height = MAX (1, (int) floor (shown_height * scale + 0.5));
}

static VipsImage *
centre (VipsImage *image, int width, int height)
{
  VipsImage *cut = NULL;

  g_assert_cmpint (vips_extract_area (image, &cut, (vips_image_get_width (image) - width) / 2,
                                      (vips_image_get_height (image) - height) / 2, width, height, NULL), ==, 0);
  return cut;
}

/* What the server makes from the original: libvips' thumbnail to the box
 * (shrink-on-load included), its centre; in memory (the thumbnail reads
 * its file in order, a measure in any). */
static VipsImage *
from_original (const char *path, int width, int height, int resized_width, int resized_height)
{
  g_autoptr(VipsImage) resized = NULL;
  g_autoptr(VipsImage) whole = NULL;

  g_assert_cmpint (vips_thumbnail (path, &resized, resized_width, "height", resized_height, "size", VIPS_SIZE_FORCE,
                                   NULL), ==, 0);
  whole = vips_image_copy_memory (resized);
  g_assert_nonnull (whole);
  return centre (whole, width, height);
}

/* An exact resize of the whole decoded picture (turned as shown, alpha
 * premultiplied around it): Lanczos-3 over every source pixel. */
static VipsImage *
exact (const char *path, int width, int height, int resized_width, int resized_height)
{
  g_autoptr(VipsImage) loaded = vips_image_new_from_file (path, NULL);
  g_autoptr(VipsImage) shown = NULL;
  g_autoptr(VipsImage) premultiplied = NULL;
  g_autoptr(VipsImage) resized = NULL;
  g_autoptr(VipsImage) back = NULL;
  g_autoptr(VipsImage) cast = NULL;
  VipsImage *in;

  g_assert_nonnull (loaded);
  g_assert_cmpint (vips_autorot (loaded, &shown, NULL), ==, 0);
  in = shown;
  if (vips_image_hasalpha (in))
    {
      g_assert_cmpint (vips_premultiply (in, &premultiplied, NULL), ==, 0);
      in = premultiplied;
    }
  g_assert_cmpint (vips_resize (in, &resized, (double) resized_width / vips_image_get_width (in), "vscale",
                                (double) resized_height / vips_image_get_height (in), "gap", 0.0, NULL), ==, 0);
  in = resized;
  if (premultiplied != NULL)
    {
      g_assert_cmpint (vips_unpremultiply (in, &back, NULL), ==, 0);
      g_assert_cmpint (vips_cast (back, &cast, VIPS_FORMAT_UCHAR, NULL), ==, 0);
      in = cast;
    }
  return centre (in, width, height);
}

typedef struct {
  double worst_against_original;
  double worst_against_exact;
  double sum;
  guint n;
  GHashTable *with_masters;   /* the pictures whose masters were made */
} Quality;

static void
get_ok (Fixture *fixture, const char *request)
{
  g_auto(TestResponse) response = { 0 };

  get_variant (fixture, request, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
}

/* Two renders of @name asked for, from its original: the next one makes
 * its masters (rndimg-masters.c). */
static void
ask_twice (Fixture *fixture, const char *name)
{
  g_autofree char *first = g_strdup_printf ("/img/%s/30x20.jpg", name);
  g_autofree char *second = g_strdup_printf ("/img/%s/31x20.jpg", name);

  get_ok (fixture, first);
  get_ok (fixture, second);
}

/* @name's masters made (a third render of it, from one of them). */
static void
make_masters_of (Fixture *fixture, const char *name)
{
  g_autofree char *third = g_strdup_printf ("/img/%s/300x200.jpg", name);

  ask_twice (fixture, name);
  get_ok (fixture, third);
}

/* The PNG variant @width x @height of @name, against what the original
 * gives and against the exact resize: within the bound. */
static void
measure_variant (Fixture *fixture, const char *name, int width, int height, Quality *quality)
{
  g_autofree char *path = g_build_filename (fixture->folder, name, NULL);
  g_autofree char *request = g_strdup_printf ("/img/%s/%dx%d.png", name, width, height);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(VipsImage) header = vips_image_new_from_file (path, NULL);
  g_autoptr(VipsImage) variant = NULL;
  g_autoptr(VipsImage) original = NULL;
  g_autoptr(VipsImage) exactly = NULL;
  gboolean turned = vips_image_get_orientation_swap (header);
  int shown_width = turned ? vips_image_get_height (header) : vips_image_get_width (header);
  int shown_height = turned ? vips_image_get_width (header) : vips_image_get_height (header);
  int resized_width, resized_height;
  double against_original, variant_exact, original_exact;

  if (g_hash_table_add (quality->with_masters, g_strdup (name)))
    ask_twice (fixture, name);
  cover_box (shown_width, shown_height, width, height, &resized_width, &resized_height);
  get_variant (fixture, request, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  variant = decode (response.body);
  original = from_original (path, width, height, resized_width, resized_height);
  exactly = exact (path, width, height, resized_width, resized_height);
  against_original = psnr (variant, original);
  variant_exact = psnr (variant, exactly);
  original_exact = psnr (original, exactly);
  g_test_message ("%s %dx%d: %.1f dB against the original's variant; to the exact resize %.1f dB (libvips' "
                  "thumbnail: %.1f)", name, width, height, against_original, variant_exact, original_exact);
  g_assert_cmpfloat (against_original, >=, MIN_PSNR_AGAINST_ORIGINAL);
  g_assert_cmpfloat (variant_exact, >=, MIN_PSNR_AGAINST_EXACT);
  quality->worst_against_original = MIN (quality->worst_against_original, against_original);
  quality->worst_against_exact = MIN (quality->worst_against_exact, variant_exact);
  quality->sum += against_original;
  quality->n++;
}

/* ---- the tests ---- */

static void
make_photographs_folder (Fixture *fixture)
{
  fixture->folder = test_make_image_folder (0);
  write_photographs (fixture->folder);
}

static void
test_quality_bound (void)
{
  g_auto(Fixture) fixture = { 0 };
  static const int photo_sides[][2] = { { 100, 60 }, { 150, 150 }, { 200, 200 }, { 250, 180 }, { 327, 327 },
                                        { 400, 400 }, { 490, 490 } };
  static const int small_sides[][2] = { { 64, 64 }, { 150, 100 }, { 250, 250 }, { 333, 300 } };
  g_autoptr(GHashTable) with_masters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Quality quality = { .worst_against_original = 99, .worst_against_exact = 99, .with_masters = with_masters };
  g_autoptr(GDir) dir = NULL;
  const char *name;

  fixture.folder = test_make_image_folder (0);
  copy_shipped (fixture.folder);
  write_photographs (fixture.folder);
  write_turned (fixture.folder);
  write_alpha_and_grey (fixture.folder);
  write_large (fixture.folder);
  fixture_start (&fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (photo_sides); i++)
    {
      measure_variant (&fixture, "photo.jpg", photo_sides[i][0], photo_sides[i][1], &quality);
      /* Larger, the 4000x1000 one comes from its original (no master
       * leaves enough to reduce). */
      if (photo_sides[i][1] < 450)
        measure_variant (&fixture, "wide.jpg", photo_sides[i][0], photo_sides[i][1], &quality);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (small_sides); i++)
    {
      measure_variant (&fixture, "large.jpg", small_sides[i][0], small_sides[i][1], &quality);
      measure_variant (&fixture, "large-turned.jpg", small_sides[i][0], small_sides[i][1], &quality);
      measure_variant (&fixture, "turned.jpg", small_sides[i][0], small_sides[i][1], &quality);
      measure_variant (&fixture, "alpha.png", small_sides[i][0], small_sides[i][1], &quality);
      measure_variant (&fixture, "grey.png", small_sides[i][0], small_sides[i][1], &quality);
    }
  /* Every shipped picture (400x400 PNGs) at one size each. */
  dir = g_dir_open (fixture.folder, 0, NULL);
  for (guint k = 0; (name = g_dir_read_name (dir)) != NULL; k++)
    if (g_str_has_suffix (name, ".png") && !g_str_equal (name, "alpha.png") && !g_str_equal (name, "grey.png"))
      measure_variant (&fixture, name, small_sides[k % G_N_ELEMENTS (small_sides)][0],
                       small_sides[k % G_N_ELEMENTS (small_sides)][1], &quality);
  g_test_message ("%u variants: worst %.1f dB, mean %.1f dB against the original's; worst %.1f dB against the "
                  "exact resize", quality.n, quality.worst_against_original, quality.sum / quality.n,
                  quality.worst_against_exact);
  /* Each from a master: the test measured masters, not the original twice
   * (only the two renders before each picture's masters came from it). */
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_master_total"), ==, quality.n);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_original_total"), ==,
                     2 * g_hash_table_size (with_masters));
}

/* The size of the variant @spelling of @name (following its redirect). */
static void
variant_size (Fixture *fixture, const char *name, const char *spelling, int *width, int *height)
{
  g_autofree char *request = g_strdup_printf ("/img/%s/%s", name, spelling);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(VipsImage) image = NULL;

  get_variant (fixture, request, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  image = decode (response.body);
  *width = vips_image_get_width (image);
  *height = vips_image_get_height (image);
}

/* The box comes from the original's size, never a master's: every size
 * and fit the same with masters as without (a master's rounding once gave
 * heights a pixel off). */
static void
test_same_sizes_without_masters (void)
{
  g_auto(Fixture) with = { 0 };
  g_auto(Fixture) without = { 0 };
  static const char *const fits[] = { "", "?fit=inside", "?fit=contain", "?fit=inside&enlarge" };

  make_photographs_folder (&with);
  make_photographs_folder (&without);
  fixture_start (&with, NULL);
  fixture_start (&without, "--variant-disk=0", NULL);
  for (int side = 150; side <= 490; side += 17)
    for (gsize f = 0; f < G_N_ELEMENTS (fits); f++)
      {
        g_autofree char *wide_only = g_strdup_printf ("%dx0.png%s", side, fits[f]);
        g_autofree char *tall_only = g_strdup_printf ("0x%d.png%s", side, fits[f]);
        g_autofree char *box = g_strdup_printf ("%dx%d.png%s", side, side * 2 / 3, fits[f]);
        const char *spellings[] = { wide_only, tall_only, box };

        for (gsize s = 0; s < G_N_ELEMENTS (spellings); s++)
          for (guint picture = 0; picture < 2; picture++)
            {
              const char *name = picture == 0 ? "photo.jpg" : "wide.jpg";
              int width, height, expected_width, expected_height;

              if (g_str_has_prefix (spellings[s], "0x") && f != 0 && strstr (fits[f], "contain") != NULL)
                continue;
              variant_size (&with, name, spellings[s], &width, &height);
              variant_size (&without, name, spellings[s], &expected_width, &expected_height);
              g_assert_cmpint (width, ==, expected_width);
              g_assert_cmpint (height, ==, expected_height);
            }
      }
  g_assert_cmpfloat (metric (&with, "rndimg_variant_renders_from_master_total"), >, 0);
  g_assert_cmpfloat (metric (&without, "rndimg_variant_renders_from_master_total"), ==, 0);
  g_assert_cmpuint (count_files_ending (without.variant_dir, ".v"), ==, 0);
}

/* The sum of the masters' file sizes in the variant folder. */
static guint64
master_bytes (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint64 total = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".v"))
      {
        g_autofree char *path = g_build_filename (folder, name, NULL);
        GStatBuf st;

        g_assert_cmpint (g_stat (path, &st), ==, 0);
        total += (guint64) st.st_size;
      }
  return total;
}

typedef struct {
  Fixture *fixture;
  const char *name;
  double value;
} Expected;

static gboolean
metric_reached (gpointer user_data)
{
  Expected *expected = user_data;

  return metric (expected->fixture, expected->name) == expected->value;
}

/* Waits until @name is @value: masters are counted once the disk thread
 * has moved them into place, after the answer that made them. */
static void
wait_for_metric (Fixture *fixture, const char *name, double value)
{
  Expected expected = { fixture, name, value };

  if (!test_wait_until (metric_reached, &expected, 20000))
    g_assert_cmpfloat (metric (fixture, name), ==, value);
}

/* Ten variants of a 2000x1333 JPEG asked for at once: its masters
 * (2000x1333, 1000x667, 500x333, 250x167) made once, by the third; every
 * variant after from one. */
typedef struct {
  Fixture *fixture;
  guint pending;
} Burst;

static void
on_burst_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Burst *burst = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  g_assert_nonnull (body);
  burst->pending--;
}

static gboolean
burst_done (gpointer user_data)
{
  return ((Burst *) user_data)->pending == 0;
}

static void
test_made_once (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autofree char *first = NULL;
  Burst burst = { &fixture, 0 };

  make_photographs_folder (&fixture);
  fixture_start (&fixture, NULL);
  first = canonical_of (&fixture, "/img/photo.jpg/10x10.jpg");
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *url = g_strdup_printf ("%.*s%dx%d.jpg", (int) (strrchr (first, '/') - first + 1), first,
                                              200 + i, 150 + i);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      burst.pending++;
      soup_session_send_and_read_async (fixture.session, msg, G_PRIORITY_DEFAULT, NULL, on_burst_answer, &burst);
    }
  g_assert_true (test_wait_until (burst_done, &burst, 120000));
  wait_for_metric (&fixture, "rndimg_variant_masters_made_total", 4);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_original_total"), ==, 2);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_master_total"), ==, 8);
  g_assert_cmpuint (count_files_ending (fixture.variant_dir, ".v"), ==, 4);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_bytes"), ==, (double) master_bytes (fixture.variant_dir));
  /* 2000x1333 + 1000x667 + 500x333 + 250x167 pixels of 3 bytes, and their headers. */
  g_assert_cmpuint (master_bytes (fixture.variant_dir), >=, (2000 * 1333 + 1000 * 667 + 500 * 333 + 250 * 167) * 3);
}

/* A picture asked for at two sizes (a first screen's thumbnail and stage)
 * never pays for masters; its third size makes them, and is made from one. */
static void
test_made_by_the_third_size (void)
{
  g_auto(Fixture) fixture = { 0 };

  make_photographs_folder (&fixture);
  fixture_start (&fixture, NULL);
  ask_twice (&fixture, "photo.jpg");
  test_run_for (300);   /* the disk thread, had it any master to move */
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_made_total"), ==, 0);
  g_assert_cmpuint (count_files_ending (fixture.variant_dir, ".v"), ==, 0);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_original_total"), ==, 2);
  get_ok (&fixture, "/img/photo.jpg/300x200.jpg");
  wait_for_metric (&fixture, "rndimg_variant_masters_made_total", 4);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_master_total"), ==, 1);
}

static void
test_found_after_restart (void)
{
  g_auto(Fixture) fixture = { 0 };

  make_photographs_folder (&fixture);
  fixture_start (&fixture, NULL);
  make_masters_of (&fixture, "photo.jpg");
  wait_for_metric (&fixture, "rndimg_variant_masters_made_total", 4);
  fixture_stop_server (&fixture);
  fixture_start (&fixture, NULL);
  get_ok (&fixture, "/img/photo.jpg/301x200.jpg");
  get_ok (&fixture, "/img/photo.jpg/302x200.jpg");
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_made_total"), ==, 0);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_master_total"), ==, 2);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_bytes"), ==, (double) master_bytes (fixture.variant_dir));
}

static gboolean
four_masters_again (gpointer user_data)
{
  Fixture *fixture = user_data;

  return metric (fixture, "rndimg_variant_masters_made_total") == 8 &&
         count_files_ending (fixture->variant_dir, ".v") == 4;
}

/* Deleted or damaged by hand: the variant is still right, the master made again. */
static void
test_lost_master_made_again (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GDir) dir = NULL;
  const char *name;
  int width, height;

  make_photographs_folder (&fixture);
  fixture_start (&fixture, NULL);
  make_masters_of (&fixture, "photo.jpg");
  wait_for_metric (&fixture, "rndimg_variant_masters_made_total", 4);
  dir = g_dir_open (fixture.variant_dir, 0, NULL);
  for (guint n = 0; (name = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_suffix (name, ".v"))
      {
        g_autofree char *path = g_build_filename (fixture.variant_dir, name, NULL);

        /* One cut short, the others gone. */
        if (n++ == 0)
          g_assert_cmpint (truncate (path, 100), ==, 0);
        else
          g_assert_cmpint (g_unlink (path), ==, 0);
      }
  variant_size (&fixture, "photo.jpg", "310x200.png", &width, &height);
  g_assert_cmpint (width, ==, 310);
  g_assert_cmpint (height, ==, 200);
  variant_size (&fixture, "photo.jpg", "320x200.png", &width, &height);
  g_assert_cmpint (width, ==, 320);
  /* Moved into place by the disk thread, after the answer. */
  g_assert_true (test_wait_until (four_masters_again, &fixture, 20000));
}

static gboolean
has_no_masters (gpointer user_data)
{
  return count_files_ending (user_data, ".v") == 0;
}

/* The names of the masters in @folder. */
static GHashTable *
master_names (const char *folder)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".v"))
      g_hash_table_add (names, g_strdup (name));
  return names;
}

typedef struct {
  Fixture *fixture;
  GHashTable *old;
  int asked;
} Replaced;

/* Asks for a variant of the new photo.jpg; TRUE once its masters are
 * there and none of the old picture's is left. */
static gboolean
old_masters_replaced (gpointer user_data)
{
  Replaced *replaced = user_data;
  g_autofree char *spelling = g_strdup_printf ("/img/photo.jpg/%dx200.jpg", 300 + replaced->asked++);
  g_autofree char *canonical = canonical_of (replaced->fixture, spelling);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(GHashTable) now = NULL;
  GHashTableIter iter;
  gpointer name;

  get_once (replaced->fixture, canonical, NULL, &response);
  now = master_names (replaced->fixture->variant_dir);
  g_hash_table_iter_init (&iter, replaced->old);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (g_hash_table_contains (now, name))
      return FALSE;
  return g_hash_table_size (now) > 0;
}

/* A changed picture's masters go at its next render; a removed one's at once. */
static void
test_gone_with_the_version (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GHashTable) old = NULL;
  g_autofree char *photo = NULL;
  g_autoptr(VipsImage) other = NULL;
  Replaced replaced = { &fixture, NULL, 0 };

  make_photographs_folder (&fixture);
  fixture_start (&fixture, NULL);
  make_masters_of (&fixture, "photo.jpg");
  wait_for_metric (&fixture, "rndimg_variant_masters_made_total", 4);
  old = master_names (fixture.variant_dir);
  g_assert_cmpuint (g_hash_table_size (old), ==, 4);
  /* Another picture under the same name. */
  photo = g_build_filename (fixture.folder, "photo.jpg", NULL);
  g_assert_cmpint (vips_black (&other, 1200, 800, "bands", 3, NULL), ==, 0);
  g_assert_cmpint (vips_image_write_to_file (other, photo, NULL), ==, 0);
  replaced.old = old;
  g_assert_true (test_wait_until (old_masters_replaced, &replaced, 20000));
  test_run_for (300);   /* the disk thread's deletes */
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_bytes"), ==, (double) master_bytes (fixture.variant_dir));
  g_assert_cmpint (g_unlink (photo), ==, 0);
  g_assert_true (test_wait_until (has_no_masters, fixture.variant_dir, 20000));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_bytes"), ==, 0);
}

static void
test_small_picture_has_none (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(VipsImage) small = NULL;

  fixture.folder = test_make_image_folder (0);
  g_assert_cmpint (vips_black (&small, 200, 150, "bands", 3, NULL), ==, 0);
  save_or_die (small, fixture.folder, "small.png");
  fixture_start (&fixture, NULL);
  make_masters_of (&fixture, "small.png");
  g_assert_cmpuint (count_files_ending (fixture.variant_dir, ".v"), ==, 0);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_renders_from_original_total"), ==, 3);
}

/* Masters and variants together within --variant-disk, on the books and
 * in the folder, while variants of three pictures pass. */
static void
test_within_disk_budget (void)
{
  g_auto(Fixture) fixture = { 0 };
  const guint64 budget = 3000000;
  g_autofree char *flag = g_strdup_printf ("--variant-disk=%" G_GUINT64_FORMAT, budget);
  static const char *const names[] = { "photo.jpg", "wide.jpg", "01.png" };

  fixture.folder = test_make_image_folder (1);
  write_photographs (fixture.folder);
  fixture_start (&fixture, flag, NULL);
  for (int i = 0; i < 24; i++)
    {
      g_autofree char *request = g_strdup_printf ("/img/%s/%dx%d.png", names[i % 3], 200 + i, 150 + i);

      get_ok (&fixture, request);
      g_assert_cmpfloat (metric (&fixture, "rndimg_variant_cache_disk_bytes"), <=, budget);
    }
  test_run_for (300);   /* the disk thread's last deletes */
  g_assert_cmpuint (folder_bytes (fixture.variant_dir), <=, budget);
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_bytes"), <=,
                     metric (&fixture, "rndimg_variant_cache_disk_bytes"));
  g_assert_cmpfloat (metric (&fixture, "rndimg_variant_masters_bytes"), >, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("libvips: %s", vips_error_buffer ());
  g_test_add_func ("/masters/quality-bound", test_quality_bound);
  g_test_add_func ("/masters/same-sizes-without-masters", test_same_sizes_without_masters);
  g_test_add_func ("/masters/made-once", test_made_once);
  g_test_add_func ("/masters/made-by-the-third-size", test_made_by_the_third_size);
  g_test_add_func ("/masters/found-after-restart", test_found_after_restart);
  g_test_add_func ("/masters/lost-master-made-again", test_lost_master_made_again);
  g_test_add_func ("/masters/gone-with-the-version", test_gone_with_the_version);
  g_test_add_func ("/masters/small-picture-has-none", test_small_picture_has_none);
  g_test_add_func ("/masters/within-disk-budget", test_within_disk_budget);
  test_add_answers_described ();
  return g_test_run ();
}
