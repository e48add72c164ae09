/* SPDX-License-Identifier: MIT */
/* A picture's details as every answer gives them: the list, the picture's
 * own page, rndimg and dog.ceo's routes. Unknown values are null, never
 * left out, so a client reads one shape. */
#include "rndimg-picture-json.h"

static void
add_text (JsonBuilder *builder, const char *member_name, const char *value)
{
  json_builder_set_member_name (builder, member_name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_size (JsonBuilder *builder, const char *member_name, guint value)
{
  json_builder_set_member_name (builder, member_name);
  if (value > 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Returns (transfer full) "<base>/static/img/<name>", the album's '/' kept. */
char *
rndimg_picture_json_url (const char *base_url, const char *name)
{
  g_autofree char *escaped = g_uri_escape_string (name, "/", FALSE);

  return g_strconcat (base_url, "/static/img/", escaped, NULL);
}

static void
add_languages (JsonBuilder *builder, GHashTable *languages)
{
  GHashTableIter iter;
  gpointer tag, text;

  json_builder_set_member_name (builder, "alt_by_language");
  if (languages == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, languages);
  while (g_hash_table_iter_next (&iter, &tag, &text))
    add_text (builder, tag, text);
  json_builder_end_object (builder);
}

static void
add_described (JsonBuilder *builder, const RndimgPictureText *text)
{
  add_text (builder, "alt", text != NULL ? text->alt : NULL);
  add_languages (builder, text != NULL ? text->alt_by_language : NULL);
  add_text (builder, "author", text != NULL ? text->author : NULL);
  add_text (builder, "license", text != NULL ? text->license : NULL);
  add_text (builder, "source_url", text != NULL ? text->source_url : NULL);
}

/* Adds the picture's details as an object. */
void
rndimg_picture_json_add (JsonBuilder *builder, const char *base_url, const RndimgImage *image,
                         RndimgPlaceholders *placeholders)
{
  g_autofree char *url = rndimg_picture_json_url (base_url, image->name);
  g_autoptr(GDateTime) modified = g_date_time_new_from_unix_utc (image->modified_usec / G_USEC_PER_SEC);
  g_autofree char *modified_text = g_date_time_format_iso8601 (modified);
  const RndimgPlaceholder *placeholder = placeholders != NULL ? rndimg_placeholders_lookup (placeholders, image) : NULL;

  json_builder_begin_object (builder);
  add_text (builder, "name", image->name);
  add_text (builder, "album", image->album[0] != '\0' ? image->album : NULL);
  add_text (builder, "url", url);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, image->size);
  add_text (builder, "content_type", image->content_type);
  add_text (builder, "modified", modified_text);
  add_size (builder, "width", image->width);
  add_size (builder, "height", image->height);
  add_text (builder, "orientation", rndimg_orientation_to_string (image->orientation));
  add_text (builder, "version", image->version);
  add_text (builder, "colour", placeholder != NULL ? placeholder->colour : NULL);
  add_text (builder, "blurhash", placeholder != NULL ? placeholder->blurhash : NULL);
  add_described (builder, image->text);
  json_builder_end_object (builder);
}
