/* SPDX-License-Identifier: MIT */
/* The audit log: one record per write (publish, upload, delete, edit,
 * move, an album's), whatever became of it: who (the credential's name,
 * never the credential), what (the action and its target), when, from
 * where (the client's address) and the status it was answered. Always
 * on, at notice level in the log domain "rndimg-audit": on a terminal one
 * line, under systemd a journal record with one field per value
 * (RNDIMG_AUDIT_WHO, RNDIMG_AUDIT_ACTION, RNDIMG_AUDIT_TARGET,
 * REMOTE_ADDR, HTTP_STATUS), so `journalctl RNDIMG_AUDIT_ACTION=delete`
 * finds them. Each is counted in /metrics (rndimg_audited_writes_total). */
#include "rndimg-audit.h"
#include "rndimg-utc-text.h"

struct _RndimgAudit
{
  RndimgMetrics *metrics;   /* borrowed */
};

/* What is recorded when the message is answered. */
typedef struct {
  RndimgAudit *audit;
  char *who;
  char *action;
  char *target;
  char *remote;
} Pending;

RndimgAudit *
rndimg_audit_new (RndimgMetrics *metrics)
{
  RndimgAudit *self = g_new0 (RndimgAudit, 1);

  self->metrics = metrics;
  return self;
}

void
rndimg_audit_free (RndimgAudit *self)
{
  g_free (self);
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_free (pending->who);
  g_free (pending->action);
  g_free (pending->target);
  g_free (pending->remote);
  g_free (pending);
}

static void
record (Pending *pending, guint status)
{
  char when[RNDIMG_UTC_TEXT_SIZE];
  char status_text[16];
  g_autofree char *line = NULL;

  rndimg_utc_text (g_get_real_time (), when);
  g_snprintf (status_text, sizeof status_text, "%u", status);
  line = g_strconcat ("audit: ", pending->who, " ", pending->action, " ", pending->target, " from ",
                      pending->remote, " at ", when, ": ", status_text, NULL);
  {
    const GLogField fields[] = {
      { "MESSAGE", line, -1 },
      { "PRIORITY", "5", -1 },
      { "GLIB_DOMAIN", RNDIMG_AUDIT_DOMAIN, -1 },
      { "RNDIMG_AUDIT_WHO", pending->who, -1 },
      { "RNDIMG_AUDIT_ACTION", pending->action, -1 },
      { "RNDIMG_AUDIT_TARGET", pending->target, -1 },
      { "REMOTE_ADDR", pending->remote, -1 },
      { "HTTP_STATUS", status_text, -1 },
    };

    g_log_structured_array (G_LOG_LEVEL_MESSAGE, fields, G_N_ELEMENTS (fields));
  }
  rndimg_metrics_count_write (pending->audit->metrics, pending->action, status);
}

static void
on_reported (guint status, gpointer user_data)
{
  record (user_data, status);
}

/* Records @exchange, a write of @action on @target by @access (NULL: not known
 * yet, a credential refused), once it is answered. */
void
rndimg_audit_watch (RndimgAudit *self, RndimgExchange *exchange, const RndimgAccess *access, const char *action,
                    const char *target)
{
  Pending *pending = g_new0 (Pending, 1);
  const char *remote = rndimg_exchange_get_remote_host (exchange);

  pending->audit = self;
  pending->who = g_strdup (access != NULL ? access->who : "refused-credential");
  pending->action = g_strdup (action);
  pending->target = g_strdup (target != NULL && *target != '\0' ? target : "-");
  pending->remote = g_strdup (remote != NULL ? remote : "-");
  rndimg_exchange_on_reported (exchange, on_reported, pending, pending_free);
}
