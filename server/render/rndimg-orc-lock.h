/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean rndimg_orc_lock_in_effect (void);

G_END_DECLS
