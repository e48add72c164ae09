/* SPDX-License-Identifier: MIT */
/* dog.ceo's own test cases, run against a real rndimg: every case of
 * ElliottLandsborough/dog-ceo-api tests/Controller/MainControllerTest.php
 * and tests/Util/BreedUtilTest.php that applies to a self-hosted
 * catalogue, and the documented examples of its readme.md, each named by
 * its file and case.
 *
 * The folder is dog.ceo's test data (src/Util/MockApi.php): the breed
 * affenpinscher (no sub-breed) and bullterrier with its sub-breed
 * staffordshire, one image.jpg each, their info ("Affenpinscher",
 * "Staffordshire Bullterrier", "Info text.") in the albums' info.json;
 * and what a self-hosted folder has besides: pictures at its top, which
 * dog.ceo's routes never hand out. dog.ceo's image URLs are
 * https://images.dog.ceo/breeds/{breed-sub}/{file}; rndimg's are the same
 * path on its own host ("ROOT" below).
 *
 * Where rndimg differs on purpose, the case says so (docs/api.md has the
 * table). Not applicable: the XML output (beta, "unfinished" in dog.ceo's
 * readme), MockApi's and Guzzle's cases (getWithGuzzle, the upstream
 * lambda rndimg does not have), setEndpointUrl, CacheControllerTest (a
 * cache of that upstream), and the private helpers' cases (arrayIsMulti-
 * Dimensional, niceBreedNameFromFolder...) but through their routes. */
#include "picture-files.h"
#include "rndimg-test-util.h"

#include <string.h>

#define CONTROLLER "tests/Controller/MainControllerTest.php: "
#define UTIL "tests/Util/BreedUtilTest.php: "
#define README "readme.md: "
#define LIST_CACHE "max-age=1800, s-maxage=21600"
#define NO_CACHE "no-cache, private"
#define MAIN_NOT_FOUND "{\"status\":\"error\",\"message\":\"Breed not found (main breed does not exist)\",\"code\":404}"
#define SUB_NOT_FOUND "{\"status\":\"error\",\"message\":\"Breed not found (sub breed does not exist)\",\"code\":404}"
#define NO_SUBS "{\"status\":\"error\",\"message\":\"Breed not found (no sub breeds exist for this main breed)\",\"code\":404}"
#define AFFEN_URL "\"ROOT/breeds/affenpinscher/image.jpg\""
#define STAFF_URL "\"ROOT/breeds/bullterrier-staffordshire/image.jpg\""

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *images = NULL;

  fixture->folder = test_make_image_folder (2);
  picture_files_make_folder (fixture->folder, "affenpinscher");
  picture_files_make_folder (fixture->folder, "bullterrier/staffordshire");
  picture_files_write_jpeg (fixture->folder, "affenpinscher/image.jpg", 500, 375);
  picture_files_write_jpeg (fixture->folder, "bullterrier/staffordshire/image.jpg", 500, 375);
  picture_files_write_text (fixture->folder, "affenpinscher/info.json",
                            "{\"album\":{\"name\":\"Affenpinscher\",\"info\":\"Info text.\"}}", -1);
  picture_files_write_text (fixture->folder, "bullterrier/staffordshire/info.json",
                            "{\"album\":{\"name\":\"Staffordshire Bullterrier\",\"info\":\"Info text.\"}}", -1);
  images = g_strconcat ("--images=", fixture->folder, NULL);
  fixture->session = soup_session_new ();
  fixture->server = test_server_start (images, "--interval=0", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_server_stop (fixture->server);
  g_object_unref (fixture->session);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* The answer to GET @path (with /api, and checked the same without). */
static JsonNode *
get_answer (Fixture *fixture, const char *source, const char *path, guint status, const char *cache_control)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };
  g_autofree char *text = NULL;

  g_test_message ("%s (%s)", source, path);
  test_get (fixture->session, url, &response);
  test_assert_status (&response, status);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "application/json");
  g_assert_cmpstr (test_response_header (&response, "Access-Control-Allow-Origin"), ==, "*");
  if (cache_control != NULL)
    g_assert_cmpstr (test_response_header (&response, "Cache-Control"), ==, cache_control);
  text = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  return parse (text);
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

/* @path answers exactly @expected (JSON, "ROOT" the server's URL), with
 * /api and without. */
