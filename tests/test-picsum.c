/* SPDX-License-Identifier: MIT */
/* Lorem Picsum's routes against real servers: each picture they lead to
 * decoded with libvips for its size and format; info, seeds, the list and
 * the ids of album pictures. */
#include "picture-files.h"
#include "variant-fixture.h"

#include <string.h>

#define API "/polling/api/v1.0"

/* ---- Lorem Picsum's routes ---- */

/* Random and seeded routes may pick any picture: only good ones here
 * (01.png, 02.png, 03.png and photo.jpg). */
static void
fixture_start_clean (Fixture *fixture, const char *flag)
{
  fixture->folder = test_make_image_folder (3);
  write_jpeg_with_exif (fixture->folder);
  fixture_start (fixture, flag, NULL);
}

/* A Picsum route: 302 no-store with Picsum-ID to a canonical variant of
 * @width x @height in @loader's format. Returns the Picsum-ID. */
static char *
assert_picsum (Fixture *fixture, const char *path, int width, int height, const char *loader)
{
  g_auto(TestResponse) redirect = { 0 };
  g_auto(TestResponse) variant = { 0 };
  g_autoptr(VipsImage) image = NULL;
  const char *made_by = NULL;
  const char *location;

  g_test_message ("%s", path);
  get_once (fixture, path, NULL, &redirect);
  g_assert_cmpuint (redirect.status, ==, 302);
  g_assert_nonnull (strstr (test_response_header (&redirect, "Cache-Control"), "no-store"));
  g_assert_nonnull (test_response_header (&redirect, "Picsum-ID"));
  location = test_response_header (&redirect, "Location");
  g_assert_true (g_str_has_prefix (location, fixture->server->url));
  g_assert_true (g_str_has_prefix (location + strlen (fixture->server->url), "/img/"));
  get_once (fixture, location, NULL, &variant);
  test_assert_status (&variant, 200);
  /* Picsum's headers on the picture itself, readable from another origin. */
  g_assert_cmpstr (test_response_header (&variant, "Picsum-ID"), ==, test_response_header (&redirect, "Picsum-ID"));
  g_assert_true (g_str_has_prefix (test_response_header (&variant, "Content-Disposition"), "inline; filename=\""));
  g_assert_nonnull (strstr (test_response_header (&variant, "Access-Control-Expose-Headers"), "Picsum-ID"));
  image = decode (variant.body);
  g_assert_cmpint (vips_image_get_width (image), ==, width);
  g_assert_cmpint (vips_image_get_height (image), ==, height);
  g_assert_cmpint (vips_image_get_string (image, "vips-loader", &made_by), ==, 0);
  g_assert_cmpstr (made_by, ==, loader);
  return g_strdup (test_response_header (&redirect, "Picsum-ID"));
}

/* The Picsum id (number) of the picture called @name. */
static char *
number_of (Fixture *fixture, const char *name)
{
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/id/%s/info", escaped);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) info = NULL;

  get_once (fixture, path, NULL, &response);
  test_assert_status (&response, 200);
  info = test_response_json (&response);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (info, "url"), name));
  return g_strdup (json_object_get_string_member (info, "id"));
}

/* @path is refused with Picsum's @status and words, as text. */
static void
assert_picsum_error (Fixture *fixture, const char *path, guint status, const char *words)
{
  g_auto(TestResponse) response = { 0 };
  g_autofree char *body = NULL;

  g_test_message ("%s", path);
  get_once (fixture, path, NULL, &response);
  test_assert_status (&response, status);
  g_assert_cmpstr (test_response_header (&response, "Content-Type"), ==, "text/plain; charset=utf-8");
  body = g_strndup (g_bytes_get_data (response.body, NULL), g_bytes_get_size (response.body));
  g_assert_cmpstr (body, ==, words);
}

