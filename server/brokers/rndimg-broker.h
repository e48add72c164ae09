/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

#include "rndimg-event.h"
#include "rndimg-gone.h"

G_BEGIN_DECLS

#define RNDIMG_TYPE_BROKER (rndimg_broker_get_type ())
G_DECLARE_INTERFACE (RndimgBroker, rndimg_broker, RNDIMG, BROKER, GObject)

/* Why a publish failed, each a promise about what happened. */
#define RNDIMG_BROKER_ERROR (rndimg_broker_error_quark ())
typedef enum {
  RNDIMG_BROKER_ERROR_NOT_PUBLISHED,     /* it did not happen and never will: a retry is safe */
  RNDIMG_BROKER_ERROR_OUTCOME_UNKNOWN,   /* it may have happened: retry with the same key */
  RNDIMG_BROKER_ERROR_KEY_REUSED,        /* the key came with another request */
  RNDIMG_BROKER_ERROR_KEY_IN_FLIGHT,     /* a publish with the key is under way here */
  RNDIMG_BROKER_ERROR_NOT_LEASE_HOLDER,  /* a timer publish: another node runs the slideshow */
} RndimgBrokerError;

/* A client's Idempotency-Key, as the publish layer hands it on: a publish
 * with a key already recorded is answered with the recorded event (the
 * same request) or refused (another request), never published again. */
typedef struct {
  char *record;        /* a digest of the key and what it was used for: where it is kept */
  char *fingerprint;   /* a digest of the request it came with */
} RndimgPublishKey;

/* Records are kept this long, and at most this many (the oldest go). */
#define RNDIMG_PUBLISH_KEY_LIFETIME_SECONDS (24 * 60 * 60)
#define RNDIMG_PUBLISH_KEYS_KEPT 10000

/* What a broker says of its link to where events live (a broker in this
 * process is always up). */
typedef struct {
  gboolean up;                 /* it can publish and follows every event */
  gint64 last_answer_usec;     /* monotonic; 0: none (or not a remote broker) */
  guint64 losses;              /* times the link was lost after being up */
  guint publishes_pending;     /* publishes sent and not answered yet */
} RndimgBrokerLink;

/* Where events live. Answers come through callbacks, so a broker that asks
 * another process (Redis) fits the same slots as the one in memory. */
struct _RndimgBrokerInterface
{
  GTypeInterface g_iface;

  /* A picture published, or a change (a picture removed, changed,
   * moved; an album's), with @key (NULL: none). */
  void         (*publish_async)  (RndimgBroker            *self,
                                  const RndimgEventChange *change,
                                  const RndimgPublishKey  *key,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data);
  RndimgEvent *(*publish_finish) (RndimgBroker        *self,
                                  GAsyncResult        *result,
                                  gboolean            *replayed,
                                  GError             **error);
  /* Optional: a broker in this process publishes at once, without the
   * main-loop pass a GTask's answer takes: publish_async() done in the
   * call, its event returned (transfer full) or NULL with @error. */
  RndimgEvent *(*publish_now)    (RndimgBroker            *self,
                                  const RndimgEventChange *change,
                                  const RndimgPublishKey  *key,
                                  gboolean                *replayed,
                                  GError                 **error);
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
  /* Optional: whether the history here holds every event published
   * (default TRUE); and a wait until it holds every event published
   * before the call (default: at once). */
  gboolean     (*is_current)     (RndimgBroker        *self);
  void         (*sync_async)     (RndimgBroker        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  gboolean     (*sync_finish)    (RndimgBroker        *self,
                                  GAsyncResult        *result,
                                  GError             **error);
  /* Optional: the link (default: up). */
  void         (*get_link)       (RndimgBroker        *self,
                                  RndimgBrokerLink    *link);
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

GQuark       rndimg_broker_error_quark    (void);
void         rndimg_broker_publish_async  (RndimgBroker        *self,
                                           const char          *name,
                                           const char          *source,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void         rndimg_broker_publish_with_key_async (RndimgBroker    *self,
                                           const RndimgEventChange *change,
                                           const RndimgPublishKey *key,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void         rndimg_broker_publish_change_async (RndimgBroker            *self,
                                           const RndimgEventChange *change,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
RndimgEvent *rndimg_broker_publish_finish (RndimgBroker        *self,
                                           GAsyncResult        *result,
                                           gboolean            *replayed,
                                           GError             **error);
gboolean     rndimg_broker_can_publish_now (RndimgBroker       *self);
RndimgEvent *rndimg_broker_publish_now    (RndimgBroker            *self,
                                           const RndimgEventChange *change,
                                           const RndimgPublishKey  *key,
                                           gboolean                *replayed,
                                           GError                 **error);
void         rndimg_broker_return_published (GTask             *task,
                                           RndimgEvent         *event,
                                           gboolean             replayed);
gboolean     rndimg_broker_is_current     (RndimgBroker        *self);
void         rndimg_broker_sync_async     (RndimgBroker        *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean     rndimg_broker_sync_finish    (RndimgBroker        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void         rndimg_broker_get_link       (RndimgBroker        *self,
                                           RndimgBrokerLink    *link);
RndimgPublishKey *rndimg_publish_key_copy (const RndimgPublishKey *key);
void         rndimg_publish_key_free      (RndimgPublishKey    *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgPublishKey, rndimg_publish_key_free)
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
