/* SPDX-License-Identifier: MIT */
/* Who may talk to the server through a browser. Two attacks reach a
 * server on loopback from any web page the user opens:
 * - a cross-site write: a page of another origin posts a form or a
 *   text/plain body (no preflight needed) to /publish or /images. Writes
 *   are taken only from the server's own origin, the --public-url's, or
 *   one named by --allow-origin (Origin header; without one,
 *   Sec-Fetch-Site), whatever the token.
 * - DNS rebinding: the attacker's name resolves to 127.0.0.1 and the page
 *   reads the API as same-origin. Its requests carry the attacker's name
 *   in Host, so without a token only loopback names are served, plus the
 *   --public-url's host, --allow-host names and the listening address. */
#include "rndimg-origin.h"
#include "rndimg-http.h"

#include <string.h>

struct _RndimgOriginPolicy
{
  const RndimgConfig *config;   /* read at each request: SIGHUP may change the token */
  char *public_base;            /* "https://host[:port]" of --public-url (a GRefString), or NULL */
  char *public_host;
  /* "https" when the server speaks TLS itself: libsoup, reading through
   * the gate, sees no TLS connection and says http. NULL: the request's. */
  const char *scheme;
  /* The last request's answers, for the next one: a client sends the
   * same Host again and again. */
  char *last_scheme, *last_host;
  int last_port;
  char *last_base;              /* GRefString */
  char *last_checked_host;
  gboolean last_host_allowed;
};

/* "scheme://host[:port]" of a request or origin whose URL says
 * @url_scheme, @host and @port (GUri's reading), in lower case and
 * without the scheme's default port; @scheme: instead of @url_scheme, or
 * NULL. */
static char *
base_of (const char *url_scheme, const char *host, int port, const char *scheme)
{
  g_autofree char *scheme_lower = g_ascii_strdown (scheme != NULL ? scheme : url_scheme, -1);
  g_autofree char *host_lower = g_ascii_strdown (host, -1);

  /* libsoup fills in http's port 80 for a Host without one: over TLS
   * that Host meant https's own default. */
  if (scheme != NULL && port == 80 && g_ascii_strcasecmp (url_scheme, "http") == 0)
    port = 443;

  if ((port == 80 && g_str_equal (scheme_lower, "http")) || (port == 443 && g_str_equal (scheme_lower, "https")))
    port = -1;
  return g_uri_join (G_URI_FLAGS_ENCODED, scheme_lower, NULL, host_lower, port, "", NULL, NULL);
}

static char *
uri_base (GUri *uri, const char *scheme)
{
  return base_of (g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri), scheme);
}

static char *
request_base (RndimgExchange *exchange, const char *scheme)
{
  return base_of (rndimg_exchange_get_scheme (exchange), rndimg_exchange_get_host (exchange),
                  rndimg_exchange_get_port (exchange), scheme);
}

/* @config must outlive the policy. */
RndimgOriginPolicy *
rndimg_origin_policy_new (const RndimgConfig *config)
{
  RndimgOriginPolicy *self = g_new0 (RndimgOriginPolicy, 1);

  self->config = config;
  self->scheme = config->tls_certificate != NULL ? "https" : NULL;
  if (config->public_url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (config->public_url, G_URI_FLAGS_NONE, NULL);

      if (uri != NULL)
        {
          g_autofree char *base = uri_base (uri, NULL);

          self->public_base = g_ref_string_new (base);
          self->public_host = g_ascii_strdown (g_uri_get_host (uri), -1);
        }
    }
  return self;
}

void
rndimg_origin_policy_free (RndimgOriginPolicy *self)
{
  g_clear_pointer (&self->public_base, g_ref_string_release);
  g_free (self->public_host);
  g_free (self->last_scheme);
  g_free (self->last_host);
  g_clear_pointer (&self->last_base, g_ref_string_release);
  g_free (self->last_checked_host);
  g_free (self);
}

/* What absolute URLs in the answer to @exchange start with: the
 * --public-url when there is one (behind a TLS proxy the request itself
 * says http), else the request's own scheme and Host. Returns a
 * GRefString: release it with g_ref_string_release(). */
