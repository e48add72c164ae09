/* SPDX-License-Identifier: MIT */
/* Lorem Picsum's routes, so code written for picsum.photos works with the
 * host changed: /{w}/{h} and /{size} (a random picture), /id/{id}/...,
 * /seed/{seed}/..., each with .jpg (the default) or .webp and ?grayscale,
 * ?blur[=1..10], ?random=N (ignored, as Picsum does); every one a 302
 * (no-store, Picsum-ID) to the picture's canonical variant URL. Also
 * /id/{id}/info, /seed/{seed}/info and /v2/list?page=&limit= with
 * Picsum's item fields and Link header. Ids are the catalogue's names,
 * an album's picture's with its slash ("dogs/001.png", escaped or not).
 * A seed picks what rndimg?seed= picks, from the catalogue's ring
 * (consistent hashing), so adding a picture moves only a few seeds.
 * Paths of any other shape go to @fallback (the web page's files). */
#include "rndimg-picsum.h"
#include "rndimg-http.h"
#include "rndimg-picture-json.h"

#include <string.h>

#define MAX_SEED_BYTES 256
#define DEFAULT_BLUR 5
#define LIST_DEFAULT_LIMIT 30
#define LIST_MAX_LIMIT 100

struct _RndimgPicsum
{
  RndimgCatalogue *catalogue;
  RndimgPictureVariants *variants;
  RndimgHandler fallback;
  gpointer fallback_data;
};

RndimgPicsum *
rndimg_picsum_new (RndimgCatalogue *catalogue, RndimgPictureVariants *variants, RndimgHandler fallback,
                   gpointer fallback_data)
{
  RndimgPicsum *self = g_new0 (RndimgPicsum, 1);

  self->catalogue = g_object_ref (catalogue);
  self->variants = g_object_ref (variants);
  self->fallback = fallback;
  self->fallback_data = fallback_data;
  return self;
}

void
rndimg_picsum_free (RndimgPicsum *self)
{
  g_object_unref (self->catalogue);
  g_object_unref (self->variants);
  g_free (self);
}

static gboolean G_GNUC_PRINTF (3, 4)
refuse (SoupServerMessage *msg, const char *parameter, const char *format, ...)
{
  RndimgVariantProblem problem = { (char *) parameter, NULL };
  va_list args;

  va_start (args, format);
  problem.message = g_strdup_vprintf (format, args);
  va_end (args);
  rndimg_variants_api_send_problem (msg, &problem);
  g_free (problem.message);
  return FALSE;
}

/* The raw query as key -> value (NULL for a key without '='); NULL when
 * it is not well-formed. libsoup's form decoder drops "?grayscale". */
static GHashTable *
read_query (SoupServerMessage *msg)
{
  const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) pieces = NULL;

  if (raw == NULL)
    return g_steal_pointer (&table);
  if (strlen (raw) > 1024)
    return NULL;
  pieces = g_strsplit (raw, "&", 32);
  for (char **piece = pieces; *piece != NULL; piece++)
    {
      char *equals = strchr (*piece, '=');
      char *key = g_uri_unescape_segment (*piece, equals, NULL);
      char *value = equals != NULL ? g_uri_unescape_string (equals + 1, NULL) : NULL;

      if (key == NULL || (equals != NULL && value == NULL))
        {
          g_free (key);
          g_free (value);
          return NULL;
        }
      g_hash_table_replace (table, key, value);
    }
  return g_steal_pointer (&table);
}

/* ?grayscale, ?blur[=N]; ?random and anything else are ignored, as by Picsum. */
static gboolean
read_look (SoupServerMessage *msg, RndimgVariantSpec *spec)
{
  g_autoptr(GHashTable) query = read_query (msg);
  const char *blur;

  if (query == NULL)
    return refuse (msg, "query", "the query is not well-formed percent-encoded text");
  spec->grayscale = g_hash_table_contains (query, "grayscale");
  if (!g_hash_table_lookup_extended (query, "blur", NULL, (gpointer *) &blur))
    return TRUE;
  spec->blur = DEFAULT_BLUR;
  if (blur != NULL && *blur != '\0')
    {
      guint64 value;

      if (!rndimg_http_parse_number (blur, 1, RNDIMG_VARIANT_MAX_BLUR, &value))
        return refuse (msg, "blur", "blur must be a whole number from 1 to %d (no value: %d)",
                       RNDIMG_VARIANT_MAX_BLUR, DEFAULT_BLUR);
      spec->blur = (guint) value;
    }
  return TRUE;
}

