/* SPDX-License-Identifier: MIT */
/* GET /img/NAME/VERSION/SIZE?OPTIONS: a variant of a catalogue picture
 * (see rndimg-variant.c for the grammar). Only the canonical spelling,
 * whose VERSION is the picture's current content hash, is answered with
 * bytes (immutable for a year, ETag, 304); every other spelling of the
 * same variant, a missing or old VERSION included, is a 302 (no-store) to
 * it. The picture's version, its bytes from the cache or a render come
 * from the pictures' side (server/render/rndimg-picture-variants.c),
 * the request paused while a worker hashes or renders: the main loop
 * never reads a picture. Here: the URL, Accept, ETag and the answer, with
 * Lorem Picsum's Picsum-ID and Content-Disposition (its routes redirect
 * here) unless they are off. A
 * private album's picture passes the gate first (a signed URL, whose
 * signature the redirects keep, or a credential); a render not cached yet
 * that must wait for a worker takes one from the client's share of
 * renders (429 when spent) before it can fill the queue every client
 * shares (503). */
#include "rndimg-variants-api.h"
#include "rndimg-paused.h"
#include "rndimg-picsum.h"
#include "rndimg-http.h"
#include "rndimg-picture-json.h"
#include "rndimg-request-access.h"

#include <string.h>

#define IMMUTABLE "public, max-age=31536000, immutable"
/* A negotiated answer in another format than the best one the client
 * takes, while that one is made (see serve_negotiated): kept briefly, so
 * the client and caches ask again and get the better one. */
#define INTERIM "public, max-age=60"

struct _RndimgVariantsApi
{
  RndimgPictureVariants *variants;
  RndimgPictureNumbers *numbers;   /* NULL: no Lorem Picsum headers */
  RndimgPictureGate *gate;         /* private albums' pictures (borrowed) */
  RndimgRateLimiter *renders;      /* each client's share of renders that must wait (borrowed) */
  guint workers;                   /* renders at once: beyond, they wait in the shared queue */
};

/* The /img/ route of @variants; with @numbers (Lorem Picsum's routes on),
 * each picture carries Picsum's headers too. @gate and @renders are
 * borrowed: they outlive the route. */
RndimgVariantsApi *
rndimg_variants_api_new (RndimgPictureVariants *variants, RndimgPictureNumbers *numbers, RndimgPictureGate *gate,
                         RndimgRateLimiter *renders, guint workers)
{
  RndimgVariantsApi *self = g_new0 (RndimgVariantsApi, 1);

  self->variants = g_object_ref (variants);
  self->numbers = numbers != NULL ? g_object_ref (numbers) : NULL;
  self->gate = gate;
  self->renders = renders;
  self->workers = workers;
  return self;
}

void
rndimg_variants_api_free (RndimgVariantsApi *self)
{
  g_object_unref (self->variants);
  g_clear_object (&self->numbers);
  g_free (self);
}

/* 400 {"status":"error","message":...,"parameter":...}; the parameter may
 * be a name from the query, made valid UTF-8 first. */
void
rndimg_variants_api_send_problem (RndimgExchange *exchange, const RndimgVariantProblem *problem)
{
  g_autofree char *message = g_utf8_make_valid (problem->message, -1);
  g_autofree char *parameter = g_utf8_make_valid (problem->parameter, -1);
  GString *answer = g_string_new ("{\"status\":\"error\",\"message\":");

  rndimg_json_text_append_string (answer, message);
  g_string_append (answer, ",\"parameter\":");
  rndimg_json_text_append_string (answer, parameter);
  g_string_append_c (answer, '}');
  rndimg_http_set_no_store (exchange);
  rndimg_http_send_json_text (exchange, SOUP_STATUS_BAD_REQUEST, answer);
}

/* 302 to @location (a path), never cached: the target moves when the
 * picture changes. */
void
rndimg_variants_api_redirect (RndimgExchange *exchange, const char *location)
{
  g_autofree char *base = rndimg_http_base_url (exchange);
  g_autofree char *url = g_strconcat (base, location, NULL);

  rndimg_exchange_set_redirect (exchange, SOUP_STATUS_FOUND, url);
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Cache-Control",
                                "private, no-cache, no-store, must-revalidate");
}

/* Whether Accept names @type itself with a quality above 0. A wildcard
 * does not count: a client that takes anything (curl's lone wildcard) gets the
 * JPEG every decoder reads, as browsers name AVIF and WebP when they
 * take them. */
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

