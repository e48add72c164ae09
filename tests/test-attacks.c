/* SPDX-License-Identifier: MIT */
/* Hostile pictures against a real server, as an outsider would send them
 * and as an operator might drop them into the folder: every file of
 * attack-pictures.c uploaded (201, 413 or 422, nothing stored or
 * published when refused) and read from the folder (the size the
 * catalogue lists, variants 422, never 200 for a bomb); a header whose
 * size does not fit 32-bit arithmetic never chosen as square; and no
 * temporary upload file left by a kill -9 in the middle of an upload, nor
 * after the restart that follows, with O_TMPFILE and without. */
#include "attack-pictures.h"
#include "raw-http.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define API RNDIMG_API_PREFIX

typedef struct {
  char *folder;                 /* --images */
  char *uploads;                /* --uploads */
  TestServer *server;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = test_make_image_folder (1);
  fixture->uploads = g_dir_make_tmp ("rndimg-uploads-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->server, test_server_stop);
  g_clear_object (&fixture->session);
  test_remove_folder (fixture->folder);
  test_remove_folder (fixture->uploads);
  g_free (fixture->folder);
  g_free (fixture->uploads);
}

/* @environment: name, value, …, NULL (or NULL for none). */
static void
start_with (Fixture *fixture, const char *extra, const char *const *environment)
{
  g_autofree char *images = g_strconcat ("--images=", fixture->folder, NULL);
  g_autofree char *uploads = g_strconcat ("--uploads=", fixture->uploads, NULL);
  const char *args[] = { "--interval=0", images, uploads, extra, NULL };

  fixture->server = test_server_start_full (args, environment);
}

static void
start (Fixture *fixture, const char *extra)
{
  start_with (fixture, extra, NULL);
}

static const char *
content_type_of (const char *name)
{
  return g_str_has_suffix (name, ".png") ? "image/png" : g_str_has_suffix (name, ".jpg") ? "image/jpeg" :
         g_str_has_suffix (name, ".gif") ? "image/gif" : "image/webp";
}

static guint
expected_upload_status (const AttackPicture *picture)
{
  return picture->verdict == ATTACK_ACCEPTED ? 201 : picture->verdict == ATTACK_TOO_LARGE ? 413 : 422;
}

/* Every file below @folder, hidden ones included, by path below it. */
static void
list_files (const char *folder, const char *below, GPtrArray *found)
{
  g_autofree char *path = g_build_filename (folder, below, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *child;

  while (dir != NULL && (child = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *relative = below[0] != '\0' ? g_build_filename (below, child, NULL) : g_strdup (child);
      g_autofree char *full = g_build_filename (folder, relative, NULL);

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        list_files (folder, relative, found);
      else
        g_ptr_array_add (found, g_steal_pointer (&relative));
    }
}

static GPtrArray *
files_in (const char *folder)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  list_files (folder, "", found);
  return found;
}

static JsonObject *
details_of (Fixture *fixture, const char *name)
{
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s" API "/images/%s", fixture->server->url, escaped);
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  answer = test_response_json (&response);
  return json_object_ref (json_object_get_object_member (answer, "image"));
}

/* A variant of @name: libsoup follows the redirect to the canonical URL. */
static guint
variant_status (Fixture *fixture, const char *name)
{
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s/img/%s/8x8.png", fixture->server->url, escaped);
  g_auto(TestResponse) response = { 0 };

  test_get (fixture->session, url, &response);
  if (response.status != 200)
    test_assert_json_error (&response, response.status);
  return response.status;
}

static void
assert_size (JsonObject *details, const char *name, guint width, guint height)
{
  if (width == 0)
    {
      if (!json_object_get_null_member (details, "width") || !json_object_get_null_member (details, "height"))
        g_error ("%s is listed as %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ", expected no size", name,
                 json_object_get_int_member (details, "width"), json_object_get_int_member (details, "height"));
      return;
    }
  g_assert_cmpint (json_object_get_int_member (details, "width"), ==, width);
  g_assert_cmpint (json_object_get_int_member (details, "height"), ==, height);
}

static double
metric (Fixture *fixture, const char *name)
{
  double value;

  test_server_metric (fixture->server, fixture->session, name, &value);
  return value;
}

/* Each file uploaded as an outsider would: bombs 413 and unreadable
 * headers 422 before a byte is stored or an event published; the rest
 * stored with the size they show, and their variants made when their
 * pixels are real. */
static void
test_uploads_judged (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  gsize count, accepted = 0, too_large = 0, invalid = 0;
  const AttackPicture *pictures = attack_pictures (&count);

  start (fixture, NULL);
  url = test_server_url (fixture->server, API "/images");
  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(GBytes) bytes = pictures[i].make ();
      g_auto(TestResponse) response = { 0 };
      g_autoptr(JsonObject) event = NULL;
      g_autoptr(JsonObject) details = NULL;
      const char *name;

      test_post (fixture->session, url, bytes, content_type_of (pictures[i].name), &response);
      if (response.status != expected_upload_status (&pictures[i]))
        g_error ("%s: upload answered %u, expected %u", pictures[i].name, response.status,
                 expected_upload_status (&pictures[i]));
      if (pictures[i].verdict != ATTACK_ACCEPTED)
        {
          test_assert_json_error (&response, response.status);
          pictures[i].verdict == ATTACK_TOO_LARGE ? too_large++ : invalid++;
          continue;
        }
      accepted++;
      event = test_response_json (&response);
      name = json_object_get_string_member (event, "name");
      details = details_of (fixture, name);
      assert_size (details, pictures[i].name, pictures[i].width, pictures[i].height);
      g_assert_cmpuint (variant_status (fixture, name), ==, pictures[i].renders ? 200 : 422);
    }
  stored = files_in (fixture->uploads);
  g_assert_cmpuint (stored->len, ==, accepted);
  g_assert_cmpint (test_server_stat (fixture->server, fixture->session, "newest_id"), ==, accepted);
  g_assert_cmpfloat (metric (fixture, "rndimg_uploads_total{result=\"too_large\"}"), ==, too_large);
  g_assert_cmpfloat (metric (fixture, "rndimg_uploads_total{result=\"unreadable\"}"), ==, invalid);
}

static void
write_bytes (const char *folder, const char *name, GBytes *bytes)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* The same files dropped into the folder: listed with the size their
 * header confirms (none when it cannot), every variant of a bomb or an
 * unreadable header 422 (a GIF of a 65535x65535 screen with one 1x1 frame
 * rendered 200), each bomb counted as refused input. */
static void
test_folder_judged (Fixture *fixture, gconstpointer data)
{
  gsize count, too_large = 0;
  const AttackPicture *pictures = attack_pictures (&count);

  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(GBytes) bytes = pictures[i].make ();

      write_bytes (fixture->folder, pictures[i].name, bytes);
    }
  start (fixture, NULL);
  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(JsonObject) details = details_of (fixture, pictures[i].name);
      guint status = variant_status (fixture, pictures[i].name);

      assert_size (details, pictures[i].name, pictures[i].listed_width, pictures[i].listed_height);
      if (status != (pictures[i].renders ? 200 : 422))
        g_error ("%s: a variant answered %u, expected %u", pictures[i].name, status, pictures[i].renders ? 200 : 422);
      too_large += pictures[i].verdict == ATTACK_TOO_LARGE;
    }
  g_assert_cmpfloat (metric (fixture, "rndimg_variant_refused_input_total"), ==, too_large);
  test_server_wait_for_placeholders (fixture->server, fixture->session, 20000);
  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(JsonObject) details = details_of (fixture, pictures[i].name);

      g_assert_cmpint (json_object_get_null_member (details, "blurhash"), ==, !pictures[i].renders);
    }
}

