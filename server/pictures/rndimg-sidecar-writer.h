/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rndimg-sidecar.h"

G_BEGIN_DECLS

/* Changes the document (the root object of an info.json); FALSE with
 * @error: nothing is written. */
typedef gboolean (*RndimgSidecarEditFunc) (JsonObject *root,
                                           gpointer    user_data,
                                           GError    **error);

gboolean    rndimg_sidecar_edit               (const char               *folder_path,
                                               const RndimgSidecarStamp *expected,
                                               RndimgSidecarEditFunc     edit,
                                               gpointer                  user_data,
                                               GError                  **error);
gboolean    rndimg_sidecar_is_text_member     (const char               *member_name);
gboolean    rndimg_sidecar_check_text_changes (JsonObject               *changes,
                                               GError                  **error);
gboolean    rndimg_sidecar_check_languages    (const char               *member_name,
                                               JsonNode                 *node,
                                               GError                  **error);
JsonObject *rndimg_sidecar_pictures_of        (JsonObject               *root,
                                               gboolean                  create);
void        rndimg_sidecar_apply_text_changes (JsonObject               *root,
                                               const char               *file_name,
                                               JsonObject               *changes);
JsonObject *rndimg_sidecar_text_as_changes    (const RndimgPictureText  *text);

G_END_DECLS
