/* SPDX-License-Identifier: MIT */
/* Private albums against a real server: an album marked private in its
 * info.json (with a sub-album), and a public album with a private
 * sub-album.
 *
 *  - Nothing leaks without a credential: events of the private pictures
 *    are published (a publish, an edit, a move into the album) while an
 *    event stream and a WebSocket follow; then every GET path of the
 *    OpenAPI document is walked (each parameter as its example and as the
 *    private names, escaped and not), with the queries that draw, list,
 *    count and seed, a long-poll from 0; no answer may name a private
 *    album or picture, or hold a private picture's bytes.
 *  - A reader sees them, their URLs signed; a signed URL loads in a
 *    browser's way (no header), its variants too; an expired or altered
 *    one is 403 (the test signs with the key file itself); two keys rotate.
 *  - Events reach only readers; a move across the line looks removed to
 *    the others. */
#include "picture-files.h"
#include "push-fixture.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#define READER_TOKEN "private-reader-0123456789ab"
#define PUBLISHER_TOKEN "private-publisher-0123456789"
#define MANAGER_TOKEN "private-manager-0123456789ab"

/* The words no answer to a stranger may hold. */
static const char *const private_words[] = { "zq-vault", "zq-inner", "zq-cloak", "zq-s1", "zq-i1", "zq-h1" };
/* The private pictures, and the shipped files they copy (no public picture does). */
static const char *const private_pictures[][2] = {
  { "zq-vault/zq-s1.png", "07.png" },
  { "zq-vault/zq-inner/zq-i1.png", "08.png" },
  { "open/zq-cloak/zq-h1.png", "09.png" },
};

typedef struct {
  Fixture base;
  char *tokens;
  GPtrArray *secrets;     /* GBytes: a stretch of each private picture's bytes */
} Private;

static void
private_set_up (Private *fixture, gconstpointer data)
{
  Fixture *base = &fixture->base;
  g_autofree char *images = NULL, *tokens_flag = NULL;
  const char *args[5];

  base->folder = test_make_image_folder (2);
  picture_files_make_folder (base->folder, "zq-vault/zq-inner");
  picture_files_make_folder (base->folder, "open/zq-cloak");
  picture_files_copy_shipped (base->folder, "open/o1.png", "03.png");
  picture_files_copy_shipped (base->folder, "open/o2.png", "04.png");
  fixture->secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (private_pictures); i++)
    {
      g_autoptr(GBytes) bytes = read_source_image (private_pictures[i][1]);
      gsize size = g_bytes_get_size (bytes);

      picture_files_copy_shipped (base->folder, private_pictures[i][0], private_pictures[i][1]);
      /* From the middle: compressed data no other picture has. */
      g_ptr_array_add (fixture->secrets, g_bytes_new_from_bytes (bytes, size / 2, 48));
    }
  picture_files_write_text (base->folder, "zq-vault/info.json",
                            "{\"title\": \"zq-vault's title\", \"private\": true,"
                            " \"pictures\": {\"zq-s1.png\": {\"alt\": \"zq-s1 alt\"}}}", -1);
  picture_files_write_text (base->folder, "open/zq-cloak/info.json", "{\"private\": true}", -1);
  fixture->tokens = g_strconcat (base->folder, "-tokens.ini", NULL);
  g_assert_true (g_file_set_contents (fixture->tokens,
                                      "[reader]\ntoken=" READER_TOKEN "\nscopes=read:zq-vault read:open/zq-cloak\n"
                                      "[publisher]\ntoken=" PUBLISHER_TOKEN "\n"
                                      "scopes=publish read:zq-vault read:open/zq-cloak\n"
                                      "[manager]\ntoken=" MANAGER_TOKEN "\nscopes=manage\n", -1, NULL));
  images = g_strconcat ("--images=", base->folder, NULL);
  tokens_flag = g_strconcat ("--tokens-file=", fixture->tokens, NULL);
  args[0] = images;
  args[1] = "--interval=0";
  args[2] = tokens_flag;
  args[3] = data;
  args[4] = NULL;
  base->session = soup_session_new ();
  base->async_session = new_async_session ();
  base->server = test_server_start_full (args, NULL);
}

