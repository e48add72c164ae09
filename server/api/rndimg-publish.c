/* SPDX-License-Identifier: MIT */
/* POST /publish without libsoup: from the request's body, its
 * Idempotency-Key and base URL to the answer (status, headers, JSON), so
 * that any HTTP executor answers a publish the same way. libsoup's
 * handler is rndimg_api_publish(); uploads publish through
 * rndimg_publish_picture_async().
 *
 * What an answer promises (docs/operating.md, "What a publish's answer
 * means"): 201 published (again for a repeated Idempotency-Key, with
 * Idempotent-Replayed: true); 503 not published and never will be, retry
 * at will; 504 not known (it may have been published): retry with the
 * same key, which publishes at most once on any node; 409 the key's
 * publish is under way; 422 the key came with another request.
 *
 * The Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) is a
 * Structured Field String ("..."), 1 to 255 characters; a bare token of
 * letters, digits and -._~:+/= is taken as the same key, for clients that
 * send it unquoted. The broker keeps it under a digest of the route and
 * the key, with a digest of the body as the request's fingerprint. */
#include "rndimg-publish.h"
#include "rndimg-album.h"
#include "rndimg-http.h"
#include "rndimg-picture.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* A refusal before the broker: the code is the HTTP status. */
#define PUBLISH_REFUSAL (publish_refusal_quark ())
static G_DEFINE_QUARK (rndimg-publish-refusal-quark, publish_refusal)

typedef struct {
  char *base_url;
  RndimgUrlSigner *signer;     /* borrowed; NULL: none */
} Publishing;

static void
publishing_free (Publishing *publishing)
{
  g_free (publishing->base_url);
  g_free (publishing);
}

void
rndimg_publish_answer_free (RndimgPublishAnswer *answer)
{
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_free (answer->location);
  g_free (answer);
}

static RndimgPublishAnswer *
error_answer (guint status, const char *message)
{
  RndimgPublishAnswer *answer = g_new0 (RndimgPublishAnswer, 1);
  char *json = rndimg_http_error_json (message);

  answer->status = status;
  answer->body = g_bytes_new_take (json, strlen (json));
  return answer;
}

/* The answer a broker's error calls for (see the top of this file). */
static RndimgPublishAnswer *
answer_for_error (const GError *error)
{
  g_autofree char *message = NULL;
  RndimgPublishAnswer *answer;

  if (error->domain == PUBLISH_REFUSAL)
    return error_answer ((guint) error->code, error->message);
  if (error->domain != RNDIMG_BROKER_ERROR)
    return error_answer (500, error->message);
  switch ((RndimgBrokerError) error->code)
    {
    case RNDIMG_BROKER_ERROR_OUTCOME_UNKNOWN:
      message = g_strdup_printf ("it is not known whether the picture was published: %s", error->message);
      return error_answer (504, message);
    case RNDIMG_BROKER_ERROR_KEY_REUSED:
      return error_answer (422, error->message);
    case RNDIMG_BROKER_ERROR_KEY_IN_FLIGHT:
      answer = error_answer (409, error->message);
      answer->retry_after = "1";
      return answer;
    case RNDIMG_BROKER_ERROR_NOT_PUBLISHED:
    case RNDIMG_BROKER_ERROR_NOT_LEASE_HOLDER:
    default:
      message = g_strdup_printf ("the picture was not published: %s", error->message);
      answer = error_answer (503, message);
      answer->retry_after = "1";
      return answer;
    }
}

/* 201 with the event and Location: the picture's URL, signed (in both)
 * when the picture is in a private album. */
static RndimgPublishAnswer *
event_answer (const RndimgEvent *event, const char *base_url, RndimgUrlSigner *signer, gboolean replayed)
{
  RndimgPublishAnswer *answer = g_new0 (RndimgPublishAnswer, 1);
  g_autofree char *url_path = rndimg_picture_url_path (event->name);
  g_autofree char *signature = event->is_private && signer != NULL
                               ? rndimg_url_signer_query (signer, event->name, g_get_real_time () / G_USEC_PER_SEC)
                               : NULL;
  /* The same bytes as the streams' frames when they saw it alike (made
   * once: rndimg_event_look_json()). */
  RndimgEventLook look = { base_url, 0, RNDIMG_EVENT_VIEW_WHOLE, signature };

  answer->status = 201;
  answer->body = rndimg_event_look_json (event, &look);
  answer->location = g_strconcat (base_url, url_path, signature != NULL ? "?" : NULL, signature, NULL);
  answer->replayed = replayed;
  return answer;
}

static void
on_published (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Publishing *publishing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean replayed = FALSE;
  g_autoptr(RndimgEvent) event = rndimg_broker_publish_finish (RNDIMG_BROKER (source), result, &replayed, &error);

  g_task_return_pointer (task, event != NULL ? event_answer (event, publishing->base_url, publishing->signer, replayed)
                                             : answer_for_error (error),
                         (GDestroyNotify) rndimg_publish_answer_free);
}

