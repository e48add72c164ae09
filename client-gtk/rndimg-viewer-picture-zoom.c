/* SPDX-License-Identifier: MIT */
/* The picture widget's zoom, as in Loupe: best fit (the whole picture,
 * never enlarged past 100 %) until a person zooms; zoom in and out by
 * steps, with Ctrl and the scroll wheel or a touchpad's pinch, each
 * keeping the point under the pointer (or the centre) in place; a
 * picture larger than the widget is panned by dragging it (or by the
 * scroll bars and the keys of the window). Zooming out past best fit
 * goes back to best fit. */
#include "rndimg-viewer-picture-private.h"

#include <math.h>

#define ZOOM_STEP 1.5           /* one Zoom In */
#define ZOOM_STEP_WHEEL 1.3     /* one notch of a wheel */
#define ZOOM_STEP_SURFACE 1.005 /* one pixel of a touchpad's scroll */

/* The widget's size; before it has one (its page is not shown yet), the
 * window's less what surrounds the picture, as a guess for a first load. */
static void
available_size (RndimgViewerPicture *self, double *width, double *height)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));

  *width = gtk_widget_get_width (GTK_WIDGET (self));
  *height = gtk_widget_get_height (GTK_WIDGET (self));
  if (*width > 0 && *height > 0)
    return;
  *width = root != NULL ? gtk_widget_get_width (root) : 0;
  *height = root != NULL ? gtk_widget_get_height (root) - 160 : 0;
  if (*width <= 0 || *height <= 0)
    *width = *height = 800;
}

static double
fit_zoom_for (RndimgViewerPicture *self, guint picture_width, guint picture_height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double width, height;

  if (picture_width == 0 || picture_height == 0)
    return 1.0;
  available_size (self, &width, &height);
  return MIN (MIN (width * scale / picture_width, height * scale / picture_height), 1.0);
}

/* The zoom that shows the whole picture, at most 100 %. */
double
_rndimg_viewer_picture_best_fit_zoom (RndimgViewerPicture *self)
{
  return fit_zoom_for (self, self->picture_width, self->picture_height);
}

static double
available_long_side (RndimgViewerPicture *self)
{
  double width, height;

  available_size (self, &width, &height);
  return MAX (width, height) * gtk_widget_get_scale_factor (GTK_WIDGET (self));
}

/* The longer side, in device pixels, of a picture of @width x @height at
 * best fit; of the widget when the size is not known. */
double
_rndimg_viewer_picture_fit_long_side (RndimgViewerPicture *self, guint width, guint height)
{
  if (width == 0 || height == 0)
    return available_long_side (self);
  return MAX (width, height) * fit_zoom_for (self, width, height);
}

/* The longer side of the picture as shown, in device pixels. */
double
_rndimg_viewer_picture_shown_long_side (RndimgViewerPicture *self)
{
  if (self->picture_width == 0 || self->picture_height == 0)
    return available_long_side (self);
  return MAX (self->picture_width, self->picture_height) * self->zoom;
}

/* Sets the zoom, keeping the picture's point under (@x, @y) there (the
 * widget's centre unless @at_pointer). Below best fit is best fit. */
void
_rndimg_viewer_picture_zoom_aiming (RndimgViewerPicture *self, double zoom, gboolean at_pointer,
                                    double x, double y)
{
  double fit = _rndimg_viewer_picture_best_fit_zoom (self);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double origin_x, origin_y, picture_x, picture_y;

  if (self->picture_width == 0 || self->picture_height == 0)
    return;
  if (!at_pointer)
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  zoom = CLAMP (zoom, MIN (fit, 1.0), RNDIMG_VIEWER_ZOOM_MAX);
  _rndimg_viewer_picture_content_origin (self, &origin_x, &origin_y);
  picture_x = (x - origin_x) * scale / self->zoom;
  picture_y = (y - origin_y) * scale / self->zoom;
  self->best_fit = zoom <= fit;
  self->zoom = self->best_fit ? fit : zoom;
  _rndimg_viewer_picture_configure (self);
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, picture_x * self->zoom / scale - x);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, picture_y * self->zoom / scale - y);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), _rndimg_viewer_picture_is_scrollable (self) ? "grab" : NULL);
  _rndimg_viewer_picture_notify_zoom (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  _rndimg_viewer_picture_sharpen_later (self);
}

