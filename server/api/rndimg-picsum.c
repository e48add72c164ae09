/* SPDX-License-Identifier: MIT */
/* Lorem Picsum's routes, as its code answers them, so code written for
 * picsum.photos works with the host changed:
 *
 *   /{size}, /{width}/{height}        a random picture
 *   /id/{id}/{size}, /id/{id}/{w}/{h} a picture by id
 *   /seed/{seed}/{size}, .../{w}/{h}  the picture a seed picks
 *   /id/{id}/info, /seed/{seed}/info  its information
 *   /v2/list?page=&limit=             a page of the catalogue, with Link
 *   /list, /g/..., ?image={id}        the routes Picsum still serves
 *
 * each size with .jpg (the default) or .webp in any case, ?grayscale and
 * ?blur[=N]. A picture route is a 302 to the picture's canonical variant
 * URL (/img/...: Picsum-ID, Content-Disposition and CORS on the picture
 * itself, see rndimg-variants-api.c); every other answer carries Picsum's
 * no-store. Errors are Picsum's words, text/plain, or JSON with "error"
 * when the client asks for JSON; a route with a trailing slash is a 301 to
 * it without. An id is a picture's number (rndimg-picture-numbers.c) or,
 * beyond Picsum, its name ("dogs/001.png", escaped or not); a seed picks
 * what rndimg?seed= picks. Sizes are checked as Picsum checks them: up to
 * 5000, 0 the picture's own, a picture larger than 5000 px served at most
 * 5000 (rndimg-picsum-params.c).
 *
 * rndimg_picsum_decide() makes each decision from the path, the query and
 * the base URL alone; rndimg_picsum_serve() is its libsoup executor. */
#include "rndimg-picsum.h"
#include "rndimg-http.h"
#include "rndimg-json-text.h"

#include <string.h>

/* An id with its album is at most three segments ("dogs/puppies/001.png"). */
#define MAX_ID_SEGMENTS 3

struct _RndimgPicsum
{
  RndimgCatalogue *catalogue;
  RndimgPictureNumbers *numbers;
  RndimgPictureVariants *variants;
  RndimgHandler fallback;
  gpointer fallback_data;
};

RndimgPicsum *
rndimg_picsum_new (RndimgCatalogue *catalogue, RndimgPictureNumbers *numbers, RndimgPictureVariants *variants,
                   RndimgHandler fallback, gpointer fallback_data)
{
  RndimgPicsum *self = g_new0 (RndimgPicsum, 1);

  self->catalogue = g_object_ref (catalogue);
  self->numbers = g_object_ref (numbers);
  self->variants = g_object_ref (variants);
  self->fallback = fallback;
  self->fallback_data = fallback_data;
  return self;
}

void
rndimg_picsum_free (RndimgPicsum *self)
{
  g_object_unref (self->catalogue);
  g_object_unref (self->numbers);
  g_object_unref (self->variants);
  g_free (self);
}

void
rndimg_picsum_answer_clear (RndimgPicsumAnswer *answer)
{
  g_clear_pointer (&answer->detail, g_free);
  g_clear_pointer (&answer->location, g_free);
  g_clear_pointer (&answer->picture, rndimg_picture_unref);
  if (answer->body != NULL)
    g_string_free (g_steal_pointer (&answer->body), TRUE);
  g_clear_pointer (&answer->link, g_free);
}

/* ---- decisions ---- */

static gboolean
fail (RndimgPicsumAnswer *answer, guint status, const char *message, const char *detail)
{
  answer->verdict = RNDIMG_PICSUM_FAIL;
  answer->status = status;
  answer->message = message;
  g_free (answer->detail);
  answer->detail = g_strdup (detail);
  return TRUE;
}

static gboolean
fail_problem (RndimgPicsumAnswer *answer, RndimgPicsumProblem problem)
{
  return fail (answer, SOUP_STATUS_BAD_REQUEST, rndimg_picsum_problem_message (problem),
               rndimg_picsum_problem_detail (problem));
}

static gboolean
fail_missing (RndimgPicsumAnswer *answer)
{
  return fail (answer, SOUP_STATUS_NOT_FOUND, "Image does not exist",
               "Image does not exist: an id is a picture's number (see /v2/list) or its name");
}

static gboolean
fail_no_route (RndimgPicsumAnswer *answer)
{
  return fail (answer, SOUP_STATUS_NOT_FOUND, "page not found", "page not found: no Lorem Picsum route has this path");
}