static void
private_tear_down (Private *fixture, gconstpointer data)
{
  fixture_tear_down (&fixture->base, data);
  g_unlink (fixture->tokens);
  g_free (fixture->tokens);
  g_ptr_array_unref (fixture->secrets);
}

/* ---- requests ---- */

static void
request_as (Private *fixture, const char *method, const char *path, const char *json, const char *token,
            TestResponse *response)
{
  g_autofree char *url = g_str_has_prefix (path, "http") ? g_strdup (path)
                                                         : test_server_url (fixture->base.server, path);
  g_autofree char *bearer = token != NULL ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  test_request (fixture->base.session, method, url, token != NULL ? headers : NULL, body,
                json != NULL ? "application/json" : NULL, response);
}

static JsonObject *
ok_as (Private *fixture, const char *method, const char *path, const char *json, const char *token, guint status)
{
  g_auto(TestResponse) response = { 0 };

  request_as (fixture, method, path, json, token, &response);
  test_assert_status (&response, status);
  return test_response_json (&response);
}

static gboolean
contains (GBytes *haystack, GBytes *needle)
{
  gsize size = 0, length = 0;
  const guint8 *data = haystack != NULL ? g_bytes_get_data (haystack, &size) : NULL;
  const guint8 *wanted = g_bytes_get_data (needle, &length);

  return data != NULL && size >= length && memmem (data, size, wanted, length) != NULL;
}

/* Fails when @body (the answer to a stranger's @what) names a private
 * album or picture the request did not name itself, or holds a private
 * picture's bytes. */
static void
assert_nothing_private (Private *fixture, const char *what, GBytes *body)
{
  for (gsize i = 0; i < G_N_ELEMENTS (private_words); i++)
    {
      g_autoptr(GBytes) word = g_bytes_new_static (private_words[i], strlen (private_words[i]));

      if (strstr (what, private_words[i]) == NULL && contains (body, word))
        g_test_fail_printf ("%s: the answer names %s: %.*s", what, private_words[i],
                            (int) MIN (g_bytes_get_size (body), 400), (const char *) g_bytes_get_data (body, NULL));
    }
  for (guint i = 0; i < fixture->secrets->len; i++)
    if (contains (body, g_ptr_array_index (fixture->secrets, i)))
      g_test_fail_printf ("%s: the answer holds the bytes of %s", what, private_pictures[i][0]);
}

/* @path with every private name made a name nothing has ("zq-" becomes "xq-"). */
static char *
made_up (const char *path)
{
  g_autoptr(GString) text = g_string_new (path);

  g_string_replace (text, "zq-", "xq-", 0);
  return g_strdup (text->str);
}

/* A stranger's GET of @path: nothing private in it; and a path naming a
 * private album or picture is answered as one naming nothing that exists
 * (the same status, the same error), so no answer tells it exists. */
static void
stranger_gets (Private *fixture, const char *path)
{
  g_auto(TestResponse) response = { 0 };
  g_auto(TestResponse) missing = { 0 };
  g_autofree char *other = made_up (path);

  request_as (fixture, "GET", path, NULL, NULL, &response);
  g_test_message ("%s: %u", path, response.status);
  g_assert_cmpuint (response.status, <, 500);
  assert_nothing_private (fixture, path, response.body);
  if (g_str_equal (other, path))
    return;
  request_as (fixture, "GET", other, NULL, NULL, &missing);
  if (response.status != missing.status)
    g_test_fail_printf ("%s is %u, %s is %u: the answer tells a private name exists", path, response.status, other,
                        missing.status);
  else if (response.status >= 400)
    {
      g_autoptr(GString) back = g_string_new_len (g_bytes_get_data (missing.body, NULL),
                                                  (gssize) g_bytes_get_size (missing.body));

      g_string_replace (back, "xq-", "zq-", 0);
      if (g_bytes_get_size (response.body) != back->len ||
          memcmp (g_bytes_get_data (response.body, NULL), back->str, back->len) != 0)
        g_test_fail_printf ("%s and %s are answered differently: the answer tells a private name exists", path,
                            other);
    }
}

