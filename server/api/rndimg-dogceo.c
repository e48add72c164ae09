/* SPDX-License-Identifier: MIT */
/* dog.ceo's routes, every one of its controller's, as its code answers
 * them, so code written for dog.ceo works by changing only the host:
 * albums are breeds, sub-albums sub-breeds, each route also without /api:
 *
 *   /api/breeds/list/all[/random[/N]]            breeds and their sub-breeds
 *   /api/breeds/list[/random[/N]]                breed names
 *   /api/breed/{b}/list[/random[/N]]             sub-breed names
 *   /api/breed/{b}[/{s}]/images[/random[/N]]     picture URLs
 *   /api/breeds/image/random[/N]                 any breed's picture
 *   /api/breed/{b}[/{s}]                         the breed's name and info
 *   .../images/alt, .../images/random/N/alt,
 *   /api/breeds/image/random/N/alt               pictures with their alt text
 *
 * Answers are {"message": ..., "status": "success"}; errors {"status":
 * "error", "message": "Breed not found (...)", "code": 404}, in dog.ceo's
 * words of today ("main breed"); a path under /api/ that is no route is a
 * JSON 404 with "code" too. Counts are computed as dog.ceo computes them:
 * N is read as PHP reads a number (0 or not a number: 1), N random names
 * or pictures of a breed are N different ones in list order (a negative N:
 * 10), at most as many as there are; N pictures of any breed are exactly
 * N, at most 50, and may repeat. Pictures come only from albums (a
 * dog.ceo picture always has a breed) with URLs of dog.ceo's shape,
 * /breeds/{breed}-{sub}/{file}, which clients read the breed from and
 * which this server serves. Lists carry dog.ceo's Cache-Control, random
 * answers Symfony's default. A breed's info is its folder's info.json
 * "album" member.
 *
 * rndimg_dogceo_decide() makes each decision from the path alone;
 * rndimg_dogceo_serve() is its libsoup executor. */
#include "rndimg-dogceo.h"
#include "rndimg-http.h"
#include "rndimg-json-text.h"
#include "rndimg-sidecar.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* dog.ceo's messages. */
#define MAIN_BREED_NOT_FOUND "Breed not found (main breed does not exist)"
#define SUB_BREED_NOT_FOUND "Breed not found (sub breed does not exist)"
#define NO_SUB_BREEDS "Breed not found (no sub breeds exist for this main breed)"
#define NO_INFO_FILE "Breed not found (No info file for this breed exists)"
/* Ours, where dog.ceo's data never runs out. */
#define NO_PICTURES "Breed not found (no images exist for this breed)"
/* dog.ceo cuts an unknown route's message there. */
#define MAX_MESSAGE_BYTES 128
#define MAX_SEGMENTS 8

struct _RndimgDogceo
{
  RndimgCatalogue *catalogue;
  RndimgStatic *files;
};

typedef enum {
  ALL_BREEDS, ALL_BREEDS_RANDOM, ALL_BREEDS_RANDOM_N,
  BREEDS, BREEDS_RANDOM, BREEDS_RANDOM_N,
  SUB_BREEDS, SUB_BREEDS_RANDOM, SUB_BREEDS_RANDOM_N,
  BREED_IMAGES, BREED_IMAGE_RANDOM, BREED_IMAGES_RANDOM_N,
  SUB_IMAGES, SUB_IMAGE_RANDOM, SUB_IMAGES_RANDOM_N,
  ANY_IMAGE_RANDOM, ANY_IMAGES_RANDOM_N,
  BREED_INFO, SUB_INFO,
  BREED_IMAGES_ALT, BREED_IMAGES_RANDOM_N_ALT,
  SUB_IMAGES_ALT, SUB_IMAGES_RANDOM_N_ALT,
  ANY_IMAGES_RANDOM_N_ALT,
} Action;

