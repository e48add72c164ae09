/* SPDX-License-Identifier: MIT */
/* Reads {"status":"success","message":URL[, "id":N, "name":..., ...]}
 * strictly: anything else is an error a person can read. */
#include "rndimg-answer.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (rndimg-answer-error-quark, rndimg_answer_error)

RndimgAnswer *
rndimg_answer_copy (const RndimgAnswer *answer)
{
  RndimgAnswer *copy = g_new0 (RndimgAnswer, 1);

  copy->url = g_strdup (answer->url);
  copy->name = g_strdup (answer->name);
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
  return copy;
}

void
rndimg_answer_free (RndimgAnswer *answer)
{
  g_free (answer->url);
  g_free (answer->name);
  g_free (answer->published_at);
  g_free (answer->source);
  g_free (answer->epoch);
  g_free (answer->alt);
  g_free (answer->blurhash);
  g_free (answer->colour);
  g_free (answer->variant_version);
  g_free (answer);
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
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
  const char *text = string_member (object, "variant_version");

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

static gint64
id_member (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return MAX (json_node_get_int (node), -1);
}

static JsonObject *
object_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The alt text of the picture's details ("image"), in the first of the
 * user's languages that it has, else the default one. */
static char *
alt_text (JsonObject *image)
{
  JsonObject *translations = object_member (image, "alt_by_language");
  const char *const *languages = g_get_language_names ();

  for (guint i = 0; translations != NULL && languages[i] != NULL; i++)
    {
      g_autofree char *primary = g_strndup (languages[i], strcspn (languages[i], "_.@"));
      const char *text = string_member (translations, primary);

      if (text != NULL)
        return g_strdup (text);
    }
  return image != NULL ? g_strdup (string_member (image, "alt")) : NULL;
}

RndimgAnswer *
rndimg_answer_parse (const char *data, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  RndimgAnswer *answer;
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
  status = string_member (object, "status");
  message = string_member (object, "message");
  if (g_strcmp0 (status, "error") == 0)
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_SERVER,
                   _("the server says: %s"), message ? message : "error");
      return NULL;
    }
  if (g_strcmp0 (status, "success") != 0 || !is_web_url (message))
    {
      g_set_error (error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_WRONG_SHAPE,
                   _("the server's answer has no picture URL"));
      return NULL;
    }

  image = object_member (object, "image");
  answer = g_new0 (RndimgAnswer, 1);
  answer->url = g_strdup (message);
  if (string_member (object, "name") != NULL)
    answer->name = g_strdup (string_member (object, "name"));
  else if (image != NULL && string_member (image, "name") != NULL)
    answer->name = g_strdup (string_member (image, "name"));
  else
    answer->name = name_from_url (message);
  /* An event carries its details itself; rndimg's answer in "image". */
  details = image != NULL ? image : object;
  answer->alt = alt_text (details);
  answer->width = size_member (details, "width");
  answer->height = size_member (details, "height");
  answer->blurhash = g_strdup (string_member (details, "blurhash"));
  answer->colour = g_strdup (string_member (details, "colour"));
  answer->variant_version = variant_version_member (details);
  answer->id = id_member (object);
  answer->published_at = g_strdup (string_member (object, "published_at"));
  answer->source = g_strdup (string_member (object, "source"));
  answer->epoch = g_strdup (string_member (object, "epoch"));
  return answer;
}
