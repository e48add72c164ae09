/* SPDX-License-Identifier: MIT */
/* Reading the server's JSON strictly: a member of the wrong type is as
 * good as absent. And texts given in several languages: the one the user
 * reads first. */
#include "rndimg-json.h"

#include <string.h>

/* @object's string member @name, or NULL (absent, null or not a string). */
const char *
rndimg_json_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* @object's object member @name, or NULL. */
JsonObject *
rndimg_json_object (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Of @by_language (language tag -> text), the text in the first of the
 * user's languages that it has ("fa" for fa_IR.UTF-8), or NULL. */
const char *
rndimg_json_in_language (JsonObject *by_language)
{
  const char *const *languages = g_get_language_names ();

  for (guint i = 0; by_language != NULL && languages[i] != NULL; i++)
    {
      g_autofree char *primary = g_strndup (languages[i], strcspn (languages[i], "_.@"));
      const char *text = rndimg_json_string (by_language, primary);

      if (text != NULL)
        return text;
    }
  return NULL;
}
