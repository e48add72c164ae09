/* SPDX-License-Identifier: MIT */
/* Who a request is and how fast it may go: the credential it presents
 * (Authorization: Bearer, or ?access_token= where a browser cannot set a
 * header: EventSource, WebSocket) checked against the server's
 * credentials (401 when it is refused, never naming it), the client a
 * limit counts (a token's name, else the address), and the answer to a
 * client over its limit: 429 with Retry-After and the IETF RateLimit
 * fields (draft-ietf-httpapi-ratelimit-headers: RateLimit-Policy and
 * RateLimit, and the earlier drafts' RateLimit-Limit, -Remaining and
 * -Reset that many clients still read). */
#include "rndimg-request-access.h"
#include "rndimg-http.h"

#include <string.h>

static const char *
bearer_of (RndimgExchange *exchange, gboolean *malformed)
{
  const char *header = soup_message_headers_get_one (rndimg_exchange_get_request_headers (exchange),
                                                     "Authorization");

  *malformed = FALSE;
  if (header == NULL)
    return NULL;
  if (g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    {
      *malformed = TRUE;
      return NULL;
    }
  return header + 7;
}

/* 401 with WWW-Authenticate and @why (which never holds the credential). */
void
rndimg_request_send_unauthorized (RndimgExchange *exchange, const char *why)
{
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "WWW-Authenticate",
                                "Bearer realm=\"rndimg\"");
  rndimg_http_send_error (exchange, SOUP_STATUS_UNAUTHORIZED, "%s", why);
}

/* Returns (transfer full) what @exchange's credential allows (anonymous when it
 * has none), or NULL with 401 sent when it presents one that is refused.
 * @from_query: ?access_token= is read too. */
RndimgAccess *
rndimg_request_access (RndimgCredentials *credentials, RndimgExchange *exchange, gboolean from_query)
{
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GError) error = NULL;
  const char *raw_query = rndimg_exchange_get_query (exchange);
  const char *presented;
  gboolean malformed;
  RndimgAccess *access;

  presented = bearer_of (exchange, &malformed);
  if (malformed)
    {
      rndimg_request_send_unauthorized (exchange, "Authorization must be Bearer <token>");
      return NULL;
    }
  if (presented == NULL && from_query && raw_query != NULL)
    {
      query = soup_form_decode (raw_query);
      presented = g_hash_table_lookup (query, "access_token");
    }
  access = rndimg_credentials_check (credentials, presented, g_get_real_time () / G_USEC_PER_SEC, &error);
  if (access == NULL)
    rndimg_request_send_unauthorized (exchange, error->message);
  return access;
}

/* Who a limit counts @exchange as: the credential's name, else the address. */
char *
rndimg_request_client (RndimgExchange *exchange, const RndimgAccess *access)
{
  const char *address = rndimg_exchange_get_remote_host (exchange);

  if (access != NULL && !access->anonymous)
    return g_strdup (access->who);
  return g_strconcat ("address:", address != NULL ? address : "-", NULL);
}

static void
add_rate_headers (RndimgExchange *exchange, RndimgRateLimiter *limiter, const RndimgRateVerdict *verdict)
{
  SoupMessageHeaders *headers = rndimg_exchange_get_response_headers (exchange);
  const char *name = rndimg_rate_limiter_get_name (limiter);
  g_autofree char *policy = g_strdup_printf ("\"%s\";q=%u;w=%u", name, verdict->limit, verdict->window);
  g_autofree char *now = g_strdup_printf ("\"%s\";r=%u;t=%u", name, verdict->remaining, verdict->reset);
  g_autofree char *limit = g_strdup_printf ("%u", verdict->limit);
  g_autofree char *remaining = g_strdup_printf ("%u", verdict->remaining);
  g_autofree char *reset = g_strdup_printf ("%u", verdict->allowed ? verdict->reset : verdict->retry_after);

  soup_message_headers_replace (headers, "RateLimit-Policy", policy);
  soup_message_headers_replace (headers, "RateLimit", now);
  soup_message_headers_replace (headers, "RateLimit-Limit", limit);
  soup_message_headers_replace (headers, "RateLimit-Remaining", remaining);
  soup_message_headers_replace (headers, "RateLimit-Reset", reset);
}

/* Takes one from @exchange's client's bucket of @limiter: TRUE, with the
 * RateLimit fields set, when it may go on; FALSE with 429 sent. */
gboolean
rndimg_request_take (RndimgRateLimiter *limiter, RndimgExchange *exchange, const RndimgAccess *access)
{
  g_autofree char *client = NULL;
  g_autofree char *retry_after = NULL;
  RndimgRateVerdict verdict;

  if (limiter == NULL || !rndimg_rate_limiter_enabled (limiter))
    return TRUE;
  client = rndimg_request_client (exchange, access);
  if (rndimg_rate_limiter_take (limiter, client, g_get_monotonic_time (), &verdict))
    {
      add_rate_headers (exchange, limiter, &verdict);
      return TRUE;
    }
  add_rate_headers (exchange, limiter, &verdict);
  retry_after = g_strdup_printf ("%u", verdict.retry_after);
  soup_message_headers_replace (rndimg_exchange_get_response_headers (exchange), "Retry-After", retry_after);
  rndimg_http_send_error (exchange, 429 /* Too Many Requests: not in libsoup 3.2's enum */,
                          "too many %s from this client (%u at once, then %g a second); retry in %u s",
                          rndimg_rate_limiter_get_name (limiter), verdict.limit,
                          rndimg_rate_limiter_get_rate (limiter), verdict.retry_after);
  return FALSE;
}
