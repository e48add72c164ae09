/* SPDX-License-Identifier: MIT */
/* GET /img/NAME/VERSION/SIZE?OPTIONS: a variant of a catalogue picture
 * (see rndimg-variant.c for the grammar). Only the canonical spelling,
 * whose VERSION is the picture's current content hash, is answered with
 * bytes (immutable for a year, ETag, 304); every other spelling of the
 * same variant, a missing or old VERSION included, is a 302 (no-store) to
 * it. Bytes come from the variant cache or a render on the renderer's
 * pool, the request paused meanwhile; the main loop never decodes. */
#include "rndimg-variants.h"
#include "rndimg-http.h"
#include "rndimg-picture-version.h"

#include <string.h>

#define IMMUTABLE "public, max-age=31536000, immutable"

struct _RndimgVariants
{
  GObject parent_instance;

  RndimgCatalogue *catalogue;
  RndimgPictureVersions *versions;
  RndimgVariantCache *cache;
  RndimgRenderer *renderer;
};

enum { RENDERED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RndimgVariants, rndimg_variants, G_TYPE_OBJECT)

static void
rndimg_variants_finalize (GObject *object)
{
  RndimgVariants *self = RNDIMG_VARIANTS (object);

  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->versions, rndimg_picture_versions_free);
  g_clear_pointer (&self->cache, rndimg_variant_cache_free);
  g_clear_object (&self->renderer);
  G_OBJECT_CLASS (rndimg_variants_parent_class)->finalize (object);
}

static void
rndimg_variants_class_init (RndimgVariantsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_variants_finalize;
  /* ::rendered (seconds): a render finished, for the metrics. */
  signals[RENDERED] = g_signal_new ("rendered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
rndimg_variants_init (RndimgVariants *self)
{
}

RndimgVariants *
rndimg_variants_new (RndimgCatalogue *catalogue, const RndimgVariantsSettings *settings)
{
  RndimgVariants *self = g_object_new (RNDIMG_TYPE_VARIANTS, NULL);

  self->catalogue = g_object_ref (catalogue);
  self->versions = rndimg_picture_versions_new ();
  self->cache = rndimg_variant_cache_new (settings->memory_budget, settings->disk_folder, settings->disk_budget);
  self->renderer = rndimg_renderer_new (&settings->render);
  return self;
}

gboolean
rndimg_variants_get_picture_size (RndimgVariants *self, const RndimgImage *image, guint *width, guint *height)
{
  return rndimg_picture_versions_get_size (self->versions, image, width, height);
}

RndimgRenderer *
rndimg_variants_get_renderer (RndimgVariants *self)
{
  return self->renderer;
}

RndimgVariantCache *
rndimg_variants_get_cache (RndimgVariants *self)
{
  return self->cache;
}

/* 400 {"status":"error","message":...,"parameter":...} */
void
rndimg_variants_send_problem (SoupServerMessage *msg, const RndimgVariantProblem *problem)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, problem->message);
  json_builder_set_member_name (builder, "parameter");
  json_builder_add_string_value (builder, problem->parameter);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  rndimg_http_send_json (msg, SOUP_STATUS_BAD_REQUEST, node);
}

/* 302 to @location (a path), never cached: the target moves when the
 * picture changes. */
void
rndimg_variants_redirect (SoupServerMessage *msg, const char *location)
{
  g_autofree char *base = rndimg_http_base_url (msg);
  g_autofree char *url = g_strconcat (base, location, NULL);

  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, url);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                "private, no-cache, no-store, must-revalidate");
}

/* The absolute canonical URL of @spec of @image; NULL when the picture
 * cannot be read. */
char *
rndimg_variants_url (RndimgVariants *self, SoupServerMessage *msg, const RndimgImage *image,
                     const RndimgVariantSpec *spec)
{
  const char *version = rndimg_picture_versions_get (self->versions, image, NULL);
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;

  if (version == NULL)
    return NULL;
  base = rndimg_http_base_url (msg);
  path = rndimg_variant_canonical_path (image->name, version, spec);
  return g_strconcat (base, path, NULL);
}

/* Whether Accept lists @type (or a wildcard for it) with a quality above 0. */
static gboolean
accepts (const char *accept, const char *type)
{
  g_auto(GStrv) ranges = g_strsplit (accept != NULL ? accept : "", ",", 32);

  for (char **range = ranges; *range != NULL; range++)
    {
      g_auto(GStrv) parts = g_strsplit (*range, ";", 8);
      const char *media = g_strstrip (parts[0]);
      gboolean refused = FALSE;

      for (char **param = parts + 1; *param != NULL; param++)
        {
          const char *p = g_strstrip (*param);

          if (g_str_has_prefix (p, "q=") && g_ascii_strtod (p + 2, NULL) <= 0)
            refused = TRUE;
        }
      if (!refused && g_ascii_strcasecmp (media, type) == 0)
        return TRUE;
    }
  return FALSE;
}

