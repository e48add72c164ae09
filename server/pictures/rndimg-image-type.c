/* SPDX-License-Identifier: MIT */
/* What counts as an image: the bytes decide the type, never the name. */
#include "rndimg-image-type.h"

#include <string.h>

typedef struct {
  const char *content_type;
  const char *extension;
  gsize offset;
  const char *magic;
  gsize magic_length;
} ImageSignature;

static const ImageSignature signatures[] = {
  { "image/png",  "png",  0, "\x89PNG\r\n\x1a\n", 8 },
  { "image/jpeg", "jpg",  0, "\xff\xd8\xff", 3 },
  { "image/gif",  "gif",  0, "GIF87a", 6 },
  { "image/gif",  "gif",  0, "GIF89a", 6 },
  { "image/webp", "webp", 8, "WEBP", 4 },
};

static gboolean
matches (const ImageSignature *signature, const guint8 *data, gsize length)
{
  if (length < signature->offset + signature->magic_length)
    return FALSE;
  /* WebP is a RIFF container: "RIFF" <size> "WEBP". */
  if (signature->offset == 8 && memcmp (data, "RIFF", 4) != 0)
    return FALSE;
  return memcmp (data + signature->offset, signature->magic, signature->magic_length) == 0;
}

/* Returns the MIME type of @data, or NULL when it is no supported image. */
const char *
rndimg_image_type_sniff (const guint8 *data, gsize length)
{
  for (gsize i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (matches (&signatures[i], data, length))
      return signatures[i].content_type;
  return NULL;
}

const char *
rndimg_image_type_extension (const char *content_type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (g_strcmp0 (signatures[i].content_type, content_type) == 0)
      return signatures[i].extension;
  return NULL;
}

/* Every type the bytes may be, once each, in the table's order. */
GStrv
rndimg_image_type_list (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (i == 0 || strcmp (signatures[i].content_type, signatures[i - 1].content_type) != 0)
      g_strv_builder_add (builder, signatures[i].content_type);
  return g_strv_builder_end (builder);
}

static gboolean
has_image_extension (const char *name)
{
  static const char *const extensions[] = { ".png", ".jpg", ".jpeg", ".gif", ".webp" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (lower, extensions[i]) && strlen (lower) > strlen (extensions[i]))
      return TRUE;
  return FALSE;
}

/* A catalogue name is a plain file name that is safe in a URL and on disk:
 * letters, digits, '.', '_' and '-', not hidden, with an image extension. */
gboolean
rndimg_image_type_name_is_allowed (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > 128 || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return has_image_extension (name);
}