static void
assert_exact (Fixture *fixture, const char *source, const char *path, guint status, const char *cache_control,
              const char *expected)
{
  g_autoptr(GString) text = g_string_new (expected);
  g_autoptr(JsonNode) want = NULL;

  g_string_replace (text, "ROOT", fixture->server->url, 0);
  want = parse (text->str);
  for (int api = 0; api < 2; api++)
    {
      g_autofree char *full = g_strconcat (api ? "/api" : "", path, NULL);
      g_autoptr(JsonNode) got = get_answer (fixture, source, full, status, cache_control);

      assert_json_equal (got, want);
    }
}

/* A success whose message holds @count items (an array or an object). */
static JsonNode *
assert_count (Fixture *fixture, const char *source, const char *path, guint count)
{
  g_autofree char *full = g_strconcat ("/api", path, NULL);
  JsonNode *answer = get_answer (fixture, source, full, 200, NO_CACHE);
  JsonObject *object = json_node_get_object (answer);
  JsonNode *message = json_object_get_member (object, "message");

  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "success");
  if (JSON_NODE_HOLDS_ARRAY (message))
    g_assert_cmpuint (json_array_get_length (json_node_get_array (message)), ==, count);
  else
    g_assert_cmpuint (json_object_get_size (json_node_get_object (message)), ==, count);
  return answer;
}

/* A success whose message is one of @choices (JSON texts). */
static void
assert_one_of (Fixture *fixture, const char *source, const char *path, const char *const *choices)
{
  g_autofree char *full = g_strconcat ("/api", path, NULL);
  g_autoptr(JsonNode) answer = get_answer (fixture, source, full, 200, NO_CACHE);
  JsonNode *message = json_object_get_member (json_node_get_object (answer), "message");

  for (const char *const *choice = choices; *choice != NULL; choice++)
    {
      g_autoptr(GString) text = g_string_new (*choice);
      g_autoptr(JsonNode) want = NULL;

      g_string_replace (text, "ROOT", fixture->server->url, 0);
      want = parse (text->str);
      if (json_node_equal (message, want))
        return;
    }
  g_error ("%s: %s is none of the choices", path, json_to_string (message, FALSE));
}

#define SUCCESS(message) "{\"message\":" message ",\"status\":\"success\"}"

static void
test_breed_lists (Fixture *fixture, gconstpointer data)
{
  const char *both_breeds[] = { "\"affenpinscher\"", "\"bullterrier\"", NULL };
  const char *one_breed[] = { "[\"affenpinscher\"]", "[\"bullterrier\"]", NULL };
  const struct { const char *amount; guint count; } multiple[] = {
    { "1", 1 }, { "2", 2 }, { "3", 2 }, { "-1", 2 }, { "$$", 1 },
  };

  assert_exact (fixture, CONTROLLER "testGetAllBreedsJson", "/breeds/list/all", 200, LIST_CACHE,
                SUCCESS ("{\"affenpinscher\":[],\"bullterrier\":[\"staffordshire\"]}"));
  json_node_unref (assert_count (fixture, CONTROLLER "testGetAllBreedsRandomSingle", "/breeds/list/all/random", 1));
  for (gsize i = 0; i < G_N_ELEMENTS (multiple); i++)
    {
      g_autofree char *path = g_strconcat ("/breeds/list/all/random/", multiple[i].amount, NULL);
      g_autoptr(JsonNode) answer = assert_count (fixture, CONTROLLER "testGetAllBreedsRandomMultiple", path,
                                                 multiple[i].count);
    }
  assert_exact (fixture, CONTROLLER "testGetAllTopLevelBreeds", "/breeds/list", 200, LIST_CACHE,
                SUCCESS ("[\"affenpinscher\",\"bullterrier\"]"));
  assert_one_of (fixture, CONTROLLER "testGetAllTopLevelBreedsRandomSingle", "/breeds/list/random", both_breeds);
  /* Several: different ones, in the list's order. */
  assert_exact (fixture, CONTROLLER "testGetAllTopLevelBreedsRandomMultiple", "/breeds/list/random/2", 200, NO_CACHE,
                SUCCESS ("[\"affenpinscher\",\"bullterrier\"]"));
  assert_exact (fixture, CONTROLLER "testGetAllTopLevelBreedsRandomMultiple", "/breeds/list/random/-1", 200, NO_CACHE,
                SUCCESS ("[\"affenpinscher\",\"bullterrier\"]"));
  assert_exact (fixture, CONTROLLER "testGetAllTopLevelBreedsRandomMultiple", "/breeds/list/random/9999", 200,
                NO_CACHE, SUCCESS ("[\"affenpinscher\",\"bullterrier\"]"));
  assert_one_of (fixture, CONTROLLER "testGetAllTopLevelBreedsRandomMultiple", "/breeds/list/random/$$", one_breed);
}

