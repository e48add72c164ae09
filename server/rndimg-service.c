/* The running service: one SoupServer, the catalogue and, around them,
 * the counters that /stats reports. */
#include "rndimg-service.h"
#include "rndimg-router.h"
#include "rndimg-http.h"

#include <string.h>

struct _RndimgService
{
  GObject parent_instance;

  RndimgConfig config;
  SoupServer *server;
  RndimgCatalogue *catalogue;
  gint64 started_usec;
  guint64 requests;
};

G_DEFINE_FINAL_TYPE (RndimgService, rndimg_service, G_TYPE_OBJECT)

void
rndimg_config_clear (RndimgConfig *config)
{
  g_clear_pointer (&config->address, g_free);
  g_clear_pointer (&config->images_dir, g_free);
  g_clear_pointer (&config->web_dir, g_free);
  g_clear_pointer (&config->token, g_free);
}

static void
copy_config (RndimgConfig *to, const RndimgConfig *from)
{
  *to = *from;
  to->address = g_strdup (from->address);
  to->images_dir = g_strdup (from->images_dir);
  to->web_dir = g_strdup (from->web_dir);
  to->token = g_strdup (from->token);
}

static void
rndimg_service_finalize (GObject *object)
{
  RndimgService *self = RNDIMG_SERVICE (object);

  rndimg_service_shutdown (self);
  g_clear_object (&self->server);
  g_clear_object (&self->catalogue);
  rndimg_config_clear (&self->config);

  G_OBJECT_CLASS (rndimg_service_parent_class)->finalize (object);
}

static void
rndimg_service_class_init (RndimgServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_service_finalize;
}

static void
rndimg_service_init (RndimgService *self)
{
  self->started_usec = g_get_monotonic_time ();
}

static void
on_request_finished (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RndimgService *self = user_data;

  self->requests++;
  g_debug ("%s %s %s -> %u",
           soup_server_message_get_remote_host (msg),
           soup_server_message_get_method (msg),
           g_uri_get_path (soup_server_message_get_uri (msg)),
           soup_server_message_get_status (msg));
}

/* libsoup answers some requests itself, before any handler runs: a path
 * that would climb out with an escaped "..", or a bad Host. Give those the
 * same JSON error body as the rest of the API. */
static void
on_request_read (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  guint status = soup_server_message_get_status (msg);
  g_autofree char *path = NULL;

  if (status != SOUP_STATUS_BAD_REQUEST || soup_server_message_get_response_body (msg)->length > 0)
    return;
  path = g_uri_unescape_string (g_uri_get_path (soup_server_message_get_uri (msg)), NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
  if (path == NULL || strstr (path, "..") != NULL)
    rndimg_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "no such file");
  else
    rndimg_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed request");
}

RndimgService *
rndimg_service_new (const RndimgConfig *config, GError **error)
{
  g_autoptr(RndimgService) self = g_object_new (RNDIMG_TYPE_SERVICE, NULL);

  copy_config (&self->config, config);
  self->catalogue = rndimg_catalogue_new (config->images_dir, error);
  if (self->catalogue == NULL)
    return NULL;

  self->server = soup_server_new ("server-header", "rndimg/" PACKAGE_VERSION " ", NULL);
  g_signal_connect_object (self->server, "request-read", G_CALLBACK (on_request_read), self, 0);
  g_signal_connect_object (self->server, "request-finished", G_CALLBACK (on_request_finished), self, 0);
  rndimg_router_install (self, self->server);
  return g_steal_pointer (&self);
}

gboolean
rndimg_service_listen (RndimgService *self, GError **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (self->config.address);
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--address %s is not an IPv4 or IPv6 address", self->config.address);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (address, (guint16) self->config.port);
  return soup_server_listen (self->server, socket_address, 0, error);
}

/* The URL the server listens on, e.g. http://127.0.0.1:5000/ */
char *
rndimg_service_get_url (RndimgService *self)
{
  GSList *uris = soup_server_get_uris (self->server);
  char *url = uris != NULL ? g_uri_to_string (uris->data) : NULL;

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

/* Stops accepting and closes every connection. Safe to call twice. */
void
rndimg_service_shutdown (RndimgService *self)
{
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}

const RndimgConfig *
rndimg_service_get_config (RndimgService *self)
{
  return &self->config;
}

RndimgCatalogue *
rndimg_service_get_catalogue (RndimgService *self)
{
  return self->catalogue;
}

guint64
rndimg_service_get_requests (RndimgService *self)
{
  return self->requests;
}

double
rndimg_service_get_uptime (RndimgService *self)
{
  return (double) (g_get_monotonic_time () - self->started_usec) / G_USEC_PER_SEC;
}
