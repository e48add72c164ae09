/* SPDX-License-Identifier: MIT */
/* Lorem Picsum's own test cases, run against a real rndimg: every case of
 * DMarby/picsum-photos internal/api/api_test.go (TestAPI: its answers and
 * its redirects), internal/imageapi/api_test.go (the picture's headers)
 * and internal/handler/handler_test.go (errors as text or JSON) that
 * applies to a self-hosted catalogue, each named by its file and case, and
 * the URL forms of Picsum's own page (internal/web/embed/index.html).
 *
 * The folder has what Picsum's fixtures have, id 1 and id 2 (300x400 by
 * "John Doe", url https://picsum.photos; their numbers kept in the state
 * folder as a restart would find them), and what a self-hosted one has:
 * an album, a sub-album and a 6000x4000 picture. Where Picsum's expected
 * URL is on its image host (an HMAC-signed /id/ID/W/H.ext), rndimg's 302
 * goes to the picture's canonical variant URL: the case follows it and
 * checks what Picsum's image host would answer (the picture at that size,
 * Picsum-ID, Content-Disposition naming ID, size, blur and gray).
 *
 * Where rndimg differs on purpose, the case says so (docs/api.md has the
 * table). Not applicable: the "Database errors" cases (a mock database
 * that fails; rndimg's catalogue is in memory, no call of it can fail) and
 * imageapi's "invalid parameters" (an HMAC; rndimg's picture URLs need
 * none, their version is a content hash checked on every request). */
#include "variant-fixture.h"

#include <string.h>

#define NO_STORE "private, no-cache, no-store, must-revalidate"
#define API_TEST "internal/api/api_test.go: "
#define IMAGEAPI_TEST "internal/imageapi/api_test.go: "
#define HANDLER_TEST "internal/handler/handler_test.go: "
#define WEB_PAGE "internal/web/embed/index.html: "

/* ---- the folder ---- */

static void
write_state (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, "picture-numbers.tsv", NULL);

  /* Picsum's fixture ids: 1 and 2; the rest numbered after them. */
  g_assert_true (g_file_set_contents (path, "1\t001.jpg\n2\t002.jpg\n", -1, NULL));
}

static void
start_server (Fixture *fixture, char **state_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_file = NULL;
  g_autofree char *state_flag = NULL;
  g_autofree char *puppies = NULL;
  static const char info[] = "{\"pictures\":{\"001.jpg\":{\"author\":\"John Doe\",\"source_url\":\"https://picsum.photos\"},"
                             "\"002.jpg\":{\"author\":\"John Doe\",\"source_url\":\"https://picsum.photos\"}}}";

  fixture->folder = test_make_image_folder (0);
  puppies = g_build_filename (fixture->folder, "dogs", "puppies", NULL);
  write_picture (fixture->folder, "001.jpg", 300, 400);
  write_picture (fixture->folder, "002.jpg", 300, 400);
  write_picture (fixture->folder, "big.jpg", 6000, 4000);
  g_assert_cmpint (g_mkdir_with_parents (puppies, 0755), ==, 0);
  write_picture (fixture->folder, "dogs/001.png", 320, 240);
  write_picture (fixture->folder, "dogs/puppies/001.png", 240, 320);
  write_file (fixture->folder, "info.json", info, sizeof info - 1);
  *state_dir = g_dir_make_tmp ("rndimg-picsum-XXXXXX", &error);
  g_assert_no_error (error);
  write_state (*state_dir);
  state_file = g_build_filename (*state_dir, "history.json", NULL);
  state_flag = g_strconcat ("--state-file=", state_file, NULL);
  fixture_start (fixture, state_flag, NULL);
}

typedef struct {
  Fixture fixture;
  char *state_dir;
} Picsum;

static void
picsum_set_up (Picsum *picsum, gconstpointer data)
{
  start_server (&picsum->fixture, &picsum->state_dir);
}

static void
picsum_tear_down (Picsum *picsum, gconstpointer data)
{
  fixture_clear (&picsum->fixture);
  test_remove_folder (picsum->state_dir);
  g_free (picsum->state_dir);
}

/* ---- checks ---- */

static char *
body_text (TestResponse *response)
{
  return g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
}