static void
test_picsum_routes (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autofree char *seeded = NULL, *again = NULL, *by_id = NULL, *number = NULL, *path = NULL;

  fixture_start_clean (&fixture, NULL);
  g_free (assert_picsum (&fixture, "/300/200", 300, 200, "jpegload_buffer"));
  g_free (assert_picsum (&fixture, "/300", 300, 300, "jpegload_buffer"));
  g_free (assert_picsum (&fixture, "/300.webp", 300, 300, "webpload_buffer"));
  g_free (assert_picsum (&fixture, "/120/80.jpg?grayscale&blur&random=3", 120, 80, "jpegload_buffer"));
  by_id = assert_picsum (&fixture, "/id/01.png/200/300?blur=2", 200, 300, "jpegload_buffer");
  number = number_of (&fixture, "01.png");
  g_assert_cmpstr (by_id, ==, number);
  path = g_strdup_printf ("/id/%s/200/300?blur=2", number);
  g_free (assert_picsum (&fixture, path, 200, 300, "jpegload_buffer"));
  g_free (assert_picsum (&fixture, "/id/01.png/150.webp", 150, 150, "webpload_buffer"));
  seeded = assert_picsum (&fixture, "/seed/picsum/64/48", 64, 48, "jpegload_buffer");
  again = assert_picsum (&fixture, "/seed/picsum/100/100.webp?grayscale", 100, 100, "webpload_buffer");
  g_assert_cmpstr (seeded, ==, again);
}

static void
test_picsum_info_and_list (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) info = { 0 };
  g_auto(TestResponse) seed_info = { 0 };
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) second = { 0 };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *items;
  const char *link;

  fixture_start_clean (&fixture, NULL);
  get_once (&fixture, "/id/01.png/info", NULL, &info);
  g_assert_cmpuint (info.status, ==, 200);
  object = test_response_json (&info);
  /* Numbered in natural name order at the first start: 01.png first. */
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "0");
  g_assert_cmpint (json_object_get_int_member (object, "width"), ==, 400);
  g_assert_cmpint (json_object_get_int_member (object, "height"), ==, 400);
  g_assert_true (json_object_has_member (object, "author"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "url"), "/static/img/01.png"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "download_url"), "/id/0/400/400"));
  get_once (&fixture, "/seed/anything/info", NULL, &seed_info);
  g_assert_cmpuint (seed_info.status, ==, 200);

  get_once (&fixture, "/v2/list?page=1&limit=3", NULL, &first);
  g_assert_cmpuint (first.status, ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (first.body, NULL), (gssize) g_bytes_get_size (first.body), NULL);
  items = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (items), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      g_assert_true (json_object_has_member (item, "id") && json_object_has_member (item, "author") &&
                     json_object_has_member (item, "width") && json_object_has_member (item, "height") &&
                     json_object_has_member (item, "url") && json_object_has_member (item, "download_url"));
    }
  link = test_response_header (&first, "Link");
  g_assert_nonnull (link);
  g_assert_nonnull (strstr (link, "/v2/list?page=2&limit=3>; rel=\"next\""));
  g_assert_null (strstr (link, "prev"));
  get_once (&fixture, "/v2/list?page=2&limit=3", NULL, &second);
  json_parser_load_from_data (parser, g_bytes_get_data (second.body, NULL), (gssize) g_bytes_get_size (second.body), NULL);
  items = json_node_get_array (json_parser_get_root (parser));
  /* Four pictures in the folder: the second page has the last one. */
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  link = test_response_header (&second, "Link");
  g_assert_nonnull (strstr (link, "/v2/list?page=1&limit=3>; rel=\"prev\""));
  g_assert_null (strstr (link, "next"));
}