static gboolean
read_side (SoupServerMessage *msg, const char *text, const char *parameter, guint *side)
{
  guint64 value;

  if (!rndimg_http_parse_number (text, 0, RNDIMG_VARIANT_MAX_SIDE, &value))
    return refuse (msg, parameter, "%s must be a whole number from 0 to %d", parameter, RNDIMG_VARIANT_MAX_SIDE);
  *side = (guint) value;
  return TRUE;
}

/* The size segments, "300" or "300", "200.webp": a variant as Picsum
 * makes it (centre crop, JPEG unless .webp). */
static gboolean
read_size (SoupServerMessage *msg, char **segments, guint n, RndimgVariantSpec *spec)
{
  char *last = segments[n - 1];
  char *dot = strchr (last, '.');

  *spec = (RndimgVariantSpec) { .format = RNDIMG_FORMAT_JPEG };
  if (dot != NULL)
    {
      if (g_str_equal (dot, ".webp"))
        spec->format = RNDIMG_FORMAT_WEBP;
      else if (!g_str_equal (dot, ".jpg"))
        return refuse (msg, "format", "the file extension must be .jpg or .webp");
      *dot = '\0';
    }
  if (!read_side (msg, segments[0], "width", &spec->width))
    return FALSE;
  if (n == 1)
    spec->height = spec->width;
  else if (!read_side (msg, segments[1], "height", &spec->height))
    return FALSE;
  return read_look (msg, spec);
}

/* The first @count of @segments, joined with '/'. */
static char *
join_segments (char **segments, guint count)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? "/" : "", segments[i]);
  return g_string_free (joined, FALSE);
}

/* A seed from its path segments; NULL with the answer set. */
static char *
read_seed (SoupServerMessage *msg, char **segments, guint count)
{
  g_autofree char *joined = join_segments (segments, count);
  char *seed = g_uri_unescape_string (joined, NULL);

  if (seed == NULL || *seed == '\0' || strlen (seed) > MAX_SEED_BYTES)
    {
      g_free (seed);
      refuse (msg, "seed", "a seed is 1 to %d bytes", MAX_SEED_BYTES);
      return NULL;
    }
  return seed;
}

/* The picture /seed/{seed} picks: the one rndimg?seed= picks, from the
 * catalogue's ring (consistent hashing: a picture added or removed moves
 * only the seeds nearest its points). NULL with the answer set. */
static RndimgPicture *
find_seeded (RndimgPicsum *self, SoupServerMessage *msg, char **segments, guint count)
{
  g_autofree char *seed = read_seed (msg, segments, count);
  g_autoptr(GPtrArray) picked = NULL;

  if (seed == NULL)
    return NULL;
  picked = rndimg_catalogue_choose (self->catalogue, NULL, RNDIMG_ORIENTATION_ANY, seed, NULL, 1, NULL);
  if (picked == NULL || picked->len == 0)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "the catalogue is empty");
      return NULL;
    }
  return rndimg_picture_ref (g_ptr_array_index (picked, 0));
}


/* The picture of /id/{id}/...: @segments after "id", @n of them. An
 * album's picture's id ("dogs/001.png") reaches us with its slash decoded
 * whether the client escaped it (as download_url does) or not: libsoup
 * 3.2's SoupServer decodes the path before routing. So the id is the
 * longest run of segments that names a picture and leaves one ("info",
 * "{size}") or two ("{width}", "{height}") after it. A picture's name
 * ends in an image extension, so a size ("300") never is one, and a
 * picture called "200.jpg" is found as such. Sets *@rest to the
 * segments after the id; NULL if none names a picture. */
