/* SPDX-License-Identifier: MIT */
/* The running service: one SoupServer, the catalogue, the broker with its
 * sources (a timer, the API, uploads, the folder) and its subscribers
 * (long-polls, event streams, WebSockets). It owns every part (the struct
 * below lists them), builds each, hands each what it uses, wires the
 * routes, and frees them in a visible order. */
#include "rndimg-service.h"
#include "rndimg-api.h"
#include "rndimg-api-prefix.h"
#include "rndimg-audit.h"
#include "rndimg-catalogue-api.h"
#include "rndimg-connection.h"
#include "rndimg-dogceo.h"
#include "rndimg-event-details.h"
#include "rndimg-health.h"
#include "rndimg-hot-path.h"
#include "rndimg-http.h"
#include "rndimg-instrument.h"
#include "rndimg-limits.h"
#include "rndimg-long-poll.h"
#include "rndimg-memory-broker.h"
#include "rndimg-picsum.h"
#include "rndimg-picture-writer.h"
#include "rndimg-refusal.h"
#include "rndimg-redis-broker.h"
#include "rndimg-router.h"
#include "rndimg-soup-errors.h"
#include "rndimg-soup-executor.h"
#include "rndimg-sse.h"
#include "rndimg-static.h"
#include "rndimg-tls.h"
#include "rndimg-upload.h"
#include "rndimg-variants-api.h"
#include "rndimg-websocket.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include <string.h>

/* Every part is owned here and handed to what uses it (borrowed there);
 * no part keeps state of its own elsewhere. rndimg_service_finalize()
 * frees what watches or uses a part before the part. */
struct _RndimgService
{
  GObject parent_instance;

  /* Owned: what it serves and where events live */
  RndimgConfig config;
  RndimgMetrics *metrics;
  RndimgInstrument *instrument;    /* requests and fan-outs, into metrics */
  RndimgCatalogue *catalogue;
  RndimgBroker *broker;
  RndimgPictureStore *pictures;    /* with a Redis broker: pictures on every node */
  RndimgRenderEngine *render_engine; /* libvips' code, a module loaded on first need */
  RndimgPlaceholders *placeholders; /* average colours and BlurHashes, computed in a worker */
  RndimgStatic *files;
  RndimgPictureVariants *variants; /* /img/: sizes and formats of the pictures */
  RndimgVariantsApi *variants_api; /* the /img/ route */
  RndimgPictureNumbers *numbers;   /* each picture's Lorem Picsum number, unless --no-picsum */
  RndimgPicsum *picsum;            /* Lorem Picsum's routes, unless --no-picsum */
  RndimgCredentials *credentials;  /* tokens and the JWT key: who may do what */
  RndimgUrlSigner *signer;         /* private albums' signed URLs */
  RndimgRateLimiter *writes;       /* each client's share of writes */
  RndimgRateLimiter *renders;      /* each client's share of renders not cached yet */
  RndimgTrash *trash;              /* deleted pictures, for --trash-days */
  RndimgAudit *audit;              /* one record per write */
  RndimgPictureGate gate;          /* who may load a private picture's bytes (borrows the parts above) */
  RndimgDogceo *dogceo;            /* dog.ceo's routes, unless --no-dogceo */
  RndimgEventDetails *event_details; /* what events say of their pictures, for the broker */
  RndimgApiContext api;            /* what the REST handlers serve (borrows the parts above) */

  /* Owned: HTTP, one table of routes and two executors of it */
  SoupServer *server;
  RndimgConnections *connections;  /* every connection accepted */
  RndimgRefusals *refusals;        /* answers written before a body is read */
  RndimgSoupErrors *soup_errors;   /* libsoup's own errors, made JSON */
  RndimgOriginPolicy *origins;
  RndimgRouter *router;
  RndimgSoupExecutor *soup_executor;   /* the router on libsoup's requests */
  RndimgHotPath *hot_path;         /* the router on requests read by us; NULL with --no-hot-path */
  RndimgRequestWatch request_watch;   /* both executors report every request here */
  RndimgLimits *limits;
  GSocketService *listener;
  GTlsCertificate *certificate;  /* NULL: plain HTTP */
  GSocket *silent_end;             /* see add_keep_alive_listener() */
  char *url;

  /* Owned: the subscribers, following the broker on the connections */
  RndimgSubscribers *long_polls;
  RndimgSubscribers *streams;
  RndimgSubscribers *sockets;

