/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSocket *rndimg_systemd_take_socket     (GError     **error);
char    *rndimg_systemd_socket_address  (GSocket     *socket);
void     rndimg_systemd_notify          (const char  *state);

G_END_DECLS