static gboolean
fail_empty (RndimgPicsumAnswer *answer)
{
  return fail (answer, SOUP_STATUS_SERVICE_UNAVAILABLE, "Something went wrong",
               "Something went wrong: the image folder is empty");
}

static gboolean
is_digits (const char *text)
{
  return *text != '\0' && strspn (text, "0123456789") == strlen (text);
}

/* The picture @id names, with its number: a number (Picsum's ids) or a
 * picture's name. NULL when none. */
static RndimgPicture *
find_by_id (RndimgPicsum *self, const char *id, guint64 *number)
{
  RndimgPicture *picture;
  const char *name = id;

  if (is_digits (id))
    {
      if (!g_ascii_string_to_unsigned (id, 10, 0, G_MAXUINT64, number, NULL) ||
          (name = rndimg_picture_numbers_name_of (self->numbers, *number)) == NULL)
        return NULL;
      return rndimg_catalogue_lookup (self->catalogue, name);
    }
  if (!rndimg_catalogue_name_is_valid (id) || (picture = rndimg_catalogue_lookup (self->catalogue, id)) == NULL)
    return NULL;
  *number = rndimg_picture_numbers_number (self->numbers, picture->name);
  return picture;
}

static RndimgPicture *
find_random (RndimgPicsum *self, guint64 *number)
{
  RndimgPicture *picture = rndimg_catalogue_pick_random (self->catalogue, NULL);

  if (picture != NULL)
    *number = rndimg_picture_numbers_number (self->numbers, picture->name);
  return picture;
}

/* The picture rndimg?seed= picks for @seed, from the catalogue's ring. */
static RndimgPicture *
find_seeded (RndimgPicsum *self, const char *seed, guint64 *number)
{
  g_autoptr(GPtrArray) picked = rndimg_catalogue_choose (self->catalogue, NULL, RNDIMG_ORIENTATION_ANY, seed, NULL,
                                                         1, NULL);
  RndimgPicture *picture;

  if (picked == NULL || picked->len == 0)
    return NULL;
  picture = rndimg_picture_ref (g_ptr_array_index (picked, 0));
  *number = rndimg_picture_numbers_number (self->numbers, picture->name);
  return picture;
}

/* Picsum's item: {id, author, width, height, url, download_url}, at the
 * size Picsum serves. */
static void
append_item (GString *out, const RndimgPicture *picture, guint64 number, const char *base_url)
{
  const RndimgPictureText *text = picture->text;
  g_autofree char *original = g_strconcat (base_url, picture->url_path, NULL);
  g_autofree char *download = NULL;
  guint width, height;

  rndimg_picsum_served_size (picture, &width, &height);
  download = g_strdup_printf ("%s/id/%" G_GUINT64_FORMAT "/%u/%u", base_url, number, width, height);
  g_string_append_printf (out, "{\"id\":\"%" G_GUINT64_FORMAT "\",\"author\":", number);
  rndimg_json_text_append_string (out, text != NULL && text->author != NULL ? text->author : "");
  g_string_append (out, ",\"width\":");
  rndimg_json_text_append_number (out, width);
  g_string_append (out, ",\"height\":");
  rndimg_json_text_append_number (out, height);
  g_string_append (out, ",\"url\":");
  rndimg_json_text_append_string (out, text != NULL && text->source_url != NULL ? text->source_url : original);
  g_string_append (out, ",\"download_url\":");
  rndimg_json_text_append_string (out, download);
  g_string_append_c (out, '}');
}

static gboolean
answer_info (RndimgPicsumAnswer *answer, RndimgPicture *picture, guint64 number, const char *base_url)
{
  answer->verdict = RNDIMG_PICSUM_JSON;
  answer->body = g_string_new (NULL);
  append_item (answer->body, picture, number, base_url);
  return TRUE;
}

/* Checks @params against the picture and answers the 302 to its variant;
 * takes @picture. */
static gboolean
answer_picture (RndimgPicsumAnswer *answer, RndimgPicture *picture, guint64 number, const RndimgPicsumParams *params)
{
  RndimgPicsumProblem problem = rndimg_picsum_params_check (params);

  if (problem != RNDIMG_PICSUM_FINE)
    {
      rndimg_picture_unref (picture);
      return fail_problem (answer, problem);
    }
  answer->verdict = RNDIMG_PICSUM_TO_PICTURE;
  answer->picture = picture;
  answer->number = number;
  rndimg_picsum_params_to_spec (params, picture, &answer->spec);
  return TRUE;
}

