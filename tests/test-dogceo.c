/* SPDX-License-Identifier: MIT */
/* dog.ceo's routes against a real server, what rndimg adds to dog.ceo's
 * own cases (tests/test-dogceo-conformance.c): answers member by member
 *   {"message": "http://.../breeds/hound-afghan/a1.png", "status": "success"}
 *   {"message": ["http://...", ...], "status": "success"}
 *   {"message": {"hound": ["afghan", ...], "pug": []}, "status": "success"}
 *   {"status": "error", "message": "Breed not found (...)", "code": 404}
 * every URL given served (the picture's own bytes), a picture outside an
 * album never given, 50 pictures of any breed even when fewer exist, the
 * owner's alt text, and --no-dogceo turning the routes off. */
#include "picture-files.h"
#include "rndimg-test-util.h"

#include <string.h>

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *images = NULL;
  const char *extra = data;

  fixture->folder = test_make_image_folder (2);
  picture_files_make_folder (fixture->folder, "hound/afghan");
  picture_files_make_folder (fixture->folder, "hound/basset");
  picture_files_make_folder (fixture->folder, "pug");
  picture_files_copy_shipped (fixture->folder, "hound/h1.png", "03.png");
  picture_files_copy_shipped (fixture->folder, "hound/afghan/a1.png", "04.png");
  picture_files_copy_shipped (fixture->folder, "hound/afghan/a2.png", "05.png");
  picture_files_copy_shipped (fixture->folder, "hound/basset/b1.png", "06.png");
  picture_files_copy_shipped (fixture->folder, "pug/p1.png", "07.png");
  picture_files_write_text (fixture->folder, "pug/info.json",
                            "{\"album\":{\"name\":\"Pug\",\"info\":\"Small.\"},"
                            "\"pictures\":{\"p1.png\":{\"alt\":\"A pug on a sofa\"}}}", -1);
  images = g_strconcat ("--images=", fixture->folder, NULL);
  fixture->session = soup_session_new ();
  fixture->server = test_server_start (images, "--interval=0", extra, NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  test_server_stop (fixture->server);
  g_object_unref (fixture->session);
  test_remove_folder (fixture->folder);
  g_free (fixture->folder);
}

/* The answer, checked to be exactly {"message": <@type>, "status": "success"}. */
static JsonNode *
get_message (Fixture *fixture, const char *path, JsonNodeType type)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GList) members = NULL;

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==, "application/json");
  g_assert_cmpstr (test_response_header (&response, "Access-Control-Allow-Origin"), ==, "*");
  answer = test_response_json (&response);
  members = json_object_get_members (answer);
  g_assert_cmpuint (g_list_length (members), ==, 2);
  g_assert_cmpstr (members->data, ==, "message");
  g_assert_cmpstr (members->next->data, ==, "status");
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "success");
  g_assert_cmpint (JSON_NODE_TYPE (json_object_get_member (answer, "message")), ==, type);
  return json_node_copy (json_object_get_member (answer, "message"));
}

static void
assert_dog_error (Fixture *fixture, const char *path, guint status, const char *message)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GList) members = NULL;

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, status);
  answer = test_response_json (&response);
  members = json_object_get_members (answer);
  g_assert_cmpuint (g_list_length (members), ==, 3);
  g_assert_cmpstr (members->data, ==, "status");
  g_assert_cmpstr (members->next->data, ==, "message");
  g_assert_cmpstr (members->next->next->data, ==, "code");
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "error");
  g_assert_cmpint (json_object_get_int_member (answer, "code"), ==, status);
  if (message != NULL)
    g_assert_cmpstr (json_object_get_string_member (answer, "message"), ==, message);
}

/* @url is dog.ceo's shape, /breeds/{folder}/{file}, below @folder, and
 * answers the picture's bytes. */
