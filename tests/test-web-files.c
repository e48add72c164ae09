/* SPDX-License-Identifier: MIT */
/* The web folder as the server sends it: compressed once (gzip and
 * Brotli, chosen by Accept-Encoding, with Vary and one ETag per
 * encoding), every file also under a content-hashed name kept as
 * immutable, the page pointing at those names (its import map filled,
 * allowed by its hash in the Content-Security-Policy), a change to the
 * folder picked up, and the folder's bounds. The bodies are read raw:
 * the session decodes nothing. */
#include "rndimg-test-util.h"

#include <brotli/decode.h>
#include <glib/gstdio.h>
#include <string.h>

#define PAGE "<!doctype html>\n<html><head>\n" \
             "<link rel=\"stylesheet\" href=\"css/style.css\">\n" \
             "<script type=\"importmap\">{\"imports\": {}}</script>\n" \
             "<link rel=\"modulepreload\" href=\"./js/util.js\">\n" \
             "<script type=\"module\" src=\"js/app.js\"></script>\n" \
             "</head><body><a href=\"seed.html\">other</a> <a href=\"polling/api/v1.0/images\">API</a>" \
             "<img src=\"css/logo.png\" alt=\"\"></body></html>\n"
#define APP_JS "import { greet } from \"./util.js\";\n// padding so compression is worth it\n" \
               "greet(); greet(); greet(); greet(); greet(); greet(); greet(); greet(); greet();\n"
#define UTIL_JS "export function greet () { return \"hello, hello, hello, hello, hello, hello\"; }\n"
#define STYLE_CSS "body { margin: 0; padding: 0; } main { margin: 0; padding: 0; } footer { margin: 0; }\n"
#define IMMUTABLE "public, max-age=31536000, immutable"

typedef struct {
  char *web;
  TestServer *server;
  SoupSession *session;
} Fixture;

static void
write_file (const char *web, const char *relative, const char *contents, gssize length)
{
  g_autofree char *path = g_build_filename (web, relative, NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* A plain PNG signature and a little more: served, never compressed. */
static const char PNG_BYTES[] = "\x89PNG\r\n\x1a\n0000000000000000000000000000000000000000000000000000000000";

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *web_arg = NULL;
  g_autofree char *huge = g_malloc0 (4 * 1024 * 1024 + 1);

  fixture->web = g_dir_make_tmp ("rndimg-web-files-XXXXXX", NULL);
  write_file (fixture->web, "index.html", PAGE, -1);
  write_file (fixture->web, "seed.html", "<!doctype html><title>other</title>", -1);
  write_file (fixture->web, "js/app.js", APP_JS, -1);
  write_file (fixture->web, "js/util.js", UTIL_JS, -1);
  write_file (fixture->web, "css/style.css", STYLE_CSS, -1);
  write_file (fixture->web, "css/logo.png", PNG_BYTES, sizeof PNG_BYTES - 1);
  write_file (fixture->web, ".secret.json", "{}", -1);
  write_file (fixture->web, "huge.json", huge, 4 * 1024 * 1024 + 1);
  web_arg = g_strconcat ("--web=", fixture->web, NULL);
  fixture->server = test_server_start ("--interval=0", web_arg, NULL);
  fixture->session = soup_session_new ();
  soup_session_remove_feature_by_type (fixture->session, SOUP_TYPE_CONTENT_DECODER);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_server_stop (fixture->server);
  g_object_unref (fixture->session);
  test_remove_folder (fixture->web);
  g_free (fixture->web);
}

/* GET @path saying @accept_encoding (NULL: no header) and, unless NULL,
 * If-None-Match @etag. */
static void
get_encoded (Fixture *fixture, const char *path, const char *accept_encoding, const char *etag,
             TestResponse *response)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  const char *headers[5] = { NULL };
  guint n = 0;

  if (accept_encoding != NULL)
    {
      headers[n++] = "Accept-Encoding";
      headers[n++] = accept_encoding;
    }
  if (etag != NULL)
    {
      headers[n++] = "If-None-Match";
      headers[n++] = etag;
    }
  test_get_with_headers (fixture->session, url, headers, response);
}

static GBytes *
gunzip (GBytes *bytes)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (raw, G_CONVERTER (decompressor));
  g_autoptr(GError) error = NULL;
  GBytes *out = g_input_stream_read_bytes (in, 1 << 20, NULL, &error);

  g_assert_no_error (error);
  return out;
}

static GBytes *
unbrotli (GBytes *bytes)
{
  gsize size = 1 << 20;
  guint8 *out = g_malloc (size);
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpint (BrotliDecoderDecompress (length, data, &size, out), ==, BROTLI_DECODER_RESULT_SUCCESS);
  return g_bytes_new_take (out, size);
}

static void
assert_body_is (GBytes *body, const char *expected)
{
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), expected, strlen (expected));
}

/* What a body holds, as text. */
static char *
body_text (TestResponse *response)
{
  return g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
}

