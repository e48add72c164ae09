/* SPDX-License-Identifier: MIT */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void rndimg_access_log_install_writer (void);
void rndimg_access_log_record         (SoupServerMessage *msg,
                                       guint              status,
                                       guint64            bytes_sent,
                                       double             seconds);

G_END_DECLS
