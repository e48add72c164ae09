/* SPDX-License-Identifier: MIT */
/* Credentials against real servers: named tokens with scopes from a
 * tokens file (read again at SIGHUP, a token kept as its SHA-256 too),
 * and JSON Web Tokens minted by an independent library (Debian's
 * python3-jwt) with HS256, RS256 and ES256 keys the test makes with
 * openssl: scopes and albums honoured, a wrong key, an expired token, one
 * not valid yet, an unsigned one and one signed with HS256 by the public
 * key as its secret (the algorithm confusion) all refused 401; read for
 * another album does not show a private one; no credential is ever
 * logged, in the access log or the audit log. */
#include "picture-files.h"
#include "push-fixture.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#define READER_TOKEN "reader-token-0123456789abcdef"
#define WRITER_TOKEN "writer-token-0123456789abcdef"
#define HASHED_TOKEN "hashed-token-0123456789abcdef"
#define HMAC_SECRET "a-secret-of-at-least-32-bytes-for-hs256"

typedef struct {
  Fixture base;
  char *keys;          /* a folder for keys and the tokens file */
} Keyed;

static void
make_catalogue (Fixture *fixture)
{
  fixture->folder = test_make_image_folder (2);
  picture_files_make_folder (fixture->folder, "secret");
  picture_files_make_folder (fixture->folder, "other");
  picture_files_copy_shipped (fixture->folder, "secret/s1.png", "03.png");
  picture_files_copy_shipped (fixture->folder, "other/o1.png", "04.png");
  picture_files_write_text (fixture->folder, "secret/info.json", "{\"private\": true}", -1);
  picture_files_write_text (fixture->folder, "other/info.json", "{\"private\": true}", -1);
}

static char *
key_path (Keyed *keyed, const char *name)
{
  return g_build_filename (keyed->keys, name, NULL);
}

static void
write_key (Keyed *keyed, const char *name, const char *text)
{
  g_autofree char *path = key_path (keyed, name);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
start (Keyed *keyed, const char *first_flag, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  g_ptr_array_add (args, g_strconcat ("--images=", keyed->base.folder, NULL));
  g_ptr_array_add (args, g_strdup ("--interval=0"));
  g_ptr_array_add (args, g_strdup ("--access-log"));
  va_start (ap, first_flag);
  for (const char *flag = first_flag; flag != NULL; flag = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (flag));
  va_end (ap);
  g_ptr_array_add (args, NULL);
  keyed->base.session = soup_session_new ();
  keyed->base.async_session = new_async_session ();
  keyed->base.server = test_server_start_logged ((const char *const *) args->pdata, NULL);
}

static void
keyed_set_up (Keyed *keyed, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  make_catalogue (&keyed->base);
  keyed->keys = g_dir_make_tmp ("rndimg-keys-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
keyed_tear_down (Keyed *keyed, gconstpointer data)
{
  fixture_tear_down (&keyed->base, data);
  test_remove_folder (keyed->keys);
  g_free (keyed->keys);
}

/* ---- requests ---- */

static guint
get_as (Keyed *keyed, const char *path, const char *token, TestResponse *response)
{
  g_autofree char *url = test_server_url (keyed->base.server, path);
  g_autofree char *bearer = token != NULL ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };

  test_get_with_headers (keyed->base.session, url, token != NULL ? headers : NULL, response);
  return response->status;
}

static guint
status_as (Keyed *keyed, const char *path, const char *token)
{
  g_auto(TestResponse) response = { 0 };

  return get_as (keyed, path, token, &response);
}

static guint
publish_as (Keyed *keyed, const char *name, const char *token)
{
  g_autofree char *url = test_server_url (keyed->base.server, API "/publish");
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  g_autofree char *json = g_strdup_printf ("{\"name\":\"%s\"}", name);
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_auto(TestResponse) response = { 0 };

  test_request (keyed->base.session, "POST", url, headers, body, "application/json", &response);
  return response.status;
}

/* Whether the albums @token sees (NULL: none) hold @album. */
static gboolean
sees_album (Keyed *keyed, const char *token, const char *album)
{
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *albums;

  g_assert_cmpuint (get_as (keyed, API "/albums", token, &response), ==, 200);
  answer = test_response_json (&response);
  albums = json_object_get_array_member (answer, "albums");
  for (guint i = 0; i < json_array_get_length (albums); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (albums, i), "name"), album))
      return TRUE;
  return FALSE;
}

