/* SPDX-License-Identifier: MIT */
/* Albums and choice against a real server: sub-folders as albums and
 * sub-albums, their URLs and list, rndimg's album, count, seed,
 * orientation and exclude, the paged list, and every bad parameter. */
#include "rndimg-api-prefix.h"
#include "picture-files.h"
#include "rndimg-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define API RNDIMG_API_PREFIX

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
} Fixture;

/* 3 shipped pictures at the top; dogs (3, and dogs/puppies with 1 more),
 * cats (3); pictures of every orientation and format; folders that are
 * not albums. */
static void
make_albums (const char *folder)
{
  picture_files_make_folder (folder, "dogs/puppies");
  picture_files_make_folder (folder, "dogs-x");
  picture_files_make_folder (folder, "cats");
  picture_files_make_folder (folder, "Bad_Name");
  picture_files_make_folder (folder, "dogs/puppies/deeper");
  picture_files_copy_shipped (folder, "dogs/a.png", "04.png");
  picture_files_write_png (folder, "dogs/land.png", 800, 400);
  picture_files_write_jpeg (folder, "dogs/port.jpg", 300, 600);
  picture_files_copy_shipped (folder, "dogs/puppies/p.png", "05.png");
  picture_files_copy_shipped (folder, "cats/c.png", "06.png");
  picture_files_write_gif (folder, "cats/wide.gif", 640, 480);
  picture_files_write_webp (folder, "cats/tall.webp", 100, 300);
  picture_files_copy_shipped (folder, "Bad_Name/x.png", "07.png");
  picture_files_copy_shipped (folder, "dogs/puppies/deeper/z.png", "08.png");
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  const char *const *extra = data;
  g_autofree char *images = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  fixture->folder = test_make_image_folder (3);
  make_albums (fixture->folder);
  images = g_strconcat ("--images=", fixture->folder, NULL);
  g_ptr_array_add (args, images);
  g_ptr_array_add (args, "--interval=0");
  for (; extra != NULL && *extra != NULL; extra++)
    g_ptr_array_add (args, (gpointer) *extra);
  g_ptr_array_add (args, NULL);
  fixture->session = soup_session_new ();
  fixture->server = test_server_start_argv ((const char *const *) args->pdata);
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
get_json (Fixture *fixture, const char *path, guint expected_status)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  if (expected_status != SOUP_STATUS_OK)
    test_assert_json_error (&response, expected_status);
  g_assert_cmpuint (response.status, ==, expected_status);
  return test_response_json (&response);
}

static void
assert_error_mentions (Fixture *fixture, const char *path, guint status, const char *word)
{
  g_autoptr(JsonObject) answer = get_json (fixture, path, status);
  const char *message = json_object_get_string_member (answer, "message");

  if (strstr (message, word) == NULL)
    g_error ("%s: \"%s\" does not name %s", path, message, word);
}

static const char *
picked_name (JsonObject *answer)
{
  return json_object_get_string_member (json_object_get_object_member (answer, "image"), "name");
}

static char *
random_name (Fixture *fixture, const char *query)
{
  g_autofree char *path = g_strconcat (API "/rndimg", query, NULL);
  g_autoptr(JsonObject) answer = get_json (fixture, path, SOUP_STATUS_OK);
  const char *message = json_object_get_string_member (answer, "message");

  g_assert_true (g_str_has_suffix (message, picked_name (answer)));
  return g_strdup (picked_name (answer));
}

static JsonObject *
find_album (JsonArray *albums, const char *name)
{
  for (guint i = 0; i < json_array_get_length (albums); i++)
    {
      JsonObject *album = json_array_get_object_element (albums, i);

      if (g_str_equal (json_object_get_string_member (album, "name"), name))
        return album;
    }
  return NULL;
}

