/* SPDX-License-Identifier: MIT */
/* libFuzzer: the variant grammar (server/render/rndimg-variant.c). The
 * input is a size segment, then '?' and a raw query. Whatever is accepted
 * is within the limits, and its canonical spelling reads back to the same
 * variant and spells itself again (one URL per variant). */
#include "rndimg-variant.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
assert_within_limits (const RndimgVariantSpec *spec)
{
  g_assert_cmpuint (spec->width, <=, RNDIMG_VARIANT_MAX_SIDE);
  g_assert_cmpuint (spec->height, <=, RNDIMG_VARIANT_MAX_SIDE);
  g_assert_cmpuint ((guint64) spec->width * spec->height, <=, RNDIMG_VARIANT_MAX_PIXELS);
  g_assert_cmpuint (spec->blur, <=, RNDIMG_VARIANT_MAX_BLUR);
  g_assert_cmpuint (spec->quality, <=, 100);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  char *query = strchr (text, '?');
  RndimgVariantSpec spec, again;
  g_auto(RndimgVariantProblem) problem = { 0 };
  g_auto(RndimgVariantProblem) problem_again = { 0 };
  g_autofree char *canonical = NULL;
  g_autofree char *respelled = NULL;
  char *canonical_query;

  if (query != NULL)
    *query++ = '\0';
  if (!rndimg_variant_parse (text, query, &spec, &problem))
    {
      g_assert_nonnull (problem.parameter);
      g_assert_nonnull (problem.message);
      return 0;
    }
  assert_within_limits (&spec);
  canonical = rndimg_variant_canonical (&spec);
  canonical_query = strchr (canonical, '?');
  if (canonical_query != NULL)
    *canonical_query++ = '\0';
  g_assert_true (rndimg_variant_parse (canonical, canonical_query, &again, &problem_again));
  g_assert_true (memcmp (&spec, &again, sizeof spec) == 0);
  if (canonical_query != NULL)
    canonical_query[-1] = '?';
  respelled = rndimg_variant_canonical (&again);
  g_assert_cmpstr (respelled, ==, canonical);
  return 0;
}
