/* SPDX-License-Identifier: MIT */
/* Who may do what: the credentials a server takes, and the access each
 * one gives (rndimg-access.c).
 *
 *  - the single token (--token-file, RNDIMG_TOKEN), named "token", with
 *    every scope;
 *  - named tokens with scopes, from --tokens-file (a key file, one group
 *    per token: token= or sha256=, and scopes=);
 *  - JSON Web Tokens signed with --jwt-key by --jwt-algorithm (HS256 with
 *    a secret, RS256 or ES256 with a PEM public key), verified by libjwt;
 *    their "scope" claim names the same scopes, "exp" and "nbf" are
 *    honoured, "sub" names who it is.
 *
 * Tokens are kept as SHA-256 digests and a presented token's digest is
 * compared with every one, each comparison without an early exit, so
 * timing tells nothing of them. No credential is ever logged. Loaded at
 * start and at SIGHUP; a load that fails changes nothing. */
#include "rndimg-credentials.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <jwt.h>
#include <string.h>

#define MAX_KEY_FILE_BYTES (64 * 1024)
#define MAX_NAME_BYTES 64
#define DIGEST_BYTES 32

typedef struct {
  guint8 digest[DIGEST_BYTES];
  RndimgAccess *access;
} Token;

struct _RndimgCredentials
{
  GArray *tokens;            /* Token */
  GBytes *jwt_key;           /* NULL: JWTs are not taken */
  jwt_alg_t jwt_algorithm;
  gboolean loopback;         /* the server listens on loopback only */
};

/* Sets @error (G_IO_ERROR_INVALID_DATA) and returns FALSE. */
static gboolean G_GNUC_PRINTF (2, 3)
refuse (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

static void
token_clear (Token *token)
{
  memset (token->digest, 0, sizeof token->digest);
  g_clear_pointer (&token->access, rndimg_access_unref);
}

static GArray *
tokens_new (void)
{
  GArray *tokens = g_array_new (FALSE, TRUE, sizeof (Token));

  g_array_set_clear_func (tokens, (GDestroyNotify) token_clear);
  return tokens;
}

RndimgCredentials *
rndimg_credentials_new (void)
{
  RndimgCredentials *self = g_new0 (RndimgCredentials, 1);

  self->tokens = tokens_new ();
  self->jwt_algorithm = JWT_ALG_HS256;
  return self;
}

void
rndimg_credentials_free (RndimgCredentials *self)
{
  g_array_unref (self->tokens);
  g_clear_pointer (&self->jwt_key, g_bytes_unref);
  g_free (self);
}

static void
digest_of (const char *text, gsize length, guint8 digest[DIGEST_BYTES])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_length = DIGEST_BYTES;

  g_checksum_update (checksum, (const guchar *) text, (gssize) length);
  g_checksum_get_digest (checksum, digest, &digest_length);
}

static gboolean
digest_from_hex (const char *hex, guint8 digest[DIGEST_BYTES])
{
  if (hex == NULL || strlen (hex) != DIGEST_BYTES * 2)
    return FALSE;
  for (guint i = 0; i < DIGEST_BYTES; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return FALSE;
      digest[i] = (guint8) (high << 4 | low);
    }
  return TRUE;
}

static void
add_token (GArray *tokens, const guint8 digest[DIGEST_BYTES], RndimgAccess *access)
{
  Token token = { .access = access };

  memcpy (token.digest, digest, DIGEST_BYTES);
  g_array_append_val (tokens, token);
}

/* The single token: every scope. */
static void
add_single_token (GArray *tokens, const char *token)
{
  RndimgAccess *access = rndimg_access_new ("token:token");
  guint8 digest[DIGEST_BYTES];

  for (guint i = 0; i < RNDIMG_SCOPE_N; i++)
    access->every_album[i] = TRUE;
  digest_of (token, strlen (token), digest);
  add_token (tokens, digest, access);
}

static gboolean
name_is_valid (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > MAX_NAME_BYTES)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* One group of the tokens file; FALSE with @error naming it. */
static gboolean
add_named_token (GArray *tokens, GKeyFile *file, const char *path, const char *name, GError **error)
{
  g_autofree char *token = g_key_file_get_value (file, name, "token", NULL);
  g_autofree char *hex = g_key_file_get_value (file, name, "sha256", NULL);
  g_autofree char *scopes = g_key_file_get_value (file, name, "scopes", NULL);
  g_autofree char *who = g_strconcat ("token:", name, NULL);
  g_autoptr(RndimgAccess) access = rndimg_access_new (who);
  g_autoptr(GError) scope_error = NULL;
  guint8 digest[DIGEST_BYTES];

  if (!name_is_valid (name))
    return refuse (error, "%s: [%s]: a token's name is 1 to %d letters, digits, '.', '-' and '_'",
                        path, name, MAX_NAME_BYTES);
  if ((token == NULL) == (hex == NULL))
    return refuse (error, "%s: [%s] needs one of token= (the token) or sha256= (its SHA-256 in hex)", path, name);
  if (token != NULL)
    {
      g_strstrip (token);
      if (*token == '\0')
        return refuse (error, "%s: [%s]: the token is empty", path, name);
      if (strlen (token) < 16)
        g_warning ("%s: [%s]: a token this short (%zu bytes) can be guessed; use 16 or more", path, name, strlen (token));
      digest_of (token, strlen (token), digest);
    }
  else if (!digest_from_hex (g_strstrip (hex), digest))
    return refuse (error, "%s: [%s]: sha256= must be 64 hex digits", path, name);
  if (scopes == NULL || !rndimg_access_grant_list (access, scopes, &scope_error))
    return refuse (error, "%s: [%s]: %s", path, name,
                        scope_error != NULL ? scope_error->message
                                            : "needs scopes= (read, publish, upload, manage; read:ALBUM for one album)");
  add_token (tokens, digest, g_steal_pointer (&access));
  return TRUE;
}