/* The controller's routes, in its order (the first that matches wins). */
static const struct {
  const char *pattern;
  Action action;
  gboolean cached;           /* a list: dog.ceo's Cache-Control */
} routes[] = {
  { "breeds/list/all", ALL_BREEDS, TRUE },
  { "breeds/list/all/random", ALL_BREEDS_RANDOM, FALSE },
  { "breeds/list/all/random/{n}", ALL_BREEDS_RANDOM_N, FALSE },
  { "breeds/list", BREEDS, TRUE },
  { "breeds/list/random", BREEDS_RANDOM, FALSE },
  { "breeds/list/random/{n}", BREEDS_RANDOM_N, FALSE },
  { "breed/{b}/list", SUB_BREEDS, TRUE },
  { "breed/{b}/list/random", SUB_BREEDS_RANDOM, FALSE },
  { "breed/{b}/list/random/{n}", SUB_BREEDS_RANDOM_N, FALSE },
  { "breed/{b}/images", BREED_IMAGES, TRUE },
  { "breed/{b}/images/random", BREED_IMAGE_RANDOM, FALSE },
  { "breed/{b}/images/random/{n}", BREED_IMAGES_RANDOM_N, FALSE },
  { "breed/{b}/{s}/images", SUB_IMAGES, TRUE },
  { "breed/{b}/{s}/images/random", SUB_IMAGE_RANDOM, FALSE },
  { "breed/{b}/{s}/images/random/{n}", SUB_IMAGES_RANDOM_N, FALSE },
  { "breeds/image/random", ANY_IMAGE_RANDOM, FALSE },
  { "breeds/image/random/{n}", ANY_IMAGES_RANDOM_N, FALSE },
  { "breed/{b}", BREED_INFO, TRUE },
  { "breed/{b}/{s}", SUB_INFO, TRUE },
  { "breed/{b}/images/alt", BREED_IMAGES_ALT, TRUE },
  { "breed/{b}/images/random/{n}/alt", BREED_IMAGES_RANDOM_N_ALT, FALSE },
  { "breed/{b}/{s}/images/alt", SUB_IMAGES_ALT, TRUE },
  { "breed/{b}/{s}/images/random/{n}/alt", SUB_IMAGES_RANDOM_N_ALT, FALSE },
  { "breeds/image/random/{n}/alt", ANY_IMAGES_RANDOM_N_ALT, FALSE },
};

/* What a route's placeholders caught. */
typedef struct {
  const char *breed;
  const char *sub;
  const char *amount;
} Caught;

RndimgDogceo *
rndimg_dogceo_new (RndimgCatalogue *catalogue, RndimgStatic *files)
{
  RndimgDogceo *self = g_new0 (RndimgDogceo, 1);

  self->catalogue = g_object_ref (catalogue);
  self->files = files;
  return self;
}

void
rndimg_dogceo_free (RndimgDogceo *self)
{
  g_object_unref (self->catalogue);
  g_free (self);
}

void
rndimg_dogceo_answer_clear (RndimgDogceoAnswer *answer)
{
  if (answer->body != NULL)
    g_string_free (g_steal_pointer (&answer->body), TRUE);
  g_clear_pointer (&answer->location, g_free);
  g_clear_pointer (&answer->picture_name, g_free);
}

/* ---- numbers as PHP reads them ---- */

/* PHP's (int) of a string, then dog.ceo's "?: 1": leading white space, a
 * sign, digits, a fraction and an exponent are read, the rest ignored; 0
 * (or nothing read) is 1; beyond 64 bits, the nearest end. */
gint64
rndimg_dogceo_amount (const char *text)
{
  const char *start = text;
  char *end = NULL;
  double value;

  while (*start == ' ' || (*start >= '\t' && *start <= '\r'))
    start++;
  if (!(g_ascii_isdigit (*start) || ((*start == '+' || *start == '-' || *start == '.') &&
                                     (g_ascii_isdigit (start[1]) || start[1] == '.'))))
    return 1;
  value = g_ascii_strtod (start, &end);
  if (end == start || isnan (value))
    return 1;
  if (value >= 9.2e18)
    return G_MAXINT64;
  if (value <= -9.2e18)
    return G_MININT64;
  return (gint64) value != 0 ? (gint64) value : 1;
}

/* dog.ceo's count of random breed names or a breed's pictures: below 1,
 * 10; never more than there are. */
static guint
items_amount (gint64 amount, guint total)
{
  guint64 wanted = amount < 1 ? 10 : (guint64) amount;

  return (guint) MIN (wanted, (guint64) total);
}