/* ---- the private events, published while strangers follow ---- */

static void
publish_private_events (Private *fixture)
{
  json_object_unref (ok_as (fixture, "POST", API "/publish", "{\"name\":\"zq-vault/zq-s1.png\"}", PUBLISHER_TOKEN,
                            201));
  json_object_unref (ok_as (fixture, "POST", API "/publish", "{\"name\":\"zq-vault/zq-inner/zq-i1.png\"}",
                            PUBLISHER_TOKEN, 201));
  json_object_unref (ok_as (fixture, "POST", API "/publish", "{\"name\":\"open/zq-cloak/zq-h1.png\"}",
                            PUBLISHER_TOKEN, 201));
  json_object_unref (ok_as (fixture, "POST", API "/publish", "{\"album\":\"zq-vault\"}", PUBLISHER_TOKEN, 201));
  json_object_unref (ok_as (fixture, "PATCH", API "/images/zq-vault/zq-s1.png", "{\"alt\":\"zq-s1 new alt\"}",
                            MANAGER_TOKEN, 200));
  json_object_unref (ok_as (fixture, "POST", API "/albums", "{\"name\":\"zq-vault/zq-cloak\",\"private\":true}",
                            MANAGER_TOKEN, 201));
  /* A public picture moved in: strangers see it removed, under its old name. */
  json_object_unref (ok_as (fixture, "PATCH", API "/images/open/o2.png", "{\"album\":\"zq-vault\"}",
                            MANAGER_TOKEN, 200));
  /* And a public one, which they do get. */
  json_object_unref (ok_as (fixture, "POST", API "/publish", "{\"name\":\"open/o1.png\"}", PUBLISHER_TOKEN, 201));
}

/* ---- the walk ---- */

static JsonObject *
load_description (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("RNDIMG_OPENAPI_JSON");

  g_assert_nonnull (path);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
parameter_of (JsonObject *document, JsonObject *item, JsonObject *operation, const char *name)
{
  JsonArray *lists[2] = {
    json_object_has_member (item, "parameters") ? json_object_get_array_member (item, "parameters") : NULL,
    json_object_has_member (operation, "parameters") ? json_object_get_array_member (operation, "parameters") : NULL,
  };
  JsonObject *components = json_object_get_object_member (document, "components");

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < json_array_get_length (lists[l]); i++)
      {
        JsonObject *parameter = json_array_get_object_element (lists[l], i);
        const char *ref = json_object_get_string_member_with_default (parameter, "$ref", NULL);

        if (ref != NULL)
          parameter = json_object_get_object_member (json_object_get_object_member (components, "parameters"),
                                                     strrchr (ref, '/') + 1);
        if (g_strcmp0 (json_object_get_string_member_with_default (parameter, "name", NULL), name) == 0 &&
            g_strcmp0 (json_object_get_string_member_with_default (parameter, "in", NULL), "path") == 0)
          return parameter;
      }
  return NULL;
}

/* Whether @value is what a described request may send for @parameter
 * (its schema's pattern, when it has one). */
static gboolean
allowed (JsonObject *document, JsonObject *parameter, const char *value)
{
  JsonObject *schema = parameter != NULL && json_object_has_member (parameter, "schema")
                       ? json_object_get_object_member (parameter, "schema") : NULL;
  const char *ref = schema != NULL ? json_object_get_string_member_with_default (schema, "$ref", NULL) : NULL;
  const char *pattern;

  if (ref != NULL)
    schema = json_object_get_object_member (json_object_get_object_member (json_object_get_object_member (document,
                                                                                                          "components"),
                                                                           "schemas"), strrchr (ref, '/') + 1);
  pattern = schema != NULL ? json_object_get_string_member_with_default (schema, "pattern", NULL) : NULL;
  return pattern == NULL || g_regex_match_simple (pattern, value, 0, 0);
}