static RndimgPicture *
resolve_id (RndimgPicsum *self, char **segments, guint n, guint *rest)
{
  for (guint left = 1; left <= 2 && left < n; left++)
    {
      g_autofree char *joined = join_segments (segments, n - left);
      g_autofree char *name = g_uri_unescape_string (joined, NULL);
      RndimgPicture *image;

      if (name != NULL && (image = rndimg_catalogue_lookup (self->catalogue, name)) != NULL)
        {
          *rest = n - left;
          return image;
        }
    }
  return NULL;
}

static void
expose_picsum_headers (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Access-Control-Expose-Headers",
                                "Location, Retry-After, ETag, Link, Picsum-ID, Content-Type");
}

static void
redirect_versioned (SoupServerMessage *msg, RndimgPicture *image, const char *version, gpointer spec)
{
  g_autofree char *path = rndimg_variant_canonical_path (image->name, version, spec);

  rndimg_variants_api_redirect (msg, path);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Picsum-ID", image->name);
  expose_picsum_headers (msg);
}

/* 302 (no-store) to the canonical URL of @spec of @image, with Picsum-ID. */
static void
redirect_to_variant (RndimgPicsum *self, SoupServerMessage *msg, RndimgPicture *image, const RndimgVariantSpec *spec)
{
  rndimg_variants_api_when_versioned (self->variants, msg, image, redirect_versioned, g_memdup2 (spec, sizeof *spec),
                                  g_free);
}

/* Picsum's item: {id, author, width, height, url, download_url}. */
static void
append_info (SoupServerMessage *msg, GString *out, RndimgPicture *image)
{
  g_autofree char *base = rndimg_http_base_url (msg);
  g_autofree char *url = g_strconcat (base, image->url_path, NULL);
  g_autofree char *escaped = g_uri_escape_string (image->name, NULL, FALSE);
  g_autofree char *download = g_strdup_printf ("%s/id/%s/%u/%u", base, escaped, image->width, image->height);

  g_string_append (out, "{\"id\":");
  rndimg_json_text_append_string (out, image->name);
  g_string_append (out, ",\"author\":\"\",\"width\":");
  rndimg_json_text_append_number (out, image->width);
  g_string_append (out, ",\"height\":");
  rndimg_json_text_append_number (out, image->height);
  g_string_append (out, ",\"url\":");
  rndimg_json_text_append_string (out, url);
  g_string_append (out, ",\"download_url\":");
  rndimg_json_text_append_string (out, download);
  g_string_append_c (out, '}');
}

static void
send_info (SoupServerMessage *msg, RndimgPicture *image)
{
  GString *answer = g_string_new (NULL);

  append_info (msg, answer, image);
  expose_picsum_headers (msg);
  rndimg_http_send_json_text (msg, SOUP_STATUS_OK, answer);
}

static gboolean
read_list_number (SoupServerMessage *msg, GHashTable *query, const char *name, guint64 max, guint64 fallback,
                  guint64 *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  *value = fallback;
  if (text == NULL || rndimg_http_parse_number (text, 1, max, value))
    return TRUE;
  return refuse (msg, name, "%s must be a whole number from 1 to %" G_GUINT64_FORMAT, name, max);
}

static void
add_link (GString *link, const char *base, guint64 page, guint64 limit, const char *rel)
{
  if (link->len > 0)
    g_string_append (link, ", ");
  g_string_append_printf (link, "<%s/v2/list?page=%" G_GUINT64_FORMAT "&limit=%" G_GUINT64_FORMAT ">; rel=\"%s\"",
                          base, page, limit, rel);
}

/* GET /v2/list?page=&limit=: a page of items, Link rel="prev"/"next". */
static void
serve_list (RndimgPicsum *self, SoupServerMessage *msg)
{
  g_autoptr(GHashTable) query = read_query (msg);
  g_autoptr(GPtrArray) images = rndimg_catalogue_list (self->catalogue);
  g_autoptr(GString) link = g_string_new (NULL);
  GString *answer;
  g_autofree char *base = rndimg_http_base_url (msg);
  guint64 page, limit, first;

  if (!read_list_number (msg, query, "page", G_MAXUINT32, 1, &page) ||
      !read_list_number (msg, query, "limit", LIST_MAX_LIMIT, LIST_DEFAULT_LIMIT, &limit))
    return;
  first = (page - 1) * limit;
  answer = g_string_new ("[");
  for (guint64 i = first; i < images->len && i < first + limit; i++)
    {
      if (i > first)
        g_string_append_c (answer, ',');
      append_info (msg, answer, g_ptr_array_index (images, i));
    }
  g_string_append_c (answer, ']');
  if (page > 1)
    add_link (link, base, page - 1, limit, "prev");
  if (first + limit < images->len)
    add_link (link, base, page + 1, limit, "next");
  if (link->len > 0)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Link", link->str);
  expose_picsum_headers (msg);
  rndimg_http_send_json_text (msg, SOUP_STATUS_OK, answer);
}