static gint
compare_index (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* @count different indices of @total, in increasing order (dog.ceo keeps
 * its list's order). */
static GArray *
pick_in_order (guint total, guint count)
{
  GArray *all = g_array_sized_new (FALSE, FALSE, sizeof (guint), total);

  for (guint i = 0; i < total; i++)
    g_array_append_val (all, i);
  for (guint i = 0; i < count; i++)
    {
      guint j = (guint) g_random_int_range ((gint32) i, (gint32) total);
      guint swap = g_array_index (all, guint, i);

      g_array_index (all, guint, i) = g_array_index (all, guint, j);
      g_array_index (all, guint, j) = swap;
    }
  g_array_set_size (all, count);
  g_array_sort (all, compare_index);
  return all;
}

/* ---- the catalogue as breeds ---- */

/* (transfer container) The breeds (albums), or the sub-breeds of @breed,
 * by name; the names are borrowed from the catalogue. */
static GPtrArray *
breed_names (RndimgDogceo *self, const char *breed)
{
  g_autoptr(GPtrArray) albums = rndimg_catalogue_list_albums (self->catalogue);
  GPtrArray *names = g_ptr_array_new ();
  gsize length = breed != NULL ? strlen (breed) : 0;

  for (guint i = 0; i < albums->len; i++)
    {
      const char *name = ((RndimgAlbum *) g_ptr_array_index (albums, i))->name;

      if (breed == NULL && strchr (name, '/') == NULL)
        g_ptr_array_add (names, (gpointer) name);
      else if (breed != NULL && strncmp (name, breed, length) == 0 && name[length] == '/')
        g_ptr_array_add (names, (gpointer) (name + length + 1));
    }
  return names;
}

static gboolean
breed_exists (RndimgDogceo *self, const char *album)
{
  return rndimg_album_name_is_valid (album) && rndimg_catalogue_get_album (self->catalogue, album) != NULL;
}

/* dog.ceo's picture URL: /breeds/{breed}-{sub}/{file}, where clients read
 * the breed. */
static void
append_url (GString *out, const char *base_url, const RndimgPicture *picture)
{
  g_autofree char *folder = g_strdup (picture->album);
  g_autofree char *url = NULL;

  g_strdelimit (folder, "/", '-');
  url = g_strdup_printf ("%s/breeds/%s/%s", base_url, folder, picture->file_name);
  rndimg_json_text_append_string (out, url);
}

/* The owner's alt text, else what dog.ceo makes of the folder name
 * ("squares/small": "Small squares"). */
static char *
alt_text (const RndimgPicture *picture)
{
  g_auto(GStrv) parts = NULL;
  GString *text;

  if (picture->text != NULL && picture->text->alt != NULL)
    return g_strdup (picture->text->alt);
  parts = g_strsplit (picture->album, "/", 2);
  text = g_string_new (parts[1] != NULL ? parts[1] : parts[0]);
  if (parts[1] != NULL)
    g_string_append_printf (text, " %s", parts[0]);
  if (text->len > 0)
    text->str[0] = g_ascii_toupper (text->str[0]);
  return g_string_free (text, FALSE);
}

/* A picture as dog.ceo gives it: its URL, or {url, altText}. */
static void
append_picture (GString *out, const char *base_url, const RndimgPicture *picture, gboolean with_alt)
{
  g_autofree char *alt = NULL;

  if (!with_alt)
    {
      append_url (out, base_url, picture);
      return;
    }
  alt = alt_text (picture);
  g_string_append (out, "{\"url\":");
  append_url (out, base_url, picture);
  g_string_append (out, ",\"altText\":");
  rndimg_json_text_append_string (out, alt);
  g_string_append_c (out, '}');
}

/* ---- answers ---- */

static void
answer_json (RndimgDogceoAnswer *answer, guint status, GString *body, gboolean cached)
{
  answer->verdict = RNDIMG_DOGCEO_JSON;
  answer->status = status;
  if (answer->body != NULL)
    g_string_free (answer->body, TRUE);
  answer->body = body;
  answer->cache_control = cached ? RNDIMG_DOGCEO_LIST_CACHE : RNDIMG_DOGCEO_NO_CACHE;
}

/* {"message": @message (JSON text), "status": "success"}; takes @message. */
static void
answer_success (RndimgDogceoAnswer *answer, GString *message, gboolean cached)
{
  GString *body = g_string_new ("{\"message\":");

  g_string_append_len (body, message->str, (gssize) message->len);
  g_string_append (body, ",\"status\":\"success\"}");
  g_string_free (message, TRUE);
  answer_json (answer, SOUP_STATUS_OK, body, cached);
}

/* {"status": "error", "message": ..., "code": 404} */
static void
answer_error (RndimgDogceoAnswer *answer, const char *message, gboolean cached)
{
  GString *body = g_string_new ("{\"status\":\"error\",\"message\":");

  rndimg_json_text_append_string (body, message);
  g_string_append_printf (body, ",\"code\":%u}", SOUP_STATUS_NOT_FOUND);
  answer_json (answer, SOUP_STATUS_NOT_FOUND, body, cached);
}

static GString *
names_json (GPtrArray *names, GArray *only)
{
  GString *out = g_string_new ("[");
  guint count = only != NULL ? only->len : names->len;

  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      rndimg_json_text_append_string (out, g_ptr_array_index (names, only != NULL ? g_array_index (only, guint, i) : i));
    }
  g_string_append_c (out, ']');
  return out;
}

static GString *
name_json (const char *name)
{
  GString *out = g_string_new (NULL);

  rndimg_json_text_append_string (out, name);
  return out;
}

/* {"breed": ["sub", ...], ...} for every breed, or those @only lists. */
static GString *
tree_json (RndimgDogceo *self, GPtrArray *breeds, GArray *only)
{
  GString *out = g_string_new ("{");
  guint count = only != NULL ? only->len : breeds->len;

  for (guint i = 0; i < count; i++)
    {
      const char *breed = g_ptr_array_index (breeds, only != NULL ? g_array_index (only, guint, i) : i);
      g_autoptr(GPtrArray) subs = breed_names (self, breed);
      g_autoptr(GString) sub_json = names_json (subs, NULL);

      if (i > 0)
        g_string_append_c (out, ',');
      rndimg_json_text_append_string (out, breed);
      g_string_append_c (out, ':');
      g_string_append_len (out, sub_json->str, (gssize) sub_json->len);
    }
  g_string_append_c (out, '}');
  return out;
}

static GString *
pictures_json (GPtrArray *pictures, GArray *only, const char *base_url, gboolean with_alt)
{
  GString *out = g_string_new ("[");
  guint count = only != NULL ? only->len : pictures->len;

  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_picture (out, base_url, g_ptr_array_index (pictures, only != NULL ? g_array_index (only, guint, i) : i),
                      with_alt);
    }
  g_string_append_c (out, ']');
  return out;
}