static JsonNode *
body_json (TestResponse *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (response->body, NULL),
                              (gssize) g_bytes_get_size (response->body), &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* @json with "ROOT" standing for the server's URL. */
static JsonNode *
expected_json (Fixture *fixture, const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (json);
  g_autoptr(GError) error = NULL;

  g_string_replace (text, "ROOT", fixture->server->url, 0);
  json_parser_load_from_data (parser, text->str, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_json_equal (JsonNode *got, JsonNode *expected)
{
  if (!json_node_equal (got, expected))
    {
      g_autofree char *have = json_to_string (got, FALSE);
      g_autofree char *want = json_to_string (expected, FALSE);

      g_error ("got %s\nexpected %s", have, want);
    }
}

/* One of TestAPI's answers: status, the headers it lists and the body. */
static void
assert_answer (Fixture *fixture, const char *source, const char *path, guint status, const char *content_type,
               const char *link, const char *text, const char *json)
{
  g_auto(TestResponse) response = { 0 };

  g_test_message ("%s (%s)", source, path);
  get_once (fixture, path, NULL, &response);
  test_assert_status (&response, status);
  g_assert_cmpstr (test_response_header (&response, "Content-Type"), ==, content_type);
  g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, NO_STORE);
  if (link != NULL)
    {
      g_autoptr(GString) expected = g_string_new (link);

      g_string_replace (expected, "ROOT", fixture->server->url, 0);
      g_assert_cmpstr (test_response_header (&response, "Link"), ==, expected->str);
      /* Picsum's "Link" exposed; rndimg's list names more (docs/api.md). */
      g_assert_nonnull (strstr (test_response_header (&response, "Access-Control-Expose-Headers"), "Link"));
    }
  if (text != NULL)
    {
      g_autofree char *body = body_text (&response);

      g_assert_cmpstr (body, ==, text);
    }
  if (json != NULL)
    {
      g_autoptr(JsonNode) got = body_json (&response);
      g_autoptr(JsonNode) expected = expected_json (fixture, json);

      assert_json_equal (got, expected);
    }
}

static void
assert_error (Fixture *fixture, const char *source, const char *path, guint status, const char *words)
{
  assert_answer (fixture, source, path, status, "text/plain; charset=utf-8", NULL, words, NULL);
}

/* What Picsum's expected URL ("/id/1/200/200.jpg?blur=5&grayscale") says
 * its image host answers. */
typedef struct {
  char *id;            /* NULL: any (a random picture) */
  int width, height;
  gboolean webp;
  int blur;
  gboolean grayscale;
} Expected;

static void
expected_clear (Expected *expected)
{
  g_free (expected->id);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Expected, expected_clear)

static void
read_expected (const char *url, Expected *expected)
{
  g_auto(GStrv) parts = g_strsplit (url, "?", 2);
  g_auto(GStrv) segments = g_strsplit (parts[0], "/", -1);
  const char *query = parts[1] != NULL ? parts[1] : "";
  const char *blur = strstr (query, "blur=");

  g_assert_cmpuint (g_strv_length (segments), ==, 5);
  expected->id = g_strdup (segments[2]);
  expected->width = atoi (segments[3]);
  expected->height = atoi (segments[4]);
  expected->webp = g_str_has_suffix (segments[4], ".webp");
  expected->blur = blur != NULL ? atoi (blur + 5) : 0;
  expected->grayscale = strstr (query, "grayscale") != NULL;
}

static char *
expected_file_name (const Expected *expected, const char *id)
{
  GString *name = g_string_new (NULL);

  g_string_append_printf (name, "%s-%dx%d", id, expected->width, expected->height);
  if (expected->blur != 0)
    g_string_append_printf (name, "-blur_%d", expected->blur);
  if (expected->grayscale)
    g_string_append (name, "-grayscale");
  g_string_append (name, expected->webp ? ".webp" : ".jpg");
  return g_string_free (name, FALSE);
}

/* The picture the 302 leads to, as Picsum's image host answers it
 * (internal/imageapi/image.go; imageapi/api_test.go's imageTests). */
static void
assert_picture (Fixture *fixture, const char *location, const Expected *expected, const char *id)
{
  g_auto(TestResponse) picture = { 0 };
  g_autoptr(VipsImage) image = NULL;
  g_autofree char *file_name = expected_file_name (expected, id);
  g_autofree char *disposition = g_strdup_printf ("inline; filename=\"%s\"", file_name);
  const char *loader = NULL;

  get_once (fixture, location, NULL, &picture);
  test_assert_status (&picture, 200);
  g_assert_cmpstr (test_response_header (&picture, "Content-Type"), ==, expected->webp ? "image/webp" : "image/jpeg");
  g_assert_cmpstr (test_response_header (&picture, "Content-Disposition"), ==, disposition);
  g_assert_cmpstr (test_response_header (&picture, "Picsum-ID"), ==, id);
  g_assert_cmpstr (test_response_header (&picture, "Timing-Allow-Origin"), ==, "*");
  /* Differs on purpose: a year, immutable (Picsum: 30 days); the URL
   * carries the content hash (docs/api.md). */
  g_assert_cmpstr (test_response_header (&picture, "Cache-Control"), ==, "public, max-age=31536000, immutable");
  image = decode (picture.body);
  g_assert_cmpint (vips_image_get_width (image), ==, expected->width);
  g_assert_cmpint (vips_image_get_height (image), ==, expected->height);
  g_assert_cmpint (vips_image_get_string (image, "vips-loader", &loader), ==, 0);
  g_assert_cmpstr (loader, ==, expected->webp ? "webpload_buffer" : "jpegload_buffer");
  if (expected->grayscale && !expected->webp)
    g_assert_cmpint (vips_image_get_bands (image), ==, 1);
}

/* One of TestAPI's redirectTests. @seed: the case's picture is the one
 * that seed picks (Picsum's fixture has one; rndimg's seeds are its own). */
static void
assert_redirect (Fixture *fixture, const char *name, const char *path, const char *expected_url, const char *seed)
{
  g_auto(TestResponse) redirect = { 0 };
  g_auto(Expected) expected = { 0 };
  g_autofree char *seeded_id = NULL;
  const char *id;

  g_test_message ("%s\"%s\" (%s)", API_TEST, name, path);
  read_expected (expected_url, &expected);
  get_once (fixture, path, NULL, &redirect);
  test_assert_status (&redirect, 302);
  g_assert_cmpstr (test_response_header (&redirect, "Cache-Control"), ==, NO_STORE);
  id = test_response_header (&redirect, "Picsum-ID");
  g_assert_nonnull (id);
  if (seed != NULL)
    {
      g_auto(TestResponse) info = { 0 };
      g_autofree char *info_path = g_strdup_printf ("/seed/%s/info", seed);
      g_autoptr(JsonNode) object = NULL;

      get_once (fixture, info_path, NULL, &info);
      object = body_json (&info);
      seeded_id = g_strdup (json_object_get_string_member (json_node_get_object (object), "id"));
      g_assert_cmpstr (id, ==, seeded_id);
    }
  else if (g_str_has_prefix (path, "/id/") || strstr (path, "image=") != NULL)
    g_assert_cmpstr (id, ==, expected.id);
  /* Random: any picture (Picsum's fixture has only id 1); the big one
   * and the album pictures are drawn too. */
  assert_picture (fixture, test_response_header (&redirect, "Location"), &expected, id);
}

/* One of the "Trailing slashes" redirectTests: 301 to the same URL
 * without the slash, the query kept. */
static void
assert_slash_redirect (Fixture *fixture, const char *source, const char *path, const char *expected)
{
  g_auto(TestResponse) redirect = { 0 };
  g_autofree char *location = g_strconcat (fixture->server->url, expected, NULL);

  g_test_message ("%s (%s)", source, path);
  get_once (fixture, path, NULL, &redirect);
  test_assert_status (&redirect, 301);
  /* Differs on purpose: absolute (Picsum: the path alone); see docs/api.md. */
  g_assert_cmpstr (test_response_header (&redirect, "Location"), ==, location);
}

/* ---- TestAPI's answers ---- */

#define ITEM(id) "{\"id\":\"" #id "\",\"author\":\"John Doe\",\"width\":300,\"height\":400," \
                 "\"url\":\"https://picsum.photos\",\"download_url\":\"ROOT/id/" #id "/300/400\"}"

static void
test_lists (Picsum *picsum, gconstpointer data)
{
  Fixture *fixture = &picsum->fixture;
  g_auto(TestResponse) all = { 0 };
  g_autoptr(JsonNode) items = NULL;
  guint count;

  /* "/v2/list lists images": Picsum's fixture has 2; this folder 5, in
   * number order, ids 1 and 2 first; Link "next" even on the only page. */
  get_once (fixture, "/v2/list", NULL, &all);
  items = body_json (&all);
  count = json_array_get_length (json_node_get_array (items));
  g_assert_cmpuint (count, ==, 5);
  assert_answer (fixture, API_TEST "\"/v2/list lists images\"", "/v2/list?limit=2", 200, "application/json",
                 "<ROOT/v2/list?page=2&limit=2>; rel=\"next\"", NULL, "[" ITEM (1) "," ITEM (2) "]");
  assert_answer (fixture, API_TEST "\"/v2/list lists images\" (Link)", "/v2/list", 200, "application/json",
                 "<ROOT/v2/list?page=2&limit=30>; rel=\"next\"", NULL, NULL);
  assert_answer (fixture, API_TEST "\"/v2/list lists images with limit\"", "/v2/list?limit=1000", 200,
                 "application/json", "<ROOT/v2/list?page=2&limit=100>; rel=\"next\"", NULL, NULL);
  assert_answer (fixture, API_TEST "\"/v2/list pagination page 1\"", "/v2/list?page=1&limit=1", 200,
                 "application/json", "<ROOT/v2/list?page=2&limit=1>; rel=\"next\"", NULL, "[" ITEM (1) "]");
  assert_answer (fixture, API_TEST "\"/v2/list pagination page 2\"", "/v2/list?page=2&limit=1", 200,
                 "application/json",
                 "<ROOT/v2/list?page=1&limit=1>; rel=\"prev\", <ROOT/v2/list?page=3&limit=1>; rel=\"next\"", NULL,
                 "[" ITEM (2) "]");
  /* "page 3" is the page past the last: Picsum's fixture has 2, this 5. */
  assert_answer (fixture, API_TEST "\"/v2/list pagination page 3\"", "/v2/list?page=6&limit=1", 200,
                 "application/json", "<ROOT/v2/list?page=5&limit=1>; rel=\"prev\"", NULL, "[]");
  /* internal/params: a limit or page that is no number is the default. */
  assert_answer (fixture, API_TEST "getLimit, getPage (list.go)", "/v2/list?limit=abc&page=-3", 200,
                 "application/json", "<ROOT/v2/list?page=2&limit=30>; rel=\"next\"", NULL, NULL);
  assert_answer (fixture, API_TEST "\"/id/{id}/info returns info about an image\"", "/id/1/info", 200,
                 "application/json", NULL, NULL, ITEM (1));
}

static void
test_deprecated_list (Picsum *picsum, gconstpointer data)
{
  Fixture *fixture = &picsum->fixture;
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) expected = expected_json (fixture, "{\"format\":\"jpeg\",\"width\":300,\"height\":400,"
                                                         "\"filename\":\"1.jpeg\",\"id\":1,\"author\":\"John Doe\","
                                                         "\"author_url\":\"https://picsum.photos\","
                                                         "\"post_url\":\"https://picsum.photos\"}");

  assert_answer (fixture, API_TEST "\"Deprecated /list lists images\"", "/list", 200, "application/json", NULL, NULL,
                 NULL);
  get_once (fixture, "/list", NULL, &response);
  list = body_json (&response);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 5);
  first = json_node_copy (json_array_get_element (json_node_get_array (list), 0));
  assert_json_equal (first, expected);
}

