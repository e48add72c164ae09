/* SPDX-License-Identifier: MIT */
/* Placeholders (average colour, BlurHash) per picture. */
#include "rndimg-placeholders.h"

struct _RndimgPlaceholders
{
  GObject parent_instance;
  RndimgCatalogue *catalogue;
  char *cache_file;
};

G_DEFINE_FINAL_TYPE (RndimgPlaceholders, rndimg_placeholders, G_TYPE_OBJECT)

static void
rndimg_placeholders_finalize (GObject *object)
{
  RndimgPlaceholders *self = RNDIMG_PLACEHOLDERS (object);

  g_clear_object (&self->catalogue);
  g_free (self->cache_file);
  G_OBJECT_CLASS (rndimg_placeholders_parent_class)->finalize (object);
}

static void
rndimg_placeholders_class_init (RndimgPlaceholdersClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_placeholders_finalize;
}

static void
rndimg_placeholders_init (RndimgPlaceholders *self)
{
}

RndimgPlaceholders *
rndimg_placeholders_new (RndimgCatalogue *catalogue, const char *cache_file)
{
  RndimgPlaceholders *self = g_object_new (RNDIMG_TYPE_PLACEHOLDERS, NULL);

  self->catalogue = g_object_ref (catalogue);
  self->cache_file = g_strdup (cache_file);
  return self;
}

const RndimgPlaceholder *
rndimg_placeholders_lookup (RndimgPlaceholders *self, const RndimgImage *image)
{
  return NULL;
}

guint
rndimg_placeholders_get_pending (RndimgPlaceholders *self)
{
  return 0;
}
