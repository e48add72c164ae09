/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RndimgSendBatch RndimgSendBatch;

/* What became of one send: the bytes the kernel took, or -errno. */
typedef void (*RndimgSendDone) (gssize result, gpointer user_data);

RndimgSendBatch *rndimg_send_batch_new    (void);
void             rndimg_send_batch_free   (RndimgSendBatch *self);
guint64          rndimg_send_batch_add    (RndimgSendBatch *self,
                                           int              fd,
                                           GBytes          *bytes,
                                           RndimgSendDone   done,
                                           gpointer         user_data);
void             rndimg_send_batch_forget (RndimgSendBatch *self,
                                           guint64          ticket);
void             rndimg_send_batch_submit (RndimgSendBatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgSendBatch, rndimg_send_batch_free)

G_END_DECLS