static gboolean
is_number_segment (const char *segment)
{
  gsize digits = strspn (segment, "0123456789");

  return digits > 0 && (segment[digits] == '\0' || segment[digits] == '.');
}

/* info or a variant of @image: @rest, @n segments after the picture. */
static void
serve_picture (RndimgPicsum *self, SoupServerMessage *msg, RndimgPicture *image, char **rest, guint n)
{
  RndimgVariantSpec spec;

  if (n == 1 && g_str_equal (rest[0], "info"))
    send_info (msg, image);
  else if (read_size (msg, rest, n, &spec))
    redirect_to_variant (self, msg, image, &spec);
}

/* /id/{id}/...: @segments after "id". */
static void
serve_id (RndimgPicsum *self, SoupServerMessage *msg, char **segments, guint n)
{
  guint rest = 0;
  g_autoptr(RndimgPicture) image = resolve_id (self, segments, n, &rest);

  if (image == NULL)
    rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no picture with that id");
  else
    serve_picture (self, msg, image, segments + rest, n - rest);
}

/* /seed/{seed}/...: @segments after "seed", @n >= 2 of them. A seed
 * with an escaped slash reaches us split (libsoup decodes the path): the
 * seed is every segment before "info", or before the size, one number or
 * two. */
static void
serve_seed (RndimgPicsum *self, SoupServerMessage *msg, char **segments, guint n)
{
  RndimgVariantSpec spec;
  g_autoptr(RndimgPicture) image = NULL;
  guint size_segments = n >= 3 && is_number_segment (segments[n - 2]) ? 2 : 1;

  if (g_str_equal (segments[n - 1], "info"))
    {
      if ((image = find_seeded (self, msg, segments, n - 1)) != NULL)
        send_info (msg, image);
      return;
    }
  if (read_size (msg, segments + n - size_segments, size_segments, &spec) &&
      (image = find_seeded (self, msg, segments, n - size_segments)) != NULL)
    redirect_to_variant (self, msg, image, &spec);
}

/* /{size} and /{w}/{h}: a random picture. */
static void
serve_random (RndimgPicsum *self, SoupServerMessage *msg, char **segments, guint n)
{
  g_autoptr(RndimgPicture) image = NULL;
  RndimgVariantSpec spec;

  if (!read_size (msg, segments, n, &spec))
    return;
  if ((image = rndimg_catalogue_pick_random (self->catalogue, NULL)) == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "the catalogue is empty");
      return;
    }
  redirect_to_variant (self, msg, image, &spec);
}

/* GET|HEAD of every path not routed elsewhere. */
void
rndimg_picsum_serve (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer picsum)
{
  RndimgPicsum *self = picsum;
  g_auto(GStrv) segments = g_strsplit (path + 1, "/", 8);
  guint n = g_strv_length (segments);

  if (n == 2 && g_str_equal (segments[0], "v2") && g_str_equal (segments[1], "list"))
    serve_list (self, msg);
  else if (n >= 3 && n <= 6 && g_str_equal (segments[0], "id"))
    serve_id (self, msg, segments + 1, n - 1);
  else if (n >= 3 && n <= 6 && g_str_equal (segments[0], "seed"))
    serve_seed (self, msg, segments + 1, n - 1);
  else if (n >= 1 && n <= 2 && is_number_segment (segments[0]) && (n == 1 || is_number_segment (segments[1])))
    serve_random (self, msg, segments, n);
  else
    self->fallback (msg, path, query, self->fallback_data);
}