/* The best format the client takes: AVIF, WebP, JPEG; @fallback, the
 * best after AVIF. */
static RndimgFormat
negotiate (RndimgEncoders *encoders, RndimgExchange *exchange, RndimgFormat *fallback)
{
  const char *accept = soup_message_headers_get_list (rndimg_exchange_get_request_headers (exchange), "Accept");

  *fallback = accepts (accept, "image/webp") ? RNDIMG_FORMAT_WEBP : RNDIMG_FORMAT_JPEG;
  if (accepts (accept, "image/avif") && rndimg_encoders_can_encode (encoders, RNDIMG_FORMAT_AVIF))
    return RNDIMG_FORMAT_AVIF;
  return *fallback;
}

static char *
etag_for (const char *key)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strdup_printf ("\"%.24s\"", digest);
}

static gboolean
etag_matches (RndimgExchange *exchange, const char *etag)
{
  const char *if_none_match = soup_message_headers_get_list (rndimg_exchange_get_request_headers (exchange),
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
  char *cache_control;   /* NULL: immutable, public */
  char *picsum_id;      /* Lorem Picsum's headers; NULL: none */
  char *disposition;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_free (answer->key);
  g_free (answer->etag);
  g_free (answer->cache_control);
  g_free (answer->picsum_id);
  g_free (answer->disposition);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static void
add_variant_headers (RndimgExchange *exchange, const Answer *answer)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);

  soup_message_headers_replace (headers, "Cache-Control", answer->cache_control != NULL ? answer->cache_control
                                                                                    : IMMUTABLE);
  soup_message_headers_replace (headers, "ETag", answer->etag);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Timing-Allow-Origin", "*");
  if (answer->negotiated)
    soup_message_headers_replace (headers, "Vary", "Accept");
  if (answer->picsum_id != NULL)
    {
      soup_message_headers_replace (headers, "Picsum-ID", answer->picsum_id);
      soup_message_headers_replace (headers, "Content-Disposition", answer->disposition);
      soup_message_headers_replace (headers, "Access-Control-Expose-Headers", RNDIMG_PICSUM_EXPOSED_HEADERS);
    }
}

/* Picsum-ID and Content-Disposition, as Lorem Picsum's pictures carry them. */
static void
add_picsum_names (Answer *answer, RndimgPictureNumbers *numbers, const RndimgPicture *image,
                  const RndimgVariantSpec *spec)
{
  guint64 number;
  g_autofree char *file_name = NULL;

  if (numbers == NULL)
    return;
  number = rndimg_picture_numbers_number (numbers, image->name);
  file_name = rndimg_picsum_file_name (number, spec, answer->format);
  answer->picsum_id = g_strdup_printf ("%" G_GUINT64_FORMAT, number);
  answer->disposition = g_strdup_printf ("inline; filename=\"%s\"", file_name);
}

static void
send_bytes (RndimgExchange *exchange, const Answer *answer, GBytes *bytes)
{
  add_variant_headers (exchange, answer);
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Content-Type",
                                rndimg_format_content_type (answer->format));
  rndimg_exchange_set_status (exchange, SOUP_STATUS_OK);
  rndimg_exchange_set_body (exchange, bytes);
}

static void
send_render_error (RndimgExchange *exchange, const GError *error)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  guint status = SOUP_STATUS_UNPROCESSABLE_ENTITY;

  if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_OUTPUT_TOO_LARGE))
    {
      RndimgVariantProblem problem = { (char *) "size", error->message };

      rndimg_variants_api_send_problem (exchange, &problem);
      return;
    }
  if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_BUSY) ||
      g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_TIMEOUT))
    {
      status = SOUP_STATUS_SERVICE_UNAVAILABLE;
      soup_message_headers_replace (headers, "Retry-After",
                                    error->code == RNDIMG_RENDER_ERROR_BUSY ? "1" : "5");
    }
  else if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNAVAILABLE))
    status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  else if (g_error_matches (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_UNSUPPORTED))
    status = SOUP_STATUS_NOT_ACCEPTABLE;
  rndimg_http_send_error (exchange, status, "%s", error->message);
}

/* A request paused for its render. */
typedef struct {
  RndimgPaused *paused;
  Answer answer;
} RenderWait;

static void
on_rendered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RenderWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rndimg_picture_variants_fetch_finish (RNDIMG_PICTURE_VARIANTS (source), result, &error);

  if (rndimg_paused_resume (wait->paused))
    {
      if (bytes != NULL)
        send_bytes (rndimg_paused_exchange (wait->paused), &wait->answer, bytes);
      else
        send_render_error (rndimg_paused_exchange (wait->paused), error);
    }
  rndimg_paused_free (wait->paused);
  answer_clear (&wait->answer);
  g_free (wait);
}

