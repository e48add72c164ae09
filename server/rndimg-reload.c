/* SPDX-License-Identifier: MIT */
/* SIGHUP (systemctl reload): re-reads what can change without dropping a
 * client: the credentials (the token from --token-file, else
 * RNDIMG_TOKEN; the --tokens-file; the --jwt-key), the signing keys, the
 * TLS certificate and key, and the image and uploads folders. Credentials
 * that cannot be read keep the old ones: a reload never opens the server
 * by mistake; a certificate or keys that cannot be loaded keep the old. */
#include "rndimg-reload.h"
#include "rndimg-settings.h"
#include "rndimg-systemd.h"
#include "rndimg-tls.h"

#include <glib-unix.h>

static void
reload_credentials (RndimgService *service)
{
  const RndimgConfig *config = rndimg_service_get_config (service);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gboolean had_token = config->token != NULL;

  if (!rndimg_settings_read_token (config->token_file, &token, &error) ||
      !rndimg_service_reload_credentials (service, token, &error))
    {
      g_warning ("reload: keeping the old credentials: %s", error->message);
      return;
    }
  if (token != NULL || had_token)
    g_message ("reload: token %s from %s", token == NULL ? "removed" : had_token ? "replaced" : "set",
               config->token_file != NULL ? config->token_file : "RNDIMG_TOKEN");
  if (config->tokens_file != NULL || config->jwt_key_file != NULL)
    g_message ("reload: %u token%s (%s%s%s)", rndimg_service_count_tokens (service),
               rndimg_service_count_tokens (service) == 1 ? "" : "s",
               config->tokens_file != NULL ? config->tokens_file : "", config->jwt_key_file != NULL ? ", JWT key " : "",
               config->jwt_key_file != NULL ? config->jwt_key_file : "");
}

static void
reload_signing_keys (RndimgService *service)
{
  g_autoptr(GError) error = NULL;

  if (!rndimg_service_reload_signing_keys (service, &error))
    g_warning ("reload: keeping the old signing keys: %s", error->message);
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
  reload_credentials (service);
  reload_signing_keys (service);
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
