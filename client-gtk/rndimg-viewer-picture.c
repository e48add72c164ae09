/* SPDX-License-Identifier: MIT */
/* RndimgViewerPicture: one picture of the server, as Loupe's LpImage
 * shows one: fit to the widget (never enlarged past 100 %) or zoomed,
 * scrolled as a GtkScrollable in a GtkScrolledWindow, its placeholder
 * drawn in its place while it loads, and always the variant the shown
 * size needs (rndimg-viewer-picture-loading.c). This file draws and
 * scrolls; zoom and gestures are in rndimg-viewer-picture-zoom.c.
 *
 * Zoom is in device pixels per picture pixel: 1.0 is 100 %, one pixel of
 * the picture on one pixel of the screen, whatever the scale factor. */
#include "rndimg-viewer-picture-private.h"

#include <math.h>

static void rndimg_viewer_picture_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RndimgViewerPicture, rndimg_viewer_picture, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, rndimg_viewer_picture_scrollable_init))

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_BEST_FIT,
  PROP_TEXTURE,
  N_PROPS,
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};
static GParamSpec *properties[N_PROPS];

static void
rndimg_viewer_picture_scrollable_init (GtkScrollableInterface *iface)
{
}

/* The picture's size on screen, in logical pixels. */
static void
shown_size (RndimgViewerPicture *self, double *width, double *height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  *width = self->picture_width * self->zoom / scale;
  *height = self->picture_height * self->zoom / scale;
}

static void
configure_adjustment (GtkAdjustment *adjustment, double content, double page)
{
  double value;

  if (adjustment == NULL)
    return;
  value = CLAMP (gtk_adjustment_get_value (adjustment), 0, MAX (content - page, 0));
  gtk_adjustment_configure (adjustment, value, 0, MAX (content, page), page * 0.1, page * 0.9, page);
}

/* The scroll bars follow the shown size: a page of the widget, the whole
 * of the picture. */
void
_rndimg_viewer_picture_configure (RndimgViewerPicture *self)
{
  double width, height;

  shown_size (self, &width, &height);
  configure_adjustment (self->hadjustment, round (width), gtk_widget_get_width (GTK_WIDGET (self)));
  configure_adjustment (self->vadjustment, round (height), gtk_widget_get_height (GTK_WIDGET (self)));
}

/* Where the picture's top-left corner is drawn: centred when it is
 * smaller than the widget, scrolled otherwise; on a device pixel, so that
 * 100 % is sharp. */
void
_rndimg_viewer_picture_content_origin (RndimgViewerPicture *self, double *x, double *y)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double width, height;
  int widget_width = gtk_widget_get_width (GTK_WIDGET (self));
  int widget_height = gtk_widget_get_height (GTK_WIDGET (self));

  shown_size (self, &width, &height);
  *x = width <= widget_width || self->hadjustment == NULL ? (widget_width - width) / 2
                                                          : -gtk_adjustment_get_value (self->hadjustment);
  *y = height <= widget_height || self->vadjustment == NULL ? (widget_height - height) / 2
                                                            : -gtk_adjustment_get_value (self->vadjustment);
  *x = round (*x * scale) / scale;
  *y = round (*y * scale) / scale;
}

/* TRUE when the picture is larger than the widget: dragging pans it. */
gboolean
_rndimg_viewer_picture_is_scrollable (RndimgViewerPicture *self)
{
  double width, height;

  shown_size (self, &width, &height);
  return width > gtk_widget_get_width (GTK_WIDGET (self)) + 0.5 ||
         height > gtk_widget_get_height (GTK_WIDGET (self)) + 0.5;
}

static void
rndimg_viewer_picture_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  RndimgViewerPicture *self = RNDIMG_VIEWER_PICTURE (widget);
  GdkTexture *shown = self->texture != NULL ? self->texture : self->placeholder;
  double x, y, width, height;

  if (shown == NULL || self->picture_width == 0 || self->picture_height == 0)
    return;
  _rndimg_viewer_picture_content_origin (self, &x, &y);
  shown_size (self, &width, &height);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                         gtk_widget_get_height (widget)));
  gtk_snapshot_append_texture (snapshot, shown, &GRAPHENE_RECT_INIT (x, y, width, height));
  gtk_snapshot_pop (snapshot);
}

/* Small enough to give way to the window; its natural size is the
 * picture's, up to a sensible window. */
static void
rndimg_viewer_picture_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                               int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  RndimgViewerPicture *self = RNDIMG_VIEWER_PICTURE (widget);
  guint side = orientation == GTK_ORIENTATION_HORIZONTAL ? self->picture_width : self->picture_height;

  *minimum = 0;
  *natural = (int) MIN (side / (guint) gtk_widget_get_scale_factor (widget), 800);
}

