/* SPDX-License-Identifier: MIT */
/* One picture of the catalogue and what is said of it: reference
 * counting, orientation, and the stable 64-bit hash seeds use. */
#include "rndimg-picture.h"

#include <string.h>

static void
text_clear (RndimgPictureText *text)
{
  g_free (text->title);
  g_free (text->alt);
  g_clear_pointer (&text->alt_by_language, g_hash_table_unref);
  g_free (text->author);
  g_free (text->license);
  g_free (text->source_url);
}

RndimgPictureText *
rndimg_picture_text_ref (RndimgPictureText *text)
{
  return g_rc_box_acquire (text);
}

void
rndimg_picture_text_unref (RndimgPictureText *text)
{
  g_rc_box_release_full (text, (GDestroyNotify) text_clear);
}

static void
image_clear (RndimgPicture *image)
{
  g_free (image->name);
  g_free (image->path);
  g_free (image->album);
  g_free (image->version);
  g_free (image->sort_key);
  g_free (image->url_path);
  g_clear_pointer (&image->text, rndimg_picture_text_unref);
}

RndimgPicture *
rndimg_picture_ref (RndimgPicture *image)
{
  return g_rc_box_acquire (image);
}

void
rndimg_picture_unref (RndimgPicture *image)
{
  g_rc_box_release_full (image, (GDestroyNotify) image_clear);
}

/* Returns (transfer full) a new picture equal to @image, for the
 * catalogue to change before it is shared (its text, its privacy). */
RndimgPicture *
rndimg_picture_copy (const RndimgPicture *image)
{
  RndimgPicture *copy = g_rc_box_new (RndimgPicture);

  *copy = *image;

  copy->name = g_strdup (image->name);
  copy->path = g_strdup (image->path);
  copy->file_name = copy->name + (image->file_name - image->name);
  copy->album = g_strdup (image->album);
  copy->version = g_strdup (image->version);
  copy->sort_key = g_strdup (image->sort_key);
  copy->url_path = g_strdup (image->url_path);
  copy->text = image->text != NULL ? rndimg_picture_text_ref (image->text) : NULL;
  return copy;
}

/* Square within 1%: a resized square photo is often a pixel off. In 64
 * bits: a difference of up to 2^32 - 2, times 100, cannot wrap there. */
RndimgOrientation
rndimg_orientation_for_size (guint width, guint height)
{
  guint64 larger = MAX (width, height), difference = larger - MIN (width, height);

  if (width == 0 || height == 0)
    return RNDIMG_ORIENTATION_ANY;
  if (difference * 100 <= larger)
    return RNDIMG_ORIENTATION_SQUARE;
  return width > height ? RNDIMG_ORIENTATION_LANDSCAPE : RNDIMG_ORIENTATION_PORTRAIT;
}

static const char *const orientation_names[RNDIMG_ORIENTATION_N] = { NULL, "landscape", "portrait", "square" };

const char *
rndimg_orientation_to_string (RndimgOrientation orientation)
{
  return orientation < RNDIMG_ORIENTATION_N ? orientation_names[orientation] : NULL;
}

gboolean
rndimg_orientation_from_string (const char *text, RndimgOrientation *orientation)
{
  for (guint i = 1; i < RNDIMG_ORIENTATION_N; i++)
    if (g_strcmp0 (text, orientation_names[i]) == 0)
      {
        *orientation = i;
        return TRUE;
      }
  return FALSE;
}

/* FNV-1a over @text, then splitmix64's finaliser so that near names
 * spread over the whole 64-bit circle. Stable across runs and machines. */
guint64
rndimg_picture_hash (const char *text, guint64 salt)
{
  guint64 hash = 0xcbf29ce484222325ull ^ salt;

  for (const guchar *p = (const guchar *) text; *p; p++)
    hash = (hash ^ *p) * 0x100000001b3ull;
  hash += 0x9e3779b97f4a7c15ull;
  hash = (hash ^ (hash >> 30)) * 0xbf58476d1ce4e5b9ull;
  hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebull;
  return hash ^ (hash >> 31);
}

/* What g_uri_escape_string (name, "/", FALSE) leaves as it is. */
#define UNRESERVED_OR_SLASH "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/"

/* Returns (transfer full) the path a picture called @name is served at:
 * RNDIMG_PICTURES_PATH and the name escaped for a URL, an album's '/'
 * kept. Built here only. */
char *
rndimg_picture_url_path (const char *name)
{
  g_autofree char *escaped = NULL;

  /* Most names need no escape: they are made at once (one per publish). */
  if (name[strspn (name, UNRESERVED_OR_SLASH)] == '\0')
    return g_strconcat (RNDIMG_PICTURES_PATH, name, NULL);
  escaped = g_uri_escape_string (name, "/", FALSE);
  return g_strconcat (RNDIMG_PICTURES_PATH, escaped, NULL);
}
