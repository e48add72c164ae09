/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-connection.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _RndimgFrameWriter RndimgFrameWriter;

typedef void (*RndimgFrameWriterFailed) (gpointer user_data);
typedef void (*RndimgFrameWriterDone)   (RndimgConnection *connection,
                                         gpointer          user_data);

RndimgFrameWriter *rndimg_frame_writer_new       (gsize                    max_queued_bytes,
                                                  RndimgFrameWriterFailed  failed,
                                                  gpointer                 user_data);
gboolean           rndimg_frame_writer_take_over (RndimgFrameWriter       *self,
                                                  RndimgConnection        *connection);
gboolean           rndimg_frame_writer_write     (RndimgFrameWriter       *self,
                                                  GBytes                  *frame);
void               rndimg_frame_writer_write_first (RndimgFrameWriter     *self,
                                                  GBytes                  *frame);
void               rndimg_frame_writer_finish    (RndimgFrameWriter       *self,
                                                  RndimgFrameWriterDone    done,
                                                  gpointer                 user_data);
void               rndimg_frame_writer_free      (RndimgFrameWriter       *self);

G_END_DECLS
