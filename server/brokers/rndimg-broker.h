/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-event.h"
#include "rndimg-gone.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_BROKER (rndimg_broker_get_type ())
G_DECLARE_INTERFACE (RndimgBroker, rndimg_broker, RNDIMG, BROKER, GObject)

/* Where events live. Answers come through callbacks, so a broker that asks
 * another process (Redis) fits the same slots as the one in memory. */
struct _RndimgBrokerInterface
{
  GTypeInterface g_iface;

  void         (*publish_async)  (RndimgBroker        *self,
                                  const char          *name,
                                  const char          *source,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  RndimgEvent *(*publish_finish) (RndimgBroker        *self,
                                  GAsyncResult        *result,
                                  GError             **error);
  void         (*history_async)  (RndimgBroker        *self,
                                  gint64               since,
                                  const char *const   *albums,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  GPtrArray   *(*history_finish) (RndimgBroker        *self,
                                  GAsyncResult        *result,
                                  gint64              *missed,
                                  GError             **error);
  gint64       (*get_newest_id)  (RndimgBroker        *self);
  const char  *(*get_epoch)      (RndimgBroker        *self);
  /* Optional: why publishing cannot work right now (NULL: it can). */
  const char  *(*get_problem)    (RndimgBroker        *self);
  /* Optional: a client resumes after id @since (of history @epoch, NULL:
   * not said); a broker that lost its ids may learn how far they went. */
  void         (*client_resumes) (RndimgBroker        *self,
                                  gint64               since,
                                  const char          *epoch);

  /* Where the implementation keeps what gives events their pictures'
   * details (rndimg_broker_set_describer()). */
  RndimgEventDescriber *(*get_describer) (RndimgBroker *self);

  /* signal class closure */
  void         (*published)      (RndimgBroker        *self,
                                  RndimgEvent         *event);
};

void         rndimg_broker_publish_async  (RndimgBroker        *self,
                                           const char          *name,
                                           const char          *source,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
RndimgEvent *rndimg_broker_publish_finish (RndimgBroker        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void         rndimg_broker_history_async  (RndimgBroker        *self,
                                           gint64               since,
                                           const char *const   *albums,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GPtrArray   *rndimg_broker_history_finish (RndimgBroker        *self,
                                           GAsyncResult        *result,
                                           gint64              *missed,
                                           GError             **error);
gint64       rndimg_broker_get_newest_id  (RndimgBroker        *self);
const char  *rndimg_broker_get_epoch      (RndimgBroker        *self);
const char  *rndimg_broker_get_problem    (RndimgBroker        *self);
gint64       rndimg_broker_resume_point   (RndimgBroker        *self,
                                           gint64               since,
                                           const char          *epoch);
void         rndimg_broker_set_describer  (RndimgBroker        *self,
                                           RndimgEventDescribeFunc describe,
                                           RndimgEventUrlPathFunc url_path,
                                           gpointer             user_data);
char        *rndimg_broker_new_epoch      (void);
void         rndimg_broker_emit_published (RndimgBroker        *self,
                                           RndimgEvent         *event);

/* For implementations that keep their history as a GQueue of events:
 * a whole history_async(). Their publish_finish() and history_finish()
 * are the interface's defaults (a GTask holding the answer). */
void         rndimg_broker_answer_history (RndimgBroker        *self,
                                           GQueue              *history,
                                           RndimgGone          *gone,
                                           gint64               since,
                                           const char *const   *albums,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);

G_END_DECLS