static void
test_picsum_bad_parameters (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autofree char *long_seed = g_strnfill (4000, 's');
  g_autofree char *long_seed_path = g_strdup_printf ("/seed/%s/10/10", long_seed);
  const struct { const char *path; guint status; const char *words; } cases[] = {
    { "/300/200.png", 400, "Invalid file extension\n" },
    { "/5001/10", 400, "Invalid size\n" },
    { "/10/5001", 400, "Invalid size\n" },
    { "/10/10?blur=11", 400, "Invalid blur amount\n" },
    { "/10/10?blur=0", 400, "Invalid blur amount\n" },
    { "/id/01.png/abc/10", 404, "Image does not exist\n" },
    { "/id/nothing.png/10/10", 404, "Image does not exist\n" },
    { "/id/999999/10/10", 404, "Image does not exist\n" },
    { "/id/01.png/10/abc", 404, "page not found\n" },
  };

  fixture_start_clean (&fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_picsum_error (&fixture, cases[i].path, cases[i].status, cases[i].words);
  /* A seed is any text, as Picsum's: no limit of our own but the request's. */
  g_free (assert_picsum (&fixture, long_seed_path, 10, 10, "jpegload_buffer"));
}

static void
test_picsum_shadows_nothing (void)
{
  g_auto(Fixture) fixture = { 0 };
  const struct { const char *path; guint status; const char *type_prefix; } cases[] = {
    { "/", 200, "text/html" },
    { "/index.html", 200, "text/html" },
    { "/seed.html", 200, "text/html" },
    { "/static/img/01.png", 200, "image/png" },
    { API "/rndimg", 200, "application/json" },
    { "/healthz", 200, NULL },
    { "/nothing-here", 404, "application/json" },
  };

  fixture_start_clean (&fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(TestResponse) response = { 0 };

      g_test_message ("%s", cases[i].path);
      get_once (&fixture, cases[i].path, NULL, &response);
      g_assert_cmpuint (response.status, ==, cases[i].status);
      if (cases[i].type_prefix != NULL)
        g_assert_true (g_str_has_prefix (test_response_header (&response, "Content-Type"), cases[i].type_prefix));
    }
}

static void
test_picsum_off (void)
{
  g_auto(Fixture) fixture = { 0 };
  const char *paths[] = { "/300/200", "/300", "/id/01.png/10/10", "/seed/a/10/10", "/id/01.png/info", "/v2/list" };
  g_auto(TestResponse) page = { 0 };

  fixture_start_clean (&fixture, "--no-picsum");
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(TestResponse) response = { 0 };

      get_once (&fixture, paths[i], NULL, &response);
      test_assert_json_error (&response, 404);
    }
  get_once (&fixture, "/", NULL, &page);
  g_assert_cmpuint (page.status, ==, 200);
}

/* The name of the picture @seed picks (its info's url, the original). */
static char *
seed_picture (Fixture *fixture, const char *seed)
{
  g_auto(TestResponse) response = { 0 };
  g_autofree char *path = g_strdup_printf ("/seed/%s/info", seed);
  g_autoptr(JsonObject) info = NULL;
  const char *url;

  get_once (fixture, path, NULL, &response);
  test_assert_status (&response, 200);
  info = test_response_json (&response);
  url = json_object_get_string_member (info, "url");
  g_assert_nonnull (strstr (url, "/static/img/"));
  return g_uri_unescape_string (strstr (url, "/static/img/") + strlen ("/static/img/"), NULL);
}

static gboolean
picture_listed (gpointer data)
{
  Fixture *fixture = data;
  g_auto(TestResponse) response = { 0 };

  get_once (fixture, "/id/new.png/info", NULL, &response);
  return response.status == 200;
}

/* A seed keeps its picture when one is added, unless the newcomer wins it. */
static void
test_picsum_seeds_survive_an_addition (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autofree char *source = test_source_image ("010.png");
  g_autofree char *target = NULL;
  g_autofree char *data = NULL;
  char *before[40];
  guint moved = 0;
  gsize length;

  fixture_start_clean (&fixture, NULL);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *seed = g_strdup_printf ("seed-%d", i);

      before[i] = seed_picture (&fixture, seed);
    }
  g_assert_true (g_file_get_contents (source, &data, &length, NULL));
  target = g_build_filename (fixture.folder, "new.png", NULL);
  g_assert_true (g_file_set_contents (target, data, (gssize) length, NULL));
  g_assert_true (test_wait_until (picture_listed, &fixture, 10000));
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *seed = g_strdup_printf ("seed-%d", i);
      g_autofree char *after = seed_picture (&fixture, seed);

      if (!g_str_equal (after, before[i]))
        {
          g_assert_cmpstr (after, ==, "new.png");
          moved++;
        }
      g_free (before[i]);
    }
  g_test_message ("%u of 40 seeds moved to the new picture", moved);
  g_assert_cmpuint (moved, <, 20);
}