  /* Sources */
  guint sweep_id;
  guint timer_id;
};

G_DEFINE_FINAL_TYPE (RndimgService, rndimg_service, G_TYPE_OBJECT)

static void
rndimg_service_finalize (GObject *object)
{
  RndimgService *self = RNDIMG_SERVICE (object);

  rndimg_service_shutdown (self);
  /* What watches the server and the broker goes first. */
  g_clear_pointer (&self->instrument, rndimg_instrument_free);
  g_clear_object (&self->listener);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->limits, rndimg_limits_free);
  /* The subscribers leave work for the connections: before them. */
  g_clear_object (&self->sockets);
  g_clear_object (&self->streams);
  g_clear_object (&self->long_polls);
  g_clear_pointer (&self->refusals, rndimg_refusals_free);
  g_clear_pointer (&self->hot_path, rndimg_hot_path_free);
  g_clear_pointer (&self->soup_executor, rndimg_soup_executor_free);
  g_clear_pointer (&self->connections, rndimg_connections_free);
  g_clear_pointer (&self->soup_errors, rndimg_soup_errors_free);
  g_clear_object (&self->server);
  g_clear_object (&self->silent_end);
  g_free (self->url);
  g_clear_pointer (&self->router, rndimg_router_free);
  g_clear_pointer (&self->origins, rndimg_origin_policy_free);

  g_clear_pointer (&self->picsum, rndimg_picsum_free);
  g_clear_pointer (&self->dogceo, rndimg_dogceo_free);
  g_clear_pointer (&self->variants_api, rndimg_variants_api_free);
  g_clear_object (&self->numbers);
  g_clear_pointer (&self->files, rndimg_static_free);
  rndimg_api_context_clear (&self->api);
  g_clear_pointer (&self->pictures, rndimg_picture_store_free);   /* borrows the trash */
  g_clear_pointer (&self->trash, rndimg_trash_free);
  g_clear_pointer (&self->audit, rndimg_audit_free);
  g_clear_pointer (&self->renders, rndimg_rate_limiter_free);
  g_clear_pointer (&self->writes, rndimg_rate_limiter_free);
  g_clear_pointer (&self->signer, rndimg_url_signer_free);
  g_clear_pointer (&self->credentials, rndimg_credentials_free);
  g_clear_object (&self->variants);      /* borrows the placeholders */
  g_clear_object (&self->placeholders);
  g_clear_object (&self->render_engine);
  g_clear_object (&self->broker);
  g_clear_pointer (&self->event_details, rndimg_event_details_free);   /* the broker's describer */
  g_clear_object (&self->catalogue);
  g_clear_object (&self->metrics);
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
}

/* Every request, whichever executor read it. */
static void
on_request_started (gpointer user_data)
{
  RndimgService *self = user_data;

  rndimg_instrument_request_started (self->instrument);
}

static void
on_request_finished (const RndimgFinishedRequest *request, gpointer user_data)
{
  RndimgService *self = user_data;

  self->api.requests++;
  rndimg_instrument_request_finished (self->instrument, request);
}

/* A head the gate refused: the JSON error, then the close. */
static void
on_gate_refusal (RndimgConnection *connection, guint status, const char *message, gpointer user_data)
{
  RndimgService *self = user_data;

  rndimg_refusal_refuse (self->refusals, connection, status, message, "*");
}

