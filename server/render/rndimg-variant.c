/* SPDX-License-Identifier: MIT */
/* A picture variant's spelling: the size segment of /img/NAME/VERSION/SIZE
 * ("300x200@2x.webp") and the query (fit, crop, q, grayscale, blur, dpr,
 * enlarge), read strictly into a RndimgVariantSpec, and the one canonical
 * spelling of a spec. Every refusal names the parameter and its range.
 * Pure text work: no I/O, no libvips (tests/fuzz/fuzz-variant.c). */
#include "rndimg-variant.h"

#include <string.h>

#define MAX_QUERY_BYTES 512
#define DEFAULT_BLUR 5

static const char *const format_names[] = { "auto", "jpg", "png", "webp", "avif" };
static const char *const fit_names[] = { "cover", "contain", "inside" };
static const char *const crop_names[] = { "centre", "attention", "entropy" };

void
rndimg_variant_problem_clear (RndimgVariantProblem *problem)
{
  g_clear_pointer (&problem->parameter, g_free);
  g_clear_pointer (&problem->message, g_free);
}

static gboolean G_GNUC_PRINTF (3, 4)
refuse (RndimgVariantProblem *problem, const char *parameter, const char *format, ...)
{
  va_list args;

  rndimg_variant_problem_clear (problem);
  va_start (args, format);
  problem->parameter = g_strdup (parameter);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  return FALSE;
}

/* Digits only, no sign, no leading zeros beyond "0", at most @max. */
static gboolean
parse_whole (const char *text, gsize length, guint max, guint *value)
{
  guint result = 0;

  if (length == 0 || length > 6 || (length > 1 && text[0] == '0'))
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      result = result * 10 + (guint) (text[i] - '0');
    }
  if (result > max)
    return FALSE;
  *value = result;
  return TRUE;
}

/* A device pixel ratio in hundredths: "2" -> 200, "1.5" -> 150. */
static gboolean
parse_dpr (const char *text, gsize length, guint *hundredths)
{
  const char *dot = memchr (text, '.', length);
  gsize whole_length = dot != NULL ? (gsize) (dot - text) : length;
  gsize fraction_length = dot != NULL ? length - whole_length - 1 : 0;
  guint whole, fraction = 0;

  if (!parse_whole (text, whole_length, RNDIMG_VARIANT_MAX_DPR, &whole))
    return FALSE;
  if (dot != NULL)
    {
      if (fraction_length == 0 || fraction_length > 2)
        return FALSE;
      for (gsize i = 0; i < fraction_length; i++)
        if (!g_ascii_isdigit (dot[1 + i]))
          return FALSE;
      fraction = (guint) (dot[1] - '0') * 10 + (fraction_length == 2 ? (guint) (dot[2] - '0') : 0);
    }
  *hundredths = whole * 100 + fraction;
  return *hundredths >= 100 && *hundredths <= RNDIMG_VARIANT_MAX_DPR * 100;
}

static int
find_name (const char *const *names, gsize n_names, const char *value)
{
  for (gsize i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], value) == 0)
      return (int) i;
  return -1;
}

gboolean
rndimg_format_from_name (const char *name, RndimgFormat *format)
{
  int found = find_name (format_names, G_N_ELEMENTS (format_names), name);

  if (g_strcmp0 (name, "jpeg") == 0)
    found = RNDIMG_FORMAT_JPEG;
  if (found < 0)
    return FALSE;
  *format = (RndimgFormat) found;
  return TRUE;
}

const char *
rndimg_format_extension (RndimgFormat format)
{
  return format_names[format];
}

const char *
rndimg_format_content_type (RndimgFormat format)
{
  static const char *const types[] = { NULL, "image/jpeg", "image/png", "image/webp", "image/avif" };

  return types[format];
}

guint
rndimg_format_default_quality (RndimgFormat format)
{
  static const guint qualities[] = { 0, 80, 0, 75, 50 };

  return qualities[format];
}

/* Parsing state: what the size segment and the query said. */
typedef struct {
  guint dpr_hundredths;
  gboolean dpr_in_path;
  gboolean crop_given;
  gboolean enlarge_given;
} Spelling;

static gboolean
has_digit (const char *text)
{
  for (; *text != '\0'; text++)
    if (g_ascii_isdigit (*text))
      return TRUE;
  return FALSE;
}

/* "WxH[@Dx][.ext]": the extension is the text after the last dot when it
 * has no digit (the dot of "@1.5x" is a decimal point). */
