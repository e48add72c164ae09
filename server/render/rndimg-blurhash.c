/* SPDX-License-Identifier: MIT */
/* BlurHash, written from the published algorithm (github.com/woltapp/
 * blurhash, "Algorithm.md"): the picture in linear light is projected
 * onto a few cosine products, the DC term kept as sRGB in 4 base-83
 * digits, the AC terms quantised to 19 levels each around a common
 * maximum. Reentrant: no static buffers, so it runs in worker threads.
 * The DC term is the average colour in linear light; it is also given
 * as "#rrggbb". */
#include "rndimg-blurhash.h"

#include <math.h>

static const char base83[] =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

void
rndimg_pixels_free (RndimgPixels *pixels)
{
  g_free (pixels->rgb);
  g_free (pixels);
}

static double
srgb_to_linear (guint8 value)
{
  double v = value / 255.0;

  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

static int
linear_to_srgb (double value)
{
  double v = CLAMP (value, 0.0, 1.0);

  return v <= 0.0031308 ? (int) (v * 12.92 * 255 + 0.5) : (int) ((1.055 * pow (v, 1 / 2.4) - 0.055) * 255 + 0.5);
}

static double
sign_pow (double value, double exponent)
{
  return copysign (pow (fabs (value), exponent), value);
}

static void
append_base83 (GString *out, guint value, guint digits)
{
  for (guint i = 1; i <= digits; i++)
    {
      guint divisor = 1;

      for (guint j = 0; j < digits - i; j++)
        divisor *= 83;
      g_string_append_c (out, base83[(value / divisor) % 83]);
    }
}

/* The factor of the cosine product (i, j), RGB in linear light. */
static void
component (const RndimgPixels *pixels, const double *linear, guint i, guint j, double factor[3])
{
  double normalisation = (i == 0 && j == 0) ? 1 : 2;
  double r = 0, g = 0, b = 0;

  for (guint y = 0; y < pixels->height; y++)
    {
      double basis_y = cos (G_PI * j * y / pixels->height);

      for (guint x = 0; x < pixels->width; x++)
        {
          double basis = normalisation * cos (G_PI * i * x / pixels->width) * basis_y;
          const double *p = linear + 3 * ((gsize) y * pixels->width + x);

          r += basis * p[0];
          g += basis * p[1];
          b += basis * p[2];
        }
    }
  factor[0] = r / ((double) pixels->width * pixels->height);
  factor[1] = g / ((double) pixels->width * pixels->height);
  factor[2] = b / ((double) pixels->width * pixels->height);
}

static guint
quantise_ac (double value, double maximum)
{
  return (guint) CLAMP (floor (sign_pow (value / maximum, 0.5) * 9 + 9.5), 0, 18);
}

/* Returns (transfer full) the BlurHash of @pixels with 1..9 components
 * each way, and fills @average_colour with "#rrggbb". */
char *
rndimg_blurhash_encode (const RndimgPixels *pixels, guint x_components, guint y_components,
                        char average_colour[8])
{
  gsize count = (gsize) pixels->width * pixels->height;
  g_autofree double *linear = g_new (double, count * 3);
  g_autofree double *factors = g_new0 (double, (gsize) x_components * y_components * 3);
  GString *out = g_string_new (NULL);
  double actual_maximum = 0, maximum = 1;
  guint ac_count = x_components * y_components - 1;

  g_return_val_if_fail (x_components >= 1 && x_components <= 9 && y_components >= 1 && y_components <= 9, NULL);
  for (gsize k = 0; k < count * 3; k++)
    linear[k] = srgb_to_linear (pixels->rgb[k]);
  for (guint j = 0; j < y_components; j++)
    for (guint i = 0; i < x_components; i++)
      component (pixels, linear, i, j, factors + 3 * (j * x_components + i));

  append_base83 (out, (x_components - 1) + (y_components - 1) * 9, 1);
  for (guint k = 3; k < (ac_count + 1) * 3; k++)
    actual_maximum = MAX (actual_maximum, fabs (factors[k]));
  if (ac_count > 0)
    {
      guint quantised = (guint) CLAMP (floor (actual_maximum * 166 - 0.5), 0, 82);

      maximum = (quantised + 1) / 166.0;
      append_base83 (out, quantised, 1);
    }
  else
    append_base83 (out, 0, 1);

  {
    int r = linear_to_srgb (factors[0]), g = linear_to_srgb (factors[1]), b = linear_to_srgb (factors[2]);

    append_base83 (out, ((guint) r << 16) + ((guint) g << 8) + (guint) b, 4);
    g_snprintf (average_colour, 8, "#%02x%02x%02x", r, g, b);
  }
  for (guint k = 1; k <= ac_count; k++)
    {
      const double *f = factors + 3 * k;

      append_base83 (out, quantise_ac (f[0], maximum) * 19 * 19 + quantise_ac (f[1], maximum) * 19 +
                     quantise_ac (f[2], maximum), 2);
    }
  return g_string_free (out, FALSE);
}
