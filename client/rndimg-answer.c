/* SPDX-License-Identifier: MIT */
/* Reads {"status":"success","message":URL[, "id":N, "name":..., ...]}
 * strictly: anything else is an error a person can read. */
#include "rndimg-answer.h"
#include "rndimg-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (rndimg-answer-error-quark, rndimg_answer_error)

RndimgAnswer *
rndimg_answer_copy (const RndimgAnswer *answer)
{
  RndimgAnswer *copy = g_new0 (RndimgAnswer, 1);

  copy->kind = answer->kind;
  copy->url = g_strdup (answer->url);
  copy->name = g_strdup (answer->name);
  copy->from = g_strdup (answer->from);
  copy->id = answer->id;
  copy->published_at = g_strdup (answer->published_at);
  copy->source = g_strdup (answer->source);
  copy->epoch = g_strdup (answer->epoch);
  copy->alt = g_strdup (answer->alt);
  copy->width = answer->width;
  copy->height = answer->height;
  copy->blurhash = g_strdup (answer->blurhash);
  copy->colour = g_strdup (answer->colour);
  copy->variant_version = g_strdup (answer->variant_version);
  copy->album = g_strdup (answer->album);
  copy->author = g_strdup (answer->author);
  copy->license = g_strdup (answer->license);
  copy->source_url = g_strdup (answer->source_url);
  copy->content_type = g_strdup (answer->content_type);
  copy->bytes = answer->bytes;
  copy->modified = g_strdup (answer->modified);
  return copy;
}

void
rndimg_answer_free (RndimgAnswer *answer)
{
  g_free (answer->url);
  g_free (answer->name);
  g_free (answer->from);
  g_free (answer->published_at);
  g_free (answer->source);
  g_free (answer->epoch);
  g_free (answer->alt);
  g_free (answer->blurhash);
  g_free (answer->colour);
  g_free (answer->variant_version);
  g_free (answer->album);
  g_free (answer->author);
  g_free (answer->license);
  g_free (answer->source_url);
  g_free (answer->content_type);
  g_free (answer->modified);
  g_free (answer);
}


static gboolean
is_web_url (const char *text)
{
  g_autoptr(GUri) uri = text != NULL ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 || g_strcmp0 (g_uri_get_scheme (uri), "https") == 0);
}

static char *
name_from_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *basename = g_path_get_basename (g_uri_get_path (uri));

  return g_uri_unescape_string (basename, NULL);
}

/* The content hash of a picture's variant URLs: 16 lowercase hex digits,
 * else NULL (not said, or not one: it goes into a URL path). */
static char *
variant_version_member (JsonObject *object)
{
  const char *text = rndimg_json_string (object, "variant_version");

  if (text == NULL || strlen (text) != 16 || strspn (text, "0123456789abcdef") != 16)
    return NULL;
  return g_strdup (text);
}

/* A picture's side: 1 to 65535 pixels, else 0 (not said). */
static guint
size_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  value = json_node_get_int (node);
  return value >= 1 && value <= G_MAXUINT16 ? (guint) value : 0;
}

/* A file's size in bytes, else -1 (not said). */
static gint64
bytes_member (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "bytes");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return MAX (json_node_get_int (node), -1);
}

/* A string member of the picture's details, at most @limit bytes of
 * text (what a server says is shown as is, so bounded), else NULL. */
static char *
text_member (JsonObject *object, const char *name, gsize limit)
{
  const char *text = rndimg_json_string (object, name);

  return text != NULL && strlen (text) <= limit ? g_strdup (text) : NULL;
}

static gint64
id_member (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return MAX (json_node_get_int (node), -1);
}

/* An event's "type" (none: an answer that is no event, a picture). */
static gboolean
kind_from_type (const char *type, RndimgAnswerKind *kind)
{
  static const struct { const char *type; RndimgAnswerKind kind; } kinds[] = {
    { "published", RNDIMG_ANSWER_PUBLISHED }, { "removed", RNDIMG_ANSWER_REMOVED },
    { "changed", RNDIMG_ANSWER_CHANGED }, { "moved", RNDIMG_ANSWER_MOVED },
    { "album-changed", RNDIMG_ANSWER_ALBUM }, { "album-removed", RNDIMG_ANSWER_ALBUM },
  };

  *kind = RNDIMG_ANSWER_PUBLISHED;
  if (type == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (type, kinds[i].type))
      {
        *kind = kinds[i].kind;
        return TRUE;
      }
  return FALSE;
}