static RndimgFormat
negotiate (RndimgVariants *self, SoupServerMessage *msg)
{
  const char *accept = soup_message_headers_get_list (soup_server_message_get_request_headers (msg), "Accept");

  if (accepts (accept, "image/avif") && rndimg_renderer_can_encode (self->renderer, RNDIMG_FORMAT_AVIF))
    return RNDIMG_FORMAT_AVIF;
  if (accepts (accept, "image/webp"))
    return RNDIMG_FORMAT_WEBP;
  return RNDIMG_FORMAT_JPEG;
}

static char *
etag_for (const char *key)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strdup_printf ("\"%.24s\"", digest);
}

static gboolean
etag_matches (SoupServerMessage *msg, const char *etag)
{
  const char *if_none_match = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                             "If-None-Match");
  g_auto(GStrv) tags = NULL;

  if (if_none_match == NULL)
    return FALSE;
  tags = g_strsplit (if_none_match, ",", 64);
  for (char **tag = tags; *tag != NULL; tag++)
    {
      const char *t = g_strstrip (*tag);

      if (g_str_has_prefix (t, "W/"))
        t += 2;
      if (g_str_equal (t, "*") || g_str_equal (t, etag))
        return TRUE;
    }
  return FALSE;
}

/* What a variant's answer carries, sent from the cache or after a render. */
typedef struct {
  char *key;
  char *etag;
  RndimgFormat format;
  gboolean negotiated;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_free (answer->key);
  g_free (answer->etag);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static void
add_variant_headers (SoupServerMessage *msg, const Answer *answer)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", IMMUTABLE);
  soup_message_headers_replace (headers, "ETag", answer->etag);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Timing-Allow-Origin", "*");
  if (answer->negotiated)
    soup_message_headers_replace (headers, "Vary", "Accept");
}

static void
send_bytes (SoupServerMessage *msg, const Answer *answer, GBytes *bytes)
{
  add_variant_headers (msg, answer);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type",
                                rndimg_format_content_type (answer->format));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static void
send_render_error (SoupServerMessage *msg, const GError *error)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  guint status = SOUP_STATUS_UNPROCESSABLE_ENTITY;

  if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_OUTPUT_TOO_LARGE))
    {
      RndimgVariantProblem problem = { (char *) "size", error->message };

      rndimg_variants_send_problem (msg, &problem);
      return;
    }
  if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_BUSY) ||
      g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_TIMEOUT))
    {
      status = SOUP_STATUS_SERVICE_UNAVAILABLE;
      soup_message_headers_replace (headers, "Retry-After",
                                    error->code == RNDIMG_RENDER_ERROR_BUSY ? "1" : "5");
    }
  else if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNSUPPORTED))
    status = SOUP_STATUS_NOT_ACCEPTABLE;
  rndimg_http_send_error (msg, status, "%s", error->message);
}

/* A request paused for its render. */
typedef struct {
  RndimgVariants *variants;
  SoupServerMessage *msg;
  Answer answer;
  gulong disconnected_id;
  gboolean gone;
} Waiter;

static void
on_gone (SoupServerMessage *msg, gpointer gone)
{
  *(gboolean *) gone = TRUE;
}

static void
on_rendered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *waiter = user_data;
  g_autoptr(GError) error = NULL;
  double seconds = 0;
  g_autoptr(GBytes) bytes = rndimg_renderer_render_finish (RNDIMG_RENDERER (source), result, &seconds, &error);

  /* Each waiter of one render stores it; the cache keeps one copy. */
  if (bytes != NULL && !rndimg_variant_cache_has (waiter->variants->cache, waiter->answer.key))
    {
      rndimg_variant_cache_store (waiter->variants->cache, waiter->answer.key, bytes);
      g_signal_emit (waiter->variants, signals[RENDERED], 0, seconds);
    }
  g_signal_handler_disconnect (waiter->msg, waiter->disconnected_id);
  /* libsoup 3.2 objects to unpausing a message whose client is gone. */
  if (!waiter->gone)
    {
      if (bytes != NULL)
        send_bytes (waiter->msg, &waiter->answer, bytes);
      else
        send_render_error (waiter->msg, error);
      soup_server_message_unpause (waiter->msg);
    }
  g_object_unref (waiter->msg);
  g_object_unref (waiter->variants);
  answer_clear (&waiter->answer);
  g_free (waiter);
}