static void
test_albums_listed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) answer = get_json (fixture, API "/albums", SOUP_STATUS_OK);
  JsonArray *albums = json_object_get_array_member (answer, "albums");
  JsonObject *dogs = find_album (albums, "dogs");
  JsonObject *puppies = find_album (albums, "dogs/puppies");
  JsonObject *cats = find_album (albums, "cats");

  /* Bad_Name and the third level are not albums; an empty folder is one. */
  g_assert_cmpint (json_object_get_int_member (answer, "count"), ==, 4);
  /* A sub-album right after its parent. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (albums, 1), "name"), ==, "dogs");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (albums, 2), "name"), ==,
                   "dogs/puppies");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (albums, 3), "name"), ==, "dogs-x");
  g_assert_nonnull (dogs);
  g_assert_nonnull (puppies);
  g_assert_nonnull (cats);
  g_assert_cmpint (json_object_get_int_member (dogs, "count"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (puppies, "count"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (puppies, "parent"), ==, "dogs");
  g_assert_true (json_object_get_null_member (dogs, "parent"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (dogs, "sub_albums"), 0), ==, "puppies");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (cats, "cover"), "/static/img/cats/c.png"));
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "images"), ==, 3 + 4 + 3);
}

static guint
status_of (Fixture *fixture, const char *path)
{
  g_autofree char *url = test_server_url (fixture->server, path);
  g_auto(TestResponse) response = { 0 };

  test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
  return response.status;
}

static void
test_album_urls (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpuint (status_of (fixture, "/static/img/01.png"), ==, 200);
  g_assert_cmpuint (status_of (fixture, "/static/img/dogs/a.png"), ==, 200);
  g_assert_cmpuint (status_of (fixture, "/static/img/dogs/puppies/p.png"), ==, 200);
  g_assert_cmpuint (status_of (fixture, "/static/img/Bad_Name/x.png"), ==, 404);
  g_assert_cmpuint (status_of (fixture, "/static/img/dogs/puppies/deeper/z.png"), ==, 404);
}

static void
test_random_from_albums (Fixture *fixture, gconstpointer data)
{
  gboolean saw_puppy = FALSE;

  for (int i = 0; i < 60; i++)
    {
      g_autofree char *cat = random_name (fixture, "?album=cats");
      g_autofree char *dog = random_name (fixture, "?album=dogs");
      g_autofree char *either = random_name (fixture, "?album=cats,dogs/puppies");

      g_assert_true (g_str_has_prefix (cat, "cats/"));
      g_assert_true (g_str_has_prefix (dog, "dogs/"));
      saw_puppy |= g_str_has_prefix (dog, "dogs/puppies/");
      g_assert_true (g_str_has_prefix (either, "cats/") || g_str_equal (either, "dogs/puppies/p.png"));
    }
  g_assert_true (saw_puppy);
  assert_error_mentions (fixture, API "/rndimg?album=birds", 404, "birds");
  assert_error_mentions (fixture, API "/rndimg?album=cats,birds", 404, "birds");
}

static void
test_bad_album_names (Fixture *fixture, gconstpointer data)
{
  g_autofree char *long_name = g_strnfill (65, 'a');
  g_autofree char *long_path = g_strconcat (API "/rndimg?album=", long_name, NULL);
  static const char *const bad[] = { "Dogs", "..", "a/b/c", "dogs/", "%2Fetc", "a%00b", "", "a,,b", "d%C3%B6gs" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strconcat (API "/rndimg?album=", bad[i], NULL);
      assert_error_mentions (fixture, path, 400, "album");
    }
  assert_error_mentions (fixture, long_path, 400, "album");
  assert_error_mentions (fixture, API "/images?album=..", 400, "album");
}

static void
test_count (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) three = get_json (fixture, API "/rndimg?count=3", SOUP_STATUS_OK);
  g_autoptr(JsonObject) all_cats = get_json (fixture, API "/rndimg?album=cats&count=100", SOUP_STATUS_OK);
  JsonArray *images = json_object_get_array_member (three, "images");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *const bad[] = { "0", "101", "abc", "-1", "1.5", "", "99999999999999999999" };

  g_assert_cmpint (json_array_get_length (images), ==, 3);
  g_assert_cmpint (json_object_get_int_member (three, "count"), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_hash_table_add (seen, (gpointer) json_object_get_string_member (json_array_get_object_element (images, i), "name"));
  g_assert_cmpuint (g_hash_table_size (seen), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (images, 0), "name"), ==,
                   picked_name (three));
  /* Fewer when the pool is smaller, and the answer says so. */
  g_assert_cmpint (json_object_get_int_member (all_cats, "count"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (all_cats, "requested"), ==, 100);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strconcat (API "/rndimg?count=", bad[i], NULL);
      assert_error_mentions (fixture, path, 400, "count");
    }
}

