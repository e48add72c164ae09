/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include "rndimg-access.h"
#include "rndimg-metrics.h"

G_BEGIN_DECLS

/* The audit records' log domain (one line each on a terminal:
 * rndimg-access-log.c). */
#define RNDIMG_AUDIT_DOMAIN "rndimg-audit"

typedef struct _RndimgAudit RndimgAudit;

RndimgAudit *rndimg_audit_new    (RndimgMetrics      *metrics);
void         rndimg_audit_free   (RndimgAudit        *self);
void         rndimg_audit_watch  (RndimgAudit        *self,
                                  RndimgExchange     *exchange,
                                  const RndimgAccess *access,
                                  const char         *action,
                                  const char         *target);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgAudit, rndimg_audit_free)

G_END_DECLS