static gboolean
on_timer (gpointer user_data)
{
  RndimgService *self = user_data;
  g_autoptr(RndimgPicture) image = rndimg_catalogue_pick_random (self->catalogue, NULL);

  if (image != NULL)
    rndimg_broker_publish_async (self->broker, image->name, "timer", NULL, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

/* The folder watch's news: each is an event, as if the API had done it. */
static void
on_image_added (RndimgCatalogue *catalogue, RndimgPicture *image, gpointer user_data)
{
  RndimgService *self = user_data;
  RndimgEventChange change = {
    .kind = RNDIMG_EVENT_PUBLISHED, .name = image->name, .source = "folder", .is_private = image->is_private,
  };

  if (self->pictures != NULL)
    rndimg_picture_store_share_file (self->pictures, image, self->config.max_upload_bytes);
  rndimg_broker_publish_change_async (self->broker, &change, NULL, NULL, NULL);
}

static void
on_image_removed (RndimgCatalogue *catalogue, const char *name, gpointer user_data)
{
  RndimgService *self = user_data;
  const char *slash = strrchr (name, '/');
  g_autofree char *album = slash != NULL ? g_strndup (name, (gsize) (slash - name)) : g_strdup ("");
  RndimgEventChange change = {
    .kind = RNDIMG_EVENT_REMOVED, .name = name, .source = "folder",
    .is_private = rndimg_catalogue_album_is_private (catalogue, album),
  };

  rndimg_broker_publish_change_async (self->broker, &change, NULL, NULL, NULL);
}

static void
on_image_changed (RndimgCatalogue *catalogue, RndimgPicture *image, gpointer user_data)
{
  RndimgService *self = user_data;
  g_autofree char *payload = rndimg_catalogue_api_text_payload (image);
  RndimgEventChange change = {
    .kind = RNDIMG_EVENT_CHANGED, .name = image->name, .source = "folder", .is_private = image->is_private,
    .payload = payload,
  };

  rndimg_broker_publish_change_async (self->broker, &change, NULL, NULL, NULL);
}

static void
on_album_changed (RndimgCatalogue *catalogue, const char *album, gpointer user_data)
{
  RndimgService *self = user_data;
  g_autofree char *payload = rndimg_catalogue_api_album_payload (catalogue, album);
  RndimgEventChange change = {
    .kind = RNDIMG_EVENT_ALBUM_CHANGED, .album = album, .source = "folder", .payload = payload,
    .is_private = rndimg_catalogue_album_is_private (catalogue, album),
  };

  rndimg_broker_publish_change_async (self->broker, &change, NULL, NULL, NULL);
}

/* What was made from a picture goes with it. */
static void
on_picture_gone (RndimgCatalogue *catalogue, RndimgPicture *image, gpointer user_data)
{
  RndimgService *self = user_data;

  rndimg_picture_variants_forget (self->variants, image);
  rndimg_placeholders_forget (self->placeholders, image->name);
}

static gboolean
start_sources (RndimgService *self, GError **error)
{
  if (self->config.interval_seconds > 0)
    self->timer_id = g_timeout_add ((guint) (self->config.interval_seconds * 1000), on_timer, self);
  g_signal_connect_object (self->catalogue, "image-added", G_CALLBACK (on_image_added), self, 0);
  g_signal_connect_object (self->catalogue, "image-removed", G_CALLBACK (on_image_removed), self, 0);
  g_signal_connect_object (self->catalogue, "image-changed", G_CALLBACK (on_image_changed), self, 0);
  g_signal_connect_object (self->catalogue, "album-changed", G_CALLBACK (on_album_changed), self, 0);
  g_signal_connect_object (self->catalogue, "picture-gone", G_CALLBACK (on_picture_gone), self, 0);
  rndimg_trash_start_sweeping (self->trash);
  return rndimg_catalogue_watch (self->catalogue, error);
}

/* Which handler answers which path, each given the object it serves. */
static void
add_routes (RndimgService *self)
{
  RndimgApiContext *api = &self->api;
  RndimgRouter *router;

  self->origins = rndimg_origin_policy_new (&self->config);
  router = rndimg_router_new ((gsize) self->config.max_upload_bytes, self->origins);

  rndimg_router_add (router, RNDIMG_API_PREFIX "/rndimg", 0, rndimg_api_random, NULL, api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/rndimg/poll", 0, rndimg_long_poll_serve, NULL, self->long_polls);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/events", 0, rndimg_sse_serve, NULL, self->streams);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/ws", RNDIMG_ROUTE_SOUP, rndimg_websocket_serve, NULL, self->sockets);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/publish", RNDIMG_ROUTE_WRITE, NULL, rndimg_api_publish, api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/images", RNDIMG_ROUTE_UPLOAD | RNDIMG_ROUTE_WRITE,
                     rndimg_api_list_images, rndimg_upload_serve, api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/images/", RNDIMG_ROUTE_PREFIX, rndimg_pictures_api_picture, NULL,
                     &api->pictures_api);
  rndimg_router_add_handlers (router, RNDIMG_API_PREFIX "/images/", RNDIMG_ROUTE_PREFIX, &(RndimgRouteHandlers) {
                                .patch = rndimg_catalogue_api_edit_picture,
                                .delete = rndimg_catalogue_api_delete_picture }, api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/albums", 0, rndimg_pictures_api_albums, NULL, &api->pictures_api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/albums", RNDIMG_ROUTE_WRITE, NULL, rndimg_catalogue_api_create_album,
                     api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/albums/", RNDIMG_ROUTE_PREFIX, rndimg_pictures_api_album, NULL,
                     &api->pictures_api);
  rndimg_router_add_handlers (router, RNDIMG_API_PREFIX "/albums/", RNDIMG_ROUTE_PREFIX, &(RndimgRouteHandlers) {
                                .patch = rndimg_catalogue_api_edit_album,
                                .delete = rndimg_catalogue_api_delete_album }, api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/stats", 0, rndimg_api_stats, NULL, api);
  rndimg_router_add (router, RNDIMG_API_PREFIX "/openapi.json", 0, rndimg_api_description, NULL, api);
  rndimg_router_add (router, "/healthz", 0, rndimg_health_alive, NULL, NULL);
  rndimg_router_add (router, "/readyz", 0, rndimg_health_ready, NULL, api);
  rndimg_router_add (router, "/metrics", 0, rndimg_instrument_serve_metrics, NULL,
                     self->config.no_metrics ? NULL : self->metrics);
  rndimg_router_add (router, "/polling/", RNDIMG_ROUTE_PREFIX, NULL, NULL, NULL);
  rndimg_router_add (router, RNDIMG_PICTURES_PATH, RNDIMG_ROUTE_PREFIX, rndimg_static_serve_image, NULL, self->files);
  rndimg_router_add (router, "/img/", RNDIMG_ROUTE_PREFIX, rndimg_variants_api_serve, NULL, self->variants_api);
  if (self->dogceo != NULL)
    {
      /* Every path under /api/ is dog.ceo's: its 404 has a "code". */
      static const char *const dogceo_prefixes[] = { "/api/", "/breeds/", "/breed/" };

      for (gsize i = 0; i < G_N_ELEMENTS (dogceo_prefixes); i++)
        rndimg_router_add (router, dogceo_prefixes[i], RNDIMG_ROUTE_PREFIX, rndimg_dogceo_serve, NULL, self->dogceo);
    }
  /* The tutorial's page does XMLHttpRequest POST / and reads "message":
   * a GET handler and a POST handler serving different objects. */
  rndimg_router_add (router, "/", 0, NULL, rndimg_api_random, api);
  /* Picsum's paths (/300/200, /id/..., /seed/..., /v2/list) are tried
   * before the web page's files; any other path goes on to those. */
  if (self->picsum != NULL)
    rndimg_router_add (router, "/", RNDIMG_ROUTE_PREFIX, rndimg_picsum_serve, NULL, self->picsum);
  rndimg_router_add (router, "/", RNDIMG_ROUTE_PREFIX, rndimg_static_serve_web, NULL, self->files);
  self->router = router;
}

/* --broker: "memory" (this process, its history in --state-file) or a
 * redis:// URL shared by every node (anything else: the Redis broker's
 * error). */
static RndimgBroker *
make_broker (const RndimgConfig *config, GError **error)
{
  RndimgBroker *broker;
  g_autofree char *state_file = NULL;

  if (config->broker == NULL || g_str_equal (config->broker, "memory"))
    return rndimg_memory_broker_new_with_state ((guint) config->history, config->state_file);
  broker = rndimg_redis_broker_new (config->broker, (guint) config->history, error);
  if (broker == NULL)
    return NULL;
  /* Held over two and a half ticks: a late tick keeps it, a dead holder
   * loses it. */
  rndimg_redis_broker_set_slideshow_lease (RNDIMG_REDIS_BROKER (broker), (guint) (config->interval_seconds * 2500));
  if (config->state_file != NULL)
    state_file = rndimg_redis_broker_state_file_for (config->state_file, config->broker);
  rndimg_redis_broker_set_state_file (RNDIMG_REDIS_BROKER (broker), state_file);
  return broker;
}

/* The variants' disk cache: --variant-dir, else variants/ beside the
 * state file; none without either. */
static char *
variant_folder (const RndimgConfig *config)
{
  g_autofree char *state_folder = NULL;

  if (config->variant_dir != NULL)
    return g_strdup (config->variant_dir);
  if (config->state_file == NULL)
    return NULL;
  state_folder = g_path_get_dirname (config->state_file);
  return g_build_filename (state_folder, "variants", NULL);
}

static RndimgPictureVariants *
make_variants (const RndimgConfig *config, RndimgCatalogue *catalogue, RndimgPlaceholders *placeholders,
               RndimgRenderEngine *engine)
{
  g_autofree char *folder = variant_folder (config);
  RndimgPictureVariantsSettings settings = {
    .engine = engine,
    .render = {
      .workers = (guint) config->render_workers,
      .queue_limit = (guint) config->render_queue,
      .time_limit_seconds = config->render_timeout_seconds,
      .max_input_pixels = (guint64) config->max_input_pixels,
      .memory_budget = (guint64) config->render_memory_bytes,
    },
    .memory_budget = (guint64) config->variant_memory_bytes,
    .disk_folder = folder,
    .disk_budget = (guint64) config->variant_disk_bytes,
  };

  return rndimg_picture_variants_new (catalogue, placeholders, &settings);
}

/* Most clients a rate limit keeps a bucket for at once (about 100 bytes
 * each); beyond, newcomers share one until buckets fill up again. */
#define MAX_LIMITED_CLIENTS 65536

/* @name in the state folder (the --state-file's); without a state file,
 * in .rndimg of the uploads folder (a dot folder: never an album). */
static char *
state_path (const RndimgConfig *config, const char *name)
{
  g_autofree char *folder = config->state_file != NULL ? g_path_get_dirname (config->state_file)
                                                      : g_build_filename (config->uploads_dir, ".rndimg", NULL);

  return g_build_filename (folder, name, NULL);
}

/* The folders the server keeps its own files in: the state folder, the
 * variants' disk cache and the trash, which may be inside a picture folder
 * (systemd's state folder is also the uploads folder). */
static GStrv
own_folders (const RndimgConfig *config)
{
  g_autoptr(GStrvBuilder) folders = g_strv_builder_new ();
  g_autofree char *variants = variant_folder (config);
  g_autofree char *trash = state_path (config, "trash");
  g_autofree char *state = config->state_file != NULL ? g_path_get_dirname (config->state_file) : NULL;

  if (state != NULL)
    g_strv_builder_add (folders, state);
  if (variants != NULL)
    g_strv_builder_add (folders, variants);
  g_strv_builder_add (folders, trash);
  return g_strv_builder_end (folders);
}

/* Who may do what, how fast, and where deletions go. */
static gboolean
make_access (RndimgService *self, GError **error)
{
  const RndimgConfig *config = &self->config;
  g_autofree char *keys = config->signing_keys_file != NULL ? g_strdup (config->signing_keys_file)
                                                            : state_path (config, "signing-keys");
  g_autofree char *trash = state_path (config, "trash");

  self->credentials = rndimg_credentials_new ();
  if (!rndimg_credentials_load (self->credentials, config, error))
    return FALSE;
  self->signer = rndimg_url_signer_new ((guint) config->signed_url_seconds);
  if (!rndimg_url_signer_load (self->signer, keys, config->signing_keys_file == NULL, error))
    {
      g_prefix_error (error, "signing keys: ");
      return FALSE;
    }
  self->writes = rndimg_rate_limiter_new ("writes", config->write_rate, (guint) config->write_burst,
                                          MAX_LIMITED_CLIENTS);
  self->renders = rndimg_rate_limiter_new ("renders", config->render_rate, (guint) config->render_burst,
                                           MAX_LIMITED_CLIENTS);
  self->trash = rndimg_trash_new (trash, config->trash_days);
  self->audit = rndimg_audit_new (self->metrics);
  return TRUE;
}

/* @name in the state folder, beside the broker's state file (NULL: none). */
static char *
state_folder_file (const RndimgConfig *config, const char *name)
{
  g_autofree char *folder = config->state_file != NULL ? g_path_get_dirname (config->state_file) : NULL;

  return folder != NULL ? g_build_filename (folder, name, NULL) : NULL;
}

/* Every picture's number, kept in the state folder, for Picsum's ids. */
static RndimgPictureNumbers *
make_numbers (const RndimgConfig *config, RndimgCatalogue *catalogue)
{
  g_autofree char *path = state_folder_file (config, RNDIMG_PICTURE_NUMBERS_FILE);
  RndimgPictureNumbers *numbers = rndimg_picture_numbers_new (path);

  rndimg_picture_numbers_follow (numbers, catalogue);
  return numbers;
}

/* What a crash (kill -9, power loss) left in the uploads folder. */
static void
sweep_uploads (const char *uploads_dir)
{
  guint removed = rndimg_picture_writer_sweep (uploads_dir);

  if (removed > 0)
    g_message ("removed %u temporary file%s a crash left in %s", removed, removed == 1 ? "" : "s", uploads_dir);
}

/* The routes run on libsoup's requests, and (unless --no-hot-path) on
 * those the hot path reads itself; both report to the request watch. */
static void
start_executors (RndimgService *self)
{
  self->request_watch = (RndimgRequestWatch) { on_request_started, on_request_finished, self };
  self->soup_executor = rndimg_soup_executor_new (self->server, self->connections, self->router, self->refusals,
                                                  &self->request_watch);
  if (!self->config.no_hot_path)
    self->hot_path = rndimg_hot_path_new (self->connections, self->router, self->refusals, &self->request_watch);
}

RndimgService *
rndimg_service_new (const RndimgConfig *config, GError **error)
{
  g_autoptr(RndimgService) self = g_object_new (RNDIMG_TYPE_SERVICE, NULL);
  g_autofree char *placeholders_path = NULL;
  g_autofree char *render_module = NULL;
  g_auto(GStrv) own = NULL;

  rndimg_config_copy (&self->config, config);
  self->metrics = rndimg_metrics_new ();
  self->instrument = rndimg_instrument_new (self->metrics);
  self->server = soup_server_new ("server-header", "rndimg/" PACKAGE_VERSION, NULL);
  self->connections = rndimg_connections_new (self->server);
  self->refusals = rndimg_refusals_new ();
  rndimg_connections_set_refuse (self->connections, on_gate_refusal, self);
  rndimg_connections_set_busy_poll (self->connections, (guint) config->busy_poll_usec);
  sweep_uploads (config->uploads_dir);
  self->catalogue = rndimg_catalogue_new (config->images_dir, config->uploads_dir,
                                          (const char *const *) (own = own_folders (config)), error);
  if (self->catalogue == NULL || !make_access (self, error))
    return NULL;
  /* For the placeholders' worker and the renderer; libvips is loaded
   * with it when one of them first needs it, not here. */
  render_module = rndimg_render_engine_find_module ();
  self->render_engine = rndimg_render_engine_new (render_module);
  self->broker = make_broker (config, error);
  if (self->broker == NULL)
    return NULL;
  /* Before the subscribers connect, so the timing spans all of them. */
  rndimg_instrument_time_fan_out (self->instrument, self->broker);
  self->long_polls = rndimg_long_poll_new (self->broker, self->connections, (guint) config->max_waiters);
  self->streams = rndimg_sse_new (self->broker, self->connections, (guint) config->max_streams,
                                  config->heartbeat_seconds);
  self->sockets = rndimg_websocket_new (self->broker, self->connections, (guint) config->max_sockets,
                                        config->heartbeat_seconds);
  rndimg_subscribers_set_privacy (self->long_polls, self->catalogue, self->credentials, self->signer);
  rndimg_subscribers_set_privacy (self->streams, self->catalogue, self->credentials, self->signer);
  rndimg_subscribers_set_privacy (self->sockets, self->catalogue, self->credentials, self->signer);
  if (RNDIMG_IS_REDIS_BROKER (self->broker))
    self->pictures = rndimg_picture_store_new (RNDIMG_REDIS_BROKER (self->broker), self->catalogue,
                                               config->uploads_dir, config->max_upload_bytes, self->trash);
  placeholders_path = state_folder_file (config, "placeholders.jsonl");
  self->placeholders = rndimg_placeholders_new (self->catalogue, self->render_engine, placeholders_path,
                                                (guint64) config->max_input_pixels);
  self->api = (RndimgApiContext) {
    .pictures_api = { self->catalogue, self->placeholders, self->credentials, self->signer },
    .credentials = self->credentials,
    .writes = self->writes,
    .trash = self->trash,
    .audit = self->audit,
    .config = &self->config,
    .catalogue = self->catalogue,
    .broker = self->broker,
    .long_polls = self->long_polls,
    .streams = self->streams,
    .sockets = self->sockets,
    .pictures = self->pictures,
    .started_usec = g_get_monotonic_time (),
  };
  self->event_details = rndimg_event_details_new (self->catalogue, self->placeholders);
  rndimg_broker_set_describer (self->broker, rndimg_event_details_describe, rndimg_event_details_url_path,
                               self->event_details);
  rndimg_api_context_load_description (&self->api);
  self->gate = (RndimgPictureGate) { self->catalogue, self->credentials, self->signer };
  self->files = rndimg_static_new (self->catalogue, self->config.web_dir);
  rndimg_static_set_gate (self->files, &self->gate);
  self->variants = make_variants (&self->config, self->catalogue, self->placeholders, self->render_engine);
  if (!config->no_picsum)
    {
      self->numbers = make_numbers (config, self->catalogue);
      self->picsum = rndimg_picsum_new (self->catalogue, self->numbers, self->variants, rndimg_static_serve_web,
                                        self->files);
    }
  self->variants_api = rndimg_variants_api_new (self->variants, self->numbers, &self->gate, self->renders,
                                                (guint) self->config.render_workers);
  if (!config->no_dogceo)
    self->dogceo = rndimg_dogceo_new (self->catalogue, self->files);
  if (!start_sources (self, error))
    return NULL;

  self->soup_errors = rndimg_soup_errors_new (self->server);
  add_routes (self);
  start_executors (self);
  self->limits = rndimg_limits_new (&self->config, self->refusals);
  rndimg_instrument_watch_requests (self->instrument, self->router, self->config.access_log);
  rndimg_instrument_add_readings (self->metrics, &(RndimgInstrumentedPush) {
    .long_polls = self->long_polls, .streams = self->streams,
    .sockets = self->sockets, .catalogue = self->catalogue,
    .variants = self->variants, .broker = self->broker, .writes = self->writes, .renders = self->renders,
    .trash = self->trash, .connections = self->connections,
  });
  return g_steal_pointer (&self);
}

/* We accept connections ourselves: libsoup 3.2's own listener leaks
 * every accepted GSocket and stops accepting for good after a single
 * failed accept (say, out of file descriptors for a moment). Each goes to
 * the hot path, which hands what is unusual to the SoupServer through
 * the gate (rndimg-gate.c; with --no-hot-path, every request), which
 * keeps heads libsoup 3.2 would leak on away from its parser. */
static gboolean
on_incoming (GSocketService *listener, GSocketConnection *socket_connection, GObject *source, gpointer user_data)
{
  RndimgService *self = user_data;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  RndimgConnection *connection;

  g_socket_set_option (g_socket_connection_get_socket (socket_connection), IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  if (self->certificate != NULL)
    tls = rndimg_tls_wrap (socket_connection, self->certificate, &error);
  if (error != NULL)
    {
      g_warning ("cannot start TLS on a connection: %s", error->message);
      return TRUE;
    }
  connection = rndimg_connections_accept (self->connections, socket_connection, tls);
  if (rndimg_limits_admit_connection (self->limits, connection))
    rndimg_connection_serve (connection);
  return TRUE;
}

static char *
url_for (GSocketAddress *address, gboolean tls)
{
  const char *scheme = tls ? "https" : "http";
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

  return strchr (host, ':') != NULL ? g_strdup_printf ("%s://[%s]:%u/", scheme, host, port)
                                    : g_strdup_printf ("%s://%s:%u/", scheme, host, port);
}

/* libsoup 3.2 keeps a connection open after an answer only when the
 * SoupServer has a listener of its own (request_finished() in
 * soup-server.c); without one, every answer closes its connection. We
 * accept connections ourselves, so it gets a listener that can never
 * accept anything: one end of a socket pair whose other end stays silent. */
static gboolean
add_keep_alive_listener (RndimgService *self, GError **error)
{
  g_autoptr(GSocket) listening_end = NULL;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socketpair: %s", g_strerror (errno));
      return FALSE;
    }
  listening_end = g_socket_new_from_fd (fds[0], error);
  self->silent_end = g_socket_new_from_fd (fds[1], error);
  if (listening_end == NULL || self->silent_end == NULL)
    return FALSE;
  return soup_server_listen_socket (self->server, listening_end, 0, error);
}

static gboolean
start_accepting (RndimgService *self, GSocketAddress *effective, GError **error)
{
  if (!add_keep_alive_listener (self, error))
    return FALSE;
  self->sweep_id = rndimg_connections_sweep (self->connections, (guint) self->config.idle_timeout_seconds,
                                             (guint) self->config.header_timeout_seconds);
  self->url = url_for (effective, self->certificate != NULL);
  g_signal_connect (self->listener, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->listener);
  return TRUE;
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
  return start_accepting (self, effective, error);
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
  return start_accepting (self, effective, error);
}

/* The URL the server listens on, e.g. http://127.0.0.1:5000/ */
const char *
rndimg_service_get_url (RndimgService *self)
{
  return self->url;
}

/* The routes (borrowed), for the test that compares them with the API's description. */
RndimgRouter *
rndimg_service_get_router (RndimgService *self)
{
  return self->router;
}

/* Ends held long-polls (204), event streams (a clean end of stream) and
 * WebSockets (close 1001),
 * stops the sources. The answers go out as the main loop runs on; see
 * rndimg_service_is_drained(). */
void
rndimg_service_begin_shutdown (RndimgService *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->long_polls != NULL)
    rndimg_subscribers_close_all (self->long_polls);
  if (self->streams != NULL)
    rndimg_subscribers_close_all (self->streams);
  if (self->sockets != NULL)
    rndimg_subscribers_close_all (self->sockets);
}

gboolean
rndimg_service_is_drained (RndimgService *self)
{
  return rndimg_subscribers_get_count (self->long_polls) == 0 &&
         rndimg_subscribers_get_count (self->streams) == 0 &&
         rndimg_subscribers_get_count (self->sockets) == 0;
}

/* Stops accepting and closes every connection. Safe to call twice. */
void
rndimg_service_shutdown (RndimgService *self)
{
  rndimg_service_begin_shutdown (self);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->refusals != NULL)
    rndimg_refusals_close_all (self->refusals);
  if (self->connections != NULL)
    {
      rndimg_connections_flush_later (self->connections);
      rndimg_connections_close_all (self->connections);
    }
  if (self->listener != NULL)
    {
      g_socket_service_stop (self->listener);
      g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
    }
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  if (self->render_engine != NULL)
    rndimg_render_engine_close (self->render_engine);
}