/* The alt text of the picture's details ("image"), in the first of the
 * user's languages that it has, else the default one. */
static char *
alt_text (JsonObject *image)
{
  const char *translated = rndimg_json_in_language (rndimg_json_object (image, "alt_by_language"));

  return g_strdup (translated != NULL ? translated : rndimg_json_string (image, "alt"));
}

RndimgAnswer *
rndimg_answer_parse (const char *data, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  RndimgAnswer *answer;
  RndimgAnswerKind kind;
  JsonObject *object, *image, *details;
  const char *status, *message;

  if (!json_parser_load_from_data (parser, data, length, &json_error))
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_NOT_JSON,
                   _("the server's answer is not JSON (%s)"), json_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_WRONG_SHAPE,
                   _("the server's answer is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  status = rndimg_json_string (object, "status");
  message = rndimg_json_string (object, "message");
  if (g_strcmp0 (status, "error") == 0)
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_SERVER,
                   _("the server says: %s"), message ? message : "error");
      return NULL;
    }
  if (!kind_from_type (rndimg_json_string (object, "type"), &kind))
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_WRONG_SHAPE,
                   _("the server's answer has an unknown type"));
      return NULL;
    }
  if (g_strcmp0 (status, "success") != 0 ||
      (kind == RNDIMG_ANSWER_REMOVED ? rndimg_json_string (object, "name") == NULL
       : kind != RNDIMG_ANSWER_ALBUM && !is_web_url (message)))
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_WRONG_SHAPE,
                   _("the server's answer has no picture URL"));
      return NULL;
    }

  image = rndimg_json_object (object, "image");
  answer = g_new0 (RndimgAnswer, 1);
  answer->kind = kind;
  if (kind == RNDIMG_ANSWER_ALBUM)
    {
      answer->id = id_member (object);
      answer->album = text_member (object, "album", 200);
      answer->epoch = g_strdup (rndimg_json_string (object, "epoch"));
      return answer;
    }
  answer->url = kind != RNDIMG_ANSWER_REMOVED ? g_strdup (message) : NULL;
  answer->from = kind == RNDIMG_ANSWER_MOVED ? text_member (object, "from", 1000) : NULL;
  if (rndimg_json_string (object, "name") != NULL)
    answer->name = g_strdup (rndimg_json_string (object, "name"));
  else if (image != NULL && rndimg_json_string (image, "name") != NULL)
    answer->name = g_strdup (rndimg_json_string (image, "name"));
  else
    answer->name = name_from_url (message);
  /* An event carries its details itself; rndimg's answer in "image". */
  details = image != NULL ? image : object;
  answer->alt = alt_text (details);
  answer->width = size_member (details, "width");
  answer->height = size_member (details, "height");
  answer->blurhash = g_strdup (rndimg_json_string (details, "blurhash"));
  answer->colour = g_strdup (rndimg_json_string (details, "colour"));
  answer->variant_version = variant_version_member (details);
  answer->album = text_member (details, "album", 200);
  answer->author = text_member (details, "author", 2000);
  answer->license = text_member (details, "license", 2000);
  answer->source_url = is_web_url (rndimg_json_string (details, "source_url"))
                       ? text_member (details, "source_url", 2000) : NULL;
  answer->content_type = text_member (details, "content_type", 100);
  answer->bytes = bytes_member (details);
  answer->modified = text_member (details, "modified", 40);
  answer->id = id_member (object);
  answer->published_at = g_strdup (rndimg_json_string (object, "published_at"));
  answer->source = g_strdup (rndimg_json_string (object, "source"));
  answer->epoch = g_strdup (rndimg_json_string (object, "epoch"));
  return answer;
}
