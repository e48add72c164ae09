/* SPDX-License-Identifier: MIT */
/* Picture files for tests: shipped ones copied, and headers of any size
 * written by hand (the catalogue reads only the header: these are sound
 * up to the pixels, which are missing). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void picture_files_copy_shipped (const char *folder, const char *relative, const char *shipped_name);
void picture_files_write_png    (const char *folder, const char *relative, guint width, guint height);
void picture_files_write_jpeg   (const char *folder, const char *relative, guint width, guint height);
void picture_files_write_gif    (const char *folder, const char *relative, guint width, guint height);
void picture_files_write_webp   (const char *folder, const char *relative, guint width, guint height);
void picture_files_write_text   (const char *folder, const char *relative, const char *text, gssize length);
void picture_files_make_folder  (const char *folder, const char *relative);

G_END_DECLS