static GTask *
new_task (const char *base_url, RndimgUrlSigner *signer, GCancellable *cancellable, GAsyncReadyCallback callback,
          gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Publishing *publishing = g_new0 (Publishing, 1);

  g_task_set_source_tag (task, (gpointer) (guintptr) new_task);
  publishing->base_url = g_strdup (base_url);
  publishing->signer = signer;
  g_task_set_task_data (task, publishing, (GDestroyNotify) publishing_free);
  return task;
}

/* Publishes @picture from @source (a static string) with @key (NULL:
 * none); the answer is for a client at @base_url, its URLs signed by
 * @signer when the picture is private. */
void
rndimg_publish_picture_async (RndimgBroker *broker, const RndimgPicture *picture, const char *source,
                              const RndimgPublishKey *key, const char *base_url, RndimgUrlSigner *signer,
                              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = new_task (base_url, signer, cancellable, callback, user_data);
  RndimgEventChange change = {
    .kind = RNDIMG_EVENT_PUBLISHED, .name = picture->name, .source = source, .is_private = picture->is_private,
  };

  rndimg_broker_publish_with_key_async (broker, &change, key, cancellable, on_published, task);
}

RndimgPublishAnswer *
rndimg_publish_finish (GAsyncResult *result)
{
  return g_task_propagate_pointer (G_TASK (result), NULL);
}

/* ---- the request ---- */

static gboolean
refuse (GError **error, guint status, const char *message)
{
  g_set_error_literal (error, PUBLISH_REFUSAL, (int) status, message);
  return FALSE;
}

/* Whether @c may stand unescaped in a Structured Field String. */
static gboolean
is_string_char (char c)
{
  return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

static gboolean
is_bare_key_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-._~:+/=", c) != NULL);
}

/* The key in an Idempotency-Key field: a String ("...", with \" and \\),
 * or a bare token; spaces around it. FALSE with a 400 refusal otherwise:
 * empty, longer than RNDIMG_PUBLISH_KEY_MAX_LENGTH, anything after it
 * (a second field is joined after a comma). */
gboolean
rndimg_publish_key_parse (const char *field, char **key, GError **error)
{
  g_autoptr(GString) value = g_string_new (NULL);
  const char *p = field;

  while (*p == ' ')
    p++;
  if (*p == '"')
    {
      for (p++; *p != '"'; p++)
        {
          if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
          else if (!is_string_char (*p))
            return refuse (error, 400, "Idempotency-Key must be one string like \"8e03978e-40d5-43e8-bc93-6894a57f9324\" "
                                       "(printable ASCII; only \\\" and \\\\ escaped)");
          g_string_append_c (value, *p);
        }
      p++;
    }
  else
    for (; is_bare_key_char (*p); p++)
      g_string_append_c (value, *p);
  while (*p == ' ')
    p++;
  if (*p != '\0' || value->len == 0 || value->len > RNDIMG_PUBLISH_KEY_MAX_LENGTH)
    return refuse (error, 400, "Idempotency-Key must be one string of 1 to 255 characters, like "
                               "\"8e03978e-40d5-43e8-bc93-6894a57f9324\", sent once");
  *key = g_string_free (g_steal_pointer (&value), FALSE);
  return TRUE;
}

/* @key as a broker keeps it: for @scope (the route), with a fingerprint
 * of @request (its body). */
RndimgPublishKey *
rndimg_publish_key_new (const char *scope, const char *key, GBytes *request)
{
  RndimgPublishKey *published = g_new0 (RndimgPublishKey, 1);
  g_autofree char *scoped = g_strconcat (scope, "\n", key, NULL);

  published->record = g_compute_checksum_for_string (G_CHECKSUM_SHA256, scoped, -1);
  published->fingerprint = request != NULL ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, request)
                                           : g_compute_checksum_for_string (G_CHECKSUM_SHA256, "", 0);
  return published;
}

static gboolean
read_string_member (JsonObject *object, const char *member_name, char **value, GError **error)
{
  JsonNode *member = json_object_get_member (object, member_name);
  g_autofree char *message = NULL;

  *value = NULL;
  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    {
      message = g_strdup_printf ("%s must be a string like \"%s\"", member_name,
                                 g_str_equal (member_name, "name") ? "023.png" : "dogs");
      return refuse (error, 400, message);
    }
  *value = g_strdup (json_node_get_string (member));
  return TRUE;
}

/* The body of a publish: {"name":"023.png"}, {"album":"dogs"} or nothing
 * (@name and @album NULL). FALSE with a 400 refusal in @error (its
 * message is the answer's) when it is none of those. */
