/* SPDX-License-Identifier: MIT */
/* The running service: one SoupServer, the catalogue, and the publisher
 * with its sources (a timer, the API, uploads, the folder) and followers
 * (long-polls, event streams). */
#include "rndimg-service.h"
#include "rndimg-connection.h"
#include "rndimg-http.h"
#include "rndimg-instrument.h"
#include "rndimg-longpoll.h"
#include "rndimg-router.h"
#include "rndimg-sse.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

struct _RndimgService
{
  GObject parent_instance;

  RndimgConfig config;
  SoupServer *server;
  GSocketService *listener;
  char *url;
  RndimgCatalogue *catalogue;
  RndimgPublisher *publisher;
  RndimgLongPoll *long_poll;
  RndimgSse *sse;
  RndimgMetrics *metrics;
  guint timer_id;
  gint64 started_usec;
  guint64 requests;
};

G_DEFINE_FINAL_TYPE (RndimgService, rndimg_service, G_TYPE_OBJECT)

void
rndimg_config_clear (RndimgConfig *config)
{
  g_clear_pointer (&config->address, g_free);
  g_clear_pointer (&config->images_dir, g_free);
  g_clear_pointer (&config->uploads_dir, g_free);
  g_clear_pointer (&config->web_dir, g_free);
  g_clear_pointer (&config->token_file, g_free);
  g_clear_pointer (&config->token, g_free);
}

static void
copy_config (RndimgConfig *to, const RndimgConfig *from)
{
  *to = *from;
  to->address = g_strdup (from->address);
  to->images_dir = g_strdup (from->images_dir);
  to->uploads_dir = g_strdup (from->uploads_dir);
  to->web_dir = g_strdup (from->web_dir);
  to->token_file = g_strdup (from->token_file);
  to->token = g_strdup (from->token);
}

static void
rndimg_service_finalize (GObject *object)
{
  RndimgService *self = RNDIMG_SERVICE (object);

  rndimg_service_shutdown (self);
  g_clear_object (&self->listener);
  g_clear_object (&self->server);
  g_free (self->url);
  g_clear_object (&self->metrics);
  g_clear_object (&self->sse);
  g_clear_object (&self->long_poll);
  g_clear_object (&self->publisher);
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

static gboolean
on_timer (gpointer user_data)
{
  RndimgService *self = user_data;
  g_autoptr(RndimgImage) image = rndimg_catalogue_pick_random (self->catalogue, NULL);

  if (image != NULL)
    rndimg_service_publish (self, image->name, "timer");
  return G_SOURCE_CONTINUE;
}

static void
on_image_added (RndimgCatalogue *catalogue, RndimgImage *image, gpointer user_data)
{
  rndimg_service_publish (user_data, image->name, "folder");
}

static gboolean
start_sources (RndimgService *self, GError **error)
{
  if (self->config.interval_seconds > 0)
    self->timer_id = g_timeout_add ((guint) (self->config.interval_seconds * 1000), on_timer, self);
  g_signal_connect_object (self->catalogue, "image-added", G_CALLBACK (on_image_added), self, 0);
  return rndimg_catalogue_watch (self->catalogue, error);
}

/* One request per connection. libsoup 3.2 never notices a client that
 * closes an idle keep-alive connection: the socket would stay open in
 * CLOSE_WAIT, with libsoup's connection object, until descriptors run out.
 * "Connection: close" makes libsoup close each connection after its
 * answer, which it does handle. */
static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

RndimgService *
rndimg_service_new (const RndimgConfig *config, GError **error)
{
  g_autoptr(RndimgService) self = g_object_new (RNDIMG_TYPE_SERVICE, NULL);

  copy_config (&self->config, config);
  self->metrics = rndimg_metrics_new ();
  self->catalogue = rndimg_catalogue_new (config->images_dir, config->uploads_dir, error);
  if (self->catalogue == NULL)
    return NULL;
  self->publisher = rndimg_publisher_new ((guint) config->history);
  self->long_poll = rndimg_long_poll_new (self->publisher, (guint) config->max_waiters);
  self->sse = rndimg_sse_new (self->publisher, (guint) config->max_streams, config->heartbeat_seconds);
  if (!start_sources (self, error))
    return NULL;

  self->server = soup_server_new ("server-header", "rndimg/" PACKAGE_VERSION " ", NULL);
  g_signal_connect_object (self->server, "request-started", G_CALLBACK (on_request_started), self, 0);
  g_signal_connect_object (self->server, "request-read", G_CALLBACK (on_request_read), self, 0);
  g_signal_connect_object (self->server, "request-finished", G_CALLBACK (on_request_finished), self, 0);
  rndimg_router_install (self, self->server);
  rndimg_instrument_attach (self, self->server);
  return g_steal_pointer (&self);
}

/* We accept connections ourselves and hand each to the SoupServer:
 * libsoup 3.2's own listener leaks every accepted GSocket and stops
 * accepting for good after a single failed accept (say, out of file
 * descriptors for a moment). */
static gboolean
on_incoming (GSocketService *listener, GSocketConnection *connection, GObject *source, gpointer user_data)
{
  RndimgService *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  rndimg_connection_register (connection);
  if (!soup_server_accept_iostream (self->server, G_IO_STREAM (connection), local, remote, &error))
    g_warning ("cannot take a connection: %s", error->message);
  return TRUE;
}

static char *
url_for (GSocketAddress *address)
{
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

  return strchr (host, ':') != NULL ? g_strdup_printf ("http://[%s]:%u/", host, port)
                                    : g_strdup_printf ("http://%s:%u/", host, port);
}

static void
start_accepting (RndimgService *self, GSocketAddress *effective)
{
  self->url = url_for (effective);
  g_signal_connect (self->listener, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->listener);
}

gboolean
rndimg_service_listen (RndimgService *self, GError **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (self->config.address);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--address %s is not an IPv4 or IPv6 address", self->config.address);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (address, (guint16) self->config.port);
  self->listener = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->listener), 1024);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->listener), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return FALSE;
  start_accepting (self, effective);
  return TRUE;
}