/* What a stranger might try for a path parameter: its example, and the
 * private names (an album, a sub-album, a file, a picture's whole name
 * escaped), each where the description allows it. */
static const char *const tries[] = {
  NULL /* the example */, "zq-vault", "zq-inner", "zq-cloak", "zq-s1.png", "zq-i1.png", "zq-h1.png",
  "zq-vault%2Fzq-s1.png", "open%2Fzq-cloak%2Fzq-h1.png",
};

/* The path @template stands for on @attempt: each parameter as the try
 * (or its example where the try is not allowed there); NULL when no
 * parameter takes the try. */
static char *
concrete (JsonObject *document, const char *template, JsonObject *item, JsonObject *operation, guint attempt)
{
  g_auto(GStrv) segments = g_strsplit (template, "/", -1);
  gboolean tried = tries[attempt] == NULL;

  for (guint i = 0; segments[i] != NULL; i++)
    if (segments[i][0] == '{')
      {
        g_autofree char *name = g_strndup (segments[i] + 1, strlen (segments[i]) - 2);
        JsonObject *parameter = parameter_of (document, item, operation, name);
        const char *example = parameter != NULL ? json_object_get_string_member_with_default (parameter, "example", "x")
                                                : "x";
        /* A whole name (its '/' escaped) only where a picture's name goes. */
        gboolean whole = tries[attempt] != NULL && strstr (tries[attempt], "%2F") != NULL;
        gboolean takes = tries[attempt] != NULL && allowed (document, parameter, tries[attempt]) &&
                         (!whole || g_str_equal (name, "name") || g_str_equal (name, "id"));

        tried |= takes;
        g_free (segments[i]);
        segments[i] = g_strdup (takes ? tries[attempt] : example);
      }
  return tried ? g_strjoinv ("/", segments) : NULL;
}

/* Every GET of the description, each parameter tried as its example and
 * as each private name. */
static void
walk_description (Private *fixture)
{
  g_autoptr(JsonObject) document = load_description ();
  JsonObject *paths = json_object_get_object_member (document, "paths");
  g_autoptr(GList) templates = json_object_get_members (paths);
  g_autoptr(GHashTable) tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint walked = 0;

  for (GList *t = templates; t != NULL; t = t->next)
    {
      JsonObject *item = json_object_get_object_member (paths, t->data);
      JsonObject *operation = json_object_has_member (item, "get") ? json_object_get_object_member (item, "get") : NULL;

      /* Streams are followed, not fetched (see below). */
      if (operation == NULL || g_str_has_suffix (t->data, "/events") || g_str_has_suffix (t->data, "/ws") ||
          g_str_has_suffix (t->data, "/rndimg/poll"))
        continue;
      for (guint attempt = 0; attempt < G_N_ELEMENTS (tries); attempt++)
        {
          g_autofree char *path = concrete (document, t->data, item, operation, attempt);

          if (path != NULL && g_hash_table_add (tried, g_strdup (path)))
            {
              stranger_gets (fixture, path);
              walked++;
            }
        }
    }
  g_test_message ("%u paths of the description walked", walked);
  g_assert_cmpuint (walked, >, 150);
}