static void
test_orientation (Fixture *fixture, gconstpointer data)
{
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *landscape = random_name (fixture, "?orientation=landscape");
      g_autofree char *portrait = random_name (fixture, "?orientation=portrait&album=cats");
      g_autofree char *square = random_name (fixture, "?orientation=square&album=dogs");

      g_assert_true (g_str_equal (landscape, "dogs/land.png") || g_str_equal (landscape, "cats/wide.gif"));
      g_assert_cmpstr (portrait, ==, "cats/tall.webp");
      g_assert_true (g_str_equal (square, "dogs/a.png") || g_str_equal (square, "dogs/puppies/p.png"));
    }
  assert_error_mentions (fixture, API "/rndimg?orientation=diagonal", 400, "orientation");
  assert_error_mentions (fixture, API "/rndimg?orientation=portrait&album=dogs/puppies", 404, "no picture");
}

static void
test_exclude_several (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GString) too_many = g_string_new (API "/rndimg?exclude=01.png");

  for (int i = 0; i < 30; i++)
    {
      g_autofree char *name = random_name (fixture, "?album=cats&exclude=cats/c.png,cats/wide.gif");
      g_autofree char *top = random_name (fixture, "?exclude=01.png");

      g_assert_cmpstr (name, ==, "cats/tall.webp");
      g_assert_cmpstr (top, !=, "01.png");
    }
  assert_error_mentions (fixture, API "/rndimg?album=cats&exclude=cats/c.png,cats/wide.gif,cats/tall.webp", 404,
                         "no picture");
  assert_error_mentions (fixture, API "/rndimg?exclude=../etc/passwd", 400, "exclude");
  assert_error_mentions (fixture, API "/rndimg?exclude=a.png,,b.png", 400, "exclude");
  for (int i = 0; i < 100; i++)
    g_string_append (too_many, ",02.png");
  assert_error_mentions (fixture, too_many->str, 400, "exclude");
}

static void
test_seed_is_stable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *long_seed = g_strnfill (257, 's');
  g_autofree char *long_path = g_strconcat (API "/rndimg?seed=", long_seed, NULL);
  g_autoptr(GHashTable) different = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 40; i++)
    {
      g_autofree char *query = g_strdup_printf ("?seed=user-%d", i);
      char *first = random_name (fixture, query);
      g_autofree char *again = random_name (fixture, query);

      g_assert_cmpstr (first, ==, again);
      g_hash_table_add (different, first);
    }
  /* The seeds spread over the pictures. */
  g_assert_cmpuint (g_hash_table_size (different), >=, 5);
  {
    g_autoptr(JsonObject) a = get_json (fixture, API "/rndimg?seed=x&count=5", SOUP_STATUS_OK);
    g_autoptr(JsonObject) b = get_json (fixture, API "/rndimg?seed=x&count=5", SOUP_STATUS_OK);
    JsonArray *a_images = json_object_get_array_member (a, "images");
    JsonArray *b_images = json_object_get_array_member (b, "images");

    g_assert_cmpint (json_array_get_length (a_images), ==, 5);
    for (guint i = 0; i < 5; i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a_images, i), "name"), ==,
                       json_object_get_string_member (json_array_get_object_element (b_images, i), "name"));
  }
  assert_error_mentions (fixture, long_path, 400, "seed");
  assert_error_mentions (fixture, API "/rndimg?seed=", 400, "seed");
  assert_error_mentions (fixture, API "/rndimg?seed=%FF%FE", 400, "seed");
}

