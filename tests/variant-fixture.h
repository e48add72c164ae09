/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-test-util.h"

#include <vips/vips.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsImage, g_object_unref)

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;
  char *variant_dir;
} Fixture;

GBytes    *make_bomb_png         (void);
void       write_file            (const char *folder, const char *name, const void *data, gsize length);
void       write_jpeg_with_exif  (const char *folder);
char      *make_folder           (void);
void       write_picture         (const char *folder, const char *relative, int width, int height);
void       fixture_start         (Fixture *fixture, const char *first_arg, ...);
void       fixture_stop_server   (Fixture *fixture);
void       fixture_clear         (Fixture *fixture);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)
void       get_once              (Fixture *fixture, const char *path, const char *const *headers,
                                  TestResponse *response);
VipsImage *decode                (GBytes *bytes);
void       assert_refused_naming (Fixture *fixture, const char *path, const char *parameter);

G_END_DECLS