/* What draws, lists, counts and seeds, as a stranger asks. */
static void
walk_queries (Private *fixture)
{
  static const char *const paths[] = {
    API "/rndimg?count=100", API "/rndimg?album=zq-vault", API "/rndimg?album=open&count=100",
    API "/rndimg?album=open/zq-cloak", API "/images?limit=1000", API "/images?album=zq-vault",
    API "/images?album=open", API "/images?album=open/zq-cloak", API "/albums", API "/albums/open",
    API "/albums/zq-vault", API "/stats", API "/rndimg/poll?since=0&timeout=1",
    API "/rndimg/poll?since=0&album=zq-vault&timeout=1", "/v2/list?limit=100", "/v2/list?page=2&limit=2",
    "/metrics", "/breeds/list/all", "/api/breeds/list/all", "/api/breeds/image/random/50", "/api/breed/open/list",
    "/api/breed/zq-vault/images", "/api/breed/open/zq-cloak/images", "/breed/open/images/random/50",
    "/id/zq-vault%2Fzq-s1.png/info", "/id/zq-vault/zq-s1.png/info", "/static/img/zq-vault/zq-s1.png",
    "/static/img/zq-vault/zq-s1.png?expires=9999999999&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "/img/zq-vault%2Fzq-s1.png/64x64.png", "/img/zq-vault/zq-s1.png/64x64.png",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    stranger_gets (fixture, paths[i]);
  /* Every seed lands on a public picture. */
  for (guint seed = 0; seed < 60; seed++)
    {
      g_autofree char *info = g_strdup_printf ("/seed/s%u/info", seed);
      g_autofree char *drawn = g_strdup_printf (API "/rndimg?seed=s%u&count=5", seed);

      stranger_gets (fixture, info);
      stranger_gets (fixture, drawn);
    }
  /* A long-poll from 0 is answered with public events only. */
  {
    g_autoptr(JsonObject) first = poll_now (&fixture->base, "?since=0");

    g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "removed");
    g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "open/o2.png");
  }
}

static void
assert_followed_nothing_private (Private *fixture, const char *what, GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), g_ptr_array_index (events, i));
      g_autofree char *text = json_to_string (node, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      assert_nothing_private (fixture, what, bytes);
    }
}

static void
test_nothing_leaks_to_a_stranger (Private *fixture, gconstpointer data)
{
  TestEventStream *stream = open_events (&fixture->base, "", NULL);
  g_autoptr(Follower) socket = follow (&fixture->base, "");
  JsonObject *first, *last;

  assert_stat_becomes (&fixture->base, "open_streams", 1, 3000);
  assert_stat_becomes (&fixture->base, "open_websockets", 1, 3000);
  publish_private_events (fixture);
  /* Strangers get two: o2 "removed" (moved into the vault), o1 published. */
  g_assert_true (test_event_stream_wait (stream, 2, 5000));
  assert_events_become (socket, 2);
  g_assert_false (test_event_stream_wait (stream, 3, 500));
  first = g_ptr_array_index (stream->events, 0);
  last = g_ptr_array_index (stream->events, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "removed");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "open/o2.png");
  g_assert_cmpstr (json_object_get_string_member (last, "name"), ==, "open/o1.png");
  assert_followed_nothing_private (fixture, "the event stream", stream->events);
  assert_followed_nothing_private (fixture, "the WebSocket", socket->events);
  test_event_stream_close (stream);

  walk_description (fixture);
  walk_queries (fixture);
  g_assert_cmpint (test_server_stat (fixture->base.server, fixture->base.session, "images"), ==, 3);
}

/* ---- readers and signed URLs ---- */

static char *
signing_key (Private *fixture)
{
  g_autofree char *path = g_build_filename (fixture->base.server->state_dir, "signing-keys", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", 2);
  return g_strdup (g_strstrip (lines[0]));
}

/* The signature the server's scheme gives @name until @expires, made here
 * with the key file: base64url HMAC-SHA256 of "rndimg-v1\nNAME\nEXPIRES". */
static char *
sign (const char *key, const char *name, gint64 expires)
{
  g_autofree char *message = g_strdup_printf ("rndimg-v1\n%s\n%" G_GINT64_FORMAT, name, expires);
  g_autofree char *hex = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) key, strlen (key),
                                                    message, -1);
  guint8 digest[32];
  char *text;

  for (guint i = 0; i < 32; i++)
    digest[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  text = g_base64_encode (digest, sizeof digest);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[43] = '\0';
  return text;
}

static guint
status_of (Private *fixture, const char *path_or_url, const char *token)
{
  g_auto(TestResponse) response = { 0 };

  request_as (fixture, "GET", path_or_url, NULL, token, &response);
  return response.status;
}

