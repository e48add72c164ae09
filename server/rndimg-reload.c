/* SPDX-License-Identifier: MIT */
/* SIGHUP (systemctl reload): re-reads what can change without dropping a
 * client: the token (from --token-file, else RNDIMG_TOKEN), the TLS
 * certificate and key, and the image and uploads folders. A token file
 * that cannot be read keeps the old token: a reload never opens the
 * server by mistake; a certificate that cannot be loaded keeps the old. */
#include "rndimg-reload.h"
#include "rndimg-settings.h"
#include "rndimg-systemd.h"
#include "rndimg-tls.h"

#include <glib-unix.h>

static void
reload_token (RndimgService *service)
{
  const RndimgConfig *config = rndimg_service_get_config (service);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gboolean had_token = config->token != NULL;

  if (config->token_file == NULL && g_getenv ("RNDIMG_TOKEN") == NULL)
    return;
  if (!rndimg_settings_read_token (config->token_file, &token, &error))
    {
      g_warning ("reload: keeping the old token: %s", error->message);
      return;
    }
  rndimg_service_set_token (service, token);
  g_message ("reload: token %s from %s", had_token ? "replaced" : "set",
             config->token_file != NULL ? config->token_file : "RNDIMG_TOKEN");
}

static void
reload_images (RndimgService *service)
{
  RndimgCatalogue *catalogue = rndimg_service_get_catalogue (service);
  guint before = rndimg_catalogue_get_count_all (catalogue);
  g_autoptr(GError) error = NULL;

  if (!rndimg_catalogue_rescan (catalogue, &error))
    {
      g_warning ("reload: %s", error->message);
      return;
    }
  g_message ("reload: %u images (were %u)", rndimg_catalogue_get_count_all (catalogue), before);
}

/* A renewed certificate: new connections get it, open ones keep theirs. */
static void
reload_certificate (RndimgService *service)
{
  const RndimgConfig *config = rndimg_service_get_config (service);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  if (config->tls_certificate == NULL)
    return;
  certificate = rndimg_tls_load_certificate (config->tls_certificate, config->tls_key, &error);
  if (certificate == NULL)
    {
      g_warning ("reload: keeping the old TLS certificate: %s", error->message);
      return;
    }
  rndimg_service_set_tls_certificate (service, certificate);
  g_message ("reload: TLS certificate from %s", config->tls_certificate);
}

void
rndimg_reload (RndimgService *service)
{
  rndimg_systemd_notify ("RELOADING=1");
  reload_token (service);
  reload_certificate (service);
  reload_images (service);
  rndimg_systemd_notify ("READY=1");
}

static gboolean
on_sighup (gpointer user_data)
{
  rndimg_reload (user_data);
  return G_SOURCE_CONTINUE;
}

/* Returns the id of the signal source. */
guint
rndimg_reload_on_sighup (RndimgService *service)
{
  return g_unix_signal_add (SIGHUP, on_sighup, service);
}