static void
assert_refused_401 (Keyed *keyed, const char *token)
{
  g_auto(TestResponse) response = { 0 };

  get_as (keyed, API "/albums", token, &response);
  test_assert_json_error (&response, 401);
  g_assert_nonnull (test_response_header (&response, "WWW-Authenticate"));
}

/* ---- minting ---- */

static char *
run (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_strstrip (g_steal_pointer (&out));
}

/* A JWT of @claims (JSON; an "exp" or "nbf" of "now+600" or "now-10" is
 * that many seconds from now) signed by python3-jwt with the key in
 * @key_file and @algorithm; "HS256-by-hand" MACs with the file's bytes
 * whatever they are (python3-jwt rightly refuses a public key). */
static char *
mint (const char *claims, const char *key_file, const char *algorithm)
{
  const char *python = g_getenv ("RNDIMG_PYTHON3") != NULL ? g_getenv ("RNDIMG_PYTHON3") : "/usr/bin/python3";
  const char *argv[] = {
    python, "-c",
    "import jwt, json, sys, time\n"
    "claims = json.loads(sys.argv[1])\n"
    "for name in ('exp', 'nbf'):\n"
    "    if isinstance(claims.get(name), str):\n"
    "        claims[name] = int(time.time()) + int(claims[name][len('now'):])\n"
    "key = open(sys.argv[2], 'rb').read()\n"
    "if sys.argv[3] == 'HS256-by-hand':\n"
    "    import base64, hashlib, hmac\n"
    "    key = key.rstrip(b'\\r\\n')\n"
    "    part = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=')\n"
    "    signed = part(b'{\"alg\":\"HS256\",\"typ\":\"JWT\"}') + b'.' + part(json.dumps(claims).encode())\n"
    "    print((signed + b'.' + part(hmac.new(key, signed, hashlib.sha256).digest())).decode())\n"
    "    sys.exit(0)\n"
    "if sys.argv[3].startswith('HS'): key = key.rstrip(b'\\r\\n')\n"
    "print(jwt.encode(claims, key, algorithm=sys.argv[3]))\n",
    claims, key_file, algorithm, NULL,
  };

  return run (argv);
}

/* ---- tokens file ---- */

static void
write_tokens (Keyed *keyed, const char *text)
{
  write_key (keyed, "tokens.ini", text);
}

static void
test_tokens_file_and_reload (Keyed *keyed, gconstpointer data)
{
  g_autofree char *tokens = key_path (keyed, "tokens.ini");
  g_autofree char *flag = g_strconcat ("--tokens-file=", tokens, NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, HASHED_TOKEN, -1);
  g_autofree char *hashed = g_strdup_printf ("[hashed]\nsha256=%s\nscopes=read\n", digest);
  g_autofree char *first = g_strconcat ("[reader]\ntoken=" READER_TOKEN "\nscopes=read:secret\n"
                                        "[writer]\ntoken=" WRITER_TOKEN "\nscopes=publish\n", hashed, NULL);

  write_tokens (keyed, first);
  start (keyed, flag, NULL);
  g_assert_false (sees_album (keyed, NULL, "secret"));
  g_assert_true (sees_album (keyed, READER_TOKEN, "secret"));
  g_assert_false (sees_album (keyed, READER_TOKEN, "other"));
  g_assert_true (sees_album (keyed, HASHED_TOKEN, "other"));
  g_assert_cmpuint (status_as (keyed, API "/images/secret/s1.png", READER_TOKEN), ==, 200);
  g_assert_cmpuint (status_as (keyed, API "/images/other/o1.png", READER_TOKEN), ==, 404);
  assert_refused_401 (keyed, "unknown-token-0123456789");
  g_assert_cmpuint (publish_as (keyed, "01.png", WRITER_TOKEN), ==, 201);
  g_assert_cmpuint (publish_as (keyed, "01.png", READER_TOKEN), ==, 403);

  /* SIGHUP: the writer is gone, the reader may publish now. */
  write_tokens (keyed, "[reader]\ntoken=" READER_TOKEN "\nscopes=read:secret publish\n");
  g_subprocess_send_signal (keyed->base.server->process, SIGHUP);
  test_run_for (500);
  g_assert_cmpuint (publish_as (keyed, "01.png", WRITER_TOKEN), ==, 401);
  g_assert_cmpuint (publish_as (keyed, "01.png", READER_TOKEN), ==, 201);
  /* A tokens file broken by hand keeps the old ones. */
  write_tokens (keyed, "[reader]\nscopes=read\n");
  g_subprocess_send_signal (keyed->base.server->process, SIGHUP);
  test_run_for (500);
  g_assert_cmpuint (publish_as (keyed, "01.png", READER_TOKEN), ==, 201);
}

