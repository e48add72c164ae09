/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RndimgDeadlines RndimgDeadlines;
typedef struct _RndimgDeadline RndimgDeadline;   /* a handle, for cancelling */

typedef void (*RndimgDeadlineFunc) (gpointer user_data);

RndimgDeadlines *rndimg_deadlines_new    (void);
void             rndimg_deadlines_free   (RndimgDeadlines    *self);
RndimgDeadline  *rndimg_deadlines_add    (RndimgDeadlines    *self,
                                          guint               delay_ms,
                                          RndimgDeadlineFunc  func,
                                          gpointer            user_data);
void             rndimg_deadlines_cancel (RndimgDeadlines    *self,
                                          RndimgDeadline     *handle);

G_END_DECLS
