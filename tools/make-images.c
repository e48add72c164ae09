/* SPDX-License-Identifier: MIT */
/* make-images: draws the shipped catalogue data/img/01.png ... 051.png,
 * and with --albums the shipped albums beside them.
 *
 * Every picture differs from its neighbours in background colour, shape,
 * rotation and the number drawn on it, so a person (and a test looking at
 * pixels) can tell at a glance that the picture changed. The tutorial's
 * pictures are 400x400 and named "0" followed by the number. The albums
 * (landscapes, portraits, squares and squares/small) hold pictures of
 * that shape in PNG and JPEG, each album with an info.json giving every
 * picture an alt text in English and Persian.
 *
 *   make-images OUTPUT_DIR [COUNT]
 *   make-images --albums OUTPUT_DIR
 */
#include <cairo.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

#define IMAGE_SIZE 400
#define DEFAULT_COUNT 51
#define JPEG_QUALITY 85

typedef struct { double r, g, b; } Rgb;

static Rgb
hsv_to_rgb (double h, double s, double v)
{
  double c = v * s;
  double hp = fmod (h, 360.0) / 60.0;
  double x = c * (1.0 - fabs (fmod (hp, 2.0) - 1.0));
  double m = v - c;
  Rgb rgb = { 0, 0, 0 };

  if (hp < 1)      rgb = (Rgb) { c, x, 0 };
  else if (hp < 2) rgb = (Rgb) { x, c, 0 };
  else if (hp < 3) rgb = (Rgb) { 0, c, x };
  else if (hp < 4) rgb = (Rgb) { 0, x, c };
  else if (hp < 5) rgb = (Rgb) { x, 0, c };
  else             rgb = (Rgb) { c, 0, x };

  return (Rgb) { rgb.r + m, rgb.g + m, rgb.b + m };
}

static void
draw_background (cairo_t *cr, double hue, int width, int height)
{
  Rgb top = hsv_to_rgb (hue, 0.45, 0.95);
  Rgb bottom = hsv_to_rgb (hue + 25.0, 0.70, 0.65);
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, 0, width, height);

  cairo_pattern_add_color_stop_rgb (gradient, 0, top.r, top.g, top.b);
  cairo_pattern_add_color_stop_rgb (gradient, 1, bottom.r, bottom.g, bottom.b);
  cairo_set_source (cr, gradient);
  cairo_paint (cr);
  cairo_pattern_destroy (gradient);
}

static void
polygon_path (cairo_t *cr, int corners, double outer, double inner)
{
  int points = inner > 0 ? corners * 2 : corners;

  for (int k = 0; k < points; k++)
    {
      double radius = (inner > 0 && k % 2) ? inner : outer;
      double angle = -G_PI / 2 + k * 2 * G_PI / points;
      cairo_line_to (cr, radius * cos (angle), radius * sin (angle));
    }
  cairo_close_path (cr);
}

static void
shape_path (cairo_t *cr, int kind, double radius)
{
  switch (kind)
    {
    case 0: cairo_arc (cr, 0, 0, radius, 0, 2 * G_PI); break;
    case 1: cairo_rectangle (cr, -radius * 0.8, -radius * 0.8, radius * 1.6, radius * 1.6); break;
    case 2: polygon_path (cr, 3, radius, 0); break;
    case 3: polygon_path (cr, 4, radius, 0); break;
    case 4: polygon_path (cr, 6, radius, 0); break;
    case 5: polygon_path (cr, 5, radius, radius * 0.45); break;
    default:
      cairo_arc (cr, 0, 0, radius, 0, 2 * G_PI);
      cairo_new_sub_path (cr);
      cairo_arc_negative (cr, 0, 0, radius * 0.6, 2 * G_PI, 0);
      break;
    }
}

static void
draw_shape (cairo_t *cr, int number, double hue, int width, int height)
{
  Rgb fill = hsv_to_rgb (hue + 180.0, 0.65, 0.85);
  double radius = (110.0 + (number * 37 % 50)) * MIN (width, height) / IMAGE_SIZE;

  cairo_save (cr);
  cairo_translate (cr, width / 2.0, height / 2.0);
  cairo_rotate (cr, (number * 23 % 90) * G_PI / 180.0);
  shape_path (cr, number % 7, radius);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_set_source_rgba (cr, fill.r, fill.g, fill.b, 0.9);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 6);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_centered_text (cairo_t *cr, const char *text, double size, double y, int width)
{
  cairo_text_extents_t extents;

  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, size);
  cairo_text_extents (cr, text, &extents);
  cairo_move_to (cr, (width - extents.width) / 2 - extents.x_bearing,
                 y - extents.height / 2 - extents.y_bearing);
  cairo_text_path (cr, text);
  cairo_set_line_width (cr, size / 12);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.12);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);
}