/* ---- JWTs ---- */

static void
test_jwt_hs256 (Keyed *keyed, gconstpointer data)
{
  g_autofree char *secret = key_path (keyed, "secret");
  g_autofree char *wrong = key_path (keyed, "wrong");
  g_autofree char *flag = g_strconcat ("--jwt-key=", secret, NULL);
  g_autofree char *reader = NULL, *other = NULL, *publisher = NULL, *forged = NULL;
  g_autofree char *expired = NULL, *early = NULL, *unscoped = NULL;

  write_key (keyed, "secret", HMAC_SECRET "\n");
  write_key (keyed, "wrong", "another-secret-of-at-least-32-bytes-long");
  start (keyed, flag, NULL);
  reader = mint ("{\"sub\":\"alice\",\"scope\":\"read:secret\",\"exp\":\"now+600\"}", secret, "HS256");
  other = mint ("{\"sub\":\"bob\",\"scope\":[\"read:other\"]}", secret, "HS256");
  publisher = mint ("{\"sub\":\"carol\",\"scope\":\"publish\",\"nbf\":\"now-60\"}", secret, "HS256");
  forged = mint ("{\"sub\":\"mallory\",\"scope\":\"read manage\"}", wrong, "HS256");
  expired = mint ("{\"sub\":\"alice\",\"scope\":\"read\",\"exp\":\"now-10\"}", secret, "HS256");
  early = mint ("{\"sub\":\"alice\",\"scope\":\"read\",\"nbf\":\"now+600\"}", secret, "HS256");
  unscoped = mint ("{\"sub\":\"alice\"}", secret, "HS256");

  g_assert_true (sees_album (keyed, reader, "secret"));
  g_assert_false (sees_album (keyed, reader, "other"));
  g_assert_false (sees_album (keyed, other, "secret"));
  g_assert_cmpuint (status_as (keyed, API "/albums/secret", other), ==, 404);
  g_assert_cmpuint (status_as (keyed, API "/albums/other", other), ==, 200);
  g_assert_cmpuint (publish_as (keyed, "01.png", publisher), ==, 201);
  g_assert_cmpuint (publish_as (keyed, "01.png", reader), ==, 403);
  assert_refused_401 (keyed, forged);
  assert_refused_401 (keyed, expired);
  assert_refused_401 (keyed, early);
  assert_refused_401 (keyed, unscoped);
  /* Unsigned ("alg": "none"): header.payload. with nothing after. */
  assert_refused_401 (keyed, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzY29wZSI6InJlYWQifQ.");
}

/* Keys made by openssl: an RSA and an EC (P-256) pair. */
static void
make_key_pair (Keyed *keyed, const char *private_name, const char *public_name, gboolean elliptic)
{
  g_autofree char *private_path = key_path (keyed, private_name);
  g_autofree char *public_path = key_path (keyed, public_name);
  const char *rsa[] = { "openssl", "genrsa", "-out", private_path, "2048", NULL };
  const char *ec[] = { "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", private_path, NULL };
  const char *rsa_public[] = { "openssl", "rsa", "-in", private_path, "-pubout", "-out", public_path, NULL };
  const char *ec_public[] = { "openssl", "ec", "-in", private_path, "-pubout", "-out", public_path, NULL };
  g_autofree char *made = run (elliptic ? ec : rsa);
  g_autofree char *published = run (elliptic ? ec_public : rsa_public);
}

static void
test_jwt_rs256_and_the_algorithm_confusion (Keyed *keyed, gconstpointer data)
{
  g_autofree char *private_path = key_path (keyed, "rsa.pem");
  g_autofree char *public_path = key_path (keyed, "rsa.pub");
  g_autofree char *flag = g_strconcat ("--jwt-key=", public_path, NULL);
  g_autofree char *good = NULL, *confused = NULL;

  make_key_pair (keyed, "rsa.pem", "rsa.pub", FALSE);
  start (keyed, flag, "--jwt-algorithm=RS256", NULL);
  good = mint ("{\"sub\":\"dana\",\"scope\":\"read:secret\"}", private_path, "RS256");
  g_assert_true (sees_album (keyed, good, "secret"));
  /* The public key is no secret: a token MACed with it is refused. */
  confused = mint ("{\"sub\":\"mallory\",\"scope\":\"read\"}", public_path, "HS256-by-hand");
  assert_refused_401 (keyed, confused);
  {
    g_auto(TestResponse) response = { 0 };
    g_autoptr(JsonObject) error = NULL;

    get_as (keyed, API "/albums", confused, &response);
    error = test_response_json (&response);
    /* Refused for its algorithm: its MAC does verify with those bytes. */
    g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                     "the JWT is signed with HS256; this server takes RS256");
  }
}

