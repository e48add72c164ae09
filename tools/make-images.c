/* SPDX-License-Identifier: MIT */
/* make-images: draws the shipped catalogue data/img/01.png ... 051.png.
 *
 * Every picture is 400x400 and differs from its neighbours in background
 * colour, shape, rotation and the number drawn on it, so a person (and a
 * test looking at pixels) can tell at a glance that the picture changed.
 * The names follow the original tutorial: "0" followed by the number.
 *
 *   make-images OUTPUT_DIR [COUNT]
 */
#include <cairo.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>

#define IMAGE_SIZE 400
#define DEFAULT_COUNT 51

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
draw_background (cairo_t *cr, double hue)
{
  Rgb top = hsv_to_rgb (hue, 0.45, 0.95);
  Rgb bottom = hsv_to_rgb (hue + 25.0, 0.70, 0.65);
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, 0, IMAGE_SIZE, IMAGE_SIZE);

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
draw_shape (cairo_t *cr, int number, double hue)
{
  Rgb fill = hsv_to_rgb (hue + 180.0, 0.65, 0.85);
  double radius = 110.0 + (number * 37 % 50);

  cairo_save (cr);
  cairo_translate (cr, IMAGE_SIZE / 2.0, IMAGE_SIZE / 2.0);
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
draw_centered_text (cairo_t *cr, const char *text, double size, double y)
{
  cairo_text_extents_t extents;

  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, size);
  cairo_text_extents (cr, text, &extents);
  cairo_move_to (cr, (IMAGE_SIZE - extents.width) / 2 - extents.x_bearing,
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

  draw_background (cr, hue);
  draw_shape (cr, number, hue);
  draw_centered_text (cr, label, 150, IMAGE_SIZE / 2.0);
  draw_centered_text (cr, name, 28, IMAGE_SIZE - 30.0);
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

int
main (int argc, char **argv)
{
  int count = argc > 2 ? atoi (argv[2]) : DEFAULT_COUNT;

  if (argc < 2 || count < 1)
    {
      g_printerr ("usage: make-images OUTPUT_DIR [COUNT]\n");
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