static gboolean
load_tokens_file (GArray *tokens, const char *path, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "tokens file %s: ", path);
      return FALSE;
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!add_named_token (tokens, file, path, groups[i], error))
      return FALSE;
  return TRUE;
}

static GBytes *
read_key (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (length > MAX_KEY_FILE_BYTES)
    {
      refuse (error, "%s is larger than %d bytes", path, MAX_KEY_FILE_BYTES);
      return NULL;
    }
  /* A secret written with echo ends with a newline that is no part of it. */
  while (length > 0 && (contents[length - 1] == '\n' || contents[length - 1] == '\r'))
    contents[--length] = '\0';
  if (length == 0)
    {
      refuse (error, "%s is empty", path);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static jwt_alg_t
algorithm_from_name (const char *name)
{
  if (name == NULL || g_ascii_strcasecmp (name, "HS256") == 0)
    return JWT_ALG_HS256;
  if (g_ascii_strcasecmp (name, "RS256") == 0)
    return JWT_ALG_RS256;
  if (g_ascii_strcasecmp (name, "ES256") == 0)
    return JWT_ALG_ES256;
  return JWT_ALG_INVAL;
}

/* Reads every credential @config names. FALSE with @error: nothing was
 * changed (a reload keeps what it had). */
gboolean
rndimg_credentials_load (RndimgCredentials *self, const RndimgConfig *config, GError **error)
{
  g_autoptr(GArray) tokens = tokens_new ();
  g_autoptr(GBytes) jwt_key = NULL;
  g_autoptr(GInetAddress) address = config->address != NULL ? g_inet_address_new_from_string (config->address) : NULL;
  jwt_alg_t algorithm = algorithm_from_name (config->jwt_algorithm);

  if (algorithm == JWT_ALG_INVAL)
    return refuse (error, "--jwt-algorithm %s is not HS256, RS256 or ES256", config->jwt_algorithm);
  if (config->token != NULL)
    add_single_token (tokens, config->token);
  if (config->tokens_file != NULL && !load_tokens_file (tokens, config->tokens_file, error))
    return FALSE;
  if (config->jwt_key_file != NULL && (jwt_key = read_key (config->jwt_key_file, error)) == NULL)
    {
      g_prefix_error (error, "--jwt-key: ");
      return FALSE;
    }
  g_array_unref (self->tokens);
  self->tokens = g_steal_pointer (&tokens);
  g_clear_pointer (&self->jwt_key, g_bytes_unref);
  self->jwt_key = g_steal_pointer (&jwt_key);
  self->jwt_algorithm = algorithm;
  self->loopback = address != NULL && g_inet_address_get_is_loopback (address);
  return TRUE;
}

/* Whether any credential is configured at all. */
gboolean
rndimg_credentials_configured (RndimgCredentials *self)
{
  return self->tokens->len > 0 || self->jwt_key != NULL;
}

/* Without credentials, a server on loopback takes writes from anyone
 * (anyone who can reach it is on this machine). */
gboolean
rndimg_credentials_anonymous_writes (RndimgCredentials *self)
{
  return !rndimg_credentials_configured (self) && self->loopback;
}

guint
rndimg_credentials_count_tokens (RndimgCredentials *self)
{
  return self->tokens->len;
}

/* The token whose digest is @digest, or NULL; every stored digest is
 * compared whole, whichever matches. */
static const Token *
find_token (RndimgCredentials *self, const guint8 digest[DIGEST_BYTES])
{
  const Token *found = NULL;

  for (guint i = 0; i < self->tokens->len; i++)
    {
      const Token *token = &g_array_index (self->tokens, Token, i);
      guint8 difference = 0;

      for (guint j = 0; j < DIGEST_BYTES; j++)
        difference |= (guint8) (token->digest[j] ^ digest[j]);
      if (difference == 0 && found == NULL)
        found = token;
    }
  return found;
}

/* header.payload.signature, each base64url. */
static gboolean
looks_like_jwt (const char *text)
{
  guint dots = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.')
        dots++;
      else if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
    }
  return dots == 2;
}

static gboolean
number_member (JsonObject *claims, const char *name, gint64 *value)
{
  JsonNode *node = json_object_get_member (claims, name);

  if (node == NULL || json_node_is_null (node))
    return FALSE;
  *value = JSON_NODE_HOLDS_VALUE (node) && (json_node_get_value_type (node) == G_TYPE_INT64 ||
                                            json_node_get_value_type (node) == G_TYPE_DOUBLE)
           ? (gint64) json_node_get_double (node) : G_MININT64;
  return TRUE;
}

/* "scope": "read:dogs publish" or ["read:dogs", "publish"]. */
static gboolean
grant_claimed_scopes (RndimgAccess *access, JsonObject *claims, GError **error)
{
  JsonNode *node = json_object_get_member (claims, "scope");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return rndimg_access_grant_list (access, json_node_get_string (node), error);
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *items = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            return refuse (error, "the JWT's scope claim must hold strings");
          if (!rndimg_access_grant (access, json_node_get_string (item), error))
            return FALSE;
        }
      return TRUE;
    }
  return refuse (error, "the JWT has no scope claim (\"scope\": \"read publish\")");
}

