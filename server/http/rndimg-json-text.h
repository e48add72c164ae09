/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rndimg_json_text_append_string (GString    *out,
                                     const char *text);
void rndimg_json_text_append_name   (GString    *out,
                                     const char *member_name);
void rndimg_json_text_append_member (GString    *out,
                                     const char *member_name,
                                     const char *value);
void rndimg_json_text_append_number (GString    *out,
                                     guint64     value);

G_END_DECLS