/* ---- the routes ---- */

static void
decide_names (GPtrArray *names, Action action, const Caught *caught, gboolean cached, RndimgDogceoAnswer *answer)
{
  g_autoptr(GArray) picked = NULL;

  if (action == BREEDS || action == SUB_BREEDS)
    answer_success (answer, names_json (names, NULL), cached);
  else if (names->len == 0)
    answer_error (answer, NO_SUB_BREEDS, cached);
  else if (action == BREEDS_RANDOM || action == SUB_BREEDS_RANDOM)
    answer_success (answer, name_json (g_ptr_array_index (names, g_random_int_range (0, (gint32) names->len))),
                    cached);
  else
    {
      picked = pick_in_order (names->len, items_amount (rndimg_dogceo_amount (caught->amount), names->len));
      answer_success (answer, names_json (names, picked), cached);
    }
}

static void
decide_all_breeds (RndimgDogceo *self, Action action, const Caught *caught, gboolean cached,
                   RndimgDogceoAnswer *answer)
{
  g_autoptr(GPtrArray) breeds = breed_names (self, NULL);
  g_autoptr(GArray) picked = NULL;
  guint count = breeds->len;

  if (action == ALL_BREEDS_RANDOM)
    count = MIN (1, breeds->len);
  else if (action == ALL_BREEDS_RANDOM_N)
    count = items_amount (rndimg_dogceo_amount (caught->amount), breeds->len);
  picked = action == ALL_BREEDS ? NULL : pick_in_order (breeds->len, count);
  answer_success (answer, tree_json (self, breeds, picked), cached);
}