/* "/seed/{seed}/info returns info about an image": Picsum's seed 1 picks
 * its id 2 (math/rand over its fixture); rndimg's seed ring picks its
 * own, the same every time and the one its picture routes give. */
static void
test_seed_info (Picsum *picsum, gconstpointer data)
{
  Fixture *fixture = &picsum->fixture;
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_autoptr(JsonNode) one = NULL;
  g_autoptr(JsonNode) two = NULL;
  JsonObject *item;

  g_test_message (API_TEST "\"/seed/{seed}/info returns info about an image\"");
  get_once (fixture, "/seed/1/info", NULL, &first);
  get_once (fixture, "/seed/1/info", NULL, &again);
  test_assert_status (&first, 200);
  g_assert_cmpstr (test_response_header (&first, "Cache-Control"), ==, NO_STORE);
  one = body_json (&first);
  two = body_json (&again);
  assert_json_equal (one, two);
  item = json_node_get_object (one);
  g_assert_true (json_object_has_member (item, "author") && json_object_has_member (item, "url") &&
                 json_object_has_member (item, "download_url"));
}

static void
test_errors (Picsum *picsum, gconstpointer data)
{
  Fixture *fixture = &picsum->fixture;
  const struct { const char *name, *path; guint status; const char *words; } cases[] = {
    { "\"invalid image id\"", "/id/nonexistant/200/300", 404, "Image does not exist\n" },
    { "\"invalid image id\"", "/id/nonexistant/info", 404, "Image does not exist\n" },
    { "\"invalid size\"", "/id/1/1/9223372036854775808", 400, "Invalid size\n" },
    { "\"invalid size\"", "/id/1/9223372036854775808/1", 400, "Invalid size\n" },
    { "\"invalid size\"", "/id/1/5500/1", 400, "Invalid size\n" },
    { "\"invalid size\"", "/seed/1/9223372036854775808/1", 400, "Invalid size\n" },
    { "\"invalid size\"", "/9223372036854775808", 400, "Invalid size\n" },
    { "\"invalid blur amount\"", "/id/1/100/100?blur=11", 400, "Invalid blur amount\n" },
    { "\"invalid blur amount\"", "/id/1/100/100?blur=0", 400, "Invalid blur amount\n" },
    { "\"invalid file extension\"", "/id/1/100/100.png", 400, "Invalid file extension\n" },
    { "\"invalid size\" (deprecated handler)", "/g/9223372036854775808", 400, "Invalid size\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *source = g_strconcat (API_TEST, cases[i].name, NULL);

      assert_error (fixture, source, cases[i].path, cases[i].status, cases[i].words);
    }
  /* "404" (/asdf): Picsum's router says "page not found" as text; a path
   * that is no route of Picsum's is rndimg's web folder's, whose 404 is
   * JSON, as every rndimg 404 is (docs/api.md). Under Picsum's own
   * prefixes, Picsum's words. */
  {
    g_auto(TestResponse) response = { 0 };

    get_once (fixture, "/asdf", NULL, &response);
    test_assert_json_error (&response, 404);
  }
  assert_error (fixture, API_TEST "\"404\" (under /id/)", "/id/1/asdf", 404, "page not found\n");
}

/* internal/handler/handler_test.go: a client asking for JSON gets
 * {"error": ...}; rndimg's answer carries "status" and "message" too. */
static void
test_errors_as_json (Picsum *picsum, gconstpointer data)
{
  Fixture *fixture = &picsum->fixture;
  const char *accept_json[] = { "Accept", "application/json", NULL };
  const char *accept_html[] = { "Accept", "text/html", NULL };
  g_auto(TestResponse) json = { 0 };
  g_auto(TestResponse) text = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *body = NULL;

  g_test_message (HANDLER_TEST "\"bad request json\", \"bad request\"");
  get_once (fixture, "/id/1/100/100.png", accept_json, &json);
  test_assert_status (&json, 400);
  g_assert_cmpstr (test_response_header (&json, "Content-Type"), ==, "application/json");
  g_assert_cmpstr (test_response_header (&json, "Cache-Control"), ==, NO_STORE);
  answer = test_response_json (&json);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "Invalid file extension");
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "error");
  get_once (fixture, "/id/1/100/100.png", accept_html, &text);
  test_assert_status (&text, 400);
  g_assert_cmpstr (test_response_header (&text, "Content-Type"), ==, "text/plain; charset=utf-8");
  body = body_text (&text);
  g_assert_cmpstr (body, ==, "Invalid file extension\n");
}