/* Reads @size and the query; FALSE with the answer set on a bad size. */
static gboolean
read_params (RndimgPicsumAnswer *answer, const RndimgPicsumSize *size, const char *raw_query,
             RndimgPicsumParams *params)
{
  RndimgPicsumProblem problem = rndimg_picsum_params_read_size (size, params);

  if (problem != RNDIMG_PICSUM_FINE)
    {
      fail_problem (answer, problem);
      return FALSE;
    }
  rndimg_picsum_params_read_look (raw_query, params);
  return TRUE;
}

/* A picture route: parameters first, then the picture, then the checks,
 * in Picsum's order. @id NULL: a random picture. */
static gboolean
decide_picture (RndimgPicsum *self, const char *id, const RndimgPicsumSize *size, const char *raw_query,
                gboolean grayscale, RndimgPicsumAnswer *answer)
{
  RndimgPicsumParams params = { 0 };
  RndimgPicture *picture;
  guint64 number = 0;

  if (!read_params (answer, size, raw_query, &params))
    return TRUE;
  params.grayscale |= grayscale;
  picture = id != NULL ? find_by_id (self, id, &number) : find_random (self, &number);
  if (picture == NULL)
    return id != NULL ? fail_missing (answer) : fail_empty (answer);
  return answer_picture (answer, picture, number, &params);
}

/* A random picture, or the deprecated ?image={id} (its errors always
 * text, as Picsum's middleware writes them). */
static gboolean
decide_random (RndimgPicsum *self, const RndimgPicsumSize *size, const char *raw_query, gboolean grayscale,
               RndimgPicsumAnswer *answer)
{
  g_autofree char *image = NULL;

  if (rndimg_picsum_query_get (raw_query, "image", &image) && image[0] != '\0')
    {
      answer->plain_text = !grayscale;
      return decide_picture (self, image, size, raw_query, grayscale, answer);
    }
  return decide_picture (self, NULL, size, raw_query, grayscale, answer);
}

/* Whether @tail ends a picture route: "info" or a size. */
static gboolean
is_route_tail (const char *tail)
{
  g_auto(RndimgPicsumSize) size = { 0 };

  return g_str_equal (tail, "info") || rndimg_picsum_match_size (tail, &size);
}

/* Splits "/id/REST" into its id and the rest. Picsum's id is one segment;
 * a picture's name may be up to three (libsoup decodes an escaped '/'
 * before routing). Of the splits whose tail is a route's, the first whose
 * id names a picture wins, else the first that is a picture's name, else
 * the first (Picsum's own reading). @self NULL: by shape alone. */
static gboolean
split_id (RndimgPicsum *self, const char *rest, char **id, char **tail)
{
  const char *slash = rest;
  int best = -1;

  *id = *tail = NULL;
  for (guint k = 0; k < MAX_ID_SEGMENTS && best < 2 && (slash = strchr (slash, '/')) != NULL; k++, slash++)
    {
      g_autofree char *candidate = g_strndup (rest, (gsize) (slash - rest));
      g_autoptr(RndimgPicture) picture = NULL;
      guint64 number;
      int score;

      if (candidate[0] == '\0' || !is_route_tail (slash + 1))
        continue;
      picture = self != NULL ? find_by_id (self, candidate, &number) : NULL;
      score = picture != NULL ? 2 : rndimg_catalogue_name_is_valid (candidate) ? 1 : 0;
      if (score > best)
        {
          best = score;
          g_free (*id);
          g_free (*tail);
          *id = g_steal_pointer (&candidate);
          *tail = g_strdup (slash + 1);
        }
    }
  return *id != NULL;
}

/* Answers @picture's info; takes @picture. */
static gboolean
decide_info (RndimgPicture *picture, guint64 number, const char *base_url, RndimgPicsumAnswer *answer)
{
  if (picture == NULL)
    return fail_missing (answer);
  answer_info (answer, picture, number, base_url);
  rndimg_picture_unref (picture);
  return TRUE;
}