/* A Picsum seed picks what rndimg?seed= picks; a seed with an escaped
 * slash is the same seed in info and size routes, not a 404. */
static void
test_picsum_seed_is_rndimg_seed (void)
{
  g_auto(Fixture) fixture = { 0 };

  fixture_start_clean (&fixture, NULL);
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *seed = g_strdup_printf (i % 2 ? "user-%d" : "team%%2Fuser-%d", i);
      g_autofree char *by_picsum = seed_picture (&fixture, seed);
      g_autofree char *path = g_strdup_printf (API "/rndimg?seed=%s", seed);
      g_autofree char *sized_path = g_strdup_printf ("/seed/%s/64/48", seed);
      g_autofree char *sized = NULL;
      g_autofree char *number = NULL;
      g_auto(TestResponse) response = { 0 };
      g_autoptr(JsonObject) answer = NULL;

      get_once (&fixture, path, NULL, &response);
      g_assert_cmpuint (response.status, ==, 200);
      answer = test_response_json (&response);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "image"), "name"), ==,
                       by_picsum);
      sized = assert_picsum (&fixture, sized_path, 64, 48, "jpegload_buffer");
      number = number_of (&fixture, by_picsum);
      g_assert_cmpstr (sized, ==, number);
    }
}

/* ---- Picsum ids of album pictures ---- */


typedef struct {
  const char *name;
  int width, height;
} AlbumPicture;

/* Album pictures, a root picture with a number for a name, and an album
 * picture called like a size. */
static const AlbumPicture album_pictures[] = {
  { "dogs/001.png", 320, 240 },
  { "dogs/puppies/001.png", 240, 320 },
  { "023.png", 200, 150 },
  { "dogs/200.jpg", 160, 120 },
};

static void
fixture_start_albums (Fixture *fixture)
{
  fixture->folder = test_make_image_folder (0);
  picture_files_make_folder (fixture->folder, "dogs");
  picture_files_make_folder (fixture->folder, "dogs/puppies");
  for (gsize i = 0; i < G_N_ELEMENTS (album_pictures); i++)
    write_picture (fixture->folder, album_pictures[i].name, album_pictures[i].width, album_pictures[i].height);
  fixture_start (fixture, NULL);
}

/* /id/{id}/info: the picture's own id, size and a download_url that,
 * followed, gives the picture at that size. */
static void
assert_id_info (Fixture *fixture, const char *id, const AlbumPicture *picture)
{
  g_auto(TestResponse) info = { 0 };
  g_autofree char *path = g_strdup_printf ("/id/%s/info", id);
  g_autofree char *by_download = NULL;
  g_autofree char *original = g_strconcat ("/static/img/", picture->name, NULL);
  g_autoptr(JsonObject) object = NULL;

  g_test_message ("%s", path);
  get_once (fixture, path, NULL, &info);
  test_assert_status (&info, 200);
  object = test_response_json (&info);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "url"), original));
  g_assert_cmpint (json_object_get_int_member (object, "width"), ==, picture->width);
  g_assert_cmpint (json_object_get_int_member (object, "height"), ==, picture->height);
  by_download = assert_picsum (fixture, json_object_get_string_member (object, "download_url"),
                               picture->width, picture->height, "jpegload_buffer");
  g_assert_cmpstr (by_download, ==, json_object_get_string_member (object, "id"));
}

/* Every /id/ route for @id (the picture's name, escaped or not). */
static void
assert_id_routes (Fixture *fixture, const char *id, const AlbumPicture *picture)
{
  const struct { const char *size; int width, height; const char *loader; } routes[] = {
    { "120/80", 120, 80, "jpegload_buffer" },
    { "90", 90, 90, "jpegload_buffer" },
    { "60/40.jpg", 60, 40, "jpegload_buffer" },
    { "70/50.webp?grayscale", 70, 50, "webpload_buffer" },
    { "30.webp?blur=2", 30, 30, "webpload_buffer" },
    { "300", 300, 300, "jpegload_buffer" },
  };

  g_autofree char *number = number_of (fixture, picture->name);

  assert_id_info (fixture, id, picture);
  assert_id_info (fixture, number, picture);
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/id/%s/%s", id, routes[i].size);
      g_autofree char *picsum_id = assert_picsum (fixture, path, routes[i].width, routes[i].height, routes[i].loader);

      g_assert_cmpstr (picsum_id, ==, number);
    }
}

