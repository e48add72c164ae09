/* SPDX-License-Identifier: MIT */
/* Signed, expiring URLs for private albums' pictures, so that an <img> in
 * a browser loads without headers and a leaked URL dies at its expiry.
 *
 * A picture's URL (/static/img/NAME, and its variants /img/NAME/...)
 * carries ?expires=UNIX-SECONDS&sig=SIGNATURE, where SIGNATURE is the
 * base64url HMAC-SHA256, under the current key, of "rndimg-v1", the
 * picture's name and the expiry, each on its own line. One signature
 * covers every variant of the picture (a client builds their URLs).
 *
 * Keys come from a file of one or two lines: the first signs, both
 * verify, so a new key goes first and the old one second for as long as
 * the URLs it signed may live (rotation); the file is read again at
 * SIGHUP. Without a file named, one with a random key is made in the
 * state folder. Expiries are rounded up to a step, so the same picture
 * gets the same URL for a while (a browser caches it). */
#include "rndimg-url-signer.h"

#include <errno.h>
#include <string.h>

#define MAX_KEYS 2
#define MIN_KEY_BYTES 16
#define MAX_KEY_FILE_BYTES 4096
#define MAX_STEP_SECONDS 300
#define SIGNATURE_CHARS 43     /* 32 bytes in base64url, unpadded */

struct _RndimgUrlSigner
{
  GBytes *keys[MAX_KEYS];    /* [0] signs; NULL: none */
  guint lifetime_seconds;
};

RndimgUrlSigner *
rndimg_url_signer_new (guint lifetime_seconds)
{
  RndimgUrlSigner *self = g_new0 (RndimgUrlSigner, 1);

  self->lifetime_seconds = MAX (lifetime_seconds, 1);
  return self;
}

void
rndimg_url_signer_free (RndimgUrlSigner *self)
{
  for (guint i = 0; i < MAX_KEYS; i++)
    g_clear_pointer (&self->keys[i], g_bytes_unref);
  g_free (self);
}

/* A new key file at @path: one random key, readable by its owner only. */
static gboolean
create_key_file (const char *path, GError **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *key = NULL;
  guint32 words[8];

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    words[i] = g_random_int ();
  key = g_strdup_printf ("%08x%08x%08x%08x%08x%08x%08x%08x\n", words[0], words[1], words[2], words[3],
                         words[4], words[5], words[6], words[7]);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "cannot make %s: %s", folder,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, key, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* Reads the keys in @path (made with a random key when missing and
 * @create). FALSE with @error: the keys are unchanged. */
gboolean
rndimg_url_signer_load (RndimgUrlSigner *self, const char *path, gboolean create, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GBytes *keys[MAX_KEYS] = { NULL };
  guint count = 0;
  gsize length = 0;

  if (create && !g_file_test (path, G_FILE_TEST_EXISTS) && !create_key_file (path, error))
    return FALSE;
  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (length > MAX_KEY_FILE_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "signing keys %s: larger than %d bytes", path,
                   MAX_KEY_FILE_BYTES);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *key = g_strstrip (lines[i]);

      if (*key == '\0' || *key == '#')
        continue;
      if (strlen (key) < MIN_KEY_BYTES || count == MAX_KEYS)
        {
          for (guint j = 0; j < count; j++)
            g_bytes_unref (keys[j]);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "signing keys %s: one or two lines (the key that signs, then an older one), each at least %d bytes",
                       path, MIN_KEY_BYTES);
          return FALSE;
        }
      keys[count++] = g_bytes_new (key, strlen (key));
    }
  if (count == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "signing keys %s: no key", path);
      return FALSE;
    }
  for (guint i = 0; i < MAX_KEYS; i++)
    {
      g_clear_pointer (&self->keys[i], g_bytes_unref);
      self->keys[i] = keys[i];
    }
  return TRUE;
}

/* When a URL signed now expires: at least the lifetime away, rounded up
 * to a step (a fifth of the lifetime, at most five minutes). */
gint64
rndimg_url_signer_expiry (RndimgUrlSigner *self, gint64 now_seconds)
{
  gint64 step = CLAMP (self->lifetime_seconds / 5, 1, MAX_STEP_SECONDS);

  return ((now_seconds + self->lifetime_seconds) / step + 1) * step;
}

static char *
signature_with (GBytes *key, const char *name, gint64 expires)
{
  gsize key_length = 0;
  const guint8 *key_data = g_bytes_get_data (key, &key_length);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_length);
  g_autofree char *message = g_strdup_printf ("rndimg-v1\n%s\n%" G_GINT64_FORMAT, name, expires);
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  char *text;

  g_hmac_update (hmac, (const guchar *) message, -1);
  g_hmac_get_digest (hmac, digest, &digest_length);
  text = g_base64_encode (digest, digest_length);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[SIGNATURE_CHARS] = '\0';   /* no '=' padding */
  return text;
}

/* The signature of picture @name until @expires, with the current key. */
char *
rndimg_url_signer_sign (RndimgUrlSigner *self, const char *name, gint64 expires)
{
  g_return_val_if_fail (self->keys[0] != NULL, NULL);

  return signature_with (self->keys[0], name, expires);
}

/* "expires=...&sig=..." for picture @name, signed now. */
char *
rndimg_url_signer_query (RndimgUrlSigner *self, const char *name, gint64 now_seconds)
{
  gint64 expires = rndimg_url_signer_expiry (self, now_seconds);
  g_autofree char *signature = rndimg_url_signer_sign (self, name, expires);

  return g_strdup_printf ("expires=%" G_GINT64_FORMAT "&sig=%s", expires, signature);
}

static gboolean
same_text (const char *a, const char *b, gsize length)
{
  guint8 difference = 0;

  for (gsize i = 0; i < length; i++)
    difference |= (guint8) (a[i] ^ b[i]);
  return difference == 0;
}

/* Whether @signature signs picture @name until @expires (both as the
 * query gave them) and that is not past. The signature is checked before
 * the expiry, so an altered URL is told apart from an old one. */
RndimgSignatureCheck
rndimg_url_signer_check (RndimgUrlSigner *self, const char *name, const char *expires, const char *signature,
                         gint64 now_seconds)
{
  guint64 expiry = 0;
  gboolean valid = FALSE;

  if (expires == NULL || signature == NULL || !g_ascii_isdigit (expires[0]) ||
      !g_ascii_string_to_unsigned (expires, 10, 0, G_MAXINT64, &expiry, NULL) ||
      strlen (signature) != SIGNATURE_CHARS)
    return RNDIMG_SIGNATURE_MALFORMED;
  for (guint i = 0; i < MAX_KEYS && self->keys[i] != NULL; i++)
    {
      g_autofree char *expected = signature_with (self->keys[i], name, (gint64) expiry);

      valid |= same_text (expected, signature, SIGNATURE_CHARS);
    }
  if (!valid)
    return RNDIMG_SIGNATURE_WRONG;
  return (gint64) expiry <= now_seconds ? RNDIMG_SIGNATURE_EXPIRED : RNDIMG_SIGNATURE_VALID;
}