static void
assert_url_in (Fixture *fixture, const char *url, const char *folder)
{
  g_autofree char *prefix = g_strconcat (fixture->server->url, "/breeds/", folder, NULL);
  g_auto(TestResponse) picture = { 0 };

  if (!g_str_has_prefix (url, prefix))
    g_error ("%s is not below %s", url, prefix);
  test_get (fixture->session, url, &picture);
  test_assert_status (&picture, 200);
  g_assert_cmpstr (test_response_header (&picture, "Content-Type"), ==, "image/png");
}

static void
test_random_image (Fixture *fixture, gconstpointer data)
{
  for (const char *const *prefix = (const char *const[]) { "/api", "", NULL }; *prefix != NULL; prefix++)
    {
      g_autofree char *one_path = g_strconcat (*prefix, "/breeds/image/random", NULL);
      g_autofree char *three_path = g_strconcat (*prefix, "/breeds/image/random/3", NULL);
      g_autofree char *many_path = g_strconcat (*prefix, "/breeds/image/random/500", NULL);
      g_autoptr(JsonNode) one = get_message (fixture, one_path, JSON_NODE_VALUE);
      g_autoptr(JsonNode) three = get_message (fixture, three_path, JSON_NODE_ARRAY);
      g_autoptr(JsonNode) many = get_message (fixture, many_path, JSON_NODE_ARRAY);

      assert_url_in (fixture, json_node_get_string (one), "");
      g_assert_cmpuint (json_array_get_length (json_node_get_array (three)), ==, 3);
      /* Exactly 50, as dog.ceo gives, though only 5 pictures are in albums;
       * the 2 at the top of the folder never come. */
      g_assert_cmpuint (json_array_get_length (json_node_get_array (many)), ==, 50);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (many)); i++)
        g_assert_null (strstr (json_array_get_string_element (json_node_get_array (many), i), "/breeds//"));
    }
  {
    g_autoptr(JsonNode) zero = get_message (fixture, "/api/breeds/image/random/0", JSON_NODE_ARRAY);
    g_autoptr(JsonNode) word = get_message (fixture, "/api/breeds/image/random/abc", JSON_NODE_ARRAY);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (zero)), ==, 1);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (word)), ==, 1);
  }
  for (int i = 0; i < 40; i++)
    {
      g_autoptr(JsonNode) one = get_message (fixture, "/api/breeds/image/random", JSON_NODE_VALUE);

      assert_url_in (fixture, json_node_get_string (one), "");
    }
}

static void
test_lists (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) all = get_message (fixture, "/api/breeds/list/all", JSON_NODE_OBJECT);
  g_autoptr(JsonNode) list = get_message (fixture, "/api/breeds/list", JSON_NODE_ARRAY);
  g_autoptr(JsonNode) random_one = get_message (fixture, "/api/breeds/list/random", JSON_NODE_VALUE);
  g_autoptr(JsonNode) random_two = get_message (fixture, "/breeds/list/random/2", JSON_NODE_ARRAY);
  g_autoptr(JsonNode) subs = get_message (fixture, "/api/breed/hound/list", JSON_NODE_ARRAY);
  JsonObject *breeds = json_node_get_object (all);
  JsonArray *hound = json_object_get_array_member (breeds, "hound");

  g_assert_cmpuint (json_object_get_size (breeds), ==, 2);
  g_assert_cmpuint (json_array_get_length (hound), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (hound, 0), ==, "afghan");
  g_assert_cmpstr (json_array_get_string_element (hound, 1), ==, "basset");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (breeds, "pug")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (list), 0), ==, "hound");
  g_assert_true (g_str_equal (json_node_get_string (random_one), "hound") ||
                 g_str_equal (json_node_get_string (random_one), "pug"));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (random_two)), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (subs)), ==, 2);
}

