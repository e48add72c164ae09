/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every handler: JSON answers and errors,
 * no-store, a request's base URL (kept on its message) and the absolute
 * URLs made from it, the Host check, and number parsing. */
#include "rndimg-http.h"

#include <string.h>

char *
rndimg_http_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

void
rndimg_http_send_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  char *body = rndimg_http_json_to_string (node);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

/* @json (taken), JSON already written as text, as the answer. */
void
rndimg_http_send_json_text (SoupServerMessage *msg, guint status, GString *json)
{
  gsize length = json->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, g_string_free (json, FALSE), length);
}

/* The body of every error: {"status":"error","message":"..."}. The
 * message may quote bytes from the request (a path): it is made valid
 * UTF-8 first, so the JSON always is. */
char *
rndimg_http_error_json (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *valid = g_utf8_make_valid (message, -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, valid);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return rndimg_http_json_to_string (node);
}

/* Every error the API gives: {"status":"error","message":"..."}. */
void
rndimg_http_send_error (SoupServerMessage *msg, guint status, const char *format, ...)
{
  g_autofree char *message = NULL;
  char *body;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  body = rndimg_http_error_json (message);
  rndimg_http_set_no_store (msg);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

/* {"status":"success","message":...}, the shape of the tutorial's API. */
JsonNode *
rndimg_http_success_node (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

void
rndimg_http_set_no_store (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
}

/* TRUE when @if_none_match (a header's value) lists @etag (or "*"); a
 * weak tag compares like a strong one, as for a GET. */
gboolean
rndimg_http_etag_listed (const char *if_none_match, const char *etag)
{
  g_auto(GStrv) candidates = g_strsplit (if_none_match, ",", -1);

  for (char **candidate = candidates; *candidate != NULL; candidate++)
    {
      const char *tag = g_strstrip (*candidate);

      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (strcmp (tag, "*") == 0 || strcmp (tag, etag) == 0)
        return TRUE;
    }
  return FALSE;
}

/* TRUE when the request's If-None-Match lists @etag. */
gboolean
rndimg_http_if_none_match (SoupServerMessage *msg, const char *etag)
{
  const char *if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "If-None-Match");

  return if_none_match != NULL && rndimg_http_etag_listed (if_none_match, etag);
}

static GQuark
base_url_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("rndimg-base-url");
  return quark;
}

/* Sets what rndimg_http_base_url() gives for @msg (the router does, from
 * --public-url or the Host). @base_url is a GRefString: it is acquired,
 * not copied, since the router hands the same one to many requests. */
void
rndimg_http_set_base_url (SoupServerMessage *msg, char *base_url)
{
  g_object_set_qdata_full (G_OBJECT (msg), base_url_quark (), g_ref_string_acquire (base_url),
                           (GDestroyNotify) g_ref_string_release);
}

/* The base URL set by rndimg_http_set_base_url() (borrowed), or NULL. */
const char *
rndimg_http_peek_base_url (SoupServerMessage *msg)
{
  return g_object_get_qdata (G_OBJECT (msg), base_url_quark ());
}

/* "http://host[:port]" as the client addressed us (its Host header), so
 * the URLs we hand out work behind any address, name or port; or the one
 * set by rndimg_http_set_base_url(). */
char *
rndimg_http_base_url (SoupServerMessage *msg)
{
  const char *set = rndimg_http_peek_base_url (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *scheme = g_uri_get_scheme (uri);
  int port = g_uri_get_port (uri);

  if (set != NULL)
    return g_strdup (set);
  if ((port == 80 && g_strcmp0 (scheme, "http") == 0) || (port == 443 && g_strcmp0 (scheme, "https") == 0))
    port = -1;
  return g_uri_join (G_URI_FLAGS_ENCODED, scheme, NULL, g_uri_get_host (uri), port, "", NULL, NULL);
}

static gboolean
is_port (const char *text)
{
  gsize digits = strspn (text, "0123456789");

  return digits > 0 && digits <= 5 && text[digits] == '\0' && g_ascii_strtoull (text, NULL, 10) <= 65535;
}

/* Whether @value, a Host header as sent, is host[:port]: a name of
 * letters, digits, '.', '-' and '_', an IPv4 address, or an IPv6 one in
 * brackets, and a port of digits. libsoup 3.2 glues Host and path into
 * one URL, so "localhost#" or "h?a=b" would swallow the path. */
gboolean
rndimg_http_host_header_is_valid (const char *value)
{
  const char *rest;

  if (value[0] == '[')
    {
      const char *close = strchr (value, ']');
      g_autofree char *inner = close != NULL ? g_strndup (value + 1, (gsize) (close - value - 1)) : NULL;
      g_autoptr(GInetAddress) address = inner != NULL ? g_inet_address_new_from_string (inner) : NULL;

      if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
        return FALSE;
      rest = close + 1;
    }
  else
    {
      gsize name = strspn (value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");

      if (name == 0 || name > 253)
        return FALSE;
      rest = value + name;
    }
  if (*rest == ':')
    return is_port (rest + 1);
  return *rest == '\0';
}

/* The URLs we build start with the Host the client sent: it must be a
 * plain host name or IP address, nothing that could bend the URL. */
gboolean
rndimg_http_host_is_valid (SoupServerMessage *msg)
{
  const char *host = g_uri_get_host (soup_server_message_get_uri (msg));

  if (host == NULL || *host == '\0' || strlen (host) > 253)
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;
  for (const char *p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* A whole decimal number in [min, max]: no sign, no spaces, no junk. */
gboolean
rndimg_http_parse_number (const char *text, guint64 min, guint64 max, guint64 *value)
{
  return text != NULL && g_ascii_isdigit (text[0]) &&
         g_ascii_string_to_unsigned (text, 10, min, max, value, NULL);
}

/* Whether the query's raw text gives @name a value with an escaped NUL
 * ("%00"): decoded, it would end there and hide the rest from any check. */
gboolean
rndimg_http_query_value_has_nul (SoupServerMessage *msg, const char *name)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_auto(GStrv) pairs = query != NULL ? g_strsplit (query, "&", -1) : NULL;
  gsize length = strlen (name);

  for (gsize i = 0; pairs != NULL && pairs[i] != NULL; i++)
    if (strncmp (pairs[i], name, length) == 0 && pairs[i][length] == '=' && strstr (pairs[i] + length, "%00") != NULL)
      return TRUE;
  return FALSE;
}