char *
rndimg_origin_base_url (RndimgOriginPolicy *self, RndimgExchange *exchange)
{
  const char *scheme = rndimg_exchange_get_scheme (exchange);
  const char *host = rndimg_exchange_get_host (exchange);
  int port = rndimg_exchange_get_port (exchange);

  if (self->public_base != NULL)
    return g_ref_string_acquire (self->public_base);
  if (self->last_base == NULL || port != self->last_port ||
      g_strcmp0 (host, self->last_host) != 0 || g_strcmp0 (scheme, self->last_scheme) != 0)
    {
      g_autofree char *base = request_base (exchange, self->scheme);

      g_clear_pointer (&self->last_base, g_ref_string_release);
      self->last_base = g_ref_string_new (base);
      g_free (self->last_scheme);
      self->last_scheme = g_strdup (scheme);
      g_free (self->last_host);
      self->last_host = g_strdup (host);
      self->last_port = port;
    }
  return g_ref_string_acquire (self->last_base);
}

static gboolean
is_loopback_name (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (address != NULL)
    return g_inet_address_get_is_loopback (address);
  return g_ascii_strcasecmp (host, "localhost") == 0;
}

static gboolean
in_list (char **list, const char *item)
{
  for (gsize i = 0; list != NULL && list[i] != NULL; i++)
    if (g_ascii_strcasecmp (list[i], item) == 0)
      return TRUE;
  return FALSE;
}

/* Whether the Host of @exchange may be served. With a token every valid
 * host is: rebinding gains a page nothing it could not read anyway, and
 * writes need the token. */
gboolean
rndimg_origin_host_allowed (RndimgOriginPolicy *self, RndimgExchange *exchange)
{
  const char *host = rndimg_exchange_get_host (exchange);

  if (self->config->token != NULL)
    return TRUE;
  if (host == NULL)
    return FALSE;
  /* The verdict depends on the host alone (and settings SIGHUP leaves as
   * they are): the last one is kept for the next request. */
  if (g_strcmp0 (host, self->last_checked_host) != 0)
    {
      g_free (self->last_checked_host);
      self->last_checked_host = g_strdup (host);
      self->last_host_allowed = is_loopback_name (host) || in_list (self->config->allow_hosts, host) ||
                                (self->public_host != NULL && g_ascii_strcasecmp (host, self->public_host) == 0) ||
                                g_ascii_strcasecmp (host, self->config->address) == 0;
    }
  return self->last_host_allowed;
}

/* The request's Origin header, or NULL. */
const char *
rndimg_origin_of_request (RndimgExchange *exchange)
{
  return rndimg_exchange_get_header (exchange, "Origin");
}

static gboolean
origin_allowed (RndimgOriginPolicy *self, RndimgExchange *exchange, const char *origin)
{
  g_autofree char *own = request_base (exchange, self->scheme);
  g_autoptr(GUri) parsed = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  g_autofree char *normal = NULL;

  /* "null" (a sandboxed frame, a file:// page) and anything unparsable. */
  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return FALSE;
  normal = uri_base (parsed, NULL);
  if (g_str_equal (normal, own) || g_strcmp0 (normal, self->public_base) == 0)
    return TRUE;
  for (gsize i = 0; self->config->allow_origins != NULL && self->config->allow_origins[i] != NULL; i++)
    {
      g_autoptr(GUri) allowed = g_uri_parse (self->config->allow_origins[i], G_URI_FLAGS_NONE, NULL);
      g_autofree char *allowed_normal = allowed != NULL && g_uri_get_host (allowed) != NULL ? uri_base (allowed, NULL) : NULL;

      if (g_strcmp0 (allowed_normal, normal) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Whether a browser page may write with @exchange (publish, upload): its
 * Origin is ours or allowed; with no Origin, Sec-Fetch-Site must not say
 * another site. Clients other than browsers (curl) send neither and
 * pass. On a refusal *@why says why (free it). */
gboolean
rndimg_origin_write_allowed (RndimgOriginPolicy *self, RndimgExchange *exchange, char **why)
{
  const char *origin = rndimg_origin_of_request (exchange);
  const char *fetch_site = rndimg_exchange_get_header (exchange, "Sec-Fetch-Site");

  if (origin != NULL)
    {
      if (origin_allowed (self, exchange, origin))
        return TRUE;
      *why = g_strdup_printf ("pages of %s may not write here (see --allow-origin)", origin);
      return FALSE;
    }
  if (fetch_site != NULL && (g_ascii_strcasecmp (fetch_site, "cross-site") == 0 ||
                             g_ascii_strcasecmp (fetch_site, "same-site") == 0))
    {
      *why = g_strdup_printf ("a %s request may not write here (see --allow-origin)", fetch_site);
      return FALSE;
    }
  return TRUE;
}