static void
render_and_answer (RndimgPictureVariants *variants, RndimgExchange *exchange, RndimgPicture *image,
                   const RndimgVariantSpec *spec, Answer *answer)
{
  RenderWait *wait = g_new0 (RenderWait, 1);

  wait->answer = *answer;
  *answer = (Answer) { 0 };
  wait->paused = rndimg_paused_new (exchange);
  rndimg_picture_variants_fetch_async (variants, image, spec, wait->answer.key, on_rendered, wait);
}

/* What a request for a variant asked, kept while its version is found. */
typedef struct {
  RndimgVariantsApi *api;
  RndimgVariantSpec spec;
  char *requested;   /* path and query as they came, without a signature */
  RndimgPicturePass pass;
} VariantRequest;

static void
variant_request_free (VariantRequest *request)
{
  g_free (request->requested);
  rndimg_picture_pass_clear (&request->pass);
  g_free (request);
}

/* Whether @key's render would wait in the queue every client shares: it
 * is in neither cache nor under way (joining a render adds no work), and
 * every worker is busy, counting the renders on their way to the queue.
 * Only such renders take from the client's share: on an idle server
 * nobody waits for anybody. */
static gboolean
must_wait (RndimgVariantsApi *api, const char *key)
{
  RndimgRenderer *renderer = rndimg_picture_variants_get_renderer (api->variants);

  return !rndimg_variant_cache_holds (rndimg_picture_variants_get_cache (api->variants), key) &&
         !rndimg_renderer_is_rendering (renderer, key) &&
         !rndimg_picture_variants_is_on_the_way (api->variants, key) &&
         rndimg_renderer_get_queued (renderer) + rndimg_renderer_get_running (renderer) +
         rndimg_picture_variants_get_on_the_way (api->variants) >= MAX (api->workers, 1);
}

/* The answer in @format: its key, ETag and Lorem Picsum's names. */
static void
answer_set_format (Answer *answer, RndimgPictureNumbers *numbers, const RndimgPicture *image,
                   const RndimgVariantSpec *spec, const char *canonical, RndimgFormat format)
{
  RndimgVariantSpec made = *spec;

  g_clear_pointer (&answer->key, g_free);
  g_clear_pointer (&answer->etag, g_free);
  g_clear_pointer (&answer->picsum_id, g_free);
  g_clear_pointer (&answer->disposition, g_free);
  answer->format = format;
  answer->key = g_strdup_printf ("%s#%s", canonical, rndimg_format_extension (format));
  answer->etag = etag_for (answer->key);
  made.format = format;
  add_picsum_names (answer, numbers, image, &made);
}

/* 304, cached bytes, or a render. */
static void
answer_variant (VariantRequest *request, RndimgExchange *exchange, RndimgPicture *image, RndimgVariantSpec *spec,
                Answer *answer)
{
  RndimgPictureVariants *variants = request->api->variants;
  g_autoptr(GBytes) bytes = NULL;

  spec->format = answer->format;
  if (etag_matches (exchange, answer->etag))
    {
      add_variant_headers (exchange, answer);
      rndimg_exchange_set_status (exchange, SOUP_STATUS_NOT_MODIFIED);
      return;
    }
  if ((bytes = rndimg_picture_variants_lookup (variants, answer->key)) != NULL)
    send_bytes (exchange, answer, bytes);
  else if (!must_wait (request->api, answer->key) ||
           rndimg_request_take (request->api->renders, exchange, request->pass.access))
    render_and_answer (variants, exchange, image, spec, answer);
}

/* A first view does not wait for AVIF: it costs some ten times the CPU of
 * a JPEG (62 against 3.5 ms for 520 px here). A negotiated request that
 * takes AVIF gets it when it is in memory (or a 304 for it); otherwise
 * the next best format it takes, at once (from the cache or a render),
 * kept for a minute only, while the AVIF is made behind every render
 * asked for, for the next asker (the client's own, when its minute is
 * up: its If-None-Match then names the interim answer, which no longer
 * matches). Each answer has its own ETag and Vary: Accept. A private
 * picture's interim answer keeps its private Cache-Control. */