RndimgCatalogue *
rndimg_service_get_catalogue (RndimgService *self)
{
  return self->catalogue;
}

const RndimgConfig *
rndimg_service_get_config (RndimgService *self)
{
  return &self->config;
}

/* Serve HTTPS with @certificate (NULL: plain HTTP). Set before listening;
 * at a reload (SIGHUP), new connections get the new one and open ones
 * keep theirs. */
void
rndimg_service_set_tls_certificate (RndimgService *self, GTlsCertificate *certificate)
{
  g_set_object (&self->certificate, certificate);
}

/* SIGHUP: a new token (NULL: none) takes effect for the next request,
 * with the tokens file and the JWT key read again; FALSE with @error: the
 * credentials stay as they were. */
gboolean
rndimg_service_reload_credentials (RndimgService *self, const char *token, GError **error)
{
  g_autofree char *old = g_steal_pointer (&self->config.token);

  self->config.token = g_strdup (token);
  if (rndimg_credentials_load (self->credentials, &self->config, error))
    return TRUE;
  g_free (self->config.token);
  self->config.token = g_steal_pointer (&old);
  return FALSE;
}

/* SIGHUP: the signing keys read again (a rotation). */
gboolean
rndimg_service_reload_signing_keys (RndimgService *self, GError **error)
{
  g_autofree char *keys = self->config.signing_keys_file != NULL ? g_strdup (self->config.signing_keys_file)
                                                                 : state_path (&self->config, "signing-keys");

  return rndimg_url_signer_load (self->signer, keys, FALSE, error);
}

/* How many named tokens the server takes now (for the reload's message). */
guint
rndimg_service_count_tokens (RndimgService *self)
{
  return rndimg_credentials_count_tokens (self->credentials);
}

/* What writes need, for the start-up message. */
const char *
rndimg_service_describe_writes (RndimgService *self)
{
  if (rndimg_credentials_configured (self->credentials))
    return "need a token or a JWT with their scope";
  return rndimg_credentials_anonymous_writes (self->credentials) ? "open (loopback only, no credentials configured)"
                                                                  : "disabled (no credentials configured)";
}
