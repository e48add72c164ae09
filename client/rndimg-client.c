/* SPDX-License-Identifier: MIT */
/* The viewer's HTTP: one SoupSession for everything, always asynchronous,
 * every request bounded in time, every failure turned into one of a few
 * errors a person can act on (refused, timeout, unreachable, bad answer). */
#include "rndimg-client.h"
#include "rndimg-api-prefix.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#define REQUEST_TIMEOUT_SECONDS 10
/* Above the server's long-poll timeout and SSE heartbeat: a silent
 * connection past this is dead. */
#define IDLE_TIMEOUT_SECONDS 40

struct _RndimgClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;
  char *album;         /* Get and Live follow only this album; NULL: all */
  char *token;         /* sent to the server as Authorization; NULL: none */
};

G_DEFINE_FINAL_TYPE (RndimgClient, rndimg_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (rndimg-client-error-quark, rndimg_client_error)

static void
rndimg_client_finalize (GObject *object)
{
  RndimgClient *self = RNDIMG_CLIENT (object);

  soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_free (self->base_url);
  g_free (self->album);
  g_free (self->token);
  G_OBJECT_CLASS (rndimg_client_parent_class)->finalize (object);
}

static void
rndimg_client_class_init (RndimgClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_client_finalize;
}

/* Whether @uri is on the server: same scheme, host and port. */
static gboolean
is_on_server (RndimgClient *self, GUri *uri)
{
  g_autoptr(GUri) server = self->base_url != NULL ? g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL) : NULL;

  return server != NULL && g_ascii_strcasecmp (g_uri_get_scheme (uri), g_uri_get_scheme (server)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (uri), g_uri_get_host (server)) == 0 &&
         g_uri_get_port (uri) == g_uri_get_port (server);
}

/* Every request to the server carries the token, never one elsewhere
 * (a picture's source, say): private albums show to whoever may read
 * them. */
static void
on_request_queued (SoupSession *session, SoupMessage *msg, gpointer user_data)
{
  RndimgClient *self = user_data;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree char *bearer = NULL;

  if (self->token == NULL || soup_message_headers_get_one (headers, "Authorization") != NULL ||
      !is_on_server (self, soup_message_get_uri (msg)))
    return;
  bearer = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (headers, "Authorization", bearer);
}

static void
rndimg_client_init (RndimgClient *self)
{
  self->session = soup_session_new_with_options ("user-agent", "rndimg-viewer/" PACKAGE_VERSION,
                                                 "timeout", IDLE_TIMEOUT_SECONDS,
                                                 "idle-timeout", 60,
                                                 NULL);
  g_signal_connect_object (self->session, "request-queued", G_CALLBACK (on_request_queued), self, 0);
}

RndimgClient *
rndimg_client_new (const char *base_url)
{
  RndimgClient *self = g_object_new (RNDIMG_TYPE_CLIENT, NULL);

  rndimg_client_set_base_url (self, base_url);
  return self;
}

const char *
rndimg_client_get_base_url (RndimgClient *self)
{
  return self->base_url;
}

void
rndimg_client_set_base_url (RndimgClient *self, const char *base_url)
{
  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
}

/* The server's URL for @path (which starts with "/"). */
char *
rndimg_client_url (RndimgClient *self, const char *path)
{
  return g_strconcat (self->base_url, path, NULL);
}

/* The token sent with every request to the server (NULL or "": none). */
void
rndimg_client_set_token (RndimgClient *self, const char *token)
{
  g_free (self->token);
  self->token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
}

const char *
rndimg_client_get_token (RndimgClient *self)
{
  return self->token;
}

SoupSession *
rndimg_client_get_session (RndimgClient *self)
{
  return self->session;
}

/* What a person typed as a server, as a URL: "host:port" and "host" get
 * "http://", spaces around are dropped. Returns (transfer full) an http(s)
 * URL with a host, or NULL and @error. */
char *
rndimg_client_normalize_base_url (const char *text, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *url = strstr (trimmed, "://") != NULL ? g_strdup (trimmed)
                                                         : g_strconcat ("http://", trimmed, NULL);
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a server address like 127.0.0.1:5000 or http://pictures.example"), text);
      return NULL;
    }
  return g_steal_pointer (&url);
}