static gboolean
make_image (const char *dir, int number)
{
  g_autofree char *name = g_strdup_printf ("0%d.png", number);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *label = g_strdup_printf ("%d", number);
  double hue = fmod (number * 137.508, 360.0);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, IMAGE_SIZE, IMAGE_SIZE);
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  draw_background (cr, hue, IMAGE_SIZE, IMAGE_SIZE);
  draw_shape (cr, number, hue, IMAGE_SIZE, IMAGE_SIZE);
  draw_centered_text (cr, label, 150, IMAGE_SIZE / 2.0, IMAGE_SIZE);
  draw_centered_text (cr, name, 28, IMAGE_SIZE - 30.0, IMAGE_SIZE);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_printerr ("make-images: cannot write %s: %s\n", path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* The names shape_path() draws, by kind, in English and Persian. */
static const char *const shape_names[][2] = {
  { "circle", "دایره" },
  { "square", "مربع" },
  { "triangle", "مثلث" },
  { "diamond", "لوزی" },
  { "hexagon", "شش‌ضلعی" },
  { "star", "ستاره" },
  { "ring", "حلقه" },
};

static const char *const colour_names[][2] = {
  { "red", "قرمز" },
  { "orange", "نارنجی" },
  { "yellow", "زرد" },
  { "green", "سبز" },
  { "teal", "فیروزه‌ای" },
  { "blue", "آبی" },
  { "purple", "بنفش" },
  { "pink", "صورتی" },
};

static const char *const *
colour_name (double hue)
{
  static const double starts[] = { 15, 45, 70, 160, 190, 250, 290, 340 };   /* where each name ends */
  double h = fmod (hue, 360.0);

  for (gsize i = 0; i < G_N_ELEMENTS (starts); i++)
    if (h < starts[i])
      return colour_names[i];
  return colour_names[0];
}

typedef struct {
  const char *album;
  const char *title[2];        /* English, Persian: "Landscape 3" */
  int width, height, count, first_number;
  const char *name;            /* the album's, for dog.ceo's breed information */
} Album;

static const char *
article (const char *word)
{
  return strchr ("aeiou", word[0]) != NULL ? "an" : "a";
}

/* @n (1..9) as a Persian digit. */
static const char *
persian_digit (int n)
{
  static const char *const digits[] = { "۰", "۱", "۲", "۳", "۴", "۵", "۶", "۷",
                                        "۸", "۹" };

  return digits[CLAMP (n, 0, 9)];
}

static const Album albums[] = {
  { "landscapes", { "Landscape", "تصویر افقی" }, 640, 400, 4, 101, "Landscapes" },
  { "portraits", { "Portrait", "تصویر عمودی" }, 300, 480, 4, 201, "Portraits" },
  { "squares", { "Square", "تصویر مربع" }, 360, 360, 4, 301, "Squares" },
  { "squares/small", { "Small square", "تصویر مربع کوچک" }, 160, 160, 2, 401, "Small squares" },
};

static gboolean
write_jpeg (cairo_surface_t *surface, const char *path)
{
  struct jpeg_compress_struct jpeg;
  struct jpeg_error_mgr errors;
  int width = cairo_image_surface_get_width (surface), height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  g_autofree guint8 *row = g_malloc ((gsize) width * 3);
  FILE *file = fopen (path, "wb");

  if (file == NULL)
    return FALSE;
  jpeg.err = jpeg_std_error (&errors);
  jpeg_create_compress (&jpeg);
  jpeg_stdio_dest (&jpeg, file);
  jpeg.image_width = (JDIMENSION) width;
  jpeg.image_height = (JDIMENSION) height;
  jpeg.input_components = 3;
  jpeg.in_color_space = JCS_RGB;
  jpeg_set_defaults (&jpeg);
  jpeg_set_quality (&jpeg, JPEG_QUALITY, TRUE);
  jpeg_start_compress (&jpeg, TRUE);
  for (int y = 0; y < height; y++)
    {
      /* cairo's RGB24 is a native-endian 32-bit xRGB word per pixel. */
      const guint32 *pixels = (const guint32 *) (data + (gsize) y * stride);
      JSAMPROW rows[1] = { row };

      for (int x = 0; x < width; x++)
        {
          row[x * 3] = (pixels[x] >> 16) & 0xff;
          row[x * 3 + 1] = (pixels[x] >> 8) & 0xff;
          row[x * 3 + 2] = pixels[x] & 0xff;
        }
      jpeg_write_scanlines (&jpeg, rows, 1);
    }
  jpeg_finish_compress (&jpeg);
  jpeg_destroy_compress (&jpeg);
  return fclose (file) == 0;
}

/* Draws picture @index of @album (PNG for even, JPEG for odd) and adds
 * its alt texts to @pictures (the info.json's "pictures" object). */
static gboolean
make_album_picture (const char *folder, const Album *album, int index, JsonBuilder *pictures)
{
  int number = album->first_number + index;
  const char *extension = index % 2 == 0 ? "png" : "jpg";
  g_autofree char *stem = g_strdelimit (g_strdup (album->album), "/", '-');
  g_autofree char *name = g_strdup_printf ("%s-%d.%s", stem, index + 1, extension);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autofree char *label = g_strdup_printf ("%d", index + 1);
  double hue = fmod (number * 137.508, 360.0);
  const char *const *shape = shape_names[number % 7];
  const char *const *fill = colour_name (hue + 180.0);
  const char *const *ground = colour_name (hue);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, album->width, album->height);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *alt = NULL;
  g_autofree char *alt_fa = NULL;
  gboolean written;

  draw_background (cr, hue, album->width, album->height);
  draw_shape (cr, number, hue, album->width, album->height);
  draw_centered_text (cr, label, MIN (album->width, album->height) * 0.35, album->height / 2.0, album->width);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  written = index % 2 == 0 ? cairo_surface_write_to_png (surface, path) == CAIRO_STATUS_SUCCESS
                           : write_jpeg (surface, path);
  cairo_surface_destroy (surface);
  if (!written)
    {
      g_printerr ("make-images: cannot write %s\n", path);
      return FALSE;
    }
  alt = g_strdup_printf ("%s %d: %s %s %s with the number %d on %s %s background", album->title[0], index + 1,
                         article (fill[0]), fill[0], shape[0], index + 1, article (ground[0]), ground[0]);
  /* Persian digits and word order: "<title> <n>: <shape> <colour> با عدد <n> روی زمینه‌ای <colour>". */
  alt_fa = g_strdup_printf ("%s %s: %s %s با عدد %s روی "
                            "زمینه‌ای %s",
                            album->title[1], persian_digit (index + 1), shape[1], fill[1], persian_digit (index + 1),
                            ground[1]);
  json_builder_set_member_name (pictures, name);
  json_builder_begin_object (pictures);
  json_builder_set_member_name (pictures, "alt");
  json_builder_add_string_value (pictures, alt);
  json_builder_set_member_name (pictures, "alt_by_language");
  json_builder_begin_object (pictures);
  json_builder_set_member_name (pictures, "fa");
  json_builder_add_string_value (pictures, alt_fa);
  json_builder_end_object (pictures);
  json_builder_set_member_name (pictures, "author");
  json_builder_add_string_value (pictures, "rndimg tools/make-images.c");
  json_builder_set_member_name (pictures, "license");
  json_builder_add_string_value (pictures, "MIT");
  json_builder_end_object (pictures);
  return TRUE;
}