static gboolean
decide_id (RndimgPicsum *self, const char *rest, const char *raw_query, const char *base_url,
           RndimgPicsumAnswer *answer)
{
  g_autofree char *id = NULL;
  g_autofree char *tail = NULL;
  g_auto(RndimgPicsumSize) size = { 0 };
  guint64 number = 0;

  if (!split_id (self, rest, &id, &tail))
    return FALSE;
  if (g_str_equal (tail, "info"))
    {
      RndimgPicture *picture = find_by_id (self, id, &number);

      return decide_info (picture, number, base_url, answer);
    }
  rndimg_picsum_match_size (tail, &size);
  return decide_picture (self, id, &size, raw_query, FALSE, answer);
}

/* Splits "/seed/REST": the seed is everything before "info" or the size
 * (two numbers when the last two segments are, else one), since a seed
 * with an escaped '/' reaches us decoded. Returns the seed's length. */
static gboolean
split_seed (const char *rest, gsize *seed_length)
{
  const char *last = strrchr (rest, '/');
  const char *split = last;

  if (last == NULL || last == rest)
    return FALSE;
  for (const char *p = last - 1; p > rest; p--)
    if (*p == '/')
      {
        g_auto(RndimgPicsumSize) pair = { 0 };

        if (rndimg_picsum_match_size (p + 1, &pair) && pair.height != NULL)
          split = p;
        break;
      }
  *seed_length = (gsize) (split - rest);
  return is_route_tail (split + 1);
}

static gboolean
decide_seed (RndimgPicsum *self, const char *rest, const char *raw_query, const char *base_url,
             RndimgPicsumAnswer *answer)
{
  g_auto(RndimgPicsumSize) size = { 0 };
  g_autofree char *seed = NULL;
  RndimgPicsumParams params = { 0 };
  RndimgPicture *picture;
  guint64 number = 0;
  gsize seed_length;

  if (!split_seed (rest, &seed_length))
    return FALSE;
  seed = g_strndup (rest, seed_length);
  if (g_str_equal (rest + seed_length + 1, "info"))
    {
      picture = find_seeded (self, seed, &number);
      return decide_info (picture, number, base_url, answer);
    }
  rndimg_picsum_match_size (rest + seed_length + 1, &size);
  if (!read_params (answer, &size, raw_query, &params))
    return TRUE;
  if ((picture = find_seeded (self, seed, &number)) == NULL)
    return fail_empty (answer);
  return answer_picture (answer, picture, number, &params);
}

static void
add_link (GString *link, const char *base_url, guint64 page, guint64 limit, const char *rel)
{
  if (link->len > 0)
    g_string_append (link, ", ");
  g_string_append_printf (link, "<%s/v2/list?page=%" G_GUINT64_FORMAT "&limit=%" G_GUINT64_FORMAT ">; rel=\"%s\"",
                          base_url, page, limit, rel);
}

/* /v2/list?page=&limit=: as Picsum pages, its Link included (a first page
 * always has "next", as Picsum's has). */
static gboolean
decide_list (RndimgPicsum *self, const char *raw_query, const char *base_url, RndimgPicsumAnswer *answer)
{
  guint64 limit = MIN (rndimg_picsum_query_number (raw_query, "limit", RNDIMG_PICSUM_LIST_DEFAULT_LIMIT),
                       RNDIMG_PICSUM_LIST_MAX_LIMIT);
  guint64 page = MIN (rndimg_picsum_query_number (raw_query, "page", 1), G_MAXUINT64 / RNDIMG_PICSUM_LIST_MAX_LIMIT);
  g_autoptr(GPtrArray) pictures = rndimg_picture_numbers_page (self->numbers, (page - 1) * limit, (guint) limit);
  GString *link = g_string_new (NULL);

  answer->verdict = RNDIMG_PICSUM_JSON;
  answer->body = g_string_new ("[");
  for (guint i = 0; i < pictures->len; i++)
    {
      RndimgPicture *picture = g_ptr_array_index (pictures, i);

      if (i > 0)
        g_string_append_c (answer->body, ',');
      append_item (answer->body, picture, rndimg_picture_numbers_number (self->numbers, picture->name), base_url);
    }
  g_string_append_c (answer->body, ']');
  if (page > 1)
    add_link (link, base_url, page - 1, limit, "prev");
  if (page == 1 || pictures->len >= limit)
    add_link (link, base_url, page + 1, limit, "next");
  answer->link = g_string_free (link, FALSE);
  return TRUE;
}

