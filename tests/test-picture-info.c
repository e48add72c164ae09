/* SPDX-License-Identifier: MIT */
/* A picture's details against a real server: the pixel size read from
 * PNG, JPEG, GIF and WebP headers, bytes, type, version, the sidecar's
 * alt text, author, licence and source, and an album's title; hostile
 * sidecars refused whole while everything else goes on. */
#include "rndimg-api-prefix.h"
#include "picture-files.h"
#include "rndimg-test-util.h"

#include <string.h>

#define API RNDIMG_API_PREFIX

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
} Fixture;

static const char good_sidecar[] =
  "{\"title\": \"Described pictures\", \"title_by_language\": {\"fa\": \"\xd8\xaa\xd8\xb5\xd9\x88\xdb\x8c\xd8\xb1\", \"x y\": \"no\"},"
  " \"pictures\": {"
  "  \"a.png\": {\"alt\": \"A red square\", \"alt_by_language\": {\"fa\": \"\xd9\x85\xd8\xb1\xd8\xa8\xd8\xb9 \xd9\x82\xd8\xb1\xd9\x85\xd8\xb2\"},"
  "             \"author\": \"Ada\", \"license\": \"CC0-1.0\", \"source_url\": \"https://example.org/a\"},"
  "  \"b.jpg\": {\"alt\": 42, \"author\": [\"wrong\"], \"source_url\": \"javascript:alert(1)\"},"
  "  \"../escape.png\": {\"alt\": \"never\"}"
  "}}";

static void
write_deep_sidecar (const char *folder)
{
  g_autoptr(GString) deep = g_string_new ("{\"pictures\":{\"d.png\":{\"alt\":");

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  picture_files_write_text (folder, "deep/info.json", deep->str, (gssize) deep->len);
}

static void
make_folders (const char *folder)
{
  g_autofree char *huge = g_strnfill (300 * 1024, ' ');

  picture_files_make_folder (folder, "described");
  picture_files_make_folder (folder, "huge");
  picture_files_make_folder (folder, "deep");
  picture_files_make_folder (folder, "notutf");
  picture_files_make_folder (folder, "wrongshape");
  picture_files_make_folder (folder, "titled");
  picture_files_make_folder (folder, "mistitled");
  picture_files_copy_shipped (folder, "described/a.png", "01.png");
  picture_files_write_jpeg (folder, "described/b.jpg", 1920, 1080);
  picture_files_write_gif (folder, "described/c.gif", 20, 30);
  picture_files_write_webp (folder, "described/d.webp", 5000, 5000);
  picture_files_write_text (folder, "described/info.json", good_sidecar, -1);
  picture_files_copy_shipped (folder, "huge/h.png", "02.png");
  picture_files_write_text (folder, "huge/info.json", huge, -1);
  picture_files_copy_shipped (folder, "deep/d.png", "03.png");
  write_deep_sidecar (folder);
  picture_files_copy_shipped (folder, "notutf/n.png", "04.png");
  picture_files_write_text (folder, "notutf/info.json", "{\"pictures\":{\"n.png\":{\"alt\":\"\xff\xfe\"}}}", -1);
  picture_files_copy_shipped (folder, "wrongshape/w.png", "05.png");
  picture_files_write_text (folder, "wrongshape/info.json", "[1, 2, 3]", -1);
  picture_files_copy_shipped (folder, "titled/t.png", "06.png");
  picture_files_write_text (folder, "titled/info.json", "{\"title\": \"A title, no pictures described\"}", -1);
  picture_files_copy_shipped (folder, "mistitled/m.png", "07.png");
  picture_files_write_text (folder, "mistitled/info.json", "{\"title\": 42, \"pictures\": {}}", -1);
  /* Not pictures at all, whatever the name says. */
  picture_files_write_text (folder, "described/fake.png", "not a picture", -1);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *images = NULL;

  fixture->folder = test_make_image_folder (1);
  make_folders (fixture->folder);
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

static JsonObject *
picture (Fixture *fixture, const char *name)
{
  g_autofree char *url = g_strconcat (fixture->server->url, API "/images/", name, NULL);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  answer = test_response_json (&response);
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "success");
  return json_object_ref (json_object_get_object_member (answer, "image"));
}