void
rndimg_viewer_picture_set_zoom (RndimgViewerPicture *self, double zoom)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));

  _rndimg_viewer_picture_zoom_aiming (self, zoom, self->has_pointer, self->pointer_x, self->pointer_y);
}

void
rndimg_viewer_picture_best_fit (RndimgViewerPicture *self)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));

  self->best_fit = TRUE;
  self->zoom = _rndimg_viewer_picture_best_fit_zoom (self);
  _rndimg_viewer_picture_configure (self);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), NULL);
  _rndimg_viewer_picture_notify_zoom (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rndimg_viewer_picture_zoom_in (RndimgViewerPicture *self)
{
  rndimg_viewer_picture_set_zoom (self, self->zoom * ZOOM_STEP);
}

void
rndimg_viewer_picture_zoom_out (RndimgViewerPicture *self)
{
  rndimg_viewer_picture_set_zoom (self, self->zoom / ZOOM_STEP);
}

/* Scrolls by @x_pages and @y_pages of the widget (Ctrl and the arrows). */
void
rndimg_viewer_picture_pan (RndimgViewerPicture *self, double x_pages, double y_pages)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));

  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, gtk_adjustment_get_value (self->hadjustment) +
                                                 x_pages * gtk_adjustment_get_page_increment (self->hadjustment));
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, gtk_adjustment_get_value (self->vadjustment) +
                                                 y_pages * gtk_adjustment_get_page_increment (self->vadjustment));
}

static void
on_pointer (GtkEventControllerMotion *motion, double x, double y, RndimgViewerPicture *self)
{
  self->has_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
on_pointer_left (GtkEventControllerMotion *motion, RndimgViewerPicture *self)
{
  self->has_pointer = FALSE;
}

/* Ctrl and the wheel zoom; a touchpad pinches (its scroll, without Ctrl,
 * pans, as does the wheel: the scrolled window's). */
static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, RndimgViewerPicture *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  double step = gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_WHEEL ? ZOOM_STEP_WHEEL
                                                                                       : ZOOM_STEP_SURFACE;

  if ((state & GDK_CONTROL_MASK) == 0 || dy == 0)
    return FALSE;
  _rndimg_viewer_picture_zoom_aiming (self, self->zoom * exp (-dy * log (step)), self->has_pointer,
                                      self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
on_pinch_begin (GtkGesture *gesture, GdkEventSequence *sequence, RndimgViewerPicture *self)
{
  self->gesture_start_zoom = self->zoom;
}

static void
on_pinch (GtkGestureZoom *gesture, double scale, RndimgViewerPicture *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    return;
  _rndimg_viewer_picture_zoom_aiming (self, self->gesture_start_zoom * scale, TRUE, x, y);
}

/* A drag pans a picture larger than the widget; otherwise it is left to
 * drag and drop (the picture dragged out to another app). */
static void
on_drag_begin (GtkGestureDrag *drag, double x, double y, RndimgViewerPicture *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (drag));

  if ((button != GDK_BUTTON_PRIMARY && button != GDK_BUTTON_MIDDLE) || !_rndimg_viewer_picture_is_scrollable (self))
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  self->drag_x = 0;
  self->drag_y = 0;
}

static void
on_drag_update (GtkGestureDrag *drag, double x, double y, RndimgViewerPicture *self)
{
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, gtk_adjustment_get_value (self->hadjustment) - (x - self->drag_x));
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, gtk_adjustment_get_value (self->vadjustment) - (y - self->drag_y));
  self->drag_x = x;
  self->drag_y = y;
}

static void
on_drag_end (GtkGestureDrag *drag, double x, double y, RndimgViewerPicture *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), _rndimg_viewer_picture_is_scrollable (self) ? "grab" : NULL);
}

void
_rndimg_viewer_picture_zoom_init (RndimgViewerPicture *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkGesture *pinch = gtk_gesture_zoom_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (motion, "enter", G_CALLBACK (on_pointer), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_pointer), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_pointer_left), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (pinch, "begin", G_CALLBACK (on_pinch_begin), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (on_pinch), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}
