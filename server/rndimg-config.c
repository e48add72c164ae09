/* SPDX-License-Identifier: MIT */
/* RndimgConfig's memory: clearing and copying its strings, next to the
 * struct so that a new string setting is added in one place here. */
#include "rndimg-config.h"

void
rndimg_config_clear (RndimgConfig *config)
{
  g_clear_pointer (&config->address, g_free);
  g_clear_pointer (&config->images_dir, g_free);
  g_clear_pointer (&config->uploads_dir, g_free);
  g_clear_pointer (&config->web_dir, g_free);
  g_clear_pointer (&config->token_file, g_free);
  g_clear_pointer (&config->token, g_free);
  g_clear_pointer (&config->public_url, g_free);
  g_clear_pointer (&config->tls_certificate, g_free);
  g_clear_pointer (&config->tls_key, g_free);
  g_clear_pointer (&config->allow_origins, g_strfreev);
  g_clear_pointer (&config->allow_hosts, g_strfreev);
  g_clear_pointer (&config->state_file, g_free);
  g_clear_pointer (&config->broker, g_free);
  g_clear_pointer (&config->variant_dir, g_free);
  g_clear_pointer (&config->tokens_file, g_free);
  g_clear_pointer (&config->jwt_key_file, g_free);
  g_clear_pointer (&config->jwt_algorithm, g_free);
  g_clear_pointer (&config->signing_keys_file, g_free);
}

/* Fills @to (uninitialized) with a deep copy of @from. */
void
rndimg_config_copy (RndimgConfig *to, const RndimgConfig *from)
{
  *to = *from;
  to->address = g_strdup (from->address);
  to->images_dir = g_strdup (from->images_dir);
  to->uploads_dir = g_strdup (from->uploads_dir);
  to->web_dir = g_strdup (from->web_dir);
  to->token_file = g_strdup (from->token_file);
  to->token = g_strdup (from->token);
  to->public_url = g_strdup (from->public_url);
  to->tls_certificate = g_strdup (from->tls_certificate);
  to->tls_key = g_strdup (from->tls_key);
  to->allow_origins = g_strdupv (from->allow_origins);
  to->allow_hosts = g_strdupv (from->allow_hosts);
  to->state_file = g_strdup (from->state_file);
  to->broker = g_strdup (from->broker);
  to->variant_dir = g_strdup (from->variant_dir);
  to->tokens_file = g_strdup (from->tokens_file);
  to->jwt_key_file = g_strdup (from->jwt_key_file);
  to->jwt_algorithm = g_strdup (from->jwt_algorithm);
  to->signing_keys_file = g_strdup (from->signing_keys_file);
}
