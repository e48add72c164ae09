/* SPDX-License-Identifier: MIT */
/* Who may write, and why not: a request's access (its credential, read by
 * http/rndimg-request-access.c) must hold the scope a write needs for the
 * album it touches. Without a credential: 401 (WWW-Authenticate: Bearer);
 * with one that lacks the scope: 403 naming the scope. A server with no
 * credentials configured takes writes from anyone on loopback only
 * (anyone who can reach it is on this machine), and refuses them beyond. */
#include "rndimg-auth.h"
#include "rndimg-http.h"
#include "rndimg-request-access.h"

gboolean
rndimg_auth_writes_enabled (RndimgCredentials *credentials)
{
  return rndimg_credentials_configured (credentials) || rndimg_credentials_anonymous_writes (credentials);
}

/* TRUE when @access holds @scope for @album ("": the top level); else
 * the answer is set: 401 or 403. */
gboolean
rndimg_auth_require (RndimgCredentials *credentials, RndimgExchange *exchange, const RndimgAccess *access,
                     RndimgScope scope, const char *album)
{
  g_autofree char *held = NULL;
  g_autofree char *needed = NULL;

  if (rndimg_access_may (access, scope, album))
    return TRUE;
  needed = album != NULL && album[0] != '\0' ? g_strdup_printf ("%s (or %s:%s)", rndimg_scope_to_string (scope),
                                                                 rndimg_scope_to_string (scope), album)
                                             : g_strdup (rndimg_scope_to_string (scope));
  if (!rndimg_auth_writes_enabled (credentials))
    {
      rndimg_http_send_error (exchange, SOUP_STATUS_FORBIDDEN,
                              "writes are disabled: this server listens beyond loopback and has no token "
                              "(start it with --token-file, --tokens-file or --jwt-key)");
      return FALSE;
    }
  if (access == NULL || access->anonymous)
    {
      g_autofree char *why = g_strdup_printf ("this needs Authorization: Bearer <token>, a token with the %s scope",
                                              needed);

      rndimg_request_send_unauthorized (exchange, why);
      return FALSE;
    }
  held = rndimg_access_describe (access);
  rndimg_http_send_error (exchange, SOUP_STATUS_FORBIDDEN, "%s has no %s scope (it holds: %s)", access->who, needed,
                          *held != '\0' ? held : "none");
  return FALSE;
}
