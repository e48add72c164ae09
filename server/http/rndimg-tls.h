/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GTlsCertificate *rndimg_tls_load_certificate (const char *certificate_file,
                                              const char *key_file,
                                              GError    **error);
GIOStream       *rndimg_tls_wrap             (GSocketConnection *connection,
                                              GTlsCertificate   *certificate,
                                              GError           **error);

G_END_DECLS