/* The server's host (and port) for a person, e.g. "127.0.0.1:5000". */
char *
rndimg_client_display_host (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

/* Returns (transfer full) @error as one of RndimgClientError. */
GError *
rndimg_client_classify_error (const GError *error)
{
  if (error->domain == RNDIMG_CLIENT_ERROR)
    return g_error_copy (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REFUSED,
                        _("Connection refused: is rndimg-server running there?"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_TIMEOUT,
                        _("Timeout: the server does not answer"));
  if (error->domain == RNDIMG_ANSWER_ERROR)
    return g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                        _("Bad answer: %s"), error->message);
  return g_error_new (RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_UNREACHABLE,
                      _("Cannot reach the server: %s"), error->message);
}

/* One request with a deadline: a GTask whose cancellable also fires when
 * the time is up, so a server that never answers cannot hold us. */
typedef struct {
  SoupMessage *msg;
  GCancellable *cancellable;
  GSource *deadline;
  gulong cancel_handler;
  GCancellable *caller_cancellable;
  gboolean timed_out;
} Request;

static void
request_free (Request *request)
{
  if (request->deadline != NULL)
    g_source_destroy (request->deadline);
  g_clear_pointer (&request->deadline, g_source_unref);
  if (request->caller_cancellable != NULL)
    g_cancellable_disconnect (request->caller_cancellable, request->cancel_handler);
  g_clear_object (&request->caller_cancellable);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->msg);
  g_free (request);
}

static gboolean
on_deadline (gpointer user_data)
{
  Request *request = user_data;

  request->timed_out = TRUE;
  g_cancellable_cancel (request->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void on_request_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
start_message (RndimgClient *self, SoupMessage *msg, GCancellable *cancellable, GTask *task)
{
  Request *request = g_new0 (Request, 1);

  request->msg = msg;
  request->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  if (cancellable != NULL)
    {
      request->caller_cancellable = g_object_ref (cancellable);
      request->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                       request->cancellable, NULL);
    }
  request->deadline = g_timeout_source_new_seconds (REQUEST_TIMEOUT_SECONDS);
  g_source_set_callback (request->deadline, on_deadline, request, NULL);
  g_source_attach (request->deadline, g_main_context_get_thread_default ());
  soup_session_send_and_read_async (self->session, request->msg, G_PRIORITY_DEFAULT,
                                    request->cancellable, on_request_done, task);
}

static void
start_request (RndimgClient *self, const char *url, GCancellable *cancellable, GTask *task)
{
  SoupMessage *msg = soup_message_new ("GET", url);

  if (msg == NULL)
    {
      g_task_return_new_error (task, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                               _("Bad answer: “%s” is not a URL"), url);
      g_object_unref (task);
      return;
    }
  start_message (self, msg, cancellable, task);
}

/* An upload the server refused, in words that say what to do. */
static gboolean
rejected_upload (Request *request, guint status, GError **error)
{
  const char *why;

  if (g_strcmp0 (soup_message_get_method (request->msg), "POST") != 0)
    return FALSE;
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      why = _("Uploads need a token: set it in Preferences");
      break;
    case SOUP_STATUS_FORBIDDEN:
      why = _("The server takes uploads only with a token");
      break;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      why = _("The picture is too large for this server");
      break;
    case SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE:
      why = _("Not a PNG, JPEG, GIF or WebP picture");
      break;
    default:
      return FALSE;
    }
  g_set_error_literal (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REJECTED, why);
  return TRUE;
}

/* The body when the status is a success; otherwise an error that says why,
 * in the server's words when it sent a JSON error. */
static GBytes *
checked_body (Request *request, GBytes *body, GError **error)
{
  guint status = soup_message_get_status (request->msg);
  g_autoptr(GError) answer_error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return g_bytes_ref (body);
  if (rejected_upload (request, status, error))
    return NULL;
  if (rndimg_answer_parse (data, (gssize) length, &answer_error) == NULL &&
      g_error_matches (answer_error, RNDIMG_ANSWER_ERROR, RNDIMG_ANSWER_ERROR_SERVER))
    g_set_error (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                 _("Bad answer: HTTP %u, %s"), status, answer_error->message);
  else
    g_set_error (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                 _("Bad answer: HTTP %u %s"), status, soup_message_get_reason_phrase (request->msg));
  return NULL;
}

