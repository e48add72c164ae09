/* SPDX-License-Identifier: MIT */
/* Every example path of docs/openapi.yaml resolves on a server of the
 * shipped pictures (data/img): each GET path, its parameters replaced by
 * their examples, is answered without a 404 or a 5xx, so a reader who
 * copies an example gets a picture, an album or a breed that exists. The
 * document is the one the server serves. */
#include "rndimg-test-util.h"

#include <string.h>

/* @node with its "$ref" (to "#/components/...") followed. */
static JsonObject *
follow_ref (JsonObject *document, JsonObject *node)
{
  while (node != NULL && json_object_has_member (node, "$ref"))
    {
      g_auto(GStrv) keys = g_strsplit (json_object_get_string_member (node, "$ref") + 2, "/", -1);

      node = document;
      for (guint i = 0; node != NULL && keys[i] != NULL; i++)
        node = json_object_has_member (node, keys[i]) ? json_object_get_object_member (node, keys[i]) : NULL;
    }
  return node;
}

/* The example of @operation's path parameter @name, or NULL. */
static const char *
parameter_example (JsonObject *document, JsonObject *operation, const char *name)
{
  JsonArray *parameters = json_object_has_member (operation, "parameters")
                          ? json_object_get_array_member (operation, "parameters") : NULL;

  for (guint i = 0; parameters != NULL && i < json_array_get_length (parameters); i++)
    {
      JsonObject *parameter = follow_ref (document, json_array_get_object_element (parameters, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (parameter, "in", NULL), "path") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (parameter, "name", NULL), name) == 0)
        return json_object_get_string_member_with_default (parameter, "example", NULL);
    }
  return NULL;
}

/* @template with each {parameter} its example; NULL when one has none. */
static char *
example_path (JsonObject *document, const char *template, JsonObject *operation)
{
  g_auto(GStrv) segments = g_strsplit (template, "/", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    if (segments[i][0] == '{')
      {
        g_autofree char *name = g_strndup (segments[i] + 1, strlen (segments[i]) - 2);
        const char *example = parameter_example (document, operation, name);

        if (example == NULL)
          return NULL;
        g_free (segments[i]);
        segments[i] = g_strdup (example);
      }
  return g_strjoinv ("/", segments);
}

static guint
get_without_following (SoupSession *session, const char *url)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  test_record_answer (msg, body);
  return soup_message_get_status (msg);
}

static void
test_examples_resolve (void)
{
  g_autofree char *state = g_dir_make_tmp ("rndimg-examples-XXXXXX", NULL);
  g_autofree char *images = g_strconcat ("--images=", g_getenv ("RNDIMG_IMAGES"), NULL);
  g_autofree char *uploads = g_strconcat ("--uploads=", state, NULL);
  g_autofree char *state_file = g_strconcat ("--state-file=", state, "/history.json", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  TestServer *server = test_server_start (images, uploads, state_file, "--interval=0", NULL);
  g_autofree char *url = test_server_url (server, RNDIMG_API_PREFIX "/openapi.json");
  g_auto(TestResponse) response = { 0 };
  g_autoptr(JsonObject) document = NULL;
  JsonObject *paths;
  g_autoptr(GList) members = NULL;
  guint checked = 0;

  test_get (session, url, &response);
  test_assert_status (&response, 200);
  document = test_response_json (&response);
  paths = json_object_get_object_member (document, "paths");
  members = json_object_get_members (paths);
  for (GList *m = members; m != NULL; m = m->next)
    {
      JsonObject *item = json_object_get_object_member (paths, m->data);
      JsonObject *get = json_object_has_member (item, "get") ? json_object_get_object_member (item, "get") : NULL;
      g_autofree char *path = get != NULL && strchr (m->data, '{') != NULL ? example_path (document, m->data, get)
                                                                           : NULL;
      g_autofree char *example_url = NULL;
      guint status;

      if (path == NULL)
        continue;
      example_url = test_server_url (server, path);
      status = get_without_following (session, example_url);
      g_test_message ("%s: %s -> %u", (const char *) m->data, path, status);
      if (status == SOUP_STATUS_NOT_FOUND || status >= 500)
        g_test_fail_printf ("%s: its example path %s is a %u on the shipped pictures", (const char *) m->data, path,
                            status);
      checked++;
    }
  g_assert_cmpuint (checked, >, 40);
  test_server_stop (server);
  test_remove_folder (state);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/openapi/examples-resolve", test_examples_resolve);
  test_add_answers_described ();
  return g_test_run ();
}