static gboolean
parse_size_segment (const char *segment, RndimgVariantSpec *spec, Spelling *spelling,
                    RndimgVariantProblem *problem)
{
  g_autofree char *size = g_strdup (segment);
  char *dot = strrchr (size, '.');
  char *at, *x;

  if (dot != NULL && !has_digit (dot + 1))
    {
      if (!rndimg_format_from_name (dot + 1, &spec->format) || spec->format == RNDIMG_FORMAT_AUTO)
        return refuse (problem, "format", "the format must be jpg, png, webp or avif (none: chosen from Accept)");
      *dot = '\0';
    }
  if ((at = strchr (size, '@')) != NULL)
    {
      gsize dpr_length = strlen (at + 1);

      *at = '\0';
      if (dpr_length < 2 || at[dpr_length] != 'x' ||
          !parse_dpr (at + 1, dpr_length - 1, &spelling->dpr_hundredths))
        return refuse (problem, "dpr", "the device pixel ratio must be @1x to @%dx (up to two decimals)",
                       RNDIMG_VARIANT_MAX_DPR);
      spelling->dpr_in_path = TRUE;
    }
  if ((x = strchr (size, 'x')) == NULL)
    return refuse (problem, "size", "the size must be WIDTHxHEIGHT (0 for a side that follows the picture's aspect), "
                   "optionally @DPRx and .jpg, .png, .webp or .avif");
  if (!parse_whole (size, (gsize) (x - size), RNDIMG_VARIANT_MAX_SIDE, &spec->width))
    return refuse (problem, "width", "width must be a whole number from 0 to %d", RNDIMG_VARIANT_MAX_SIDE);
  if (!parse_whole (x + 1, strlen (x + 1), RNDIMG_VARIANT_MAX_SIDE, &spec->height))
    return refuse (problem, "height", "height must be a whole number from 0 to %d", RNDIMG_VARIANT_MAX_SIDE);
  return TRUE;
}

static gboolean
parse_switch (const char *value, gboolean *on)
{
  if (value == NULL || g_str_equal (value, "1") || g_str_equal (value, "true"))
    *on = TRUE;
  else if (g_str_equal (value, "0") || g_str_equal (value, "false"))
    *on = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
apply_parameter (const char *key, const char *value, RndimgVariantSpec *spec, Spelling *spelling,
                 RndimgVariantProblem *problem)
{
  int found;

  if (g_str_equal (key, "fit"))
    {
      if ((found = find_name (fit_names, G_N_ELEMENTS (fit_names), value)) < 0)
        return refuse (problem, "fit", "fit must be cover, contain or inside");
      spec->fit = (RndimgFit) found;
    }
  else if (g_str_equal (key, "crop"))
    {
      found = find_name (crop_names, G_N_ELEMENTS (crop_names), value);
      if (g_strcmp0 (value, "center") == 0)
        found = RNDIMG_CROP_CENTRE;
      if (found < 0)
        return refuse (problem, "crop", "crop must be centre, attention or entropy");
      spec->crop = (RndimgCrop) found;
      spelling->crop_given = TRUE;
    }
  else if (g_str_equal (key, "q"))
    {
      if (value == NULL || !parse_whole (value, strlen (value), 100, &spec->quality) || spec->quality == 0)
        return refuse (problem, "q", "q (quality) must be a whole number from 1 to 100");
    }
  else if (g_str_equal (key, "grayscale") || g_str_equal (key, "greyscale"))
    {
      if (!parse_switch (value, &spec->grayscale))
        return refuse (problem, "grayscale", "grayscale takes no value, or 1, true, 0 or false");
    }
  else if (g_str_equal (key, "blur"))
    {
      spec->blur = DEFAULT_BLUR;
      if (value != NULL && (!parse_whole (value, strlen (value), RNDIMG_VARIANT_MAX_BLUR, &spec->blur) || spec->blur == 0))
        return refuse (problem, "blur", "blur must be a whole number from 1 to %d (no value: %d)",
                       RNDIMG_VARIANT_MAX_BLUR, DEFAULT_BLUR);
    }
  else if (g_str_equal (key, "dpr"))
    {
      if (spelling->dpr_in_path || value == NULL || !parse_dpr (value, strlen (value), &spelling->dpr_hundredths))
        return refuse (problem, "dpr", "dpr must be from 1 to %d (up to two decimals), given once",
                       RNDIMG_VARIANT_MAX_DPR);
    }
  else if (g_str_equal (key, "enlarge"))
    {
      if (!parse_switch (value, &spec->enlarge))
        return refuse (problem, "enlarge", "enlarge takes no value, or 1, true, 0 or false");
      spelling->enlarge_given = TRUE;
    }
  else
    return refuse (problem, key, "unknown parameter; the known are fit, crop, q, grayscale, blur, dpr and enlarge");
  return TRUE;
}

/* "a=1&b&c=2": each key once, each piece percent-decoded. */
static gboolean
parse_query (const char *raw_query, RndimgVariantSpec *spec, Spelling *spelling, RndimgVariantProblem *problem)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) pieces = NULL;

  if (raw_query == NULL || *raw_query == '\0')
    return TRUE;
  if (strlen (raw_query) > MAX_QUERY_BYTES)
    return refuse (problem, "query", "the query must be at most %d bytes", MAX_QUERY_BYTES);
  pieces = g_strsplit (raw_query, "&", -1);
  for (char **piece = pieces; *piece != NULL; piece++)
    {
      char *equals = strchr (*piece, '=');
      g_autofree char *key = g_uri_unescape_segment (*piece, equals, NULL);
      g_autofree char *value = equals != NULL ? g_uri_unescape_string (equals + 1, NULL) : NULL;

      if (**piece == '\0')
        continue;
      if (key == NULL || (equals != NULL && value == NULL) || !g_utf8_validate (key, -1, NULL))
        return refuse (problem, "query", "the query is not well-formed percent-encoded text");
      if (g_hash_table_contains (seen, key))
        return refuse (problem, key, "each parameter may be given once");
      if (!apply_parameter (key, value, spec, spelling, problem))
        return FALSE;
      g_hash_table_add (seen, g_steal_pointer (&key));
    }
  return TRUE;
}