static void
test_jwt_es256 (Keyed *keyed, gconstpointer data)
{
  g_autofree char *private_path = key_path (keyed, "ec.pem");
  g_autofree char *public_path = key_path (keyed, "ec.pub");
  g_autofree char *flag = g_strconcat ("--jwt-key=", public_path, NULL);
  g_autofree char *good = NULL;
  g_autofree char *other_private = key_path (keyed, "ec2.pem");
  g_autofree char *stranger = NULL;

  make_key_pair (keyed, "ec.pem", "ec.pub", TRUE);
  make_key_pair (keyed, "ec2.pem", "ec2.pub", TRUE);
  start (keyed, flag, "--jwt-algorithm=ES256", NULL);
  good = mint ("{\"sub\":\"erin\",\"scope\":\"read:other\"}", private_path, "ES256");
  g_assert_true (sees_album (keyed, good, "other"));
  stranger = mint ("{\"sub\":\"erin\",\"scope\":\"read:other\"}", other_private, "ES256");
  assert_refused_401 (keyed, stranger);
}

/* No credential reaches a log: the access log redacts ?access_token= and
 * a signature, the audit log names the credential, never quotes it. */
static void
test_no_credential_is_logged (Keyed *keyed, gconstpointer data)
{
  g_autofree char *secret = key_path (keyed, "secret");
  g_autofree char *flag = g_strconcat ("--jwt-key=", secret, NULL);
  g_autofree char *reader = NULL, *log = NULL, *events = NULL, *url = NULL;
  g_auto(TestResponse) picture = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  write_key (keyed, "secret", HMAC_SECRET);
  start (keyed, flag, NULL);
  reader = mint ("{\"sub\":\"alice\",\"scope\":\"read:secret publish\"}", secret, "HS256");
  g_assert_cmpuint (publish_as (keyed, "secret/s1.png", reader), ==, 201);
  /* The long-poll's credential in its query, as a browser sends it. */
  events = g_strdup_printf ("?since=0&access_token=%s", reader);
  {
    g_autoptr(JsonObject) polled = poll_now (&keyed->base, events);

    g_assert_cmpstr (json_object_get_string_member (polled, "name"), ==, "secret/s1.png");
  }
  get_as (keyed, API "/images/secret/s1.png", reader, &picture);
  answer = test_response_json (&picture);
  url = g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "image"), "url"));
  g_assert_nonnull (strstr (url, "sig="));
  {
    g_auto(TestResponse) bytes = { 0 };

    test_get (keyed->base.session, url, &bytes);
    test_assert_status (&bytes, 200);
  }
  log = test_server_wait_log (keyed->base.server, "sig=-", 5000);
  g_assert_nonnull (strstr (log, "access_token=-"));
  g_assert_nonnull (strstr (log, "sig=-"));
  g_assert_nonnull (strstr (log, "audit: jwt:alice publish secret/s1.png"));
  g_assert_null (strstr (log, reader));
  g_assert_null (strstr (log, strstr (url, "sig=") + 4));
}

#define ADD_KEYED(path, func) g_test_add (path, Keyed, NULL, keyed_set_up, func, keyed_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD_KEYED ("/tokens/file-and-reload", test_tokens_file_and_reload);
  ADD_KEYED ("/tokens/jwt-hs256", test_jwt_hs256);
  ADD_KEYED ("/tokens/jwt-rs256-and-the-algorithm-confusion", test_jwt_rs256_and_the_algorithm_confusion);
  ADD_KEYED ("/tokens/jwt-es256", test_jwt_es256);
  ADD_KEYED ("/tokens/no-credential-is-logged", test_no_credential_is_logged);
  test_add_answers_described ();
  return g_test_run ();
}