static void
render_and_answer (RndimgVariants *self, SoupServerMessage *msg, const RndimgImage *image,
                   const RndimgVariantSpec *spec, Answer *answer)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->variants = g_object_ref (self);
  waiter->msg = g_object_ref (msg);
  waiter->answer = *answer;
  *answer = (Answer) { 0 };
  waiter->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_gone), &waiter->gone);
  soup_server_message_pause (msg);
  rndimg_renderer_render_async (self->renderer, waiter->answer.key, image->path, spec, on_rendered, waiter);
}

/* The canonical variant: 304, cached bytes, or a render. */
static void
serve_canonical (RndimgVariants *self, SoupServerMessage *msg, const RndimgImage *image,
                 RndimgVariantSpec *spec, const char *canonical)
{
  g_auto(Answer) answer = { 0 };
  g_autoptr(GBytes) bytes = NULL;

  answer.negotiated = spec->format == RNDIMG_FORMAT_AUTO;
  answer.format = answer.negotiated ? negotiate (self, msg) : spec->format;
  if (!rndimg_renderer_can_encode (self->renderer, answer.format))
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_ACCEPTABLE,
                              "this server's libvips cannot encode %s", rndimg_format_extension (answer.format));
      return;
    }
  spec->format = answer.format;
  answer.key = g_strdup_printf ("%s#%s", canonical, rndimg_format_extension (answer.format));
  answer.etag = etag_for (answer.key);
  if (etag_matches (msg, answer.etag))
    {
      add_variant_headers (msg, &answer);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  if ((bytes = rndimg_variant_cache_lookup (self->cache, answer.key)) != NULL)
    send_bytes (msg, &answer, bytes);
  else
    render_and_answer (self, msg, image, spec, &answer);
}

static gboolean
is_version (const char *segment)
{
  return strlen (segment) == 16 && strspn (segment, "0123456789abcdef") == 16;
}

/* "/img/NAME[/VERSION]/SIZE": the parts, NULL VERSION when absent. An
 * album's picture ("dogs/001.png") may come with its slashes escaped (as
 * canonical URLs write it) or not: the segments before VERSION (16 hex
 * digits) or SIZE are the name. */
static gboolean
split_path (const char *path, char **name, char **version, char **size)
{
  g_auto(GStrv) segments = g_strsplit (path + strlen ("/img/"), "/", 16);
  guint n = g_strv_length (segments);
  guint name_segments;
  g_autoptr(GString) joined = g_string_new (NULL);

  if (n < 2 || n > 12)
    return FALSE;
  name_segments = n >= 3 && is_version (segments[n - 2]) ? n - 2 : n - 1;
  *version = name_segments == n - 2 ? g_strdup (segments[n - 2]) : NULL;
  *size = g_strdup (segments[n - 1]);
  for (guint i = 0; i < name_segments; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? "/" : "", segments[i]);
  *name = g_uri_unescape_string (joined->str, NULL);
  return *name != NULL;
}

/* Whether the request spelled the canonical URL: compared decoded, since
 * an album picture's escaped slashes may reach us decoded. */
static gboolean
same_spelling (const char *canonical, const char *requested)
{
  g_autofree char *want = g_uri_unescape_string (canonical, NULL);
  g_autofree char *have = g_uri_unescape_string (requested, NULL);

  return want != NULL && have != NULL && g_str_equal (want, have);
}

/* GET|HEAD /img/... */
void
rndimg_variants_serve (SoupServerMessage *msg, const char *path, GHashTable *query, gpointer variants)
{
  RndimgVariants *self = variants;
  const char *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autofree char *name = NULL, *version = NULL, *size = NULL;
  g_autofree char *canonical = NULL, *requested = NULL;
  g_autoptr(RndimgImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(RndimgVariantProblem) problem = { 0 };
  RndimgVariantSpec spec;
  const char *current;

  if (!split_path (path, &name, &version, &size) || (image = rndimg_catalogue_lookup (self->catalogue, name)) == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such picture; variants are /img/NAME/SIZE");
      return;
    }
  if (!rndimg_variant_parse (size, raw_query, &spec, &problem))
    {
      rndimg_variants_send_problem (msg, &problem);
      return;
    }
  if ((current = rndimg_picture_versions_get (self->versions, image, &error)) == NULL)
    {
      rndimg_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the picture cannot be read: %s",
                              error->message);
      return;
    }
  canonical = rndimg_variant_canonical_path (image->name, current, &spec);
  requested = raw_query != NULL ? g_strconcat (path, "?", raw_query, NULL) : g_strdup (path);
  if (!same_spelling (canonical, requested))
    rndimg_variants_redirect (msg, canonical);
  else
    serve_canonical (self, msg, image, &spec, canonical);
}