/* A header of 3000000000x2000000000 was listed square (the difference
 * times 100 wrapped in 32 bits) and chosen for ?orientation=square. */
static void
test_huge_header_never_square (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) bomb = attack_png_declaring (3000000000u, 2000000000u, 16);
  g_autofree char *url = NULL;
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *images;

  write_bytes (fixture->folder, "huge.png", bomb);
  start (fixture, NULL);
  url = test_server_url (fixture->server, API "/rndimg?orientation=square&count=100");
  test_get (fixture->session, url, &response);
  test_assert_status (&response, 200);
  answer = test_response_json (&response);
  images = json_object_get_array_member (answer, "images");
  for (guint i = 0; i < json_array_get_length (images); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (images, i), "name"), !=,
                     "huge.png");
}

/* ---- temporary files ---- */

static void
plant (const char *folder, const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, "half a pict", -1, &error);
  g_assert_no_error (error);
}

static gboolean
exists_below (const char *folder, const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* What an earlier crash left (g_file_set_contents()'s names beside an
 * upload, anything in the hidden folder) is gone once the server is up;
 * a file that only looks like one is left alone. */
static void
test_leftovers_removed_at_start (Fixture *fixture, gconstpointer data)
{
  static const char *const leftovers[] = {
    "upload-20260101-120000-0123abcd.png.X1IZZ3",
    "dogs/upload-20260101-120000-0123abcd.jpg.a9B8c7",
    "dogs/puppies/upload-20260101-120000-0123abcd.webp.Qq0000",
    ".incoming/picture-K3v9aZ",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (leftovers); i++)
    plant (fixture->uploads, leftovers[i]);
  plant (fixture->uploads, "holiday.png.backup");
  start (fixture, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (leftovers); i++)
    if (exists_below (fixture->uploads, leftovers[i]))
      g_error ("%s is still in the uploads folder", leftovers[i]);
  g_assert_true (exists_below (fixture->uploads, "holiday.png.backup"));
}

/* A hidden folder that is a symlink is not swept: what it points to is
 * not the server's. */
static void
test_hidden_symlink_not_followed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *elsewhere = g_dir_make_tmp ("rndimg-elsewhere-XXXXXX", &error);
  g_autofree char *link = g_build_filename (fixture->uploads, ".incoming", NULL);

  g_assert_no_error (error);
  plant (elsewhere, "precious.png");
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  start (fixture, NULL);
  g_assert_true (exists_below (elsewhere, "precious.png"));
  test_remove_folder (elsewhere);
}

