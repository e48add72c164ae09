/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-render-engine.h"
#include "rndimg-variant.h"

G_BEGIN_DECLS

typedef struct _RndimgEncoders RndimgEncoders;

typedef void (*RndimgEncodersFunc) (gpointer user_data);

RndimgEncoders *rndimg_encoders_new        (RndimgRenderEngine *engine,
                                            GMainContext       *context);
void            rndimg_encoders_free       (RndimgEncoders     *self);
gboolean        rndimg_encoders_known      (RndimgEncoders     *self,
                                            gboolean            with_avif);
void            rndimg_encoders_when_known (RndimgEncoders     *self,
                                            gboolean            with_avif,
                                            RndimgEncodersFunc  func,
                                            gpointer            user_data,
                                            GDestroyNotify      free_data);
gboolean        rndimg_encoders_can_encode (RndimgEncoders     *self,
                                            RndimgFormat        format);

G_END_DECLS