static gboolean
image_count_is (gpointer user_data)
{
  gpointer *args = user_data;
  Fixture *fixture = args[0];

  return test_server_stat (fixture->server, fixture->session, "images") == GPOINTER_TO_INT (args[1]);
}

static void
wait_for_count (Fixture *fixture, int count)
{
  gpointer args[] = { fixture, GINT_TO_POINTER (count) };

  g_assert_true (test_wait_until (image_count_is, args, 5000));
}

/* Consistent hashing: a picture added takes only the seeds it wins, about
 * 1/n of them; the rest keep their picture. Index mod count would move
 * nearly all. */
static void
test_seed_moves_little (Fixture *fixture, gconstpointer data)
{
  enum { SEEDS = 300, ADDED = 4 };
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  guint moved = 0, total = 3 + 4 + 3;

  for (int i = 0; i < SEEDS; i++)
    {
      g_autofree char *query = g_strdup_printf ("?seed=s%d", i);
      g_ptr_array_add (before, random_name (fixture, query));
    }
  for (int i = 0; i < ADDED; i++)
    {
      g_autofree char *name = g_strdup_printf ("new-%d.png", i);
      picture_files_copy_shipped (fixture->folder, name, "09.png");
    }
  wait_for_count (fixture, (int) total + ADDED);
  for (int i = 0; i < SEEDS; i++)
    {
      g_autofree char *query = g_strdup_printf ("?seed=s%d", i);
      g_autofree char *now = random_name (fixture, query);

      if (!g_str_equal (now, g_ptr_array_index (before, i)))
        {
          moved++;
          /* Only to one of the new pictures. */
          g_assert_true (g_str_has_prefix (now, "new-"));
        }
    }
  /* Expected SEEDS * 4/14, about 86; index mod count would move ~90%. */
  g_test_message ("%u of %d seeds moved after adding %d to %u pictures", moved, SEEDS, ADDED, total);
  g_assert_cmpuint (moved, >, 0);
  g_assert_cmpuint (moved, <, SEEDS / 2);

  /* The ring is kept up to date, not rebuilt: with the new pictures
   * removed again, every seed is back on its first picture. */
  for (int i = 0; i < ADDED; i++)
    {
      g_autofree char *name = g_strdup_printf ("new-%d.png", i);
      g_autofree char *path = g_build_filename (fixture->folder, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  wait_for_count (fixture, (int) total);
  for (int i = 0; i < SEEDS; i++)
    {
      g_autofree char *query = g_strdup_printf ("?seed=s%d", i);
      g_autofree char *now = random_name (fixture, query);

      g_assert_cmpstr (now, ==, g_ptr_array_index (before, i));
    }
}

static gboolean
albums_are_back_to_four (gpointer user_data)
{
  g_autoptr(JsonObject) albums = get_json (user_data, API "/albums", SOUP_STATUS_OK);

  return json_object_get_int_member (albums, "count") == 4;
}

static void
test_folder_watch_albums (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) albums = NULL;
  g_autofree char *birds = g_build_filename (fixture->folder, "birds", NULL);
  g_autofree char *name = NULL;

  /* A new album folder with a picture in it, then one more picture. */
  picture_files_make_folder (fixture->folder, "birds");
  picture_files_copy_shipped (fixture->folder, "birds/b1.png", "010.png");
  wait_for_count (fixture, 11);
  picture_files_copy_shipped (fixture->folder, "birds/b2.png", "011.png");
  wait_for_count (fixture, 12);
  albums = get_json (fixture, API "/albums", SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (find_album (json_object_get_array_member (albums, "albums"), "birds"),
                                               "count"), ==, 2);
  name = random_name (fixture, "?album=birds");
  g_assert_true (g_str_has_prefix (name, "birds/b"));
  /* The album goes with its folder. */
  test_remove_folder (birds);
  wait_for_count (fixture, 10);
  g_assert_true (test_wait_until (albums_are_back_to_four, fixture, 5000));
  assert_error_mentions (fixture, API "/rndimg?album=birds", 404, "birds");
}

static void
test_paged_list (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) walked = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_strdup (API "/images?limit=3");
  g_autoptr(JsonObject) whole = get_json (fixture, API "/images", SOUP_STATUS_OK);
  JsonArray *all = json_object_get_array_member (whole, "images");

  g_assert_cmpint (json_array_get_length (all), ==, 10);
  g_assert_true (json_object_get_null_member (whole, "next"));
  while (path != NULL)
    {
      g_autofree char *url = test_server_url (fixture->server, path);
      g_auto(TestResponse) response = { 0 };
      g_autoptr(JsonObject) page = NULL;
      JsonArray *images;
      const char *link;

      test_request (fixture->session, "GET", url, NULL, NULL, NULL, &response);
      g_assert_cmpuint (response.status, ==, 200);
      page = test_response_json (&response);
      images = json_object_get_array_member (page, "images");
      g_assert_cmpint (json_object_get_int_member (page, "count"), ==, 10);
      g_assert_cmpint (json_array_get_length (images), <=, 3);
      for (guint i = 0; i < json_array_get_length (images); i++)
        g_ptr_array_add (walked, g_strdup (json_object_get_string_member (json_array_get_object_element (images, i), "name")));
      link = test_response_header (&response, "Link");
      g_clear_pointer (&path, g_free);
      if (!json_object_get_null_member (page, "next"))
        {
          g_autofree char *escaped = g_uri_escape_string (json_object_get_string_member (page, "next"), "/", FALSE);
          path = g_strconcat (API "/images?limit=3&after=", escaped, NULL);
          g_assert_nonnull (link);
          g_assert_true (strstr (link, path) != NULL);
          g_assert_true (g_str_has_suffix (link, "rel=\"next\""));
        }
      else
        g_assert_null (link);
    }
  /* Every picture once, in the same order as the whole list. */
  g_assert_cmpuint (walked->len, ==, 10);
  for (guint i = 0; i < walked->len; i++)
    g_assert_cmpstr (g_ptr_array_index (walked, i), ==,
                     json_object_get_string_member (json_array_get_object_element (all, i), "name"));
  {
    g_autoptr(JsonObject) dogs = get_json (fixture, API "/images?album=dogs&limit=2", SOUP_STATUS_OK);
    g_assert_cmpint (json_object_get_int_member (dogs, "count"), ==, 4);
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (dogs, "images")), ==, 2);
  }
  assert_error_mentions (fixture, API "/images?limit=0", 400, "limit");
  assert_error_mentions (fixture, API "/images?limit=1001", 400, "limit");
  assert_error_mentions (fixture, API "/images?after=..%2Fx", 400, "after");
  assert_error_mentions (fixture, API "/images?album=birds", 404, "birds");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/albums/listed", test_albums_listed);
  ADD ("/albums/urls", test_album_urls);
  ADD ("/albums/random-from-albums", test_random_from_albums);
  ADD ("/albums/bad-names", test_bad_album_names);
  ADD ("/albums/folder-watch", test_folder_watch_albums);
  ADD ("/choice/count", test_count);
  ADD ("/choice/orientation", test_orientation);
  ADD ("/choice/exclude-several", test_exclude_several);
  ADD ("/choice/seed-is-stable", test_seed_is_stable);
  ADD ("/choice/seed-moves-little", test_seed_moves_little);
  ADD ("/list/paged", test_paged_list);
  test_add_answers_described ();
  return g_test_run ();
}
