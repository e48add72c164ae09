/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

#include "rndimg-answer.h"

G_BEGIN_DECLS

/* The rows of the pane, in the order shown. */
typedef enum {
  RNDIMG_PROPERTY_ALT,
  RNDIMG_PROPERTY_AUTHOR,
  RNDIMG_PROPERTY_LICENSE,
  RNDIMG_PROPERTY_SOURCE,
  RNDIMG_PROPERTY_ALBUM,
  RNDIMG_PROPERTY_NAME,
  RNDIMG_PROPERTY_SIZE,
  RNDIMG_PROPERTY_SHOWN,
  RNDIMG_PROPERTY_FILE_SIZE,
  RNDIMG_PROPERTY_TYPE,
  RNDIMG_PROPERTY_MODIFIED,
  RNDIMG_PROPERTY_PUBLISHED,
  RNDIMG_PROPERTY_N,
} RndimgProperty;

#define RNDIMG_TYPE_VIEWER_PROPERTIES (rndimg_viewer_properties_get_type ())
G_DECLARE_FINAL_TYPE (RndimgViewerProperties, rndimg_viewer_properties, RNDIMG, VIEWER_PROPERTIES, GtkWidget)

GtkWidget  *rndimg_viewer_properties_new        (void);
void        rndimg_viewer_properties_set_answer (RndimgViewerProperties *self,
                                                 const RndimgAnswer     *answer,
                                                 const char             *album_title);
void        rndimg_viewer_properties_set_shown  (RndimgViewerProperties *self,
                                                 GdkTexture             *texture,
                                                 gboolean                original);
const char *rndimg_viewer_properties_get_value  (RndimgViewerProperties *self,
                                                 RndimgProperty          property);

G_END_DECLS