static gboolean
make_album (const char *dir, const Album *album)
{
  g_autofree char *folder = g_build_filename (dir, album->album, NULL);
  g_autofree char *info_path = g_build_filename (folder, "info.json", NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *album_info = g_strdup_printf ("%d pictures of %d by %d pixels, each a shape and its number on a "
                                                 "coloured background, drawn by tools/make-images.c.",
                                                 album->count, album->width, album->height);

  if (g_mkdir_with_parents (folder, 0755) != 0)
    return FALSE;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "album");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, album->name);
  json_builder_set_member_name (builder, "info");
  json_builder_add_string_value (builder, album_info);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "pictures");
  json_builder_begin_object (builder);
  for (int index = 0; index < album->count; index++)
    if (!make_album_picture (folder, album, index, builder))
      return FALSE;
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  if (!json_generator_to_file (generator, info_path, &error))
    {
      g_printerr ("make-images: cannot write %s: %s\n", info_path, error->message);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  gboolean only_albums = argc > 1 && g_str_equal (argv[1], "--albums");
  int count;

  if (only_albums)
    {
      for (gsize i = 0; argc > 2 && i < G_N_ELEMENTS (albums); i++)
        if (!make_album (argv[2], &albums[i]))
          return 1;
      return argc > 2 ? 0 : 2;
    }
  count = argc > 2 ? atoi (argv[2]) : DEFAULT_COUNT;
  if (argc < 2 || count < 1)
    {
      g_printerr ("usage: make-images OUTPUT_DIR [COUNT]\n       make-images --albums OUTPUT_DIR\n");
      return 2;
    }
  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    {
      g_printerr ("make-images: cannot create %s\n", argv[1]);
      return 1;
    }
  for (int number = 1; number <= count; number++)
    if (!make_image (argv[1], number))
      return 1;
  return 0;
}
