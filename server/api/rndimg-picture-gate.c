/* SPDX-License-Identifier: MIT */
/* The gate before a picture's bytes (GET /static/img/NAME, /img/NAME/...):
 * a public picture goes through; a private album's picture only on a
 * signed URL that has not expired (?expires=...&sig=..., see
 * access/rndimg-url-signer.c) or with a credential that may read its
 * album. A signature is checked before the picture is looked up, so an
 * altered or expired URL is a 403 whether the picture exists or not;
 * without one, a private picture is not found (404), like a missing one.
 * Answers let through for a private picture are never cached by a shared
 * cache, and by a browser no longer than the URL lives. */
#include "rndimg-picture-gate.h"
#include "rndimg-http.h"
#include "rndimg-request-access.h"

#include <string.h>

void
rndimg_picture_pass_clear (RndimgPicturePass *pass)
{
  g_clear_pointer (&pass->access, rndimg_access_unref);
  g_clear_pointer (&pass->signature, g_free);
  pass->signed_until = 0;
}

/* The value of @key in @raw_query (still encoded), or NULL. */
static char *
query_value (const char *raw_query, const char *key)
{
  g_auto(GStrv) pairs = raw_query != NULL ? g_strsplit (raw_query, "&", 64) : NULL;
  gsize key_length = strlen (key);

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    if (strncmp (pairs[i], key, key_length) == 0 && pairs[i][key_length] == '=')
      return g_uri_unescape_string (pairs[i] + key_length + 1, NULL);
  return NULL;
}

/* @raw_query without its signature (expires, sig): what a variant's
 * spelling is read from. NULL when nothing is left. */
char *
rndimg_picture_gate_strip_query (const char *raw_query)
{
  g_auto(GStrv) pairs = raw_query != NULL ? g_strsplit (raw_query, "&", -1) : NULL;
  g_autoptr(GString) kept = g_string_new (NULL);

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      if (g_str_has_prefix (pairs[i], "expires=") || g_str_has_prefix (pairs[i], "sig="))
        continue;
      g_string_append_printf (kept, "%s%s", kept->len > 0 ? "&" : "", pairs[i]);
    }
  return kept->len > 0 ? g_strdup (kept->str) : NULL;
}

static gboolean
check_signature (RndimgPictureGate *gate, RndimgExchange *exchange, const char *name, const char *raw_query,
                 RndimgPicturePass *pass)
{
  g_autofree char *expires = query_value (raw_query, "expires");
  g_autofree char *sig = query_value (raw_query, "sig");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  switch (rndimg_url_signer_check (gate->signer, name, expires, sig, now))
    {
    case RNDIMG_SIGNATURE_VALID:
      pass->signed_until = g_ascii_strtoll (expires, NULL, 10);
      pass->signature = g_strdup_printf ("expires=%s&sig=%s", expires, sig);
      return TRUE;
    case RNDIMG_SIGNATURE_EXPIRED:
      rndimg_http_send_error (exchange, SOUP_STATUS_FORBIDDEN, "this signed URL expired; ask the API for a new one");
      return FALSE;
    case RNDIMG_SIGNATURE_WRONG:
    case RNDIMG_SIGNATURE_MALFORMED:
    default:
      rndimg_http_send_error (exchange, SOUP_STATUS_FORBIDDEN, "this signed URL is not valid (altered, or its key is gone)");
      return FALSE;
    }
}

/* Returns (transfer full) picture @name if @exchange may have its bytes,
 * filling @pass; NULL with the answer sent (401, 403 or 404). */
RndimgPicture *
rndimg_picture_gate_open (RndimgPictureGate *gate, RndimgExchange *exchange, const char *name, RndimgPicturePass *pass)
{
  const char *raw_query = rndimg_exchange_get_query (exchange);
  g_autofree char *sig = query_value (raw_query, "sig");
  g_autofree char *expires = query_value (raw_query, "expires");
  RndimgPicture *image;

  if ((pass->access = rndimg_request_access (gate->credentials, exchange, FALSE)) == NULL)
    return NULL;
  if (sig != NULL || expires != NULL)
    {
      if (!check_signature (gate, exchange, name, raw_query, pass))
        return NULL;
      image = rndimg_catalogue_lookup_any (gate->catalogue, name);
    }
  else
    image = rndimg_catalogue_lookup_for (gate->catalogue, name, pass->access);
  if (image == NULL)
    rndimg_http_send_error (exchange, SOUP_STATUS_NOT_FOUND, "no such picture");
  return image;
}

/* Cache-Control for @image's bytes: @public_value for a public picture;
 * a private one's is for this browser only, as long as its signed URL
 * lives (with a credential: checked again each time). */
void
rndimg_picture_gate_cache_control (RndimgExchange *exchange, const RndimgPicture *image, const RndimgPicturePass *pass,
                                   const char *public_value)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  gint64 left = pass->signed_until - g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *value = NULL;

  if (!image->is_private)
    value = g_strdup (public_value);
  else if (pass->signed_until > 0)
    value = g_strdup_printf ("private, max-age=%" G_GINT64_FORMAT, MAX (left, 0));
  else
    value = g_strdup ("private, no-cache");
  soup_message_headers_replace (headers, "Cache-Control", value);
}