gboolean
rndimg_publish_read_body (GBytes *body, char **name, char **album, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autofree char *message = NULL;
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  JsonNode *root;

  *name = *album = NULL;
  if (length == 0)
    return TRUE;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &json_error))
    {
      message = g_strdup_printf ("the body is not JSON: %s", json_error->message);
      return refuse (error, 400, message);
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return refuse (error, 400, "the body must be a JSON object like {\"name\":\"023.png\"}");
  return read_string_member (json_node_get_object (root), "name", name, error) &&
         read_string_member (json_node_get_object (root), "album", album, error);
}

/* The picture a publish names, or a random one of its album or of all;
 * NULL with a refusal. */
static RndimgPicture *
choose (RndimgCatalogue *catalogue, const RndimgAccess *access, const char *name, const char *album, GError **error)
{
  const char *albums[] = { album, NULL };
  g_autoptr(GPtrArray) picked = NULL;
  g_autoptr(GError) choice_error = NULL;
  g_autofree char *message = NULL;
  RndimgPicture *picture;

  if (name != NULL && !rndimg_catalogue_name_is_valid (name))
    {
      refuse (error, 400, "name must be a picture name like 023.png or dogs/001.png");
      return NULL;
    }
  if (album != NULL && !rndimg_album_name_is_valid (album))
    {
      refuse (error, 400, "album must be an album name (dogs, dogs/puppies): lower-case letters, digits, '-' and '_'");
      return NULL;
    }
  if (name != NULL)
    {
      if ((picture = rndimg_catalogue_lookup_for (catalogue, name, access)) == NULL)
        {
          message = g_strdup_printf ("no image called %s", name);
          refuse (error, 404, message);
        }
      return picture;
    }
  picked = rndimg_catalogue_choose_for (catalogue, access, album != NULL ? albums : NULL, RNDIMG_ORIENTATION_ANY,
                                        NULL, NULL, 1, &choice_error);
  if (picked == NULL || picked->len == 0)
    {
      refuse (error, 404, choice_error != NULL ? choice_error->message : "no image (any)");
      return NULL;
    }
  return rndimg_picture_ref (g_ptr_array_index (picked, 0));
}

/* What @request asks to publish, and its key (NULL: none); NULL with
 * @error (a PUBLISH_REFUSAL) when it is refused. */
static RndimgPicture *
read_request (RndimgCatalogue *catalogue, const RndimgPublishRequest *request, RndimgPublishKey **key,
              GError **error)
{
  g_autofree char *key_text = NULL;
  g_autoptr(RndimgPicture) picture = NULL;

  if (request->idempotency_key == NULL || rndimg_publish_key_parse (request->idempotency_key, &key_text, error))
    picture = choose (catalogue, request->access, request->name, request->album, error);
  /* A credential may publish only in some albums: the one picked too. */
  if (picture != NULL && !rndimg_access_may (request->access, RNDIMG_SCOPE_PUBLISH, picture->album))
    {
      refuse (error, 403, "this credential may not publish in the album of the picture picked");
      return NULL;
    }
  if (picture != NULL && key_text != NULL)
    *key = rndimg_publish_key_new ("publish", key_text, request->body);
  return g_steal_pointer (&picture);
}

/* POST /publish: publishes the picture the body names, or a random one
 * (of its album), once per Idempotency-Key. Answers through @callback;
 * rndimg_publish_finish() gives the answer, never an error. */
void
rndimg_publish_async (RndimgCatalogue *catalogue, RndimgBroker *broker, const RndimgPublishRequest *request,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgPublishKey) key = NULL;
  g_autoptr(RndimgPicture) picture = read_request (catalogue, request, &key, &error);

  if (picture == NULL)
    {
      g_autoptr(GTask) task = new_task (request->base_url, request->signer, cancellable, callback, user_data);

      g_task_return_pointer (task, answer_for_error (error), (GDestroyNotify) rndimg_publish_answer_free);
      return;
    }
  rndimg_publish_picture_async (broker, picture, "api", key, request->base_url, request->signer, cancellable,
                                callback, user_data);
}

/* The same as rndimg_publish_async(), answered in the call when @broker
 * publishes at once (rndimg_broker_can_publish_now()): one main-loop pass
 * less between the request and its answer. NULL: it cannot, ask
 * rndimg_publish_async(). */
RndimgPublishAnswer *
rndimg_publish_now (RndimgCatalogue *catalogue, RndimgBroker *broker, const RndimgPublishRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgPublishKey) key = NULL;
  g_autoptr(RndimgPicture) picture = NULL;
  g_autoptr(RndimgEvent) event = NULL;
  gboolean replayed = FALSE;

  if (!rndimg_broker_can_publish_now (broker))
    return NULL;
  picture = read_request (catalogue, request, &key, &error);
  if (picture != NULL)
    {
      RndimgEventChange change = {
        .kind = RNDIMG_EVENT_PUBLISHED, .name = picture->name, .source = "api", .is_private = picture->is_private,
      };

      event = rndimg_broker_publish_now (broker, &change, key, &replayed, &error);
    }
  return event != NULL ? event_answer (event, request->base_url, request->signer, replayed) : answer_for_error (error);
}
