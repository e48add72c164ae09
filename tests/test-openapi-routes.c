/* SPDX-License-Identifier: MIT */
/* The router's routes and docs/openapi.yaml's paths say the same: every
 * path a route serves is described with the methods it takes, and every
 * described path is served with the methods described. The service is
 * built as the server builds it; the document is the one embedded in it. */
#include "rndimg-openapi-resources.h"
#include "rndimg-router.h"
#include "rndimg-service.h"
#include "rndimg-settings.h"
#include "rndimg-test-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  RndimgService *service;
  JsonObject *document;
  JsonObject *paths;          /* the document's "paths" */
  JsonParser *parser;
  char *state_dir;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) json = g_resource_lookup_data (rndimg_openapi_get_resource (), "/io/github/rndimg/openapi.json",
                                                   G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_auto(RndimgConfig) config = { 0 };
  g_autofree char *state_file = NULL;
  g_autofree char *images = g_strdup_printf ("--images=%s", g_getenv ("RNDIMG_IMAGES"));
  g_autofree char *uploads = NULL;
  g_autofree char *state = NULL;
  char *args[] = { "rndimg-server", images, NULL, NULL, "--interval=0", NULL };
  char **argv = args;
  int argc;

  g_assert_no_error (error);
  fixture->parser = json_parser_new ();
  json_parser_load_from_data (fixture->parser, g_bytes_get_data (json, NULL), (gssize) g_bytes_get_size (json), &error);
  g_assert_no_error (error);
  fixture->document = json_node_get_object (json_parser_get_root (fixture->parser));
  fixture->paths = json_object_get_object_member (fixture->document, "paths");
  g_assert_nonnull (fixture->paths);

  fixture->state_dir = g_dir_make_tmp ("rndimg-routes-XXXXXX", &error);
  g_assert_no_error (error);
  uploads = g_strdup_printf ("--uploads=%s", fixture->state_dir);
  state_file = g_build_filename (fixture->state_dir, "history.json", NULL);
  state = g_strdup_printf ("--state-file=%s", state_file);
  args[2] = uploads;
  args[3] = state;
  argc = G_N_ELEMENTS (args) - 1;
  g_assert_cmpint (rndimg_settings_load (&argc, &argv, &config, &error), ==, RNDIMG_SETTINGS_RUN);
  g_assert_no_error (error);
  fixture->service = rndimg_service_new (&config, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  rndimg_service_shutdown (fixture->service);
  g_object_unref (fixture->service);
  g_object_unref (fixture->parser);
  test_remove_folder (fixture->state_dir);
  g_free (fixture->state_dir);
}

/* @node, its "$ref" (a "#/components/..." of this document) followed. */
static JsonObject *
follow_ref (Fixture *fixture, JsonObject *node)
{
  while (node != NULL && json_object_has_member (node, "$ref"))
    {
      g_auto(GStrv) keys = g_strsplit (json_object_get_string_member (node, "$ref") + 2, "/", -1);

      node = fixture->document;
      for (guint i = 0; node != NULL && keys[i] != NULL; i++)
        node = json_object_has_member (node, keys[i]) ? json_object_get_object_member (node, keys[i]) : NULL;
    }
  return node;
}

/* The path parameter @name of @template (its $ref followed), from the
 * path item or one of its operations; NULL when none. */
static JsonObject *
path_parameter (Fixture *fixture, const char *template, const char *name)
{
  JsonObject *item = json_object_get_object_member (fixture->paths, template);
  g_autoptr(GList) members = json_object_get_members (item);

  for (GList *m = members; m != NULL; m = m->next)
    {
      JsonNode *node = json_object_get_member (item, m->data);
      JsonObject *holder = g_str_equal (m->data, "parameters") ? item
                           : JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *parameters = holder != NULL && json_object_has_member (holder, "parameters")
                              ? json_object_get_array_member (holder, "parameters") : NULL;

      for (guint i = 0; parameters != NULL && i < json_array_get_length (parameters); i++)
        {
          JsonObject *parameter = follow_ref (fixture, json_array_get_object_element (parameters, i));

          if (g_strcmp0 (json_object_get_string_member_with_default (parameter, "in", NULL), "path") == 0 &&
              g_strcmp0 (json_object_get_string_member_with_default (parameter, "name", NULL), name) == 0)
            return parameter;
        }
    }
  return NULL;
}

/* Whether @segment may be the value of @template's parameter "{name}":
 * anything but nothing, matching the schema's pattern if it has one. */
static gboolean
parameter_allows (Fixture *fixture, const char *template, const char *braced, const char *segment)
{
  g_autofree char *name = g_strndup (braced + 1, strlen (braced) - 2);
  JsonObject *parameter = path_parameter (fixture, template, name);
  JsonObject *schema = parameter != NULL && json_object_has_member (parameter, "schema")
                       ? follow_ref (fixture, json_object_get_object_member (parameter, "schema")) : NULL;
  const char *pattern = schema != NULL ? json_object_get_string_member_with_default (schema, "pattern", NULL) : NULL;

  return segment[0] != '\0' && (pattern == NULL || g_regex_match_simple (pattern, segment, 0, 0));
}

/* @template ("/static/img/{name}") describes @path: segment by segment,
 * a {parameter} standing for one whole segment its schema allows. */
static gboolean
template_matches (Fixture *fixture, const char *template, const char *path)
{
  g_auto(GStrv) want = g_strsplit (template, "/", -1);
  g_auto(GStrv) have = g_strsplit (path, "/", -1);

  if (g_strv_length (want) != g_strv_length (have))
    return FALSE;
  for (guint i = 0; want[i] != NULL; i++)
    {
      gboolean parameter = want[i][0] == '{' && g_str_has_suffix (want[i], "}");

      if (parameter ? !parameter_allows (fixture, template, want[i], have[i]) : strcmp (want[i], have[i]) != 0)
        return FALSE;
    }
  return TRUE;
}

/* The document's path describing @path: a concrete one before templates,
 * as OpenAPI matches. NULL when none. */
static const char *
described_path (Fixture *fixture, const char *path)
{
  g_autoptr(GList) members = json_object_get_members (fixture->paths);

  if (json_object_has_member (fixture->paths, path))
    return path;
  for (GList *m = members; m != NULL; m = m->next)
    if (strchr (m->data, '{') != NULL && template_matches (fixture, m->data, path))
      return m->data;
  return NULL;
}

/* A path the template stands for: each {parameter} as its example, or "x". */
static char *
example_path (Fixture *fixture, const char *template)
{
  g_auto(GStrv) segments = g_strsplit (template, "/", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    if (segments[i][0] == '{')
      {
        g_autofree char *name = g_strndup (segments[i] + 1, strlen (segments[i]) - 2);
        JsonObject *parameter = path_parameter (fixture, template, name);
        const char *example = parameter != NULL ? json_object_get_string_member_with_default (parameter, "example", "x")
                                                : "x";

        g_free (segments[i]);
        segments[i] = g_strdup (example);
      }
  return g_strjoinv ("/", segments);
}

static const struct {
  RndimgMethods method;
  const char *name;        /* the router's */
  const char *operation;   /* the document's */
} methods[] = {
  { RNDIMG_METHOD_GET, "GET", "get" },
  { RNDIMG_METHOD_POST, "POST", "post" },
  { RNDIMG_METHOD_PATCH, "PATCH", "patch" },
  { RNDIMG_METHOD_DELETE, "DELETE", "delete" },
};

static char *
methods_text (RndimgMethods taken)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    if (taken & methods[i].method)
      g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", methods[i].name);
  return g_strdup (text->str);
}

static RndimgMethods
described_methods (JsonObject *item)
{
  RndimgMethods described = 0;

  for (gsize i = 0; item != NULL && i < G_N_ELEMENTS (methods); i++)
    if (json_object_has_member (item, methods[i].operation))
      described |= methods[i].method;
  return described;
}

/* Fails the test (and says why) when the router and the document disagree
 * on @path, which the router serves as @served or the document describes. */
static void
compare_path (Fixture *fixture, const char *path, const char *from)
{
  RndimgRouter *router = rndimg_service_get_router (fixture->service);
  const char *template = described_path (fixture, path);
  RndimgMethods taken = 0;
  gboolean served = rndimg_router_methods (router, path, &taken);
  JsonObject *item = template != NULL ? json_object_get_object_member (fixture->paths, template) : NULL;
  RndimgMethods described = described_methods (item);
  g_autofree char *router_methods = methods_text (taken);
  g_autofree char *document_methods = methods_text (described);

  if (!served)
    g_test_fail_printf ("%s (%s): described in docs/openapi.yaml as %s, but no route serves it",
                        path, from, document_methods);
  else if (template == NULL)
    g_test_fail_printf ("%s (%s): the router serves it (%s), but docs/openapi.yaml has no path for it",
                        path, from, router_methods);
  else if (taken != described)
    g_test_fail_printf ("%s (%s): the router takes %s, docs/openapi.yaml's %s describes %s",
                        path, from, router_methods, template, document_methods);
  else
    g_test_message ("%s: %s, as described by %s", path, router_methods, template);
}

/* A prefix route ("/static/img/") is described by the document's paths
 * under it: their examples must be served as described. */
static void
compare_prefix_route (Fixture *fixture, const char *prefix)
{
  g_autoptr(GList) members = json_object_get_members (fixture->paths);
  guint described = 0;

  for (GList *m = members; m != NULL; m = m->next)
    if (g_str_has_prefix (m->data, prefix) && strchr (m->data, '{') != NULL)
      {
        g_autofree char *example = example_path (fixture, m->data);

        compare_path (fixture, example, prefix);
        described++;
      }
  if (described == 0)
    g_test_fail_printf ("%s (a prefix route): docs/openapi.yaml has no templated path under it", prefix);
}

static void
compare_route (const char *path, RndimgRouteFlags flags, RndimgMethods taken, gpointer data)
{
  /* A route without handlers only claims its paths for a 404. */
  if (taken == 0)
    return;
  if (flags & RNDIMG_ROUTE_PREFIX)
    compare_prefix_route (data, path);
  else
    compare_path (data, path, "a route");
}

static void
test_every_route_is_described (Fixture *fixture, gconstpointer data)
{
  rndimg_router_foreach (rndimg_service_get_router (fixture->service), compare_route, fixture);
}

static void
test_every_path_is_served (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GList) members = json_object_get_members (fixture->paths);

  g_assert_nonnull (members);
  for (GList *m = members; m != NULL; m = m->next)
    {
      g_autofree char *path = example_path (fixture, m->data);

      compare_path (fixture, path, m->data);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/openapi/every-route-is-described", Fixture, NULL,
              fixture_set_up, test_every_route_is_described, fixture_tear_down);
  g_test_add ("/openapi/every-path-is-served", Fixture, NULL,
              fixture_set_up, test_every_path_is_served, fixture_tear_down);
  return g_test_run ();
}