static void
assert_size (Fixture *fixture, const char *name, gint64 width, gint64 height, const char *type,
             const char *orientation)
{
  g_autoptr(JsonObject) image = picture (fixture, name);

  g_assert_cmpint (json_object_get_int_member (image, "width"), ==, width);
  g_assert_cmpint (json_object_get_int_member (image, "height"), ==, height);
  g_assert_cmpstr (json_object_get_string_member (image, "content_type"), ==, type);
  g_assert_cmpstr (json_object_get_string_member (image, "orientation"), ==, orientation);
}

static void
test_header_sizes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) top = picture (fixture, "01.png");
  g_autofree char *url_end = g_strconcat ("/static/img/described/a.png", NULL);
  g_autoptr(JsonObject) a = picture (fixture, "described/a.png");

  assert_size (fixture, "01.png", 400, 400, "image/png", "square");
  assert_size (fixture, "described/b.jpg", 1920, 1080, "image/jpeg", "landscape");
  assert_size (fixture, "described/c.gif", 20, 30, "image/gif", "portrait");
  assert_size (fixture, "described/d.webp", 5000, 5000, "image/webp", "square");
  g_assert_true (json_object_get_null_member (top, "album"));
  g_assert_cmpstr (json_object_get_string_member (a, "album"), ==, "described");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (a, "url"), url_end));
  g_assert_cmpint (json_object_get_int_member (a, "bytes"), >, 1000);
  g_assert_nonnull (json_object_get_string_member (a, "modified"));
  g_assert_cmpuint (strlen (json_object_get_string_member (a, "version")), >, 0);
}

static void
test_sidecar (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) a = picture (fixture, "described/a.png");
  g_autoptr(JsonObject) b = picture (fixture, "described/b.jpg");
  g_autoptr(JsonObject) c = picture (fixture, "described/c.gif");

  g_assert_cmpstr (json_object_get_string_member (a, "alt"), ==, "A red square");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (a, "alt_by_language"), "fa"), ==,
                   "\xd9\x85\xd8\xb1\xd8\xa8\xd8\xb9 \xd9\x82\xd8\xb1\xd9\x85\xd8\xb2");
  g_assert_cmpstr (json_object_get_string_member (a, "author"), ==, "Ada");
  g_assert_cmpstr (json_object_get_string_member (a, "license"), ==, "CC0-1.0");
  g_assert_cmpstr (json_object_get_string_member (a, "source_url"), ==, "https://example.org/a");
  /* Wrong types and a javascript: link are left out, nothing else. */
  g_assert_true (json_object_get_null_member (b, "alt"));
  g_assert_true (json_object_get_null_member (b, "author"));
  g_assert_true (json_object_get_null_member (b, "source_url"));
  g_assert_true (json_object_get_null_member (c, "alt"));
}

static JsonObject *get_json (Fixture *fixture, const char *path);

/* The album @name of /albums. */
static JsonObject *
album (JsonObject *albums, const char *name)
{
  JsonArray *list = json_object_get_array_member (albums, "albums");

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (list, i), "name"), name))
      return json_array_get_object_element (list, i);
  g_assert_not_reached ();
}

/* An album's title is its folder's info.json's, with its translations
 * (a bad language tag left out); a title of the wrong type is none; a
 * file with a title alone is read. */
static void
test_album_titles (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) albums = get_json (fixture, API "/albums");
  JsonObject *described = album (albums, "described");
  JsonObject *titled = album (albums, "titled");
  JsonObject *languages = json_object_get_object_member (described, "title_by_language");

  g_assert_cmpstr (json_object_get_string_member (described, "title"), ==, "Described pictures");
  g_assert_cmpuint (json_object_get_size (languages), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (languages, "fa"), ==, "\xd8\xaa\xd8\xb5\xd9\x88\xdb\x8c\xd8\xb1");
  g_assert_cmpstr (json_object_get_string_member (titled, "title"), ==, "A title, no pictures described");
  g_assert_true (json_object_get_null_member (titled, "title_by_language"));
  g_assert_true (json_object_get_null_member (album (albums, "mistitled"), "title"));
  g_assert_true (json_object_get_null_member (album (albums, "wrongshape"), "title"));
  g_assert_true (json_object_get_null_member (album (albums, "huge"), "title"));
}

static void
test_hostile_sidecars (Fixture *fixture, gconstpointer data)
{
  static const char *const refused[] = { "huge/h.png", "deep/d.png", "notutf/n.png", "wrongshape/w.png" };

  /* Each picture is still served, only without the refused descriptions. */
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(JsonObject) image = picture (fixture, refused[i]);

      g_assert_true (json_object_get_null_member (image, "alt"));
      g_assert_cmpint (json_object_get_int_member (image, "width"), ==, 400);
    }
  /* Only the real pictures are listed: 1 + 4 + 4 + 2. */
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 11);
}