/* Pictures of @album (a breed's, its sub-breeds' too), or N random ones. */
static void
decide_breed_pictures (RndimgDogceo *self, const char *album, Action action, const Caught *caught, gboolean cached,
                       const char *base_url, RndimgDogceoAnswer *answer)
{
  GPtrArray *pictures = rndimg_album_sorted (rndimg_catalogue_get_album (self->catalogue, album));
  gboolean with_alt = action == BREED_IMAGES_ALT || action == SUB_IMAGES_ALT || action == BREED_IMAGES_RANDOM_N_ALT ||
                      action == SUB_IMAGES_RANDOM_N_ALT;
  g_autoptr(GArray) picked = NULL;

  if (action == BREED_IMAGES || action == SUB_IMAGES || action == BREED_IMAGES_ALT || action == SUB_IMAGES_ALT)
    answer_success (answer, pictures_json (pictures, NULL, base_url, with_alt), cached);
  else if (pictures->len == 0)
    answer_error (answer, NO_PICTURES, cached);
  else if (action == BREED_IMAGE_RANDOM || action == SUB_IMAGE_RANDOM)
    {
      GString *one = g_string_new (NULL);

      append_picture (one, base_url, g_ptr_array_index (pictures, g_random_int_range (0, (gint32) pictures->len)),
                      FALSE);
      answer_success (answer, one, cached);
    }
  else
    {
      picked = pick_in_order (pictures->len, items_amount (rndimg_dogceo_amount (caught->amount), pictures->len));
      answer_success (answer, pictures_json (pictures, picked, base_url, with_alt), cached);
    }
}

/* Random pictures of any breed, each drawn alone (as dog.ceo draws, they
 * may repeat), never one outside an album: exactly min(N, 50), or one as
 * a string for /random. */
static void
decide_any_pictures (RndimgDogceo *self, Action action, const Caught *caught, const char *base_url,
                     RndimgDogceoAnswer *answer)
{
  g_autoptr(GPtrArray) breeds = breed_names (self, NULL);
  gboolean single = action == ANY_IMAGE_RANDOM;
  guint wanted = single ? 1 : (guint) CLAMP (rndimg_dogceo_amount (caught->amount), 1, RNDIMG_DOGCEO_MAX_RANDOM);
  g_autoptr(GPtrArray) drawn = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  GString *message;

  g_ptr_array_add (breeds, NULL);
  while (breeds->len > 1 && drawn->len < wanted)
    {
      g_autoptr(GPtrArray) round = rndimg_catalogue_choose (self->catalogue, (const char *const *) breeds->pdata,
                                                            RNDIMG_ORIENTATION_ANY, NULL, NULL, wanted - drawn->len,
                                                            NULL);

      if (round == NULL || round->len == 0)
        break;
      for (guint i = 0; i < round->len; i++)
        g_ptr_array_add (drawn, rndimg_picture_ref (g_ptr_array_index (round, i)));
    }
  if (drawn->len == 0)
    {
      answer_error (answer, NO_PICTURES, FALSE);
      return;
    }
  if (single)
    {
      message = g_string_new (NULL);
      append_picture (message, base_url, g_ptr_array_index (drawn, 0), FALSE);
    }
  else
    message = pictures_json (drawn, NULL, base_url, action == ANY_IMAGES_RANDOM_N_ALT);
  answer_success (answer, message, FALSE);
}

/* A breed's name and info, from its folder's info.json. */
static void
decide_info (RndimgDogceo *self, const char *album, gboolean cached, RndimgDogceoAnswer *answer)
{
  g_autoptr(RndimgAlbumText) text = rndimg_sidecar_load_album (rndimg_catalogue_get_directory (self->catalogue),
                                                                album);
  GString *message;

  if (text == NULL)
    {
      answer_error (answer, NO_INFO_FILE, cached);
      return;
    }
  message = g_string_new ("{\"name\":");
  rndimg_json_text_append_string (message, text->name != NULL ? text->name : album);
  g_string_append (message, ",\"info\":");
  rndimg_json_text_append_string (message, text->info != NULL ? text->info : "");
  g_string_append_c (message, '}');
  answer_success (answer, message, cached);
}

