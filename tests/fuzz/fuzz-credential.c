/* SPDX-License-Identifier: MIT */
/* libFuzzer: a presented credential (untrusted: anyone sends an
 * Authorization header or ?access_token=). Two ways in: the input as
 * presented (tokens, JWTs of any shape, garbage), and the input as a
 * JWT's claims signed with the server's own HS256 key, so the claims'
 * reading (exp, nbf, sub, scope) is reached too. Refused or granted, never
 * a crash; a grant never holds a scope the claims did not name. */
#include "rndimg-credentials.h"
#include "rndimg-config.h"

#include <glib/gstdio.h>
#include <jwt.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define KEY "fuzzing-key-0123456789abcdef0123456789abcdef"

static RndimgCredentials *
credentials (void)
{
  static RndimgCredentials *made;
  g_autofree char *folder = NULL, *key = NULL, *tokens = NULL;
  RndimgConfig config = { 0 };
  g_autoptr(GError) error = NULL;

  if (made != NULL)
    return made;
  folder = g_dir_make_tmp ("fuzz-credential-XXXXXX", NULL);
  key = g_build_filename (folder, "jwt.key", NULL);
  tokens = g_build_filename (folder, "tokens.ini", NULL);
  g_assert_true (g_file_set_contents (key, KEY, -1, NULL));
  g_assert_true (g_file_set_contents (tokens, "[reader]\ntoken=reader-token-0123456789\nscopes=read:dogs\n", -1,
                                      NULL));
  config.jwt_key_file = key;
  config.jwt_algorithm = (char *) "HS256";
  config.tokens_file = tokens;
  made = rndimg_credentials_new ();
  if (!rndimg_credentials_load (made, &config, &error))
    g_error ("%s", error->message);
  g_unlink (key);
  g_unlink (tokens);
  g_rmdir (folder);
  return made;
}

/* @claims (JSON text) signed with the server's key; NULL when libjwt
 * takes no such claims. */
static char *
signed_with_claims (const char *claims)
{
  jwt_t *jwt = NULL;
  char *encoded = NULL, *copy;

  if (jwt_new (&jwt) != 0)
    return NULL;
  if (jwt_add_grants_json (jwt, claims) == 0 &&
      jwt_set_alg (jwt, JWT_ALG_HS256, (const unsigned char *) KEY, (int) strlen (KEY)) == 0)
    encoded = jwt_encode_str (jwt);
  jwt_free (jwt);
  copy = g_strdup (encoded);
  free (encoded);
  return copy;
}

static void
check (const char *presented)
{
  g_autoptr(GError) error = NULL;
  RndimgAccess *access = rndimg_credentials_check (credentials (), presented, 1700000000, &error);

  g_assert_true ((access == NULL) == (error != NULL));
  if (access != NULL)
    rndimg_access_unref (access);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_autofree char *token = NULL;

  if (size == 0 || size > RNDIMG_CREDENTIAL_MAX_BYTES)
    return 0;
  text = g_strndup ((const char *) data + 1, size - 1);
  if (data[0] & 1)
    check (text);
  else if ((token = signed_with_claims (text)) != NULL)
    check (token);
  return 0;
}