static void
on_request_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  GBytes *checked;

  if (body == NULL && request->timed_out)
    g_task_return_new_error (task, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_TIMEOUT,
                             _("Timeout: no answer within %d s"), REQUEST_TIMEOUT_SECONDS);
  else if (body == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (body == NULL)
    g_task_return_error (task, rndimg_client_classify_error (error));
  else if ((checked = checked_body (request, body, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, checked, (GDestroyNotify) g_bytes_unref);
}

static GBytes *
request_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Get and Live follow only @album ("dogs", "dogs/puppies"); NULL or "": all. */
void
rndimg_client_set_album (RndimgClient *self, const char *album)
{
  g_free (self->album);
  self->album = album != NULL && album[0] != '\0' ? g_strdup (album) : NULL;
}

const char *
rndimg_client_get_album (RndimgClient *self)
{
  return self->album;
}

/* "<@separator>album=NAME" for the album followed, or "". */
char *
rndimg_client_album_query (RndimgClient *self, const char *separator)
{
  g_autofree char *escaped = self->album != NULL ? g_uri_escape_string (self->album, "/", FALSE) : NULL;

  return escaped != NULL ? g_strconcat (separator, "album=", escaped, NULL) : g_strdup ("");
}

/* GET /polling/api/v1.0/rndimg[?exclude=...][&album=...]: a random picture's answer. */
void
rndimg_client_get_random_async (RndimgClient *self, const char *exclude, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *escaped = exclude != NULL ? g_uri_escape_string (exclude, "/", FALSE) : NULL;
  g_autofree char *album = rndimg_client_album_query (self, escaped ? "&" : "?");
  g_autofree char *path = g_strconcat (RNDIMG_API_PREFIX "/rndimg", escaped ? "?exclude=" : "",
                                       escaped ? escaped : "", album, NULL);
  g_autofree char *url = rndimg_client_url (self, path);

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_client_get_random_async));
  start_request (self, url, cancellable, task);
}

static RndimgAnswer *
answer_finish (GAsyncResult *result, GError **error)
{
  g_autoptr(GBytes) body = request_finish (result, error);
  g_autoptr(GError) parse_error = NULL;
  RndimgAnswer *answer;
  gsize length;
  const char *data;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &length);
  answer = rndimg_answer_parse (data, (gssize) length, &parse_error);
  if (answer == NULL)
    g_propagate_error (error, rndimg_client_classify_error (parse_error));
  return answer;
}

RndimgAnswer *
rndimg_client_get_random_finish (RndimgClient *self, GAsyncResult *result, GError **error)
{
  return answer_finish (result, error);
}

/* POST /polling/api/v1.0/images: publishes @picture (@content_type
 * "image/..."), with "Authorization: Bearer @token" unless @token is
 * NULL or empty. Finishes with the new event's answer. */
void
rndimg_client_upload_async (RndimgClient *self, GBytes *picture, const char *content_type, const char *token,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = rndimg_client_url (self, RNDIMG_API_PREFIX "/images");
  SoupMessage *msg = soup_message_new ("POST", url);

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_client_upload_async));
  if (msg == NULL)
    {
      g_task_return_new_error (task, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                               _("Bad answer: “%s” is not a URL"), url);
      g_object_unref (task);
      return;
    }
  soup_message_set_request_body_from_bytes (msg, content_type, picture);
  if (token != NULL && *token != '\0')
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
    }
  start_message (self, msg, cancellable, task);
}

RndimgAnswer *
rndimg_client_upload_finish (RndimgClient *self, GAsyncResult *result, GError **error)
{
  return answer_finish (result, error);
}

/* GET @url: the bytes of a picture (its type is checked by who decodes it). */
void
rndimg_client_fetch_async (RndimgClient *self, const char *url, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_client_fetch_async));
  start_request (self, url, cancellable, task);
}