static void
test_readers_and_signed_urls (Private *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) list = ok_as (fixture, "GET", API "/images?album=zq-vault", NULL, READER_TOKEN, 200);
  JsonArray *images = json_object_get_array_member (list, "images");
  JsonObject *image = json_array_get_object_element (images, json_array_get_length (images) - 1);
  const char *url = json_object_get_string_member (image, "url");
  const char *signature = json_object_get_string_member (image, "signature");
  g_autofree char *key = signing_key (fixture);
  g_autofree char *expired = NULL, *altered = NULL, *variant = NULL, *made_here = NULL;
  g_autofree char *good_signature = NULL, *old_signature = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_auto(TestResponse) bytes = { 0 };

  /* The vault's own picture comes after its sub-album's in name order. */
  g_assert_cmpuint (json_array_get_length (images), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (image, "name"), ==, "zq-vault/zq-s1.png");
  g_assert_true (json_object_get_boolean_member (image, "private"));
  g_assert_cmpstr (json_object_get_string_member (image, "alt"), ==, "zq-s1 alt");
  g_assert_nonnull (strstr (url, "?expires="));
  g_assert_true (g_str_has_suffix (url, signature));
  /* The signed URL, as an <img> loads it: no header. */
  request_as (fixture, "GET", url, NULL, NULL, &bytes);
  test_assert_status (&bytes, 200);
  g_assert_true (contains (bytes.body, g_ptr_array_index (fixture->secrets, 0)));
  g_assert_true (g_str_has_prefix (test_response_header (&bytes, "Cache-Control"), "private, max-age="));
  /* Its variants on the same signature; redirects keep it. */
  variant = g_strdup_printf ("%s/img/zq-vault%%2Fzq-s1.png/40x40.png?%s", fixture->base.server->url, signature);
  {
    g_auto(TestResponse) small = { 0 };

    request_as (fixture, "GET", variant, NULL, NULL, &small);
    test_assert_status (&small, 200);
  }
  /* With the reader's credential instead. */
  g_assert_cmpuint (status_of (fixture, "/static/img/zq-vault/zq-s1.png", READER_TOKEN), ==, 200);
  g_assert_cmpuint (status_of (fixture, "/static/img/zq-vault/zq-s1.png", NULL), ==, 404);
  g_assert_cmpuint (status_of (fixture, "/static/img/zq-vault/zq-s1.png", MANAGER_TOKEN), ==, 200);
  /* Made here by the same scheme: the server takes it... */
  good_signature = sign (key, "zq-vault/zq-s1.png", now + 120);
  made_here = g_strdup_printf ("/static/img/zq-vault/zq-s1.png?expires=%" G_GINT64_FORMAT "&sig=%s", now + 120,
                               good_signature);
  g_assert_cmpuint (status_of (fixture, made_here, NULL), ==, 200);
  /* ...and one that expired, or one altered, is 403. */
  old_signature = sign (key, "zq-vault/zq-s1.png", now - 5);
  expired = g_strdup_printf ("/static/img/zq-vault/zq-s1.png?expires=%" G_GINT64_FORMAT "&sig=%s", now - 5,
                             old_signature);
  g_assert_cmpuint (status_of (fixture, expired, NULL), ==, 403);
  altered = g_strdup (url);
  altered[strlen (altered) - 1] = altered[strlen (altered) - 1] == 'A' ? 'B' : 'A';
  g_assert_cmpuint (status_of (fixture, altered, NULL), ==, 403);
  /* Another picture's signature opens nothing else. */
  {
    g_autofree char *borrowed = g_strdup_printf ("/static/img/zq-vault/zq-inner/zq-i1.png?%s", signature);

    g_assert_cmpuint (status_of (fixture, borrowed, NULL), ==, 403);
  }
  /* Readers see the albums, with titles, private; strangers do not. */
  {
    g_autoptr(JsonObject) album = ok_as (fixture, "GET", API "/albums/zq-vault", NULL, READER_TOKEN, 200);
    JsonObject *details = json_object_get_object_member (album, "album");

    g_assert_true (json_object_get_boolean_member (details, "private"));
    g_assert_cmpstr (json_object_get_string_member (details, "title"), ==, "zq-vault's title");
    g_assert_cmpuint (status_of (fixture, API "/albums/zq-vault", NULL), ==, 404);
  }
}