/* TestAPI's redirectTests: Picsum's path, its expected image-host URL. */
static const struct {
  const char *name, *path, *expected;
} redirects[] = {
  { "/id/:id/:size", "/id/1/200", "/id/1/200/200.jpg" },
  { "/id/:id/:size.jpg", "/id/1/200.jpg", "/id/1/200/200.jpg" },
  { "/id/:id/:size.webp", "/id/1/200.webp", "/id/1/200/200.webp" },
  { "/id/:id/:size?blur", "/id/1/200?blur", "/id/1/200/200.jpg?blur=5" },
  { "/id/:id/:size?blur", "/id/1/200?blur=10", "/id/1/200/200.jpg?blur=10" },
  { "/id/:id/:size?grayscale", "/id/1/200?grayscale", "/id/1/200/200.jpg?grayscale" },
  { "/id/:id/:size?blur&grayscale", "/id/1/200?blur&grayscale", "/id/1/200/200.jpg?blur=5&grayscale" },
  { "/:size", "/200", "/id/1/200/200.jpg" },
  { "/:width/:height", "/200/300", "/id/1/200/300.jpg" },
  { "/:size.jpg", "/200.jpg", "/id/1/200/200.jpg" },
  { "/:width/:height.jpg", "/200/300.jpg", "/id/1/200/300.jpg" },
  { "/:size.webp", "/200.webp", "/id/1/200/200.webp" },
  { "/:width/:height.webp", "/200/300.webp", "/id/1/200/300.webp" },
  { "/:size?grayscale", "/200?grayscale", "/id/1/200/200.jpg?grayscale" },
  { "/:width/:height?grayscale", "/200/300?grayscale", "/id/1/200/300.jpg?grayscale" },
  { "/id/:id/:width/:height", "/id/1/200/120", "/id/1/200/120.jpg" },
  { "/id/:id/:width/:height.jpg", "/id/1/200/120.jpg", "/id/1/200/120.jpg" },
  { "/id/:id/:width/:height?blur", "/id/1/200/200?blur", "/id/1/200/200.jpg?blur=5" },
  { "/id/:id/:width/:height.jpg?blur", "/id/1/200/200.jpg?blur", "/id/1/200/200.jpg?blur=5" },
  { "/id/:id/:width/:height?grayscale", "/id/1/200/200?grayscale", "/id/1/200/200.jpg?grayscale" },
  { "/id/:id/:width/:height.jpg?grayscale", "/id/1/200/200.jpg?grayscale", "/id/1/200/200.jpg?grayscale" },
  { "/id/:id/:width/:height?blur&grayscale", "/id/1/200/200?blur&grayscale", "/id/1/200/200.jpg?blur=5&grayscale" },
  { "/id/:id/:width/:height.jpg?blur&grayscale", "/id/1/200/200.jpg?blur&grayscale",
    "/id/1/200/200.jpg?blur=5&grayscale" },
  { "width/height larger then max allowed but same size as image", "/id/1/300/400", "/id/1/300/400.jpg" },
  { "width/height larger then max allowed but same size as image", "/id/1/300/400.jpg", "/id/1/300/400.jpg" },
  { "width/height of 0 returns original image width", "/id/1/0/0", "/id/1/300/400.jpg" },
  { "width/height of 0 returns original image width", "/id/1/0/0.jpg", "/id/1/300/400.jpg" },
  { "/id/:id/:width/:height.webp", "/id/1/200/120.webp", "/id/1/200/120.webp" },
  { "/id/:id/:width/:height.webp?blur", "/id/1/200/200.webp?blur", "/id/1/200/200.webp?blur=5" },
  { "/id/:id/:width/:height.webp?grayscale", "/id/1/200/200.webp?grayscale", "/id/1/200/200.webp?grayscale" },
  { "/id/:id/:width/:height.webp?blur&grayscale", "/id/1/200/200.webp?blur&grayscale",
    "/id/1/200/200.webp?blur=5&grayscale" },
  { "width/height larger then max allowed but same size as image", "/id/1/300/400.webp", "/id/1/300/400.webp" },
  { "width/height of 0 returns original image width", "/id/1/0/0.webp", "/id/1/300/400.webp" },
  { "/:size?blur", "/200?blur", "/id/1/200/200.jpg?blur=5" },
  { "/:width/:height?blur", "/200/300?blur", "/id/1/200/300.jpg?blur=5" },
  { "/:size?grayscale&blur", "/200?grayscale&blur", "/id/1/200/200.jpg?blur=5&grayscale" },
  { "/:width/:height?grayscale&blur", "/200/300?grayscale&blur", "/id/1/200/300.jpg?blur=5&grayscale" },
  { "/:size?blur=10", "/200?blur=10", "/id/1/200/200.jpg?blur=10" },
  { "/:width/:height?blur=10", "/200/300?blur=10", "/id/1/200/300.jpg?blur=10" },
  { "/:size?grayscale&blur=10", "/200?grayscale&blur=10", "/id/1/200/200.jpg?blur=10&grayscale" },
  { "/:width/:height?grayscale&blur=10", "/200/300?grayscale&blur=10", "/id/1/200/300.jpg?blur=10&grayscale" },
  { "/g/:size", "/g/200", "/id/1/200/200.jpg?grayscale" },
  { "/g/:width/:height", "/g/200/300", "/id/1/200/300.jpg?grayscale" },
  { "/g/:size.jpg", "/g/200.jpg", "/id/1/200/200.jpg?grayscale" },
  { "/g/:width/:height.jpg", "/g/200/300.jpg", "/id/1/200/300.jpg?grayscale" },
  { "/g/:size.webp", "/g/200.webp", "/id/1/200/200.webp?grayscale" },
  { "/g/:width/:height.webp", "/g/200/300.webp", "/id/1/200/300.webp?grayscale" },
  { "/g/:size?blur", "/g/200?blur", "/id/1/200/200.jpg?blur=5&grayscale" },
  { "/g/:width/:height?blur", "/g/200/300?blur", "/id/1/200/300.jpg?blur=5&grayscale" },
  { "/g/:size?image=:id", "/g/200?image=1", "/id/1/200/200.jpg?grayscale" },
  { "/g/:width/:height?image=:id", "/g/200/300?image=1", "/id/1/200/300.jpg?grayscale" },
  { "/g/:size.jpg?image=:id", "/g/200.jpg?image=1", "/id/1/200/200.jpg?grayscale" },
  { "/g/:width/:height.jpg?image=:id", "/g/200/300.jpg?image=1", "/id/1/200/300.jpg?grayscale" },
  { "/g/:size.webp?image=:id", "/g/200.webp?image=1", "/id/1/200/200.webp?grayscale" },
  { "/g/:width/:height.webp?image=:id", "/g/200/300.webp?image=1", "/id/1/200/300.webp?grayscale" },
  { "/:size?image=:id", "/200?image=1", "/id/1/200/200.jpg" },
  { "/:width/:height?image=:id", "/200/300?image=1", "/id/1/200/300.jpg" },
  { "/:size?image=:id&grayscale", "/200?image=1&grayscale", "/id/1/200/200.jpg?grayscale" },
  { "/:width/:height?image=:id&grayscale", "/200/300?image=1&grayscale", "/id/1/200/300.jpg?grayscale" },
  { "/:size?image=:id&blur", "/200?image=1&blur", "/id/1/200/200.jpg?blur=5" },
  { "/:width/:height?image=:id&blur", "/200/300?image=1&blur", "/id/1/200/300.jpg?blur=5" },
  { "/:size?image=:id&grayscale&blur", "/200?image=1&grayscale&blur", "/id/1/200/200.jpg?blur=5&grayscale" },
  { "/:width/:height?image=:id&grayscale&blur", "/200/300?image=1&grayscale&blur",
    "/id/1/200/300.jpg?blur=5&grayscale" },
  { "/seed/:seed/:size", "/seed/1/200", "/id/1/200/200.jpg" },
  { "/seed/:seed/:size.jpg", "/seed/1/200.jpg", "/id/1/200/200.jpg" },
  { "/seed/:seed/:size.webp", "/seed/1/200.webp", "/id/1/200/200.webp" },
  { "/seed/:seed/:size?blur", "/seed/1/200?blur", "/id/1/200/200.jpg?blur=5" },
  { "/seed/:seed/:size?blur=10", "/seed/1/200?blur=10", "/id/1/200/200.jpg?blur=10" },
  { "/seed/:seed/:size?grayscale", "/seed/1/200?grayscale", "/id/1/200/200.jpg?grayscale" },
  { "/seed/:seed/:size?blur&grayscale", "/seed/1/200?blur&grayscale", "/id/1/200/200.jpg?blur=5&grayscale" },
  { "/seed/:seed/:size?blur=10&grayscale", "/seed/1/200?blur=10&grayscale", "/id/1/200/200.jpg?blur=10&grayscale" },
  { "/seed/:seed/:width/:height", "/seed/1/200/300", "/id/1/200/300.jpg" },
  { "/seed/:seed/:width/:height.jpg", "/seed/1/200/300.jpg", "/id/1/200/300.jpg" },
  { "/seed/:seed/:width/:height.webp", "/seed/1/200/300.webp", "/id/1/200/300.webp" },
  { "/seed/:seed/:width/:height?blur", "/seed/1/200/300?blur", "/id/1/200/300.jpg?blur=5" },
  { "/seed/:seed/:width/:height?blur=10", "/seed/1/200/300?blur=10", "/id/1/200/300.jpg?blur=10" },
  { "/seed/:seed/:width/:height?grayscale", "/seed/1/200/300?grayscale", "/id/1/200/300.jpg?grayscale" },
  { "/seed/:seed/:width/:height?blur&grayscale", "/seed/1/200/300?blur&grayscale",
    "/id/1/200/300.jpg?blur=5&grayscale" },
  { "/seed/:seed/:width/:height?blur=10&grayscale", "/seed/1/200/300?blur=10&grayscale",
    "/id/1/200/300.jpg?blur=10&grayscale" },
};