static gboolean
is_sub_action (Action action)
{
  return action == SUB_IMAGES || action == SUB_IMAGE_RANDOM || action == SUB_IMAGES_RANDOM_N ||
         action == SUB_INFO || action == SUB_IMAGES_ALT || action == SUB_IMAGES_RANDOM_N_ALT;
}

/* A route of one breed: the breed, then the sub-breed, must exist. */
static void
decide_breed (RndimgDogceo *self, Action action, const Caught *caught, gboolean cached, const char *base_url,
              RndimgDogceoAnswer *answer)
{
  g_autofree char *sub_album = NULL;
  const char *album = caught->breed;

  if (strchr (caught->breed, '/') != NULL || !breed_exists (self, caught->breed))
    {
      answer_error (answer, MAIN_BREED_NOT_FOUND, cached);
      return;
    }
  if (is_sub_action (action))
    {
      sub_album = g_strconcat (caught->breed, "/", caught->sub, NULL);
      if (!breed_exists (self, sub_album))
        {
          answer_error (answer, SUB_BREED_NOT_FOUND, cached);
          return;
        }
      album = sub_album;
    }
  if (action == SUB_BREEDS || action == SUB_BREEDS_RANDOM || action == SUB_BREEDS_RANDOM_N)
    {
      g_autoptr(GPtrArray) subs = breed_names (self, caught->breed);

      decide_names (subs, action, caught, cached, answer);
    }
  else if (action == BREED_INFO || action == SUB_INFO)
    decide_info (self, album, cached, answer);
  else
    decide_breed_pictures (self, album, action, caught, cached, base_url, answer);
}

static void
decide_action (RndimgDogceo *self, Action action, const Caught *caught, gboolean cached, const char *base_url,
               RndimgDogceoAnswer *answer)
{
  switch (action)
    {
    case ALL_BREEDS:
    case ALL_BREEDS_RANDOM:
    case ALL_BREEDS_RANDOM_N:
      decide_all_breeds (self, action, caught, cached, answer);
      break;
    case BREEDS:
    case BREEDS_RANDOM:
    case BREEDS_RANDOM_N:
      {
        g_autoptr(GPtrArray) breeds = breed_names (self, NULL);

        decide_names (breeds, action, caught, cached, answer);
      }
      break;
    case ANY_IMAGE_RANDOM:
    case ANY_IMAGES_RANDOM_N:
    case ANY_IMAGES_RANDOM_N_ALT:
      decide_any_pictures (self, action, caught, base_url, answer);
      break;
    default:
      decide_breed (self, action, caught, cached, base_url, answer);
      break;
    }
}

/* @segments against @pattern ("breed/{b}/images"): fills @caught. */
static gboolean
pattern_matches (const char *pattern, char **segments, Caught *caught)
{
  g_auto(GStrv) want = g_strsplit (pattern, "/", -1);
  guint i;

  *caught = (Caught) { 0 };
  for (i = 0; want[i] != NULL && segments[i] != NULL; i++)
    {
      if (want[i][0] != '{')
        {
          if (!g_str_equal (want[i], segments[i]))
            return FALSE;
          continue;
        }
      if (segments[i][0] == '\0')
        return FALSE;
      if (want[i][1] == 'b')
        caught->breed = segments[i];
      else if (want[i][1] == 's')
        caught->sub = segments[i];
      else
        caught->amount = segments[i];
    }
  return want[i] == NULL && segments[i] == NULL;
}

