/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where a file system without O_TMPFILE has pictures written before
 * they get their name: hidden, so no scan takes them. */
#define RNDIMG_PICTURE_WRITER_INCOMING ".incoming"

gboolean rndimg_picture_writer_write (const char *root,
                                      const char *name,
                                      GBytes     *bytes,
                                      GError    **error);
guint    rndimg_picture_writer_sweep (const char *root);

G_END_DECLS
