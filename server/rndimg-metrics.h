/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RNDIMG_TYPE_METRICS (rndimg_metrics_get_type ())
G_DECLARE_FINAL_TYPE (RndimgMetrics, rndimg_metrics, RNDIMG, METRICS, GObject)

/* Reads a value owned elsewhere (held long-polls, open streams, ...). */
typedef double (*RndimgMetricsReadFunc) (gpointer user_data);

RndimgMetrics *rndimg_metrics_new              (void);
void           rndimg_metrics_add_reading      (RndimgMetrics        *self,
                                                const char           *name,
                                                const char           *type,
                                                const char           *help,
                                                RndimgMetricsReadFunc read,
                                                gpointer              user_data);
void           rndimg_metrics_request_started  (RndimgMetrics        *self);
void           rndimg_metrics_request_finished (RndimgMetrics        *self,
                                                const char           *route,
                                                const char           *method,
                                                guint                 status,
                                                guint64               bytes_sent,
                                                double                seconds,
                                                const char           *executor);
void           rndimg_metrics_count_upload     (RndimgMetrics        *self,
                                                const char           *result);
void           rndimg_metrics_count_write      (RndimgMetrics        *self,
                                                const char           *action,
                                                guint                 status);
void           rndimg_metrics_count_publish    (RndimgMetrics        *self,
                                                const char           *source,
                                                double                fan_out_seconds);
void           rndimg_metrics_observe_render   (RndimgMetrics        *self,
                                                double                seconds);
char          *rndimg_metrics_render           (RndimgMetrics        *self);

G_END_DECLS