static void
test_redirects (Picsum *picsum, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (redirects); i++)
    assert_redirect (&picsum->fixture, redirects[i].name, redirects[i].path, redirects[i].expected,
                     g_str_has_prefix (redirects[i].path, "/seed/1/") ? "1" : NULL);
}

static void
test_trailing_slashes (Picsum *picsum, gconstpointer data)
{
  const struct { const char *source, *path, *expected; } cases[] = {
    { API_TEST "\"/:size/\"", "/200/", "/200" },
    { API_TEST "\"/:width/:height/\"", "/200/300/", "/200/300" },
    { API_TEST "\"/id/:id/:size/\"", "/id/1/200/", "/id/1/200" },
    { API_TEST "\"/id/:id/:width/:height/\"", "/id/1/200/120/", "/id/1/200/120" },
    { API_TEST "\"/seed/:seed/:size/\"", "/seed/1/200/", "/seed/1/200" },
    { API_TEST "\"/seed/:seed/:width/:height/\"", "/seed/1/200/120/", "/seed/1/200/120" },
    { "router.StrictSlash(true) (internal/api/api.go)", "/id/1/info/", "/id/1/info" },
    { "router.StrictSlash(true) (internal/api/api.go)", "/seed/1/info/", "/seed/1/info" },
    { "router.StrictSlash(true) (internal/api/api.go)", "/v2/list/?page=2", "/v2/list?page=2" },
    { WEB_PAGE "\"/200/300/?blur\"", "/200/300/?blur", "/200/300?blur" },
    { WEB_PAGE "\"/200/300/?blur=2\"", "/200/300/?blur=2", "/200/300?blur=2" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_slash_redirect (&picsum->fixture, cases[i].source, cases[i].path, cases[i].expected);
}

/* Every URL of Picsum's page, with only the host changed. */
static void
test_web_page_urls (Picsum *picsum, gconstpointer data)
{
  const struct { const char *path, *expected; } pictures[] = {
    { "/200/300", "/id/1/200/300.jpg" },
    { "/200", "/id/1/200/200.jpg" },
    { "/id/1/200/300", "/id/1/200/300.jpg" },
    { "/seed/picsum/200/300", "/id/1/200/300.jpg" },
    { "/200/300?grayscale", "/id/1/200/300.jpg?grayscale" },
    { "/id/2/200/300?grayscale&blur=2", "/id/2/200/300.jpg?blur=2&grayscale" },
    { "/200/300?random=1", "/id/1/200/300.jpg" },
    { "/200/300?random=2", "/id/1/200/300.jpg" },
    { "/200/300.jpg", "/id/1/200/300.jpg" },
    { "/200/300.webp", "/id/1/200/300.webp" },
  };
  Fixture *fixture = &picsum->fixture;

  for (gsize i = 0; i < G_N_ELEMENTS (pictures); i++)
    {
      g_autofree char *name = g_strconcat (WEB_PAGE, pictures[i].path, NULL);

      assert_redirect (fixture, name, pictures[i].path, pictures[i].expected,
                       g_str_has_prefix (pictures[i].path, "/seed/") ? "picsum" : NULL);
    }
  assert_answer (fixture, WEB_PAGE "/v2/list?page=2&limit=100", "/v2/list?page=2&limit=100", 200, "application/json",
                 "<ROOT/v2/list?page=1&limit=100>; rel=\"prev\"", NULL, "[]");
  /* The page's "/id/0/info": Picsum's first photo; here id 0 is never
   * given (the state folder started the numbers at 1). */
  assert_answer (fixture, WEB_PAGE "/id/0/info", "/id/0/info", 404, "text/plain; charset=utf-8", NULL,
                 "Image does not exist\n", NULL);
  assert_answer (fixture, WEB_PAGE "/seed/picsum/info", "/seed/picsum/info", 200, "application/json", NULL, NULL,
                 NULL);
}

/* Picsum serves its sources at most 5000 px a side: a 6000x4000 picture's
 * info says 5000x3333, and its download_url answers that picture. */
static void
test_large_source (Picsum *picsum, gconstpointer data)
{
  Fixture *fixture = &picsum->fixture;
  g_auto(TestResponse) info = { 0 };
  g_auto(TestResponse) redirect = { 0 };
  g_autoptr(JsonNode) item = NULL;
  g_auto(Expected) expected = { .width = 5000, .height = 3333 };
  const char *id, *download_url;

  g_test_message ("internal/api/params.go: maxImageSize; the issue's camera-size download_url");
  get_once (fixture, "/id/big.jpg/info", NULL, &info);
  test_assert_status (&info, 200);
  item = body_json (&info);
  id = json_object_get_string_member (json_node_get_object (item), "id");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (item), "width"), ==, 5000);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (item), "height"), ==, 3333);
  download_url = json_object_get_string_member (json_node_get_object (item), "download_url");
  get_once (fixture, download_url, NULL, &redirect);
  test_assert_status (&redirect, 302);
  assert_picture (fixture, test_response_header (&redirect, "Location"), &expected, id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("libvips: %s", vips_error_buffer ());
#define ADD(path, func) g_test_add (path, Picsum, NULL, picsum_set_up, func, picsum_tear_down)
  ADD ("/picsum-conformance/lists", test_lists);
  ADD ("/picsum-conformance/deprecated-list", test_deprecated_list);
  ADD ("/picsum-conformance/seed-info", test_seed_info);
  ADD ("/picsum-conformance/errors", test_errors);
  ADD ("/picsum-conformance/errors-as-json", test_errors_as_json);
  ADD ("/picsum-conformance/redirects", test_redirects);
  ADD ("/picsum-conformance/trailing-slashes", test_trailing_slashes);
  ADD ("/picsum-conformance/web-page-urls", test_web_page_urls);
  ADD ("/picsum-conformance/large-source", test_large_source);
  test_add_answers_described ();
  return g_test_run ();
}