static void
test_sub_breeds (Fixture *fixture, gconstpointer data)
{
  const char *amounts[] = { "2", "1", "9999", "-1" };

  assert_exact (fixture, CONTROLLER "testGetAllSubBreeds", "/breed/affenpinscher/list", 200, LIST_CACHE,
                SUCCESS ("[]"));
  assert_exact (fixture, CONTROLLER "testGetAllSubBreeds", "/breed/bullterrier/list", 200, LIST_CACHE,
                SUCCESS ("[\"staffordshire\"]"));
  assert_exact (fixture, CONTROLLER "testGetAllSubBreeds", "/breed/BAD/list", 404, LIST_CACHE, MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomSingle", "/breed/bullterrier/list/random", 200, NO_CACHE,
                SUCCESS ("\"staffordshire\""));
  assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomSingle", "/breed/BAD/list/random", 404, NO_CACHE,
                MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomSingle", "/breed/affenpinscher/list/random", 404,
                NO_CACHE, NO_SUBS);
  for (gsize i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *path = g_strconcat ("/breed/bullterrier/list/random/", amounts[i], NULL);

      assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomMulti", path, 200, NO_CACHE,
                    SUCCESS ("[\"staffordshire\"]"));
    }
  assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomMulti", "/breed/bad/list/random/1", 404, NO_CACHE,
                MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomMulti", "/breed/DOESNOTEXIST/list/random/1", 404,
                NO_CACHE, MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetAllSubBreedsRandomMulti", "/breed/affenpinscher/list/random/-1", 404,
                NO_CACHE, NO_SUBS);
}

static void
test_breed_images (Fixture *fixture, gconstpointer data)
{
  const char *amounts[] = { "3", "999", "-1", "bad" };
  const char *sub_amounts[] = { "1", "2", "999", "bad" };

  assert_exact (fixture, CONTROLLER "testGetTopLevelImages", "/breed/affenpinscher/images", 200, LIST_CACHE,
                SUCCESS ("[" AFFEN_URL "]"));
  assert_exact (fixture, CONTROLLER "testGetTopLevelImages", "/breed/DOESNOTEXIST/images", 404, LIST_CACHE,
                MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetTopLevelImages", "/breed/bad/images", 404, LIST_CACHE, MAIN_NOT_FOUND);
  /* readme.md: a breed's images are its sub-breeds' too. */
  assert_exact (fixture, README "/breed/{breed}/images", "/breed/bullterrier/images", 200, LIST_CACHE,
                SUCCESS ("[" STAFF_URL "]"));
  assert_exact (fixture, CONTROLLER "testGetRandomTopLevelImage", "/breed/affenpinscher/images/random", 200, NO_CACHE,
                SUCCESS (AFFEN_URL));
  assert_exact (fixture, CONTROLLER "testGetRandomTopLevelImage", "/breed/DOESNOTEXIST/images/random", 404, NO_CACHE,
                MAIN_NOT_FOUND);
  for (gsize i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *path = g_strconcat ("/breed/affenpinscher/images/random/", amounts[i], NULL);

      assert_exact (fixture, CONTROLLER "testGetRandomTopLevelImages", path, 200, NO_CACHE,
                    SUCCESS ("[" AFFEN_URL "]"));
    }
  assert_exact (fixture, CONTROLLER "testGetRandomTopLevelImages", "/breed/DOESNOTEXIST/images/random/3", 404,
                NO_CACHE, MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetSubLevelImages", "/breed/bullterrier/staffordshire/images", 200,
                LIST_CACHE, SUCCESS ("[" STAFF_URL "]"));
  assert_exact (fixture, CONTROLLER "testGetSubLevelImages", "/breed/bullterrier/DOESNOTEXIST/images", 404,
                LIST_CACHE, SUB_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetSubLevelImages", "/breed/DOESNOTEXIST/DOESNOTEXIST/images", 404,
                LIST_CACHE, MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImage", "/breed/bullterrier/staffordshire/images/random",
                200, NO_CACHE, SUCCESS (STAFF_URL));
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImage", "/breed/bullterrier/DOESNOTEXIST/images/random",
                404, NO_CACHE, SUB_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImage", "/breed/bad/bad/images/random", 404, NO_CACHE,
                MAIN_NOT_FOUND);
  for (gsize i = 0; i < G_N_ELEMENTS (sub_amounts); i++)
    {
      g_autofree char *path = g_strconcat ("/breed/bullterrier/staffordshire/images/random/", sub_amounts[i], NULL);

      assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImages", path, 200, NO_CACHE,
                    SUCCESS ("[" STAFF_URL "]"));
    }
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImages", "/breed/bullterrier/DOESNOTEXIST/images/random/3",
                404, NO_CACHE, SUB_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImages", "/breed/bad/bad/images/random/3", 404, NO_CACHE,
                MAIN_NOT_FOUND);
}

