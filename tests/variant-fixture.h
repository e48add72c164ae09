/* SPDX-License-Identifier: MIT */
/* What the variant suites share (test-variants.c, test-masters.c): a
 * server on a picture folder with its own variant folder, requests that
 * follow a variant's spelling to its canonical URL, answers decoded with
 * libvips, and /metrics read by name. */
#pragma once

#include "rndimg-test-util.h"

#include <vips/vips.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsImage, g_object_unref)

typedef struct {
  TestServer *server;
  SoupSession *session;
  char *folder;        /* the pictures; the caller's, else one shipped picture */
  char *variant_dir;   /* --variant-dir, made at the first start */
} VariantFixture;

void        variant_fixture_start_argv  (VariantFixture     *fixture,
                                         const char *const  *args);
void        variant_fixture_stop_server (VariantFixture     *fixture);
void        variant_fixture_clear       (VariantFixture     *fixture);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VariantFixture, variant_fixture_clear)

void        variant_get_once            (VariantFixture     *fixture,
                                         const char         *path,
                                         const char *const  *headers,
                                         TestResponse       *response);
char       *variant_canonical_of        (VariantFixture     *fixture,
                                         const char         *path);
void        variant_get                 (VariantFixture     *fixture,
                                         const char         *path,
                                         const char *const  *headers,
                                         TestResponse       *response);
VipsImage  *variant_decode              (GBytes             *bytes);
gboolean    variant_read_metric         (VariantFixture     *fixture,
                                         const char         *name,
                                         double             *value);
double      variant_metric              (VariantFixture     *fixture,
                                         const char         *name);
double      variant_metric_or_zero      (VariantFixture     *fixture,
                                         const char         *name);
guint64     variant_folder_bytes        (const char         *folder);
guint       variant_count_files         (const char         *folder,
                                         const char         *suffix);
void        variant_write_file          (const char         *folder,
                                         const char         *name,
                                         const void         *data,
                                         gsize               length);

G_END_DECLS