/* The first route @route ("breeds/list/all", without /api) matches. */
static gboolean
find_route (char **segments, guint *index, Caught *caught)
{
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (pattern_matches (routes[i].pattern, segments, caught))
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

/* /breeds/{breed}-{sub}/{file}: the picture of that album, the folder
 * read as it is, then with each '-' in turn as the album's '/' (an album
 * name may hold '-'). */
static char *
find_picture (RndimgDogceo *self, char **segments)
{
  const char *folder = segments[0] != NULL ? segments[1] : NULL;
  const char *dash = NULL;

  if (g_strv_length (segments) != 3 || !g_str_equal (segments[0], "breeds"))
    return NULL;
  do
    {
      g_autofree char *album = g_strdup (folder);
      g_autofree char *name = NULL;
      g_autoptr(RndimgPicture) picture = NULL;

      if (dash != NULL)
        album[dash - folder] = '/';
      name = g_strconcat (album, "/", segments[2], NULL);
      if (rndimg_catalogue_name_is_valid (name) && (picture = rndimg_catalogue_lookup (self->catalogue, name)) != NULL)
        return g_steal_pointer (&name);
      dash = strchr (dash != NULL ? dash + 1 : folder, '-');
    }
  while (dash != NULL);
  return NULL;
}

static gboolean
decide_path (RndimgDogceo *self, const char *path, const char *base_url, RndimgDogceoAnswer *answer)
{
  gboolean under_api = g_str_has_prefix (path, "/api/");
  const char *route = under_api ? path + strlen ("/api/") : path + 1;
  g_auto(GStrv) segments = g_strsplit (route, "/", MAX_SEGMENTS + 1);
  Caught caught;
  guint index;

  if (g_strv_length (segments) > MAX_SEGMENTS)
    return FALSE;
  if (find_route (segments, &index, &caught))
    {
      decide_action (self, routes[index].action, &caught, routes[index].cached, base_url, answer);
      return TRUE;
    }
  if (!under_api && (answer->picture_name = find_picture (self, segments)) != NULL)
    {
      answer->verdict = RNDIMG_DOGCEO_PICTURE;
      return TRUE;
    }
  return FALSE;
}

/* Symfony's 404 for a path no route has, through dog.ceo's listener. */
static void
answer_no_route (RndimgDogceoAnswer *answer, const char *method, const char *path, const char *base_url)
{
  g_autofree char *valid = g_utf8_make_valid (path, -1);
  g_autofree char *message = g_strdup_printf ("No route found for \"%s %s%s\"", method, base_url, valid);

  if (strlen (message) > MAX_MESSAGE_BYTES)
    {
      const char *cut = g_utf8_find_prev_char (message, message + MAX_MESSAGE_BYTES + 1);

      strcpy ((char *) cut, "...");
    }
  answer_error (answer, message, FALSE);
}

/* Every decision of dog.ceo's routes, from the request's method, path
 * (decoded), raw query and the base URL of answers. */
void
rndimg_dogceo_decide (RndimgDogceo *self, const char *method, const char *path, const char *raw_query,
                      const char *base_url, RndimgDogceoAnswer *answer)
{
  gsize length = strlen (path);
  g_autofree char *without_slash = length > 1 && path[length - 1] == '/' ? g_strndup (path, length - 1) : NULL;
  g_auto(RndimgDogceoAnswer) probe = { 0 };

  *answer = (RndimgDogceoAnswer) { 0 };
  if (decide_path (self, path, base_url, answer))
    return;
  if (without_slash != NULL && decide_path (self, without_slash, base_url, &probe))
    {
      answer->verdict = RNDIMG_DOGCEO_MOVED;
      answer->location = raw_query != NULL ? g_strconcat (without_slash, "?", raw_query, NULL)
                                           : g_steal_pointer (&without_slash);
      return;
    }
  answer_no_route (answer, method, path, base_url);
}

/* ---- the libsoup executor ---- */

/* GET|HEAD of /api/..., /breeds/... and /breed/... */
void
rndimg_dogceo_serve (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer dogceo)
{
  RndimgDogceo *self = dogceo;
  g_auto(RndimgDogceoAnswer) answer = { 0 };
  g_autofree char *base_url = rndimg_http_base_url (msg);
  g_autofree char *picture_path = NULL;
  g_autofree char *location = NULL;

  rndimg_dogceo_decide (self, soup_server_message_get_method (msg), path,
                        g_uri_get_query (soup_server_message_get_uri (msg)), base_url, &answer);
  switch (answer.verdict)
    {
    case RNDIMG_DOGCEO_JSON:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                    answer.cache_control);
      rndimg_http_send_json_text (msg, answer.status, g_steal_pointer (&answer.body));
      break;
    case RNDIMG_DOGCEO_MOVED:
      location = g_strconcat (base_url, answer.location, NULL);
      soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, location);
      break;
    case RNDIMG_DOGCEO_PICTURE:
      picture_path = g_strconcat (RNDIMG_PICTURES_PATH, answer.picture_name, NULL);
      rndimg_static_serve_image (msg, picture_path, query, self->files);
      break;
    default:
      g_assert_not_reached ();
    }
}
