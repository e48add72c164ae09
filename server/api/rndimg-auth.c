/* SPDX-License-Identifier: MIT */
/* Who may publish and upload: holders of the bearer token when the server
 * has one; with none, only a server that listens on loopback takes writes
 * (anyone who can reach it is on this machine). */
#include "rndimg-auth.h"
#include "rndimg-http.h"

#include <string.h>

/* Compares without an early exit, so timing tells nothing of the token. */
static gboolean
token_matches (const char *given, const char *expected)
{
  gsize given_length = strlen (given);
  gsize expected_length = strlen (expected);
  guint8 difference = given_length != expected_length;

  for (gsize i = 0; i < expected_length; i++)
    difference |= (guint8) (expected[i] ^ given[i < given_length ? i : 0]);
  return difference == 0;
}

gboolean
rndimg_auth_writes_enabled (const RndimgConfig *config)
{
  g_autoptr(GInetAddress) address = NULL;

  if (config->token != NULL)
    return TRUE;
  address = g_inet_address_new_from_string (config->address);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static const char *
bearer_token (RndimgExchange *exchange)
{
  const char *header = soup_message_headers_get_one (rndimg_exchange_get_request_headers (exchange),
                                                     "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  return header + 7;
}

/* TRUE when @exchange may write; otherwise the error answer is already set. */
gboolean
rndimg_auth_allows_write (const RndimgConfig *config, RndimgExchange *exchange)
{
  const char *given;

  if (!rndimg_auth_writes_enabled (config))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_FORBIDDEN,
                              "writes are disabled: this server listens beyond loopback and has no token "
                              "(start it with --token-file or RNDIMG_TOKEN)");
      return FALSE;
    }
  if (config->token == NULL)
    return TRUE;

  given = bearer_token (exchange);
  if (given == NULL || !token_matches (given, config->token))
    {
      soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange),
                                    "WWW-Authenticate", "Bearer realm=\"rndimg\"");
      rndimg_http_send_error (exchange, SOUP_STATUS_UNAUTHORIZED,
                              given == NULL ? "this needs Authorization: Bearer <token>"
                                            : "the token is wrong");
      return FALSE;
    }
  return TRUE;
}
