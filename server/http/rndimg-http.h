/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

void  rndimg_http_send_json        (SoupServerMessage *msg,
                                    guint              status,
                                    JsonNode          *node);
void  rndimg_http_send_json_text   (SoupServerMessage *msg,
                                    guint              status,
                                    GString           *json);
void  rndimg_http_send_error       (SoupServerMessage *msg,
                                    guint              status,
                                    const char        *format,
                                    ...) G_GNUC_PRINTF (3, 4);
char *rndimg_http_error_json       (const char        *message);
void  rndimg_http_set_no_store     (SoupServerMessage *msg);
gboolean rndimg_http_etag_listed   (const char        *if_none_match,
                                    const char        *etag);
gboolean rndimg_http_if_none_match (SoupServerMessage *msg,
                                    const char        *etag);
char *rndimg_http_base_url         (SoupServerMessage *msg);
void  rndimg_http_set_base_url     (SoupServerMessage *msg,
                                    char              *base_url);
const char *rndimg_http_peek_base_url (SoupServerMessage *msg);
gboolean rndimg_http_host_is_valid (SoupServerMessage *msg);
gboolean rndimg_http_host_header_is_valid (const char *value);
char *rndimg_http_json_to_string   (JsonNode          *node);
gboolean rndimg_http_parse_number  (const char        *text,
                                    guint64            min,
                                    guint64            max,
                                    guint64           *value);
gboolean rndimg_http_query_value_has_nul (SoupServerMessage *msg,
                                          const char        *name);
JsonNode *rndimg_http_success_node (const char        *message);

G_END_DECLS