/* Waits up to @timeout_ms for a file to appear in the folder @watch is
 * on; TRUE when one did. */
static gboolean
wait_for_file (int watch, guint timeout_ms)
{
  struct pollfd ready = { watch, POLLIN, 0 };
  char events[4096];

  if (poll (&ready, 1, (int) timeout_ms) <= 0)
    return FALSE;
  return read (watch, events, sizeof events) > 0;
}

/* Sends a whole upload of @bytes on a plain socket and leaves it there. */
static RawConnection *
send_upload (TestServer *server, GBytes *bytes)
{
  RawConnection *connection = raw_connect (server);
  g_autofree char *head = g_strdup_printf ("POST " API "/images HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Type: image/png\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                           g_bytes_get_size (bytes));

  g_assert_true (raw_send_text (connection, head));
  g_assert_true (raw_send (connection, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  return connection;
}

/* Every file in the uploads folder is a whole upload, or there is none;
 * with @hidden_too, the hidden folder (of a file system without
 * O_TMPFILE) is empty too. */
static void
assert_only_whole_uploads (const char *uploads, gsize size, gboolean hidden_too)
{
  g_autoptr(GPtrArray) found = files_in (uploads);

  for (guint i = 0; i < found->len; i++)
    {
      const char *relative = g_ptr_array_index (found, i);
      g_autofree char *path = g_build_filename (uploads, relative, NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      if (!hidden_too && g_str_has_prefix (relative, ".incoming/"))
        continue;
      if (!g_str_has_prefix (relative, "upload-") || !g_str_has_suffix (relative, ".png") || (gsize) st.st_size != size)
        g_error ("%s (%" G_GOFFSET_FORMAT " of %" G_GSIZE_FORMAT " bytes) was left in the uploads folder", relative,
                 (goffset) st.st_size, size);
    }
}

/* kill -9 in the middle of an upload: at the moment a file appears in
 * @watched (below the uploads folder: where the server makes its
 * temporary file), right after the body is sent, and a little later.
 * Nothing but whole pictures may be left where a scan looks, and after a
 * restart nothing but the pictures the catalogue lists. */
static void
kill_mid_upload (Fixture *fixture, const char *watched, const char *const *environment)
{
  g_autoptr(GBytes) big = attack_png_declaring (4000, 3000, 48 * 1024 * 1024);
  g_autofree char *watched_path = g_build_filename (fixture->uploads, watched, NULL);
  const int delays_ms[] = { -1, 0, 5 };
  gsize size = g_bytes_get_size (big);

  g_assert_cmpint (g_mkdir_with_parents (watched_path, 0700), ==, 0);
  for (gsize round = 0; round < G_N_ELEMENTS (delays_ms); round++)
    {
      int watch = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      g_autoptr(RawConnection) connection = NULL;
      g_autoptr(JsonObject) stats = NULL;
      g_autoptr(GPtrArray) kept = NULL;

      g_assert_cmpint (watch, >=, 0);
      g_assert_cmpint (inotify_add_watch (watch, watched_path, IN_CREATE | IN_MOVED_TO), >=, 0);
      start_with (fixture, "--max-upload=67108864", environment);
      connection = send_upload (fixture->server, big);
      if (delays_ms[round] < 0)
        wait_for_file (watch, 20000);
      else
        g_usleep ((gulong) delays_ms[round] * 1000);
      g_clear_pointer (&fixture->server, test_server_kill);
      close (watch);
      assert_only_whole_uploads (fixture->uploads, size, FALSE);

      start_with (fixture, NULL, environment);
      assert_only_whole_uploads (fixture->uploads, size, TRUE);
      stats = test_server_stats (fixture->server, fixture->session);
      kept = files_in (fixture->uploads);
      g_assert_cmpint (json_object_get_int_member (stats, "images"), ==, 1 + kept->len);
      g_clear_pointer (&fixture->server, test_server_stop);
    }
}

static void
test_kill_mid_upload (Fixture *fixture, gconstpointer data)
{
  kill_mid_upload (fixture, "", NULL);
}

/* Where the file system has no O_TMPFILE (tests/no-tmpfile.c takes it
 * away): uploads go through the hidden folder, are listed whole, and what
 * a kill leaves there is gone at the next start. */
static const char *const *
without_tmpfile (void)
{
  static const char *environment[] = { "LD_PRELOAD", NULL, NULL };

  environment[1] = g_getenv ("RNDIMG_NO_TMPFILE_PRELOAD");
  g_assert_nonnull (environment[1]);
  return environment;
}

static void
test_upload_without_tmpfile (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) png = attack_png_declaring (40, 30, 64);
  g_autofree char *url = NULL;
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) details = NULL;
  g_autoptr(GPtrArray) stored = NULL;

  start_with (fixture, NULL, without_tmpfile ());
  url = test_server_url (fixture->server, API "/images");
  test_post (fixture->session, url, png, "image/png", &response);
  test_assert_status (&response, 201);
  event = test_response_json (&response);
  details = details_of (fixture, json_object_get_string_member (event, "name"));
  assert_size (details, "the upload", 40, 30);
  stored = files_in (fixture->uploads);
  g_assert_cmpuint (stored->len, ==, 1);
  g_assert_true (exists_below (fixture->uploads, ".incoming"));
  assert_only_whole_uploads (fixture->uploads, g_bytes_get_size (png), TRUE);
}

static void
test_kill_mid_upload_without_tmpfile (Fixture *fixture, gconstpointer data)
{
  kill_mid_upload (fixture, ".incoming", without_tmpfile ());
}

#define ADD(path, test) \
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/attacks/uploads-judged", test_uploads_judged);
  ADD ("/attacks/folder-judged", test_folder_judged);
  ADD ("/attacks/huge-header-never-square", test_huge_header_never_square);
  ADD ("/attacks/leftovers-removed-at-start", test_leftovers_removed_at_start);
  ADD ("/attacks/hidden-symlink-not-followed", test_hidden_symlink_not_followed);
  ADD ("/attacks/kill-mid-upload", test_kill_mid_upload);
  ADD ("/attacks/upload-without-tmpfile", test_upload_without_tmpfile);
  ADD ("/attacks/kill-mid-upload-without-tmpfile", test_kill_mid_upload_without_tmpfile);
  test_add_answers_described ();
  return g_test_run ();
}