static void
test_encodings_by_accept_encoding (Fixture *fixture, gconstpointer data)
{
  const struct { const char *accept_encoding, *expected; } cases[] = {
    { "gzip, deflate, br", "br" }, { "br;q=0.5, gzip", "gzip" }, { "gzip;q=1, br;q=0", "gzip" },
    { "x-gzip", "gzip" }, { "*", "br" }, { "*;q=0, gzip", "gzip" }, { "identity", NULL },
    { "deflate", NULL }, { "br;q=0, gzip;q=0", NULL }, { "", NULL }, { NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(TestResponse) response = { 0 };
      g_autoptr(GBytes) decoded = NULL;

      g_test_message ("Accept-Encoding: %s", cases[i].accept_encoding);
      get_encoded (fixture, "/js/app.js", cases[i].accept_encoding, NULL, &response);
      test_assert_status (&response, 200);
      g_assert_cmpstr (test_response_header (&response, "Content-Encoding"), ==, cases[i].expected);
      g_assert_cmpstr (test_response_header (&response, "Vary"), ==, "Accept-Encoding");
      g_assert_true (g_str_has_prefix (test_response_header (&response, "Content-Type"), "text/javascript"));
      decoded = g_strcmp0 (cases[i].expected, "br") == 0 ? unbrotli (response.body)
                : g_strcmp0 (cases[i].expected, "gzip") == 0 ? gunzip (response.body)
                : g_bytes_ref (response.body);
      assert_body_is (decoded, APP_JS);
      if (cases[i].expected != NULL)
        g_assert_cmpuint (g_bytes_get_size (response.body), <, strlen (APP_JS));
    }
}

/* Each encoding has its own ETag: a client that kept the Brotli answer
 * revalidates it with 304; asking for gzip then gets the gzip bytes. */
static void
test_etag_per_encoding (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) brotli = { 0 };
  g_auto(TestResponse) gzip = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) other = { 0 };
  g_autofree char *brotli_etag = NULL;

  get_encoded (fixture, "/css/style.css", "br", NULL, &brotli);
  get_encoded (fixture, "/css/style.css", "gzip", NULL, &gzip);
  brotli_etag = g_strdup (test_response_header (&brotli, "ETag"));
  g_assert_cmpstr (brotli_etag, !=, test_response_header (&gzip, "ETag"));
  get_encoded (fixture, "/css/style.css", "br", brotli_etag, &again);
  test_assert_status (&again, 304);
  g_assert_cmpuint (g_bytes_get_size (again.body), ==, 0);
  g_assert_cmpstr (test_response_header (&again, "ETag"), ==, brotli_etag);
  g_assert_cmpstr (test_response_header (&again, "Vary"), ==, "Accept-Encoding");
  get_encoded (fixture, "/css/style.css", "gzip", brotli_etag, &other);
  test_assert_status (&other, 200);
  g_assert_cmpstr (test_response_header (&other, "Content-Encoding"), ==, "gzip");
}

/* A picture is sent as it is: no encoding, nothing varies. */
static void
test_pictures_not_compressed (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) response = { 0 };

  get_encoded (fixture, "/css/logo.png", "gzip, br", NULL, &response);
  test_assert_status (&response, 200);
  g_assert_null (test_response_header (&response, "Content-Encoding"));
  g_assert_null (test_response_header (&response, "Vary"));
  g_assert_cmpmem (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body),
                   PNG_BYTES, sizeof PNG_BYTES - 1);
}

/* "js/app.js" -> "js/app.HASH.js" as the page names it, or NULL. */
static char *
hashed_in_page (const char *page, const char *stem, const char *extension)
{
  g_autofree char *pattern = g_strdup_printf ("\"(\\./)?(%s\\.[0-9a-f]{12}%s)\"", stem, extension);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);

  if (!g_regex_match (regex, page, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 2);
}

static char *
import_map_of (const char *page)
{
  const char *start = strstr (page, "<script type=\"importmap\">");
  const char *end = start != NULL ? strstr (start, "</script>") : NULL;

  g_assert_nonnull (end);
  start += strlen ("<script type=\"importmap\">");
  return g_strndup (start, (gsize) (end - start));
}

/* The page points at every asset by its hashed name (the modules' own
 * imports through the import map), each kept as immutable; the page
 * itself, and the plain names, are revalidated. */
