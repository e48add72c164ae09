/* SPDX-License-Identifier: MIT */
/* Lorem Picsum's parameters, read as its code reads them: a size is digits
 * (a number too large is "Invalid size"), the extension is everything from
 * the dot on, in any case, .jpg by default or .webp; ?grayscale is there
 * or not; ?blur alone, or with anything that is no number, is 5, and any
 * number is taken, then checked (1 to 10); ?limit and ?page that are no
 * number, or below 1, are their defaults. The query is read as Go reads
 * one: '&'-separated pairs, '+' a space, a pair that does not unescape (or
 * holds a ';') dropped, the first value of a key taken. Also what Picsum
 * makes of a source larger than it serves (at most 5000 px a side) and the
 * file name it gives a picture. Text work only: no I/O, no libsoup. */
#include "rndimg-picsum-params.h"

#include <math.h>
#include <string.h>

void
rndimg_picsum_size_clear (RndimgPicsumSize *size)
{
  g_clear_pointer (&size->width, g_free);
  g_clear_pointer (&size->height, g_free);
  g_clear_pointer (&size->extension, g_free);
}

static gsize
digits_at (const char *text)
{
  return strspn (text, "0123456789");
}

gboolean
rndimg_picsum_match_size (const char *tail, RndimgPicsumSize *size)
{
  gsize width_digits = digits_at (tail);
  const char *after = tail + width_digits;
  gsize height_digits;

  *size = (RndimgPicsumSize) { 0 };
  if (width_digits == 0 || (*after != '\0' && *after != '.' && *after != '/'))
    return FALSE;
  size->width = g_strndup (tail, width_digits);
  if (*after == '/')
    {
      height_digits = digits_at (after + 1);
      if (height_digits == 0 || (after[1 + height_digits] != '\0' && after[1 + height_digits] != '.'))
        {
          rndimg_picsum_size_clear (size);
          return FALSE;
        }
      size->height = g_strndup (after + 1, height_digits);
      after += 1 + height_digits;
    }
  size->extension = g_strdup (after);
  return TRUE;
}

/* Go's strconv.Atoi: an optional sign and decimal digits, within 64 bits. */
static gboolean
parse_int (const char *text, gint64 *value)
{
  const char *digits;

  if (text == NULL)
    return FALSE;
  digits = *text == '+' || *text == '-' ? text + 1 : text;
  if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits))
    return FALSE;
  return g_ascii_string_to_signed (*text == '+' ? digits : text, 10, G_MININT64, G_MAXINT64, value, NULL);
}

RndimgPicsumProblem
rndimg_picsum_params_read_size (const RndimgPicsumSize *size, RndimgPicsumParams *params)
{
  g_autofree char *extension = g_ascii_strdown (size->extension, -1);
  gint64 width, height;

  if (!parse_int (size->width, &width) || (size->height != NULL && !parse_int (size->height, &height)))
    return RNDIMG_PICSUM_INVALID_SIZE;
  params->width = (guint64) width;
  params->height = size->height != NULL ? (guint64) height : (guint64) width;
  if (extension[0] == '\0' || g_str_equal (extension, ".jpg"))
    params->format = RNDIMG_FORMAT_JPEG;
  else if (g_str_equal (extension, ".webp"))
    params->format = RNDIMG_FORMAT_WEBP;
  else
    return RNDIMG_PICSUM_INVALID_EXTENSION;
  return RNDIMG_PICSUM_FINE;
}

/* Go's url.QueryUnescape; NULL when it does not unescape. */
static char *
query_unescape (const char *text, gsize length)
{
  g_autofree char *plus_as_space = g_strndup (text, length);

  g_strdelimit (plus_as_space, "+", ' ');
  return g_uri_unescape_string (plus_as_space, NULL);
}

/* The first value of @key in @raw_query (Go's Query().Get), or FALSE when
 * the key is not there. */
gboolean
rndimg_picsum_query_get (const char *raw_query, const char *key, char **value)
{
  g_auto(GStrv) pairs = g_strsplit (raw_query != NULL ? raw_query : "", "&", -1);

  for (char **pair = pairs; *pair != NULL; pair++)
    {
      const char *equals = strchr (*pair, '=');
      gsize key_length = equals != NULL ? (gsize) (equals - *pair) : strlen (*pair);
      g_autofree char *name = NULL;
      char *text;

      if (**pair == '\0' || strchr (*pair, ';') != NULL || (name = query_unescape (*pair, key_length)) == NULL)
        continue;
      text = equals != NULL ? query_unescape (equals + 1, strlen (equals + 1)) : g_strdup ("");
      if (text == NULL)
        continue;
      if (g_str_equal (name, key))
        {
          *value = text;
          return TRUE;
        }
      g_free (text);
    }
  return FALSE;
}