static void
serve_negotiated (VariantRequest *request, RndimgExchange *exchange, RndimgPicture *image, RndimgVariantSpec *spec,
                  const char *canonical, Answer *answer)
{
  RndimgPictureVariants *variants = request->api->variants;
  RndimgPictureNumbers *numbers = request->api->numbers;
  RndimgFormat fallback;
  RndimgFormat best = negotiate (rndimg_picture_variants_get_encoders (variants), exchange, &fallback);
  g_autoptr(GBytes) ready = NULL;

  answer_set_format (answer, numbers, image, spec, canonical, best);
  if (best == RNDIMG_FORMAT_AVIF && !etag_matches (exchange, answer->etag) &&
      (ready = rndimg_picture_variants_lookup (variants, answer->key)) == NULL)
    {
      RndimgVariantSpec avif = *spec;

      avif.format = RNDIMG_FORMAT_AVIF;
      rndimg_picture_variants_prepare (variants, image, &avif, answer->key);
      answer_set_format (answer, numbers, image, spec, canonical, fallback);
      /* A private picture's answer stays private (and short-lived). */
      if (g_strcmp0 (answer->cache_control, IMMUTABLE) == 0)
        {
          g_free (answer->cache_control);
          answer->cache_control = g_strdup (INTERIM);
        }
    }
  if (ready != NULL)
    {
      spec->format = answer->format;
      send_bytes (exchange, answer, ready);
      return;
    }
  answer_variant (request, exchange, image, spec, answer);
}

/* The canonical variant: 304, cached bytes, or a render. */
static void
serve_canonical (VariantRequest *request, RndimgExchange *exchange, RndimgPicture *image,
                 RndimgVariantSpec *spec, const char *canonical)
{
  RndimgPictureVariants *variants = request->api->variants;
  RndimgEncoders *encoders = rndimg_picture_variants_get_encoders (variants);
  g_auto(Answer) answer = { 0 };

  answer.negotiated = spec->format == RNDIMG_FORMAT_AUTO;
  if (!answer.negotiated && !rndimg_encoders_can_encode (encoders, spec->format))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_ACCEPTABLE,
                              "this server's libvips cannot encode %s", rndimg_format_extension (spec->format));
      return;
    }
  rndimg_picture_gate_cache_control (exchange, image, &request->pass, IMMUTABLE);
  answer.cache_control = g_strdup (soup_message_headers_get_one (rndimg_exchange_get_response_headers (exchange),
                                                                 "Cache-Control"));
  if (answer.negotiated)
    {
      serve_negotiated (request, exchange, image, spec, canonical, &answer);
      return;
    }
  answer_set_format (&answer, request->api->numbers, image, spec, canonical, spec->format);
  answer_variant (request, exchange, image, spec, &answer);
}

/* A request paused for its picture's version. */
typedef struct {
  RndimgPaused *paused;
  RndimgPicture *image;
  RndimgVersionedFunc then;
  gpointer user_data;
  GDestroyNotify free_data;
} VersionWait;

static void
on_versioned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VersionWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = rndimg_variant_versions_get_finish (RNDIMG_VARIANT_VERSIONS (source), result, &error);

  if (rndimg_paused_resume (wait->paused))
    {
      if (version != NULL)
        wait->then (rndimg_paused_exchange (wait->paused), wait->image, version, wait->user_data);
      else
        rndimg_http_send_error (rndimg_paused_exchange (wait->paused), SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                "the picture cannot be read: %s", error->message);
    }
  rndimg_paused_free (wait->paused);
  rndimg_picture_unref (wait->image);
  if (wait->free_data != NULL)
    wait->free_data (wait->user_data);
  g_free (wait);
}

/* Calls @then with @image's version: at once when it is known, else once
 * a worker has hashed the picture, @exchange paused meanwhile (a picture that
 * cannot be read: 500). @free_data frees @user_data afterwards. */