/* /list: Picsum's first list, every picture, by number. */
static gboolean
decide_old_list (RndimgPicsum *self, const char *base_url, RndimgPicsumAnswer *answer)
{
  g_autoptr(GPtrArray) pictures = rndimg_picture_numbers_all (self->numbers);

  answer->verdict = RNDIMG_PICSUM_JSON;
  answer->body = g_string_new ("[");
  for (guint i = 0; i < pictures->len; i++)
    {
      RndimgPicture *picture = g_ptr_array_index (pictures, i);
      guint64 number = rndimg_picture_numbers_number (self->numbers, picture->name);
      g_autofree char *original = g_strconcat (base_url, picture->url_path, NULL);
      const char *url = picture->text != NULL && picture->text->source_url != NULL ? picture->text->source_url
                                                                                     : original;
      guint width, height;

      rndimg_picsum_served_size (picture, &width, &height);
      g_string_append_printf (answer->body, "%s{\"format\":\"jpeg\",\"width\":%u,\"height\":%u,"
                              "\"filename\":\"%" G_GUINT64_FORMAT ".jpeg\",\"id\":%" G_GUINT64_FORMAT ",\"author\":",
                              i > 0 ? "," : "", width, height, number, number);
      rndimg_json_text_append_string (answer->body, picture->text != NULL && picture->text->author != NULL
                                                    ? picture->text->author : "");
      g_string_append (answer->body, ",\"author_url\":");
      rndimg_json_text_append_string (answer->body, url);
      g_string_append (answer->body, ",\"post_url\":");
      rndimg_json_text_append_string (answer->body, url);
      g_string_append_c (answer->body, '}');
    }
  g_string_append_c (answer->body, ']');
  return TRUE;
}

/* The routes; FALSE when @path is none of them. */
static gboolean
decide_route (RndimgPicsum *self, const char *path, const char *raw_query, const char *base_url,
              RndimgPicsumAnswer *answer)
{
  g_auto(RndimgPicsumSize) size = { 0 };

  if (g_str_equal (path, "/v2/list"))
    return decide_list (self, raw_query, base_url, answer);
  if (g_str_equal (path, "/list"))
    return decide_old_list (self, base_url, answer);
  if (rndimg_picsum_match_size (path + 1, &size))
    return decide_random (self, &size, raw_query, FALSE, answer);
  if (g_str_has_prefix (path, "/g/") && rndimg_picsum_match_size (path + 3, &size))
    return decide_random (self, &size, raw_query, TRUE, answer);
  if (g_str_has_prefix (path, "/id/"))
    return decide_id (self, path + 4, raw_query, base_url, answer);
  if (g_str_has_prefix (path, "/seed/"))
    return decide_seed (self, path + 6, raw_query, base_url, answer);
  return FALSE;
}

/* Whether @path is one of Picsum's routes, by its shape alone. */
static gboolean
is_route (const char *path)
{
  g_auto(RndimgPicsumSize) size = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *tail = NULL;
  gsize seed_length;

  return g_str_equal (path, "/v2/list") || g_str_equal (path, "/list") ||
         rndimg_picsum_match_size (path + 1, &size) ||
         (g_str_has_prefix (path, "/g/") && rndimg_picsum_match_size (path + 3, &size)) ||
         (g_str_has_prefix (path, "/id/") && split_id (NULL, path + 4, &id, &tail)) ||
         (g_str_has_prefix (path, "/seed/") && split_seed (path + 6, &seed_length));
}

/* Every decision Picsum's routes make, from the path (decoded, as
 * libsoup hands it), the raw query and the base URL of answers. */
void
rndimg_picsum_decide (RndimgPicsum *self, const char *path, const char *raw_query, const char *base_url,
                      RndimgPicsumAnswer *answer)
{
  gsize length = strlen (path);
  g_autofree char *without_slash = NULL;

  *answer = (RndimgPicsumAnswer) { .verdict = RNDIMG_PICSUM_PASS };
  if (decide_route (self, path, raw_query, base_url, answer))
    return;
  without_slash = length > 1 && path[length - 1] == '/' ? g_strndup (path, length - 1) : NULL;
  if (without_slash != NULL && is_route (without_slash))
    {
      answer->verdict = RNDIMG_PICSUM_MOVED;
      answer->location = raw_query != NULL ? g_strconcat (without_slash, "?", raw_query, NULL)
                                           : g_steal_pointer (&without_slash);
    }
  else if (g_str_has_prefix (path, "/id/") || g_str_has_prefix (path, "/seed/") || g_str_has_prefix (path, "/g/"))
    fail_no_route (answer);
}

/* ---- the libsoup executor ---- */

