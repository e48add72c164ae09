/* SPDX-License-Identifier: MIT */
/* A picture's details as every answer gives them: the list, the picture's
 * own page, rndimg, events and dog.ceo's routes. Unknown values are null,
 * never left out, so a client reads one shape, written here once, straight
 * as text (a count of 100 must cost little more than one: json-glib's
 * builder and generator cost ten times the text; see rndimg-json-text.c). */
#include "rndimg-picture-json.h"
#include "rndimg-json-text.h"

#include <string.h>

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
  rndimg_json_text_append_member (out, "title", text != NULL ? text->title : NULL);
  rndimg_json_text_append_member (out, "alt", text != NULL ? text->alt : NULL);
  append_languages (out, text != NULL ? text->alt_by_language : NULL);
  rndimg_json_text_append_member (out, "author", text != NULL ? text->author : NULL);
  rndimg_json_text_append_member (out, "license", text != NULL ? text->license : NULL);
  rndimg_json_text_append_member (out, "source_url", text != NULL ? text->source_url : NULL);
  g_string_append (out, image != NULL && image->is_private ? ",\"private\":true" : ",\"private\":false");
}

/* The query that lets a browser load private @image (and its variants)
 * without a header: "expires=...&sig=..."; NULL for a public picture,
 * or without @signer. */
char *
rndimg_picture_json_signature (const RndimgPicture *image, RndimgUrlSigner *signer)
{
  if (!image->is_private || signer == NULL)
    return NULL;
  return rndimg_url_signer_query (signer, image->name, g_get_real_time () / G_USEC_PER_SEC);
}

static gint
compare_tags (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The ETag of @image's details a client may change (its file's version
 * and its text): PATCH takes it in If-Match. */
char *
rndimg_picture_json_etag (const RndimgPicture *image)
{
  const RndimgPictureText *text = image->text;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *parts[] = { image->name, image->version, text != NULL ? text->title : NULL,
                          text != NULL ? text->alt : NULL, text != NULL ? text->author : NULL,
                          text != NULL ? text->license : NULL, text != NULL ? text->source_url : NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_checksum_update (checksum, (const guchar *) (parts[i] != NULL ? parts[i] : ""), -1);
      g_checksum_update (checksum, (const guchar *) (parts[i] != NULL ? "\n" : "\r"), 1);
    }
  if (text != NULL && text->alt_by_language != NULL)
    {
      g_autofree const char **tags = (const char **) g_hash_table_get_keys_as_array (text->alt_by_language, NULL);

      g_qsort_with_data (tags, (gint) g_hash_table_size (text->alt_by_language), sizeof *tags, compare_tags, NULL);
      for (guint i = 0; tags[i] != NULL; i++)
        {
          g_checksum_update (checksum, (const guchar *) tags[i], -1);
          g_checksum_update (checksum, (const guchar *) "=", 1);
          g_checksum_update (checksum, g_hash_table_lookup (text->alt_by_language, tags[i]), -1);
          g_checksum_update (checksum, (const guchar *) "\n", 1);
        }
    }
  return g_strdup_printf ("\"%.24s\"", g_checksum_get_string (checksum));
}

/* Appends the picture's details as a JSON object; a private album's
 * picture's URL signed with @signer (its "signature" is what a client
 * adds to the URLs it builds, its variants'). */
void
rndimg_picture_json_append_signed (GString *out, const char *base_url, const RndimgPicture *image,
                                   RndimgPlaceholders *placeholders, RndimgUrlSigner *signer)
{
  g_autofree char *signature = rndimg_picture_json_signature (image, signer);

  g_string_append (out, "{\"name\":");
  rndimg_json_text_append_string (out, image->name);
  rndimg_json_text_append_member (out, "album", image->album[0] != '\0' ? image->album : NULL);
  rndimg_json_text_append_name (out, "url");
  g_string_append_c (out, '"');
  g_string_append (out, base_url);         /* a checked Host or --public-url */
  g_string_append (out, image->url_path);  /* escaped: nothing JSON would escape */
  if (signature != NULL)
    {
      g_string_append_c (out, '?');
      g_string_append (out, signature);    /* digits and base64url */
    }
  g_string_append_c (out, '"');
  rndimg_picture_json_append_details (out, image, placeholders);
  rndimg_json_text_append_member (out, "signature", signature);
  g_string_append_c (out, '}');
}

/* Appends the picture's details as a JSON object (a private picture's
 * URL unsigned: only answers for readers sign, with the function above). */
void
rndimg_picture_json_append (GString *out, const char *base_url, const RndimgPicture *image,
                            RndimgPlaceholders *placeholders)
{
  rndimg_picture_json_append_signed (out, base_url, image, placeholders, NULL);
}
