/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char *rndimg_json_string      (JsonObject *object,
                                     const char *name);
JsonObject *rndimg_json_object      (JsonObject *object,
                                     const char *name);
const char *rndimg_json_in_language (JsonObject *by_language);

G_END_DECLS