GBytes *
rndimg_client_fetch_finish (RndimgClient *self, GAsyncResult *result, GError **error)
{
  return request_finish (result, error);
}

static void
on_albums_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), result, &error);
  GPtrArray *albums;
  gsize length;
  const char *data;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_bytes_get_data (body, &length);
  albums = rndimg_albums_parse (data, (gssize) length, &error);
  if (albums == NULL)
    g_task_return_new_error (task, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_BAD_ANSWER,
                             _("Bad answer: %s"), error->message);
  else
    g_task_return_pointer (task, albums, (GDestroyNotify) g_ptr_array_unref);
}

/* GET /polling/api/v1.0/albums: the server's albums, as
 * rndimg_albums_parse() reads them. */
void
rndimg_client_list_albums_async (RndimgClient *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = rndimg_client_url (self, RNDIMG_API_PREFIX "/albums");

  g_task_set_source_tag (task, RNDIMG_TASK_TAG (rndimg_client_list_albums_async));
  rndimg_client_fetch_async (self, url, cancellable, on_albums_fetched, task);
}

/* Returns (transfer full) RndimgAlbumInfo *, or NULL and @error. */
GPtrArray *
rndimg_client_list_albums_finish (RndimgClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == RNDIMG_TASK_TAG (rndimg_client_list_albums_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
is_variant_version (const char *text)
{
  return text != NULL && strlen (text) == 16 && strspn (text, "0123456789abcdef") == 16;
}

/* The URL of a variant of the picture at @url (a server's /static/img/NAME)
 * that fits @width x @height logical pixels at @scale, with @query (NULL:
 * none), PNG for pictures that may have transparency, JPEG for JPEGs
 * (both decode without extra loaders). With @variant_version (the
 * picture's details give it) the canonical URL, answered with bytes at
 * once: /img/NAME/VERSION/(W*S)x(H*S).EXT; without, the short one the
 * server redirects there: /img/NAME/WxH@Sx.EXT. NAME is one segment: an
 * album's '/' is written %2F. NULL when @url names no catalogue picture. */
static char *
variant_url (const char *url, const char *variant_version, int width, int height, int scale, const char *query)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  g_autofree char *name = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *size = NULL;
  g_autofree char *variant_path = NULL;
  g_autoptr(GUri) variant = NULL;
  const char *extension;

  if (path == NULL || !g_str_has_prefix (path, "/static/img/") || width <= 0 || height <= 0)
    return NULL;
  name = g_uri_unescape_string (path + strlen ("/static/img/"), NULL);
  if (name == NULL || *name == '\0')
    return NULL;
  scale = CLAMP (scale, 1, 3);
  width = MIN (width, 5000 / scale);
  height = MIN (height, 5000 / scale);
  if (is_variant_version (variant_version))
    size = g_strdup_printf ("%s/%dx%d", variant_version, width * scale, height * scale);
  else if (scale > 1)
    size = g_strdup_printf ("%dx%d@%dx", width, height, scale);
  else
    size = g_strdup_printf ("%dx%d", width, height);
  extension = g_str_has_suffix (name, ".jpg") || g_str_has_suffix (name, ".jpeg") ? "jpg" : "png";
  escaped = g_uri_escape_string (name, NULL, FALSE);
  variant_path = g_strdup_printf ("/img/%s/%s.%s", escaped, size, extension);
  variant = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                         g_uri_get_port (uri), variant_path, query, NULL);
  return g_uri_to_string (variant);
}

/* The variant of the picture at @url that fits within @width x @height
 * (?fit=inside: the whole picture, never larger than it). */
char *
rndimg_client_variant_url (const char *url, const char *variant_version, int width, int height, int scale)
{
  return variant_url (url, variant_version, width, height, scale, "fit=inside");
}

/* A square thumbnail of the picture at @url, @side logical pixels at
 * @scale, cropped from its centre (fit=cover, the default, left out). */
char *
rndimg_client_thumbnail_url (const char *url, const char *variant_version, int side, int scale)
{
  return variant_url (url, variant_version, side, side, scale, NULL);
}
