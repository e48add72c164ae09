/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-config.h"

G_BEGIN_DECLS

/* How rndimg_settings_load() ended. */
typedef enum {
  RNDIMG_SETTINGS_RUN,        /* @config is complete: start the server */
  RNDIMG_SETTINGS_DONE,       /* --version was answered: exit 0 */
  RNDIMG_SETTINGS_BAD_USAGE,  /* a bad flag, variable or config file: exit 2 */
} RndimgSettingsResult;

RndimgSettingsResult rndimg_settings_load       (int          *argc,
                                                 char       ***argv,
                                                 RndimgConfig *config,
                                                 GError      **error);
gboolean             rndimg_settings_read_token (const char   *token_file,
                                                 char        **token,
                                                 GError      **error);

G_END_DECLS