static guint
scale (guint side, guint dpr_hundredths)
{
  return (guint) (((guint64) side * dpr_hundredths + 50) / 100);
}

gboolean
rndimg_variant_check_limits (const RndimgVariantSpec *spec, RndimgVariantProblem *problem)
{
  if (spec->width > RNDIMG_VARIANT_MAX_SIDE)
    return refuse (problem, "width", "width times dpr must be at most %d", RNDIMG_VARIANT_MAX_SIDE);
  if (spec->height > RNDIMG_VARIANT_MAX_SIDE)
    return refuse (problem, "height", "height times dpr must be at most %d", RNDIMG_VARIANT_MAX_SIDE);
  if ((guint64) spec->width * spec->height > RNDIMG_VARIANT_MAX_PIXELS)
    return refuse (problem, "size", "width times height must be at most %d pixels", RNDIMG_VARIANT_MAX_PIXELS);
  return TRUE;
}

/* Reads a variant from its size segment and raw (still encoded) query. */
gboolean
rndimg_variant_parse (const char *size_segment, const char *raw_query, RndimgVariantSpec *spec,
                      RndimgVariantProblem *problem)
{
  Spelling spelling = { .dpr_hundredths = 100 };

  *spec = (RndimgVariantSpec) { 0 };
  if (!parse_size_segment (size_segment, spec, &spelling, problem) ||
      !parse_query (raw_query, spec, &spelling, problem))
    return FALSE;
  if (spelling.crop_given && spec->fit != RNDIMG_FIT_COVER)
    return refuse (problem, "crop", "crop applies to fit=cover only");
  if (spelling.enlarge_given && spec->fit != RNDIMG_FIT_INSIDE)
    return refuse (problem, "enlarge", "enlarge applies to fit=inside only (cover and contain always fill the box)");
  spec->width = scale (spec->width, spelling.dpr_hundredths);
  spec->height = scale (spec->height, spelling.dpr_hundredths);
  if (spec->quality != 0 && spec->quality == rndimg_format_default_quality (spec->format))
    spec->quality = 0;
  return rndimg_variant_check_limits (spec, problem);
}

/* The one spelling of @spec: "300x200.webp?fit=inside&grayscale". */
char *
rndimg_variant_canonical (const RndimgVariantSpec *spec)
{
  GString *text = g_string_new (NULL);
  char separator = '?';

  g_string_append_printf (text, "%ux%u", spec->width, spec->height);
  if (spec->format != RNDIMG_FORMAT_AUTO)
    g_string_append_printf (text, ".%s", format_names[spec->format]);
#define ADD(...) (g_string_append_c (text, separator), g_string_append_printf (text, __VA_ARGS__), separator = '&')
  if (spec->fit != RNDIMG_FIT_COVER)
    ADD ("fit=%s", fit_names[spec->fit]);
  if (spec->fit == RNDIMG_FIT_COVER && spec->crop != RNDIMG_CROP_CENTRE)
    ADD ("crop=%s", crop_names[spec->crop]);
  if (spec->quality != 0)
    ADD ("q=%u", spec->quality);
  if (spec->grayscale)
    ADD ("grayscale");
  if (spec->blur != 0)
    ADD ("blur=%u", spec->blur);
  if (spec->fit == RNDIMG_FIT_INSIDE && spec->enlarge)
    ADD ("enlarge");
#undef ADD
  return g_string_free (text, FALSE);
}

/* /img/NAME/VERSION/CANONICAL */
char *
rndimg_variant_canonical_path (const char *name, const char *version, const RndimgVariantSpec *spec)
{
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *canonical = rndimg_variant_canonical (spec);

  return g_strdup_printf ("/img/%s/%s/%s", escaped, version, canonical);
}