static void
rndimg_viewer_picture_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  RndimgViewerPicture *self = RNDIMG_VIEWER_PICTURE (widget);

  if (self->best_fit)
    {
      double fit = _rndimg_viewer_picture_best_fit_zoom (self);

      if (fit != self->zoom)
        {
          self->zoom = fit;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
        }
    }
  _rndimg_viewer_picture_configure (self);
  _rndimg_viewer_picture_sharpen_later (self);
}

static void
on_scale_factor_changed (RndimgViewerPicture *self, GParamSpec *pspec, gpointer user_data)
{
  gtk_widget_queue_resize (GTK_WIDGET (self));
  _rndimg_viewer_picture_sharpen_later (self);
}

static void
on_adjustment_changed (GtkAdjustment *adjustment, RndimgViewerPicture *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (RndimgViewerPicture *self, GtkAdjustment **slot, GtkAdjustment *adjustment)
{
  if (*slot == adjustment && adjustment != NULL)
    return;
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, self);
  g_clear_object (slot);
  *slot = g_object_ref_sink (adjustment != NULL ? adjustment : gtk_adjustment_new (0, 0, 0, 0, 0, 0));
  g_signal_connect (*slot, "value-changed", G_CALLBACK (on_adjustment_changed), self);
  _rndimg_viewer_picture_configure (self);
}

/* What a screen reader says of it: its name, and the owner's alt text as
 * its description. */
static void
describe (RndimgViewerPicture *self)
{
  const RndimgAnswer *answer = self->answer;

  if (answer == NULL)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, answer->name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, answer->alt != NULL ? answer->alt : answer->name,
                                  -1);
}

/* Shows @answer's picture: @texture when it is in hand, else its
 * placeholder (NULL when the answer gives no size). A new picture starts
 * at best fit. */
void
_rndimg_viewer_picture_set_shown (RndimgViewerPicture *self, const RndimgAnswer *answer, GdkTexture *texture)
{
  gboolean same = self->answer != NULL && answer != NULL && g_strcmp0 (self->answer->url, answer->url) == 0;

  if (self->answer != answer)
    {
      g_clear_pointer (&self->answer, rndimg_answer_free);
      self->answer = answer != NULL ? rndimg_answer_copy (answer) : NULL;
    }
  g_clear_object (&self->placeholder);
  if (texture == NULL && answer != NULL)
    self->placeholder = _rndimg_viewer_picture_placeholder_for (answer);
  self->picture_width = answer != NULL ? answer->width : 0;
  self->picture_height = answer != NULL ? answer->height : 0;
  _rndimg_viewer_picture_set_texture (self, texture);
  if (!same && !self->best_fit)
    rndimg_viewer_picture_best_fit (self);
  describe (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* A better texture of the picture shown (or its first). */
void
_rndimg_viewer_picture_set_texture (RndimgViewerPicture *self, GdkTexture *texture)
{
  if (texture != NULL && (self->picture_width == 0 || self->picture_height == 0))
    {
      /* The answer did not say: the texture is the best guess. */
      self->picture_width = gdk_texture_get_width (texture);
      self->picture_height = gdk_texture_get_height (texture);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  if (texture != NULL)
    g_clear_object (&self->placeholder);
  if (self->texture != texture)
    {
      g_clear_object (&self->texture);
      self->texture = texture != NULL ? g_object_ref (texture) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Shows @answer's picture with @texture, a decoded one in hand (the
 * history's), or its placeholder and loads it when @texture is NULL;
 * either way, a larger variant comes when the shown size needs one. */
void
rndimg_viewer_picture_show (RndimgViewerPicture *self, const RndimgAnswer *answer, GdkTexture *texture)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));
  g_return_if_fail (answer != NULL);

  if (self->answer != NULL && g_strcmp0 (self->answer->url, answer->url) == 0 &&
      (texture == NULL || texture == self->texture) && self->loading == NULL)
    return;   /* shown already */
  _rndimg_viewer_picture_stop_loading (self);
  _rndimg_viewer_picture_set_shown (self, answer, texture);
  if (texture == NULL)
    _rndimg_viewer_picture_fetch_better (self);
  else
    _rndimg_viewer_picture_sharpen_later (self);
}

/* Shows nothing. */
void
rndimg_viewer_picture_clear (RndimgViewerPicture *self)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));

  _rndimg_viewer_picture_stop_loading (self);
  _rndimg_viewer_picture_set_shown (self, NULL, NULL);
}

/* The picture shown, @name, changed its text or moved (@answer has its
 * new name and URL): shown on as it is, described by @answer. FALSE when
 * it is not the one shown. */