/* Random images of any breed: never one outside a breed (the folder's
 * top has two), exactly min(N, 50), N read as PHP reads it. */
static void
test_any_breed_images (Fixture *fixture, gconstpointer data)
{
  const char *either[] = { AFFEN_URL, STAFF_URL, NULL };
  const struct { const char *source, *amount; guint count; } counts[] = {
    { CONTROLLER "testGetRandomImages", "5", 5 },
    { CONTROLLER "testGetRandomImages", "-1", 1 },
    { CONTROLLER "testGetRandomImages", "99999", 50 },
    { CONTROLLER "testGetRandomImages", "bad", 1 },
    { README "/breeds/image/random/3", "3", 3 },
    { README "\"Requests exceeding 50 images are silently capped at 50\"", "51", 50 },
    { README "\"Invalid numbers (non-numeric, zero, negative) default to 1 image\"", "0", 1 },
  };

  for (int i = 0; i < 20; i++)
    assert_one_of (fixture, CONTROLLER "testGetRandomImage", "/breeds/image/random", either);
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autofree char *path = g_strconcat ("/breeds/image/random/", counts[i].amount, NULL);
      g_autoptr(JsonNode) answer = assert_count (fixture, counts[i].source, path, counts[i].count);
      JsonArray *urls = json_object_get_array_member (json_node_get_object (answer), "message");

      for (guint j = 0; j < json_array_get_length (urls); j++)
        g_assert_nonnull (strstr (json_array_get_string_element (urls, j), "/breeds/"));
    }
}

static void
test_breed_info (Fixture *fixture, gconstpointer data)
{
  assert_exact (fixture, CONTROLLER "testmainText", "/breed/affenpinscher", 200, LIST_CACHE,
                SUCCESS ("{\"name\":\"Affenpinscher\",\"info\":\"Info text.\"}"));
  assert_exact (fixture, CONTROLLER "testmainText", "/breed/DOESNOTEXIST", 404, LIST_CACHE, MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testSubText", "/breed/bullterrier/staffordshire", 200, LIST_CACHE,
                SUCCESS ("{\"name\":\"Staffordshire Bullterrier\",\"info\":\"Info text.\"}"));
  assert_exact (fixture, CONTROLLER "testSubText", "/breed/bullterrier/DOESNOTEXIST", 404, LIST_CACHE, SUB_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testSubText", "/breed/DOESNOTEXIST/DOESNOTEXIST", 404, LIST_CACHE,
                MAIN_NOT_FOUND);
  assert_exact (fixture, README "\"Missing breed info files\"", "/breed/bullterrier", 404, LIST_CACHE,
                "{\"status\":\"error\",\"message\":\"Breed not found (No info file for this breed exists)\","
                "\"code\":404}");
}

/* Differs on purpose: without the owner's alt text, dog.ceo's reading of
 * the folder name with no " dog" after it (an album is not always dogs). */
#define AFFEN_ALT "{\"url\":" AFFEN_URL ",\"altText\":\"Affenpinscher\"}"
#define STAFF_ALT "{\"url\":" STAFF_URL ",\"altText\":\"Staffordshire bullterrier\"}"