static void
test_breed_images (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) hound = get_message (fixture, "/api/breed/hound/images", JSON_NODE_ARRAY);
  g_autoptr(JsonNode) afghan = get_message (fixture, "/api/breed/hound/afghan/images", JSON_NODE_ARRAY);
  g_autoptr(JsonNode) one = get_message (fixture, "/api/breed/pug/images/random", JSON_NODE_VALUE);
  g_autoptr(JsonNode) two = get_message (fixture, "/breed/hound/afghan/images/random/5", JSON_NODE_ARRAY);
  g_autofree char *pug_url = g_strconcat (fixture->server->url, "/breeds/pug/p1.png", NULL);
  JsonArray *hound_urls = json_node_get_array (hound);

  /* A breed's images include its sub-breeds', as on dog.ceo. */
  g_assert_cmpuint (json_array_get_length (hound_urls), ==, 4);
  for (guint i = 0; i < json_array_get_length (hound_urls); i++)
    assert_url_in (fixture, json_array_get_string_element (hound_urls, i), "hound");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (afghan)), ==, 2);
  g_assert_cmpstr (json_node_get_string (one), ==, pug_url);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (two)), ==, 2);
  assert_url_in (fixture, json_array_get_string_element (json_node_get_array (two), 0), "hound-afghan/");
}

static void
test_not_found (Fixture *fixture, gconstpointer data)
{
  g_autofree char *nothing = g_strconcat ("No route found for \"GET ", fixture->server->url, "/api/breeds/nothing\"", NULL);

  assert_dog_error (fixture, "/api/breed/husky/images", 404, "Breed not found (main breed does not exist)");
  assert_dog_error (fixture, "/api/breed/HOUND/images", 404, "Breed not found (main breed does not exist)");
  assert_dog_error (fixture, "/api/breed/a%20b/images", 404, "Breed not found (main breed does not exist)");
  assert_dog_error (fixture, "/api/breed/hound/123/images", 404, "Breed not found (sub breed does not exist)");
  /* Not a dog.ceo route: dog.ceo's JSON 404, with its code. */
  assert_dog_error (fixture, "/api/breeds/nothing", 404, nothing);
  assert_dog_error (fixture, "/api/breed/hound/afghan/images/random/3/more", 404, NULL);
  assert_dog_error (fixture, "/api/anything/else", 404, NULL);
  /* A picture URL of no picture, or of one outside an album. */
  assert_dog_error (fixture, "/breeds/hound-afghan/nothing.png", 404, NULL);
  assert_dog_error (fixture, "/breeds/hound/01.png", 404, NULL);
}

/* The owner's alt text and the album's own words, from info.json. */
static void
test_owner_texts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonNode) alt = get_message (fixture, "/api/breed/pug/images/alt", JSON_NODE_ARRAY);
  g_autoptr(JsonNode) derived = get_message (fixture, "/api/breed/hound/afghan/images/alt", JSON_NODE_ARRAY);
  g_autoptr(JsonNode) info = get_message (fixture, "/api/breed/pug", JSON_NODE_OBJECT);
  JsonObject *first = json_array_get_object_element (json_node_get_array (alt), 0);

  g_assert_cmpstr (json_object_get_string_member (first, "altText"), ==, "A pug on a sofa");
  /* No alt text: dog.ceo's reading of the folder, sub-breed first. */
  first = json_array_get_object_element (json_node_get_array (derived), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "altText"), ==, "Afghan hound");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info), "name"), ==, "Pug");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info), "info"), ==, "Small.");
  assert_dog_error (fixture, "/api/breed/hound", 404, "Breed not found (No info file for this breed exists)");
}

static void
test_turned_off (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = test_server_url (fixture->server, "/api/breeds/image/random");
  g_auto(TestResponse) response = { 0 };

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  test_assert_json_error (&response, 404);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, arg) g_test_add (path, Fixture, arg, fixture_set_up, func, fixture_tear_down)
  ADD ("/dogceo/random-image", test_random_image, NULL);
  ADD ("/dogceo/lists", test_lists, NULL);
  ADD ("/dogceo/breed-images", test_breed_images, NULL);
  ADD ("/dogceo/not-found", test_not_found, NULL);
  ADD ("/dogceo/owner-texts", test_owner_texts, NULL);
  ADD ("/dogceo/turned-off", test_turned_off, "--no-dogceo");
  test_add_answers_described ();
  return g_test_run ();
}