/* ?limit, ?page: a number of 1 or more, else @fallback. */
guint64
rndimg_picsum_query_number (const char *raw_query, const char *key, guint64 fallback)
{
  g_autofree char *text = NULL;
  gint64 value;

  if (!rndimg_picsum_query_get (raw_query, key, &text) || !parse_int (text, &value) || value < 1)
    return fallback;
  return (guint64) value;
}

void
rndimg_picsum_params_read_look (const char *raw_query, RndimgPicsumParams *params)
{
  g_autofree char *grayscale = NULL;
  g_autofree char *blur = NULL;

  params->grayscale = rndimg_picsum_query_get (raw_query, "grayscale", &grayscale);
  params->blur = rndimg_picsum_query_get (raw_query, "blur", &blur);
  if (params->blur && !parse_int (blur, &params->blur_amount))
    params->blur_amount = RNDIMG_PICSUM_DEFAULT_BLUR;
}

/* What Picsum checks once it has the picture: the sides asked and the blur. */
RndimgPicsumProblem
rndimg_picsum_params_check (const RndimgPicsumParams *params)
{
  if (params->width > RNDIMG_PICSUM_MAX_SIDE || params->height > RNDIMG_PICSUM_MAX_SIDE)
    return RNDIMG_PICSUM_INVALID_SIZE;
  if (params->blur && (params->blur_amount < 1 || params->blur_amount > RNDIMG_PICSUM_MAX_BLUR))
    return RNDIMG_PICSUM_INVALID_BLUR;
  return RNDIMG_PICSUM_FINE;
}

/* Picsum's words, which its clients may compare. */
const char *
rndimg_picsum_problem_message (RndimgPicsumProblem problem)
{
  switch (problem)
    {
    case RNDIMG_PICSUM_INVALID_SIZE:
      return "Invalid size";
    case RNDIMG_PICSUM_INVALID_EXTENSION:
      return "Invalid file extension";
    case RNDIMG_PICSUM_INVALID_BLUR:
      return "Invalid blur amount";
    case RNDIMG_PICSUM_FINE:
    default:
      return "";
    }
}

/* Ours, which say what is allowed. */
const char *
rndimg_picsum_problem_detail (RndimgPicsumProblem problem)
{
  switch (problem)
    {
    case RNDIMG_PICSUM_INVALID_SIZE:
      return "Invalid size: width and height are whole numbers from 0 (the picture's own) to 5000";
    case RNDIMG_PICSUM_INVALID_EXTENSION:
      return "Invalid file extension: .jpg (the default) or .webp";
    case RNDIMG_PICSUM_INVALID_BLUR:
      return "Invalid blur amount: a whole number from 1 to 10 (?blur alone is 5)";
    case RNDIMG_PICSUM_FINE:
    default:
      return "";
    }
}

/* Picsum serves its sources at most 5000 px a side: a larger picture is
 * scaled down to that, and that is the size it has for Picsum's clients
 * (info, list, a side of 0). 0 x 0 when the picture's size is unknown. */
void
rndimg_picsum_served_size (const RndimgPicture *picture, guint *width, guint *height)
{
  guint longest = MAX (picture->width, picture->height);
  double scale;

  *width = picture->width;
  *height = picture->height;
  if (longest <= RNDIMG_PICSUM_MAX_SIDE)
    return;
  scale = (double) RNDIMG_PICSUM_MAX_SIDE / longest;
  *width = MAX (1, (guint) lround (picture->width * scale));
  *height = MAX (1, (guint) lround (picture->height * scale));
}

/* The variant Picsum would make: @params' sides, a side of 0 the
 * picture's served one, cropped from the centre. */
void
rndimg_picsum_params_to_spec (const RndimgPicsumParams *params, const RndimgPicture *picture,
                              RndimgVariantSpec *spec)
{
  guint width, height;

  rndimg_picsum_served_size (picture, &width, &height);
  *spec = (RndimgVariantSpec) {
    .width = params->width != 0 ? (guint) params->width : width,
    .height = params->height != 0 ? (guint) params->height : height,
    .fit = RNDIMG_FIT_COVER,
    .crop = RNDIMG_CROP_CENTRE,
    .format = params->format,
    .grayscale = params->grayscale,
    .blur = params->blur ? (guint) params->blur_amount : 0,
  };
}

/* "237-200x300-blur_2-grayscale.jpg", as Picsum names its pictures. */
char *
rndimg_picsum_file_name (guint64 number, const RndimgVariantSpec *spec, RndimgFormat format)
{
  GString *name = g_string_new (NULL);

  g_string_append_printf (name, "%" G_GUINT64_FORMAT "-%ux%u", number, spec->width, spec->height);
  if (spec->blur != 0)
    g_string_append_printf (name, "-blur_%u", spec->blur);
  if (spec->grayscale)
    g_string_append (name, "-grayscale");
  g_string_append_printf (name, ".%s", rndimg_format_extension (format));
  return g_string_free (name, FALSE);
}