/* Two keys: a new one signs, the old still verifies until it is dropped. */
static void
test_signing_keys_rotate (Private *fixture, gconstpointer data)
{
  g_autofree char *keys = g_build_filename (fixture->base.server->state_dir, "signing-keys", NULL);
  g_autofree char *old_key = signing_key (fixture);
  g_autoptr(JsonObject) first = ok_as (fixture, "GET", API "/images/zq-vault/zq-s1.png", NULL, READER_TOKEN, 200);
  g_autofree char *old_url = g_strdup (json_object_get_string_member (json_object_get_object_member (first, "image"),
                                                                      "url"));
  g_autofree char *both = g_strdup_printf ("a-new-key-of-enough-length-0123456789\n%s\n", old_key);
  g_autoptr(JsonObject) second = NULL;

  g_assert_true (g_file_set_contents (keys, both, -1, NULL));
  g_subprocess_send_signal (fixture->base.server->process, SIGHUP);
  test_run_for (500);
  g_assert_cmpuint (status_of (fixture, old_url, NULL), ==, 200);
  second = ok_as (fixture, "GET", API "/images/zq-vault/zq-s1.png", NULL, READER_TOKEN, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (second, "image"), "url"), !=,
                   old_url);
  g_assert_true (g_file_set_contents (keys, "a-new-key-of-enough-length-0123456789\n", -1, NULL));
  g_subprocess_send_signal (fixture->base.server->process, SIGHUP);
  test_run_for (500);
  g_assert_cmpuint (status_of (fixture, old_url, NULL), ==, 403);
  g_assert_cmpuint (status_of (fixture, json_object_get_string_member (json_object_get_object_member (second, "image"),
                                                                       "url"), NULL), ==, 200);
}

/* Readers follow the private album (?access_token=, as a browser can),
 * with signed URLs; a move out of it looks published to strangers. */
static void
test_events_reach_readers (Private *fixture, gconstpointer data)
{
  TestEventStream *reader = open_events (&fixture->base, "?access_token=" READER_TOKEN, NULL);
  TestEventStream *stranger = open_events (&fixture->base, "", NULL);
  JsonObject *event;
  g_auto(TestResponse) picture = { 0 };

  assert_stat_becomes (&fixture->base, "open_streams", 2, 3000);
  json_object_unref (ok_as (fixture, "POST", API "/publish", "{\"name\":\"zq-vault/zq-s1.png\"}", PUBLISHER_TOKEN,
                            201));
  g_assert_true (test_event_stream_wait (reader, 1, 5000));
  event = g_ptr_array_index (reader->events, 0);
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "zq-vault/zq-s1.png");
  g_assert_true (json_object_get_boolean_member (event, "private"));
  request_as (fixture, "GET", json_object_get_string_member (event, "url"), NULL, NULL, &picture);
  test_assert_status (&picture, 200);

  json_object_unref (ok_as (fixture, "PATCH", API "/images/zq-vault/zq-s1.png", "{\"album\":\"open\"}",
                            MANAGER_TOKEN, 200));
  g_assert_true (test_event_stream_wait (reader, 2, 5000));
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (reader->events, 1), "type"), ==, "moved");
  g_assert_true (test_event_stream_wait (stranger, 1, 5000));
  event = g_ptr_array_index (stranger->events, 0);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "published");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "open/zq-s1.png");
  g_assert_false (json_object_has_member (event, "from"));
  test_event_stream_close (reader);
  test_event_stream_close (stranger);
}

#define ADD_PRIVATE(path, func) g_test_add (path, Private, NULL, private_set_up, func, private_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD_PRIVATE ("/private/nothing-leaks-to-a-stranger", test_nothing_leaks_to_a_stranger);
  ADD_PRIVATE ("/private/readers-and-signed-urls", test_readers_and_signed_urls);
  ADD_PRIVATE ("/private/signing-keys-rotate", test_signing_keys_rotate);
  ADD_PRIVATE ("/private/events-reach-readers", test_events_reach_readers);
  test_add_answers_described ();
  return g_test_run ();
}