/* Whether the client asked for JSON: application/json among its Accept
 * ranges, with a quality above 0. */
static gboolean
wants_json (SoupServerMessage *msg)
{
  const char *accept = soup_message_headers_get_list (soup_server_message_get_request_headers (msg), "Accept");
  g_auto(GStrv) ranges = g_strsplit (accept != NULL ? accept : "", ",", 32);

  for (char **range = ranges; *range != NULL; range++)
    {
      g_auto(GStrv) parts = g_strsplit (*range, ";", 8);
      gboolean refused = FALSE;

      for (char **parameter = parts + 1; *parameter != NULL; parameter++)
        {
          const char *p = g_strstrip (*parameter);

          refused |= g_str_has_prefix (p, "q=") && g_ascii_strtod (p + 2, NULL) <= 0;
        }
      if (!refused && g_ascii_strcasecmp (g_strstrip (parts[0]), "application/json") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
send_failure (SoupServerMessage *msg, const RndimgPicsumAnswer *answer)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", RNDIMG_PICSUM_NO_STORE);
  if (!answer->plain_text && wants_json (msg))
    {
      GString *json = g_string_new ("{\"error\":");

      rndimg_json_text_append_string (json, answer->message);
      g_string_append (json, ",\"status\":\"error\",\"message\":");
      rndimg_json_text_append_string (json, answer->detail);
      g_string_append_c (json, '}');
      rndimg_http_send_json_text (msg, answer->status, json);
      return;
    }
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (msg, answer->status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_strconcat (answer->message, "\n", NULL), strlen (answer->message) + 1);
}

static void
send_json (SoupServerMessage *msg, RndimgPicsumAnswer *answer)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", RNDIMG_PICSUM_NO_STORE);
  soup_message_headers_replace (headers, "Access-Control-Expose-Headers", RNDIMG_PICSUM_EXPOSED_HEADERS);
  if (answer->link != NULL && answer->link[0] != '\0')
    soup_message_headers_replace (headers, "Link", answer->link);
  rndimg_http_send_json_text (msg, SOUP_STATUS_OK, g_steal_pointer (&answer->body));
}

static void
send_moved (SoupServerMessage *msg, const RndimgPicsumAnswer *answer)
{
  g_autofree char *base = rndimg_http_base_url (msg);
  g_autofree char *url = g_strconcat (base, answer->location, NULL);

  soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, url);
}

typedef struct {
  RndimgVariantSpec spec;
  guint64 number;
} PictureRedirect;

static void
redirect_versioned (SoupServerMessage *msg, RndimgPicture *picture, const char *version, gpointer user_data)
{
  PictureRedirect *redirect = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *path = rndimg_variant_canonical_path (picture->name, version, &redirect->spec);
  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, redirect->number);

  rndimg_variants_api_redirect (msg, path);
  soup_message_headers_replace (headers, "Picsum-ID", number);
  soup_message_headers_replace (headers, "Access-Control-Expose-Headers", RNDIMG_PICSUM_EXPOSED_HEADERS);
}

static void
send_to_picture (RndimgPicsum *self, SoupServerMessage *msg, const RndimgPicsumAnswer *answer)
{
  PictureRedirect *redirect = g_new (PictureRedirect, 1);

  *redirect = (PictureRedirect) { answer->spec, answer->number };
  rndimg_variants_api_when_versioned (self->variants, msg, answer->picture, redirect_versioned, redirect, g_free);
}

/* GET|HEAD of every path not routed elsewhere. */
void
rndimg_picsum_serve (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer picsum)
{
  RndimgPicsum *self = picsum;
  g_auto(RndimgPicsumAnswer) answer = { 0 };
  g_autofree char *base_url = rndimg_http_base_url (msg);

  rndimg_picsum_decide (self, path, g_uri_get_query (soup_server_message_get_uri (msg)), base_url, &answer);
  switch (answer.verdict)
    {
    case RNDIMG_PICSUM_PASS:
      self->fallback (msg, path, query, self->fallback_data);
      break;
    case RNDIMG_PICSUM_FAIL:
      send_failure (msg, &answer);
      break;
    case RNDIMG_PICSUM_MOVED:
      send_moved (msg, &answer);
      break;
    case RNDIMG_PICSUM_JSON:
      send_json (msg, &answer);
      break;
    case RNDIMG_PICSUM_TO_PICTURE:
      send_to_picture (self, msg, &answer);
      break;
    default:
      g_assert_not_reached ();
    }
}