void
rndimg_variants_api_when_versioned (RndimgPictureVariants *variants, RndimgExchange *exchange, RndimgPicture *image,
                                RndimgVersionedFunc then, gpointer user_data, GDestroyNotify free_data)
{
  RndimgVariantVersions *versions = rndimg_picture_variants_get_versions (variants);
  const char *known = rndimg_variant_versions_peek (versions, image);
  VersionWait *wait;

  if (known != NULL)
    {
      then (exchange, image, known, user_data);
      if (free_data != NULL)
        free_data (user_data);
      return;
    }
  wait = g_new0 (VersionWait, 1);
  wait->paused = rndimg_paused_new (exchange);
  wait->image = rndimg_picture_ref (image);
  wait->then = then;
  wait->user_data = user_data;
  wait->free_data = free_data;
  rndimg_variant_versions_get_async (versions, image, on_versioned, wait);
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

/* The canonical spelling answered, any other redirected to it (with the
 * signature the request came with). */
static void
serve_versioned (RndimgExchange *exchange, RndimgPicture *image, const char *version, gpointer user_data)
{
  VariantRequest *request = user_data;
  g_autofree char *canonical = rndimg_variant_canonical_path (image->name, version, &request->spec);
  g_autofree char *signed_canonical = NULL;

  if (same_spelling (canonical, request->requested))
    {
      serve_canonical (request, exchange, image, &request->spec, canonical);
      return;
    }
  if (request->pass.signature != NULL)
    signed_canonical = g_strconcat (canonical, strchr (canonical, '?') != NULL ? "&" : "?",
                                    request->pass.signature, NULL);
  rndimg_variants_api_redirect (exchange, signed_canonical != NULL ? signed_canonical : canonical);
}

/* A request paused until the encoders it needs are known (the first
 * variant after a start loads libvips and tries its encoders on a thread:
 * the main loop serves the others meanwhile). */
typedef struct {
  RndimgPaused *paused;
  RndimgPicture *image;
  VariantRequest *request;
} EncodersWait;

static void
encoders_wait_free (gpointer data)
{
  EncodersWait *wait = data;

  rndimg_paused_free (wait->paused);
  rndimg_picture_unref (wait->image);
  g_clear_pointer (&wait->request, variant_request_free);
  g_free (wait);
}

static void
on_encoders_known (gpointer data)
{
  EncodersWait *wait = data;
  VariantRequest *request;

  if (!rndimg_paused_resume (wait->paused))
    return;
  request = g_steal_pointer (&wait->request);
  rndimg_variants_api_when_versioned (request->api->variants, rndimg_paused_exchange (wait->paused), wait->image,
                                      serve_versioned, request, (GDestroyNotify) variant_request_free);
}

/* Whether @request will ask which encoders exist for AVIF: asked for by
 * name, or negotiated with a client that takes it. */
static gboolean
asks_avif (RndimgExchange *exchange, const RndimgVariantSpec *spec)
{
  const char *accept = soup_message_headers_get_list (rndimg_exchange_get_request_headers (exchange), "Accept");

  return spec->format == RNDIMG_FORMAT_AVIF || (spec->format == RNDIMG_FORMAT_AUTO && accepts (accept, "image/avif"));
}

/* GET|HEAD /img/... */
void
rndimg_variants_api_serve (RndimgExchange *exchange, const char *path, GHashTable *query, gpointer variants_api)
{
  RndimgVariantsApi *api = variants_api;
  g_autofree char *raw_query = rndimg_picture_gate_strip_query (rndimg_exchange_get_query (exchange));
  g_autofree char *name = NULL, *version = NULL, *size = NULL;
  g_autoptr(RndimgPicture) image = NULL;
  g_auto(RndimgVariantProblem) problem = { 0 };
  RndimgEncoders *encoders = rndimg_picture_variants_get_encoders (api->variants);
  VariantRequest *request;
  gboolean avif;

  if (!split_path (path, &name, &version, &size))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such picture; variants are /img/NAME/SIZE");
      return;
    }
  request = g_new0 (VariantRequest, 1);
  if ((image = rndimg_picture_gate_open (api->gate, exchange, name, &request->pass)) == NULL)
    {
      variant_request_free (request);
      return;
    }
  if (!rndimg_variant_parse (size, raw_query, &request->spec, &problem))
    {
      variant_request_free (request);
      rndimg_variants_api_send_problem (exchange, &problem);
      return;
    }
  request->api = api;
  request->requested = raw_query != NULL ? g_strconcat (path, "?", raw_query, NULL) : g_strdup (path);
  /* A spelling without the version is redirected: it needs no encoder. */
  avif = asks_avif (exchange, &request->spec);
  if (version != NULL && !rndimg_encoders_known (encoders, avif))
    {
      EncodersWait *wait = g_new0 (EncodersWait, 1);

      wait->paused = rndimg_paused_new (exchange);
      wait->image = rndimg_picture_ref (image);
      wait->request = request;
      rndimg_encoders_when_known (encoders, avif, on_encoders_known, wait, encoders_wait_free);
      return;
    }
  rndimg_variants_api_when_versioned (api->variants, exchange, image, serve_versioned, request,
                                      (GDestroyNotify) variant_request_free);
}
