/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <vips/vips.h>

G_BEGIN_DECLS

/* libvips 8.14 declares no autoptr for its objects. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsImage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsSource, g_object_unref)

gboolean rndimg_vips_start              (GError     **error);
gboolean rndimg_vips_load_module        (const char  *name);
int      rndimg_vips_flatten_on_white   (VipsImage   *in,
                                         VipsImage  **out);
int      rndimg_vips_step               (VipsImage  **image,
                                         VipsImage  **next,
                                         int          status);

G_END_DECLS