static void
test_alt_texts (Fixture *fixture, gconstpointer data)
{
  const char *amounts[] = { "3", "-1", "9999" };
  const char *sub_amounts[] = { "2", "-1", "9999", "bad" };
  const char *either[] = { "[" AFFEN_ALT "]", "[" STAFF_ALT "]", NULL };
  const struct { const char *amount; guint count; } counts[] = { { "1", 1 }, { "-1", 1 }, { "9999", 50 }, { "bad", 1 } };

  assert_exact (fixture, CONTROLLER "testGetTopLevelImagesWithAltTags", "/breed/affenpinscher/images/alt", 200,
                LIST_CACHE, SUCCESS ("[" AFFEN_ALT "]"));
  assert_exact (fixture, CONTROLLER "testGetTopLevelImagesWithAltTags", "/breed/DOESNOTEXIST/images/alt", 404,
                LIST_CACHE, MAIN_NOT_FOUND);
  for (gsize i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *path = g_strconcat ("/breed/affenpinscher/images/random/", amounts[i], "/alt", NULL);

      assert_exact (fixture, CONTROLLER "testGetRandomTopLevelImagesWithAltTags", path, 200, NO_CACHE,
                    SUCCESS ("[" AFFEN_ALT "]"));
    }
  assert_exact (fixture, CONTROLLER "testGetRandomTopLevelImagesWithAltTags", "/breed/DOESNOTEXIST/images/random/3/alt",
                404, NO_CACHE, MAIN_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetSubLevelImagesWithAltTags", "/breed/bullterrier/staffordshire/images/alt",
                200, LIST_CACHE, SUCCESS ("[" STAFF_ALT "]"));
  assert_exact (fixture, CONTROLLER "testGetSubLevelImagesWithAltTags", "/breed/bullterrier/DOESNOTEXIST/images/alt",
                404, LIST_CACHE, SUB_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetSubLevelImagesWithAltTags", "/breed/DOESNOTEXIST/DOESNOTEXIST/images/alt",
                404, LIST_CACHE, MAIN_NOT_FOUND);
  for (gsize i = 0; i < G_N_ELEMENTS (sub_amounts); i++)
    {
      g_autofree char *path = g_strconcat ("/breed/bullterrier/staffordshire/images/random/", sub_amounts[i], "/alt",
                                           NULL);

      assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImagesWithAltTags", path, 200, NO_CACHE,
                    SUCCESS ("[" STAFF_ALT "]"));
    }
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImagesWithAltTags",
                "/breed/bullterrier/DOESNOTEXIST/images/random/2/alt", 404, NO_CACHE, SUB_NOT_FOUND);
  assert_exact (fixture, CONTROLLER "testGetRandomSubLevelImagesWithAltTags",
                "/breed/DOESNOTEXIST/DOESNOTEXIST/images/random/2/alt", 404, NO_CACHE, MAIN_NOT_FOUND);
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autofree char *path = g_strconcat ("/breeds/image/random/", counts[i].amount, "/alt", NULL);
      g_autoptr(JsonNode) answer = assert_count (fixture, CONTROLLER "testGetRandomImagesWithAltTags", path,
                                                 counts[i].count);
      JsonObject *first = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (answer), "message"), 0);

      g_assert_true (json_object_has_member (first, "url") && json_object_has_member (first, "altText"));
    }
  /* readme.md's beta examples: ".../random/alt" is random/{amount} with
   * the amount "alt", one URL without its alt text, as the controller
   * routes it. */
  assert_one_of (fixture, README "https://dog.ceo/api/breeds/image/random/alt", "/breeds/image/random/alt",
                 (const char *const[]) { "[" AFFEN_URL "]", "[" STAFF_URL "]", NULL });
  assert_exact (fixture, README "https://dog.ceo/api/breed/hound/afghan/images/random/alt",
                "/breed/bullterrier/staffordshire/images/random/alt", 200, NO_CACHE, SUCCESS ("[" STAFF_URL "]"));
  assert_one_of (fixture, README "https://dog.ceo/api/breeds/image/random/1/alt", "/breeds/image/random/1/alt",
                 either);
}

/* readme.md "Error Handling" and "Important Notes". */
static void
test_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *no_route = g_strdup_printf ("{\"status\":\"error\",\"message\":\"No route found for \\\"GET "
                                               "%s/api/breeds/nothing\\\"\",\"code\":404}", fixture->server->url);
  g_autoptr(JsonNode) answer = get_answer (fixture, README "\"Invalid route/typo (404)\"", "/api/breeds/nothing", 404,
                                           NO_CACHE);
  g_autoptr(JsonNode) expected = parse (no_route);

  assert_json_equal (answer, expected);
  assert_exact (fixture, README "\"Breed names are case-sensitive\"", "/breed/Affenpinscher/images", 404, LIST_CACHE,
                MAIN_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dogceo-conformance/breed-lists", test_breed_lists);
  ADD ("/dogceo-conformance/sub-breeds", test_sub_breeds);
  ADD ("/dogceo-conformance/breed-images", test_breed_images);
  ADD ("/dogceo-conformance/any-breed-images", test_any_breed_images);
  ADD ("/dogceo-conformance/breed-info", test_breed_info);
  ADD ("/dogceo-conformance/alt-texts", test_alt_texts);
  ADD ("/dogceo-conformance/errors", test_errors);
  test_add_answers_described ();
  return g_test_run ();
}
