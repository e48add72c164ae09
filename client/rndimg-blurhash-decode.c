/* SPDX-License-Identifier: MIT */
/* A BlurHash (https://blurha.sh, the string the server computes once per
 * picture) made back into a small picture the viewer shows, scaled, in
 * the picture's place while the picture loads. The format: a size
 * character (components across and down), a quantised maximum, the
 * average colour in four base-83 digits, then two digits per cosine
 * component; the picture is their sum, in linear light. */
#include "rndimg-blurhash-decode.h"

#include <math.h>
#include <string.h>

#define MAX_COMPONENTS 9
#define MAX_SIDE 128   /* a placeholder is drawn scaled: no need for more */

static const char digits[] =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

/* The number in @length base-83 digits at @text; -1 for a stray character. */
static gint64
base83 (const char *text, guint length)
{
  gint64 value = 0;

  for (guint i = 0; i < length; i++)
    {
      const char *at = text[i] != '\0' ? strchr (digits, text[i]) : NULL;

      if (at == NULL)
        return -1;
      value = value * 83 + (at - digits);
    }
  return value;
}

static double
to_linear (guint value)
{
  double v = value / 255.0;

  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

static guint8
to_srgb (double linear)
{
  double v = CLAMP (linear, 0.0, 1.0);

  return (guint8) (v <= 0.0031308 ? v * 12.92 * 255 + 0.5 : (1.055 * pow (v, 1 / 2.4) - 0.055) * 255 + 0.5);
}

static double
signed_square (double value)
{
  return value < 0 ? -(value * value) : value * value;
}

/* Reads the colour components; returns how many, 0 when @blurhash is not one. */
static guint
read_components (const char *blurhash, double colours[][3], guint *across)
{
  gsize length = strlen (blurhash);
  gint64 size = length >= 6 ? base83 (blurhash, 1) : -1;
  gint64 dc, quantised;
  guint count;
  double maximum;

  if (size < 0)
    return 0;
  *across = (guint) (size % 9) + 1;
  count = *across * ((guint) (size / 9) + 1);
  if (length != 4 + 2 * (gsize) count || (quantised = base83 (blurhash + 1, 1)) < 0 ||
      (dc = base83 (blurhash + 2, 4)) < 0)
    return 0;
  maximum = (quantised + 1) / 166.0;
  colours[0][0] = to_linear ((dc >> 16) & 255);
  colours[0][1] = to_linear ((dc >> 8) & 255);
  colours[0][2] = to_linear (dc & 255);
  for (guint i = 1; i < count; i++)
    {
      gint64 ac = base83 (blurhash + 4 + 2 * i, 2);

      if (ac < 0 || ac >= 19 * 19 * 19)
        return 0;
      colours[i][0] = signed_square (((double) (ac / (19 * 19)) - 9) / 9) * maximum;
      colours[i][1] = signed_square (((double) ((ac / 19) % 19) - 9) / 9) * maximum;
      colours[i][2] = signed_square (((double) (ac % 19) - 9) / 9) * maximum;
    }
  return count;
}

/* Returns (transfer full) @width x @height pixels of packed 8-bit RGB
 * (each side 1 to 128), or NULL when @blurhash is not a BlurHash. */
guint8 *
rndimg_blurhash_decode (const char *blurhash, guint width, guint height)
{
  double colours[MAX_COMPONENTS * MAX_COMPONENTS][3];
  guint across = 0, count;
  guint8 *rgb;

  g_return_val_if_fail (blurhash != NULL, NULL);
  g_return_val_if_fail (width >= 1 && width <= MAX_SIDE && height >= 1 && height <= MAX_SIDE, NULL);

  if ((count = read_components (blurhash, colours, &across)) == 0)
    return NULL;
  rgb = g_malloc ((gsize) width * height * 3);
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        double pixel[3] = { 0, 0, 0 };

        for (guint c = 0; c < count; c++)
          {
            double basis = cos (G_PI * x * (c % across) / width) * cos (G_PI * y * (c / across) / height);

            for (guint k = 0; k < 3; k++)
              pixel[k] += colours[c][k] * basis;
          }
        for (guint k = 0; k < 3; k++)
          rgb[((gsize) y * width + x) * 3 + k] = to_srgb (pixel[k]);
      }
  return rgb;
}

/* Reads "#rrggbb" into @rgb; FALSE for anything else. */
gboolean
rndimg_colour_parse (const char *colour, guint8 rgb[3])
{
  if (colour == NULL || strlen (colour) != 7 || colour[0] != '#')
    return FALSE;
  for (guint k = 0; k < 3; k++)
    {
      int high = g_ascii_xdigit_value (colour[1 + 2 * k]), low = g_ascii_xdigit_value (colour[2 + 2 * k]);

      if (high < 0 || low < 0)
        return FALSE;
      rgb[k] = (guint8) (high * 16 + low);
    }
  return TRUE;
}
