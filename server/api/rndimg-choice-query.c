/* SPDX-License-Identifier: MIT */
/* The choice parameters of GET /polling/api/v1.0/rndimg: album, count,
 * seed, orientation and exclude. Each is checked before anything is
 * drawn; a bad one is a 400 naming the parameter and what it takes, an
 * unknown album a 404 naming the album. */
#include "rndimg-choice-query.h"
#include "rndimg-http.h"

#include <string.h>

void
rndimg_choice_query_clear (RndimgChoiceQuery *choice)
{
  g_clear_pointer (&choice->albums, g_strfreev);
  g_clear_pointer (&choice->seed, g_free);
  g_clear_pointer (&choice->excluded, g_hash_table_unref);
}

/* Nothing but the tutorial's one exclude: the answer can be the kept one. */
gboolean
rndimg_choice_query_is_plain (RndimgExchange *exchange, GHashTable *query)
{
  static const char *const parameters[] = { "album", "count", "seed", "orientation" };
  const char *exclude = query != NULL ? g_hash_table_lookup (query, "exclude") : NULL;

  if (query == NULL)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (parameters); i++)
    if (g_hash_table_contains (query, parameters[i]))
      return FALSE;
  return exclude == NULL || (strchr (exclude, ',') == NULL && !rndimg_http_query_value_has_nul (exchange, "exclude"));
}

/* "dogs,cats/tabby": up to RNDIMG_CHOICE_MAX_ALBUMS valid album names;
 * NULL with a 400 sent when not. */
GStrv
rndimg_choice_query_parse_albums (RndimgExchange *exchange, const char *text)
{
  g_auto(GStrv) albums = g_strsplit (text, ",", RNDIMG_CHOICE_MAX_ALBUMS + 1);
  guint count = g_strv_length (albums);

  for (guint i = 0; i < count; i++)
    if (!rndimg_album_name_is_valid (albums[i]))
      {
        rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                                "album must be album names separated by commas, each one or two "
                                "segments (dogs, dogs/puppies) of lower-case letters, digits, '-' and '_', "
                                "at most 64 bytes a segment");
        return NULL;
      }
  if (count == 0 || count > RNDIMG_CHOICE_MAX_ALBUMS)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "album takes from 1 to %d album names",
                              RNDIMG_CHOICE_MAX_ALBUMS);
      return NULL;
    }
  return g_steal_pointer (&albums);
}

static gboolean
parse_excluded (RndimgExchange *exchange, const char *text, RndimgChoiceQuery *choice)
{
  g_auto(GStrv) names = g_strsplit (text, ",", RNDIMG_CATALOGUE_MAX_EXCLUDED + 1);

  if (g_strv_length (names) > RNDIMG_CATALOGUE_MAX_EXCLUDED)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "exclude takes at most %d names",
                              RNDIMG_CATALOGUE_MAX_EXCLUDED);
      return FALSE;
    }
  choice->excluded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!rndimg_catalogue_name_is_valid (names[i]))
        {
          rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST,
                                  "exclude must be picture names separated by commas, like 023.png or dogs/001.png");
          return FALSE;
        }
      g_hash_table_add (choice->excluded, g_strdup (names[i]));
    }
  return TRUE;
}

static gboolean
parse_count (RndimgExchange *exchange, const char *text, RndimgChoiceQuery *choice)
{
  guint64 count;

  if (!rndimg_http_parse_number (text, 1, RNDIMG_CHOICE_MAX_COUNT, &count))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "count must be a whole number from 1 to %d",
                              RNDIMG_CHOICE_MAX_COUNT);
      return FALSE;
    }
  choice->count = (guint) count;
  choice->count_given = TRUE;
  return TRUE;
}

static gboolean
parse_seed (RndimgExchange *exchange, const char *text, RndimgChoiceQuery *choice)
{
  if (text[0] == '\0' || strlen (text) > RNDIMG_CHOICE_MAX_SEED_BYTES || !g_utf8_validate (text, -1, NULL))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "seed must be 1 to %d bytes of UTF-8 text",
                              RNDIMG_CHOICE_MAX_SEED_BYTES);
      return FALSE;
    }
  choice->seed = g_strdup (text);
  return TRUE;
}

/* Fills @choice from @query; FALSE with a 400 sent for a bad parameter. */
gboolean
rndimg_choice_query_parse (RndimgExchange *exchange, GHashTable *query, RndimgChoiceQuery *choice)
{
  const char *album = query != NULL ? g_hash_table_lookup (query, "album") : NULL;
  const char *count = query != NULL ? g_hash_table_lookup (query, "count") : NULL;
  const char *seed = query != NULL ? g_hash_table_lookup (query, "seed") : NULL;
  const char *orientation = query != NULL ? g_hash_table_lookup (query, "orientation") : NULL;
  const char *exclude = query != NULL ? g_hash_table_lookup (query, "exclude") : NULL;

  static const char *const names[] = { "album", "count", "seed", "orientation", "exclude" };

  *choice = (RndimgChoiceQuery) { .count = 1 };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (rndimg_http_query_value_has_nul (exchange, names[i]))
      {
        rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "%s must not contain NUL (%%00)", names[i]);
        return FALSE;
      }
  if (album != NULL && (choice->albums = rndimg_choice_query_parse_albums (exchange, album)) == NULL)
    return FALSE;
  if (count != NULL && !parse_count (exchange, count, choice))
    return FALSE;
  if (seed != NULL && !parse_seed (exchange, seed, choice))
    return FALSE;
  if (orientation != NULL && !rndimg_orientation_from_string (orientation, &choice->orientation))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_BAD_REQUEST, "orientation must be landscape, portrait or square");
      return FALSE;
    }
  return exclude == NULL || parse_excluded (exchange, exclude, choice);
}

/* Returns (transfer full) the pictures @choice draws, at least one; NULL
 * with the answer sent (404: an unknown album or no picture matches, 503:
 * an empty catalogue). */
GPtrArray *
rndimg_choice_query_choose (RndimgExchange *exchange, RndimgCatalogue *catalogue, const RndimgChoiceQuery *choice)
{
  return rndimg_choice_query_choose_for (exchange, catalogue, NULL, choice);
}

/* rndimg_choice_query_choose() among the albums @access (NULL: anyone)
 * may see: a private album is named only by a reader. */
GPtrArray *
rndimg_choice_query_choose_for (RndimgExchange *exchange, RndimgCatalogue *catalogue, const RndimgAccess *access,
                                const RndimgChoiceQuery *choice)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) picked = rndimg_catalogue_choose_for (catalogue, access, (const char *const *) choice->albums,
                                                             choice->orientation, choice->seed, choice->excluded,
                                                             choice->count, &error);

  if (picked == NULL)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "%s", error->message);
      return NULL;
    }
  if (picked->len == 0 && rndimg_catalogue_get_count (catalogue) == 0)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_SERVICE_UNAVAILABLE, "the image folder is empty");
      return NULL;
    }
  if (picked->len == 0)
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no picture matches the album, orientation and exclude asked for");
      return NULL;
    }
  return g_steal_pointer (&picked);
}