static void
test_picsum_album_ids (void)
{
  g_auto(Fixture) fixture = { 0 };

  fixture_start_albums (&fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (album_pictures); i++)
    {
      g_autofree char *escaped = g_uri_escape_string (album_pictures[i].name, NULL, FALSE);

      assert_id_routes (&fixture, escaped, &album_pictures[i]);
      assert_id_routes (&fixture, album_pictures[i].name, &album_pictures[i]);
    }
}

/* Every item of /v2/list: its download_url, followed, is its picture. */
static void
test_picsum_list_download_urls (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_auto(TestResponse) list = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *items;

  fixture_start_albums (&fixture);
  get_once (&fixture, "/v2/list?limit=100", NULL, &list);
  test_assert_status (&list, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (list.body, NULL),
                                             (gssize) g_bytes_get_size (list.body), NULL));
  items = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (items), ==, G_N_ELEMENTS (album_pictures));
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *id = json_object_get_string_member (item, "id");
      const AlbumPicture *picture = NULL;
      g_autofree char *by_download = NULL;

      for (gsize j = 0; j < G_N_ELEMENTS (album_pictures); j++)
        if (g_str_has_suffix (json_object_get_string_member (item, "url"), album_pictures[j].name))
          picture = &album_pictures[j];
      g_assert_nonnull (picture);
      g_assert_cmpint (json_object_get_int_member (item, "width"), ==, picture->width);
      g_assert_cmpint (json_object_get_int_member (item, "height"), ==, picture->height);
      by_download = assert_picsum (&fixture, json_object_get_string_member (item, "download_url"),
                                   picture->width, picture->height, "jpegload_buffer");
      g_assert_cmpstr (by_download, ==, id);
    }
}

/* What is not a picture's id stays a 404; a bad size a 400, in Picsum's words. */
static void
test_picsum_album_ids_refused (void)
{
  g_auto(Fixture) fixture = { 0 };
  const char *missing[] = {
    "/id/dogs/info", "/id/dogs/120/80", "/id/dogs%2Fpuppies/info", "/id/dogs/nothing.png/10/10",
    "/id/dogs/puppies/002.png/info", "/id/cats%2F001.png/10",
  };

  fixture_start_albums (&fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (missing); i++)
    assert_picsum_error (&fixture, missing[i], 404, "Image does not exist\n");
  /* Picsum's extension is everything from the dot on, slashes too. */
  assert_picsum_error (&fixture, "/id/dogs/001.png/abc/10", 400, "Invalid file extension\n");
  assert_picsum_error (&fixture, "/id/dogs%2F200.jpg/10/10.gif", 400, "Invalid file extension\n");
  assert_picsum_error (&fixture, "/id/dogs/200.jpg/10/10.png", 400, "Invalid file extension\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("libvips: %s", vips_error_buffer ());
  g_test_add_func ("/picsum/routes", test_picsum_routes);
  g_test_add_func ("/picsum/info-and-list", test_picsum_info_and_list);
  g_test_add_func ("/picsum/bad-parameters", test_picsum_bad_parameters);
  g_test_add_func ("/picsum/shadows-nothing", test_picsum_shadows_nothing);
  g_test_add_func ("/picsum/off", test_picsum_off);
  g_test_add_func ("/picsum/seeds-survive-an-addition", test_picsum_seeds_survive_an_addition);
  g_test_add_func ("/picsum/seed-is-rndimg-seed", test_picsum_seed_is_rndimg_seed);
  g_test_add_func ("/picsum/album-ids", test_picsum_album_ids);
  g_test_add_func ("/picsum/list-download-urls", test_picsum_list_download_urls);
  g_test_add_func ("/picsum/album-ids-refused", test_picsum_album_ids_refused);
  test_add_answers_described ();
  return g_test_run ();
}
