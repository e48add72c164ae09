/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-broker.h"

G_BEGIN_DECLS

typedef struct _RndimgPublishKeys RndimgPublishKeys;

RndimgPublishKeys *rndimg_publish_keys_new    (void);
void               rndimg_publish_keys_free   (RndimgPublishKeys      *self);
RndimgEvent       *rndimg_publish_keys_find   (RndimgPublishKeys      *self,
                                               const RndimgPublishKey *key,
                                               GError                **error);
void               rndimg_publish_keys_record (RndimgPublishKeys      *self,
                                               const RndimgPublishKey *key,
                                               RndimgEvent            *event);
guint              rndimg_publish_keys_count  (RndimgPublishKeys      *self);

G_END_DECLS