static void
test_not_found_and_bad_names (Fixture *fixture, gconstpointer data)
{
  static const char *const bad[] = { "a/b/c/d.png", "described/", "UPPER/x.png", "x.txt" };
  g_autofree char *long_name = g_strnfill (200, 'a');
  g_autofree char *long_path = g_strconcat (API "/images/", long_name, ".png", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *url = g_strconcat (fixture->server->url, API "/images/", bad[i], NULL);
      g_auto(TestResponse) response = { 0 };

      test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
      test_assert_json_error (&response, 400);
    }
  {
    g_autofree char *url = g_strconcat (fixture->server->url, API "/images/described/fake.png", NULL);
    g_autofree char *long_url = g_strconcat (fixture->server->url, long_path, NULL);
    g_auto(TestResponse) response = { 0 };
    g_auto(TestResponse) long_response = { 0 };

    test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
    test_assert_json_error (&response, 404);
    test_request (fixture->session, "GET", long_url, NULL, NULL, NULL, &long_response);
    test_assert_json_error (&long_response, 400);
  }
}

static JsonObject *
get_json (Fixture *fixture, const char *path)
{
  g_autofree char *url = g_strconcat (fixture->server->url, path, NULL);
  g_auto(TestResponse) response = { 0 };

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  test_assert_status (&response, 200);
  return test_response_json (&response);
}

/* The member @name of @object, as JSON text: two answers give one picture
 * the same details when these are equal. */
static char *
member_text (JsonObject *object, const char *name)
{
  return json_to_string (json_object_get_member (object, name), FALSE);
}

/* Each picture's details are the same object in its own answer, in the
 * paged list and in rndimg's images. */
static void
test_one_shape_everywhere (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) chosen = NULL;
  JsonArray *listed, *picked;

  test_server_wait_for_placeholders (fixture->server, fixture->session, 20000);
  list = get_json (fixture, API "/images?album=described");
  chosen = get_json (fixture, API "/rndimg?album=described&count=4");
  listed = json_object_get_array_member (list, "images");
  picked = json_object_get_array_member (chosen, "images");
  g_assert_cmpuint (json_array_get_length (listed), ==, 4);
  g_assert_cmpuint (json_array_get_length (picked), ==, 4);
  for (guint i = 0; i < json_array_get_length (listed); i++)
    {
      JsonObject *item = json_array_get_object_element (listed, i);
      const char *name = json_object_get_string_member (item, "name");
      g_autofree char *path = g_strconcat (API "/images/", name, NULL);
      g_autoptr(JsonObject) own = get_json (fixture, path);
      g_autoptr(JsonObject) wrapper = json_object_new ();
      g_autofree char *from_list = NULL, *from_own = NULL;
      gboolean in_rndimg = FALSE;

      json_object_set_object_member (wrapper, "image", json_object_ref (item));
      from_list = member_text (wrapper, "image");
      from_own = member_text (own, "image");
      g_test_message ("%s", from_own);
      g_assert_cmpstr (from_list, ==, from_own);
      for (guint j = 0; j < json_array_get_length (picked); j++)
        {
          JsonObject *other = json_array_get_object_element (picked, j);
          g_autoptr(JsonObject) other_wrapper = json_object_new ();
          g_autofree char *from_rndimg = NULL;

          if (!g_str_equal (json_object_get_string_member (other, "name"), name))
            continue;
          json_object_set_object_member (other_wrapper, "image", json_object_ref (other));
          from_rndimg = member_text (other_wrapper, "image");
          g_assert_cmpstr (from_rndimg, ==, from_own);
          in_rndimg = TRUE;
        }
      g_assert_true (in_rndimg);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/picture-info/header-sizes", test_header_sizes);
  ADD ("/picture-info/sidecar", test_sidecar);
  ADD ("/picture-info/hostile-sidecars", test_hostile_sidecars);
  ADD ("/picture-info/album-titles", test_album_titles);
  ADD ("/picture-info/not-found-and-bad-names", test_not_found_and_bad_names);
  ADD ("/picture-info/one-shape-everywhere", test_one_shape_everywhere);
  test_add_answers_described ();
  return g_test_run ();
}
