/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

G_BEGIN_DECLS

void  rndimg_http_send_json        (RndimgExchange    *exchange,
                                    guint              status,
                                    JsonNode          *node);
void  rndimg_http_send_json_text   (RndimgExchange    *exchange,
                                    guint              status,
                                    GString           *json);
void  rndimg_http_send_error       (RndimgExchange    *exchange,
                                    guint              status,
                                    const char        *format,
                                    ...) G_GNUC_PRINTF (3, 4);
char *rndimg_http_error_json       (const char        *message);
void  rndimg_http_set_no_store     (RndimgExchange    *exchange);
gboolean rndimg_http_etag_listed   (const char        *if_none_match,
                                    const char        *etag);
gboolean rndimg_http_if_none_match (RndimgExchange    *exchange,
                                    const char        *etag);
char *rndimg_http_base_url         (RndimgExchange    *exchange);
gboolean rndimg_http_host_is_valid (RndimgExchange    *exchange);
gboolean rndimg_http_host_header_is_valid (const char *value);
char *rndimg_http_json_to_string   (JsonNode          *node);
gboolean rndimg_http_parse_number  (const char        *text,
                                    guint64            min,
                                    guint64            max,
                                    guint64           *value);
gboolean rndimg_http_query_value_has_nul (RndimgExchange *exchange,
                                          const char     *name);
JsonNode *rndimg_http_success_node (const char        *message);

/* g_string_append_len() copying in place when @out has room: GLib 2.74's
 * is a call into the general g_string_insert_len() for every piece, and
 * answers are written a few bytes at a time. */
static inline void
rndimg_http_append (GString *out, const char *bytes, gsize length)
{
  if (out->len + length < out->allocated_len)
    {
      memcpy (out->str + out->len, bytes, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, bytes, (gssize) length);
}

G_END_DECLS