gboolean
rndimg_viewer_picture_update_answer (RndimgViewerPicture *self, const char *name, const RndimgAnswer *answer)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), FALSE);

  if (self->answer == NULL || g_strcmp0 (self->answer->name, name) != 0)
    return FALSE;
  rndimg_answer_free (self->answer);
  self->answer = rndimg_answer_copy (answer);
  self->answer->kind = RNDIMG_ANSWER_PUBLISHED;
  describe (self);
  return TRUE;
}

void
rndimg_viewer_picture_set_client (RndimgViewerPicture *self, RndimgClient *client)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));

  g_clear_object (&self->client);
  self->client = client != NULL ? g_object_ref (client) : NULL;
}

const RndimgAnswer *
rndimg_viewer_picture_get_answer (RndimgViewerPicture *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), NULL);

  return self->answer;
}

/* The best decoded texture of the picture shown; NULL while only its
 * placeholder is. */
GdkTexture *
rndimg_viewer_picture_get_texture (RndimgViewerPicture *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), NULL);

  return self->texture;
}

/* What is drawn: the texture, else the placeholder, else NULL. */
GdkPaintable *
rndimg_viewer_picture_get_paintable (RndimgViewerPicture *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), NULL);

  if (self->texture != NULL)
    return GDK_PAINTABLE (self->texture);
  return self->placeholder != NULL ? GDK_PAINTABLE (self->placeholder) : NULL;
}

/* TRUE when the texture shown is the picture's own pixels. */
gboolean
rndimg_viewer_picture_is_original (RndimgViewerPicture *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), FALSE);

  return self->texture != NULL && (guint) gdk_texture_get_width (self->texture) == self->picture_width &&
         (guint) gdk_texture_get_height (self->texture) == self->picture_height;
}

/* Where the picture is drawn, in the widget's coordinates. */
void
rndimg_viewer_picture_get_shown_rect (RndimgViewerPicture *self, graphene_rect_t *rect)
{
  double x, y, width, height;

  g_return_if_fail (RNDIMG_IS_VIEWER_PICTURE (self));

  _rndimg_viewer_picture_content_origin (self, &x, &y);
  shown_size (self, &width, &height);
  graphene_rect_init (rect, x, y, width, height);
}

double
rndimg_viewer_picture_get_zoom (RndimgViewerPicture *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), 1.0);

  return self->zoom;
}

gboolean
rndimg_viewer_picture_get_best_fit (RndimgViewerPicture *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PICTURE (self), TRUE);

  return self->best_fit;
}

static void
rndimg_viewer_picture_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RndimgViewerPicture *self = RNDIMG_VIEWER_PICTURE (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_BEST_FIT:
      g_value_set_boolean (value, self->best_fit);
      break;
    case PROP_TEXTURE:
      g_value_set_object (value, self->texture);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_picture_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  RndimgViewerPicture *self = RNDIMG_VIEWER_PICTURE (object);

  switch (prop_id)
    {
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      break;
    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_picture_dispose (GObject *object)
{
  RndimgViewerPicture *self = RNDIMG_VIEWER_PICTURE (object);

  _rndimg_viewer_picture_stop_loading (self);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->hadjustment, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);
  g_clear_object (&self->texture);
  g_clear_object (&self->placeholder);
  g_clear_object (&self->client);
  g_clear_pointer (&self->answer, rndimg_answer_free);
  G_OBJECT_CLASS (rndimg_viewer_picture_parent_class)->dispose (object);
}

static void
rndimg_viewer_picture_class_init (RndimgViewerPictureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = rndimg_viewer_picture_get_property;
  object_class->set_property = rndimg_viewer_picture_set_property;
  object_class->dispose = rndimg_viewer_picture_dispose;
  widget_class->snapshot = rndimg_viewer_picture_snapshot;
  widget_class->measure = rndimg_viewer_picture_measure;
  widget_class->size_allocate = rndimg_viewer_picture_size_allocate;

  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0, RNDIMG_VIEWER_ZOOM_MAX, 1,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BEST_FIT] = g_param_spec_boolean ("best-fit", NULL, NULL, TRUE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXTURE] = g_param_spec_object ("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_set_css_name (widget_class, "rndimg-picture");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rndimg_viewer_picture_init (RndimgViewerPicture *self)
{
  self->best_fit = TRUE;
  self->zoom = 1.0;
  self->fetching_side = G_MAXUINT;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed), NULL);
  _rndimg_viewer_picture_zoom_init (self);
}

GtkWidget *
rndimg_viewer_picture_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_PICTURE, NULL);
}

void
_rndimg_viewer_picture_notify_zoom (RndimgViewerPicture *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEST_FIT]);
}