/* Serves on @socket, already bound and listening (socket activation). */
gboolean
rndimg_service_listen_on_socket (RndimgService *self, GSocket *socket, GError **error)
{
  g_autoptr(GSocketAddress) effective = g_socket_get_local_address (socket, error);

  if (effective == NULL)
    return FALSE;
  self->listener = g_socket_service_new ();
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (self->listener), socket, NULL, error))
    return FALSE;
  start_accepting (self, effective);
  return TRUE;
}

/* The URL the server listens on, e.g. http://127.0.0.1:5000/ */
const char *
rndimg_service_get_url (RndimgService *self)
{
  return self->url;
}

/* Ends held long-polls (204) and event streams (a clean end of stream),
 * stops the sources. The answers go out as the main loop runs on; see
 * rndimg_service_is_drained(). */
void
rndimg_service_begin_shutdown (RndimgService *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->long_poll != NULL)
    rndimg_long_poll_close_all (self->long_poll);
  if (self->sse != NULL)
    rndimg_sse_close_all (self->sse);
}

gboolean
rndimg_service_is_drained (RndimgService *self)
{
  return rndimg_long_poll_get_waiting (self->long_poll) == 0 && rndimg_sse_get_open (self->sse) == 0;
}

/* Stops accepting and closes every connection. Safe to call twice. */
void
rndimg_service_shutdown (RndimgService *self)
{
  rndimg_service_begin_shutdown (self);
  if (self->listener != NULL)
    {
      g_socket_service_stop (self->listener);
      g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
    }
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}

/* Publishes @name from @source (a static string) to every follower. */
RndimgEvent *
rndimg_service_publish (RndimgService *self, const char *name, const char *source)
{
  gint64 started_usec = g_get_monotonic_time ();
  RndimgEvent *event = rndimg_publisher_publish (self->publisher, name, source);

  rndimg_metrics_count_publish (self->metrics, source,
                                (double) (g_get_monotonic_time () - started_usec) / G_USEC_PER_SEC);
  return event;
}

RndimgMetrics *
rndimg_service_get_metrics (RndimgService *self)
{
  return self->metrics;
}

/* SIGHUP: a new token (NULL: none) takes effect for the next request. */
void
rndimg_service_set_token (RndimgService *self, const char *token)
{
  g_free (self->config.token);
  self->config.token = g_strdup (token);
}

RndimgPublisher *
rndimg_service_get_publisher (RndimgService *self)
{
  return self->publisher;
}

RndimgLongPoll *
rndimg_service_get_long_poll (RndimgService *self)
{
  return self->long_poll;
}

RndimgSse *
rndimg_service_get_sse (RndimgService *self)
{
  return self->sse;
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