static void
test_hashed_names (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) page = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *app = NULL;
  g_autofree char *util = NULL;
  g_autofree char *style = NULL;
  g_autofree char *logo = NULL;
  g_autofree char *map = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *imports;

  get_encoded (fixture, "/", NULL, NULL, &page);
  test_assert_status (&page, 200);
  g_assert_cmpstr (test_response_header (&page, "Cache-Control"), ==, "no-cache");
  text = body_text (&page);
  app = hashed_in_page (text, "js/app", ".js");
  util = hashed_in_page (text, "js/util", ".js");
  style = hashed_in_page (text, "css/style", ".css");
  logo = hashed_in_page (text, "css/logo", ".png");
  g_assert_nonnull (app);
  g_assert_nonnull (util);
  g_assert_nonnull (style);
  g_assert_nonnull (logo);
  g_assert_nonnull (strstr (text, "href=\"./js/util."));     /* its own spelling kept */
  g_assert_nonnull (strstr (text, "href=\"seed.html\""));   /* pages keep their names */
  g_assert_nonnull (strstr (text, "href=\"polling/api/v1.0/images\""));

  map = import_map_of (text);
  g_assert_true (json_parser_load_from_data (parser, map, -1, NULL));
  imports = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "imports");
  g_assert_cmpuint (json_object_get_size (imports), ==, 2);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (imports, "./js/app.js"), app));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (imports, "./js/util.js"), util));

  for (const char *const *name = (const char *const[]) { app, util, style, logo, NULL }; *name != NULL; name++)
    {
      g_autofree char *path = g_strconcat ("/", *name, NULL);
      g_auto(TestResponse) hashed = { 0 };

      get_encoded (fixture, path, "br", NULL, &hashed);
      test_assert_status (&hashed, 200);
      g_assert_cmpstr (test_response_header (&hashed, "Cache-Control"), ==, IMMUTABLE);
    }
  {
    g_auto(TestResponse) plain = { 0 };

    get_encoded (fixture, "/js/app.js", "br", NULL, &plain);
    g_assert_cmpstr (test_response_header (&plain, "Cache-Control"), ==, "no-cache");
  }
}

/* The import map is the page's one inline script: the policy allows it
 * by its SHA-256, and nothing else inline. */
static void
test_policy_allows_the_import_map (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) page = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *map = NULL;
  g_autofree char *digest_base64 = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  const char *policy;

  get_encoded (fixture, "/", NULL, NULL, &page);
  text = body_text (&page);
  map = import_map_of (text);
  g_checksum_update (checksum, (const guchar *) map, -1);
  g_checksum_get_digest (checksum, digest, &length);
  digest_base64 = g_base64_encode (digest, length);
  expected = g_strdup_printf ("script-src 'self' 'sha256-%s'", digest_base64);
  policy = test_response_header (&page, "Content-Security-Policy");
  g_assert_nonnull (strstr (policy, expected));
  g_assert_nonnull (strstr (policy, "default-src 'self'"));
  g_assert_nonnull (strstr (policy, "frame-ancestors 'none'"));
  g_assert_null (strstr (policy, "unsafe-inline"));
}

/* A hashed name of another version (a page older than the folder) gets
 * the current file, revalidated; a plain name that is no file is 404. */
static void
test_other_versions (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) stale = { 0 };
  g_auto(TestResponse) missing = { 0 };
  g_auto(TestResponse) dot = { 0 };

  get_encoded (fixture, "/js/util.000000000000.js", NULL, NULL, &stale);
  test_assert_status (&stale, 200);
  g_assert_cmpstr (test_response_header (&stale, "Cache-Control"), ==, "no-cache");
  assert_body_is (stale.body, UTIL_JS);
  get_encoded (fixture, "/js/nothing.000000000000.js", NULL, NULL, &missing);
  test_assert_json_error (&missing, 404);
  get_encoded (fixture, "/.secret.json", NULL, NULL, &dot);
  test_assert_json_error (&dot, 404);
}

/* The folder's bounds: a file over 4 MiB is left out, the rest served. */
static void
test_bounds (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) huge = { 0 };
  g_auto(TestResponse) other = { 0 };

  get_encoded (fixture, "/huge.json", NULL, NULL, &huge);
  test_assert_json_error (&huge, 404);
  get_encoded (fixture, "/seed.html", NULL, NULL, &other);
  test_assert_status (&other, 200);
}

/* The hashed name the page gives js/util.js now. */
static char *
util_name_in_page (Fixture *fixture)
{
  g_auto(TestResponse) page = { 0 };
  g_autofree char *text = NULL;

  get_encoded (fixture, "/", NULL, NULL, &page);
  text = body_text (&page);
  return hashed_in_page (text, "js/util", ".js");
}

/* Edited in place (as while developing): the next page names the new
 * version, and the new bytes are served, within a few seconds. */
static void
test_change_picked_up (Fixture *fixture, gconstpointer data)
{
  g_auto(TestResponse) after = { 0 };
  g_autofree char *before = util_name_in_page (fixture);
  g_autofree char *now = NULL;

  write_file (fixture->web, "js/util.js", "export function greet () { return \"changed\"; }\n", -1);
  for (guint tries = 0; tries < 50; tries++)
    {
      g_free (now);
      now = util_name_in_page (fixture);
      if (g_strcmp0 (now, before) != 0)
        break;
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (now, !=, before);
  get_encoded (fixture, "/js/util.js", NULL, NULL, &after);
  assert_body_is (after.body, "export function greet () { return \"changed\"; }\n");
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/web-files/encodings", test_encodings_by_accept_encoding);
  ADD ("/web-files/etag-per-encoding", test_etag_per_encoding);
  ADD ("/web-files/pictures-not-compressed", test_pictures_not_compressed);
  ADD ("/web-files/hashed-names", test_hashed_names);
  ADD ("/web-files/policy-allows-import-map", test_policy_allows_the_import_map);
  ADD ("/web-files/other-versions", test_other_versions);
  ADD ("/web-files/bounds", test_bounds);
  ADD ("/web-files/change-picked-up", test_change_picked_up);

  test_add_answers_described ();
  return g_test_run ();
}