/* Who the claims name, for logs and limits: "jwt:SUB" (SUB made safe). */
static char *
jwt_who (JsonObject *claims)
{
  const char *sub = json_object_get_string_member_with_default (claims, "sub", NULL);
  g_autofree char *safe = g_strndup (sub != NULL ? sub : "", MAX_NAME_BYTES);

  g_strcanon (safe, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "@.-_", '_');
  return g_strconcat ("jwt:", *safe != '\0' ? safe : "-", NULL);
}

static RndimgAccess *
access_from_claims (const char *claims_text, gint64 now, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(RndimgAccess) access = NULL;
  g_autofree char *who = NULL;
  JsonObject *claims;
  gint64 expires, not_before;

  if (claims_text == NULL || !json_parser_load_from_data (parser, claims_text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      refuse (error, "the JWT's claims are not a JSON object");
      return NULL;
    }
  claims = json_node_get_object (json_parser_get_root (parser));
  if (number_member (claims, "exp", &expires) && now >= expires)
    {
      refuse (error, "the JWT has expired (exp)");
      return NULL;
    }
  if (number_member (claims, "nbf", &not_before) && (not_before == G_MININT64 || now < not_before))
    {
      refuse (error, "the JWT is not valid yet (nbf)");
      return NULL;
    }
  who = jwt_who (claims);
  access = rndimg_access_new (who);
  if (number_member (claims, "exp", &expires))
    access->expires = expires;
  if (!grant_claimed_scopes (access, claims, error))
    return NULL;
  return g_steal_pointer (&access);
}

static RndimgAccess *
check_jwt (RndimgCredentials *self, const char *presented, gint64 now, GError **error)
{
  gsize key_length = 0;
  const guint8 *key = g_bytes_get_data (self->jwt_key, &key_length);
  jwt_t *jwt = NULL;
  RndimgAccess *access;
  char *claims;

  /* libjwt 1.10 verifies with the algorithm the token names: the one
   * configured is insisted on after, so a token signed with HS256 and a
   * public key as its secret is refused. */
  if (jwt_decode (&jwt, presented, key, (int) key_length) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "the JWT does not verify with this server's key");
      return NULL;
    }
  if (jwt_get_alg (jwt) != self->jwt_algorithm)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "the JWT is signed with %s; this server takes %s",
                   jwt_alg_str (jwt_get_alg (jwt)), jwt_alg_str (self->jwt_algorithm));
      jwt_free (jwt);
      return NULL;
    }
  claims = jwt_get_grants_json (jwt, NULL);
  access = access_from_claims (claims, now, error);
  free (claims);
  jwt_free (jwt);
  return access;
}

/* Returns (transfer full) the access @presented gives (a token or a JWT,
 * as sent after "Bearer "; NULL: no credential, the anonymous access), or
 * NULL with @error saying what is wrong with it (never the credential). */
RndimgAccess *
rndimg_credentials_check (RndimgCredentials *self, const char *presented, gint64 now_seconds, GError **error)
{
  guint8 digest[DIGEST_BYTES];
  const Token *token;
  gsize length;

  /* A server without credentials has nothing to check one against: it is
   * anonymous (a client's stale token changes nothing there). */
  if (presented == NULL || !rndimg_credentials_configured (self))
    return rndimg_access_new_anonymous (rndimg_credentials_anonymous_writes (self));
  length = strnlen (presented, RNDIMG_CREDENTIAL_MAX_BYTES + 1);
  if (length == 0 || length > RNDIMG_CREDENTIAL_MAX_BYTES)
    {
      refuse (error, "the credential is empty or longer than %d bytes", RNDIMG_CREDENTIAL_MAX_BYTES);
      return NULL;
    }
  digest_of (presented, length, digest);
  if ((token = find_token (self, digest)) != NULL)
    return rndimg_access_ref (token->access);
  if (self->jwt_key != NULL && looks_like_jwt (presented))
    return check_jwt (self, presented, now_seconds, error);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "the token is wrong");
  return NULL;
}
