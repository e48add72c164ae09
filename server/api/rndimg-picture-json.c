/* SPDX-License-Identifier: MIT */
/* A picture's details as every answer gives them: the list, the picture's
 * own page, rndimg, events and dog.ceo's routes. Unknown values are null,
 * never left out, so a client reads one shape, written here once, straight
 * as text (a count of 100 must cost little more than one: json-glib's
 * builder and generator cost ten times the text; see rndimg-json-text.c). */
#include "rndimg-picture-json.h"
#include "rndimg-json-text.h"

static void
append_size (GString *out, const char *member_name, guint value)
{
  rndimg_json_text_append_name (out, member_name);
  if (value > 0)
    rndimg_json_text_append_number (out, value);
  else
    g_string_append (out, "null");
}

static void
append_languages (GString *out, GHashTable *languages)
{
  GHashTableIter iter;
  gpointer tag, text;
  gboolean first = TRUE;

  g_string_append (out, ",\"alt_by_language\":");
  if (languages == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '{');
  g_hash_table_iter_init (&iter, languages);
  while (g_hash_table_iter_next (&iter, &tag, &text))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      rndimg_json_text_append_string (out, tag);
      g_string_append_c (out, ':');
      rndimg_json_text_append_string (out, text);
    }
  g_string_append_c (out, '}');
}

/* Appends the details every base URL shares (from "bytes" on), each
 * member after a comma; @image NULL: all of them null. */
void
rndimg_picture_json_append_details (GString *out, const RndimgPicture *image, RndimgPlaceholders *placeholders)
{
  const RndimgPlaceholder *placeholder = image != NULL && placeholders != NULL ? rndimg_placeholders_lookup (placeholders, image) : NULL;
  const RndimgPictureText *text = image != NULL ? image->text : NULL;

  rndimg_json_text_append_name (out, "bytes");
  if (image != NULL)
    rndimg_json_text_append_number (out, (guint64) MAX (image->size, 0));
  else
    g_string_append (out, "null");
  rndimg_json_text_append_member (out, "content_type", image != NULL ? image->content_type : NULL);
  rndimg_json_text_append_member (out, "modified", image != NULL ? image->modified_text : NULL);
  append_size (out, "width", image != NULL ? image->width : 0);
  append_size (out, "height", image != NULL ? image->height : 0);
  rndimg_json_text_append_member (out, "orientation", image != NULL ? rndimg_orientation_to_string (image->orientation) : NULL);
  rndimg_json_text_append_member (out, "version", image != NULL ? image->version : NULL);
  rndimg_json_text_append_member (out, "colour", placeholder != NULL ? placeholder->colour : NULL);
  rndimg_json_text_append_member (out, "blurhash", placeholder != NULL ? placeholder->blurhash : NULL);
  rndimg_json_text_append_member (out, "variant_version", placeholder != NULL ? placeholder->variant_version : NULL);
  rndimg_json_text_append_member (out, "alt", text != NULL ? text->alt : NULL);
  append_languages (out, text != NULL ? text->alt_by_language : NULL);
  rndimg_json_text_append_member (out, "author", text != NULL ? text->author : NULL);
  rndimg_json_text_append_member (out, "license", text != NULL ? text->license : NULL);
  rndimg_json_text_append_member (out, "source_url", text != NULL ? text->source_url : NULL);
}

/* Appends the picture's details as a JSON object. */
void
rndimg_picture_json_append (GString *out, const char *base_url, const RndimgPicture *image,
                            RndimgPlaceholders *placeholders)
{
  g_string_append (out, "{\"name\":");
  rndimg_json_text_append_string (out, image->name);
  rndimg_json_text_append_member (out, "album", image->album[0] != '\0' ? image->album : NULL);
  rndimg_json_text_append_name (out, "url");
  g_string_append_c (out, '"');
  g_string_append (out, base_url);         /* a checked Host or --public-url */
  g_string_append (out, image->url_path);  /* escaped: nothing JSON would escape */
  g_string_append_c (out, '"');
  rndimg_picture_json_append_details (out, image, placeholders);
  g_string_append_c (out, '}');
}
