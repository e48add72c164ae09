/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-broker.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_MEMORY_BROKER (rndimg_memory_broker_get_type ())
G_DECLARE_FINAL_TYPE (RndimgMemoryBroker, rndimg_memory_broker, RNDIMG, MEMORY_BROKER, GObject)

RndimgBroker *rndimg_memory_broker_new            (guint       history_length);
RndimgBroker *rndimg_memory_broker_new_with_state (guint       history_length,
                                                   const char *state_file);

G_END_DECLS
