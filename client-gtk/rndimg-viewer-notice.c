/* SPDX-License-Identifier: MIT */
/* A short message over the bottom of the window ("Picture copied",
 * "Uploading “cat.png”…"), drawn as libadwaita draws a toast (it takes the
 * CSS name "toast") but one widget for the window's life: a new message
 * retitles it and starts its time again; its close button and its time
 * fade it out. libadwaita 1.2's AdwToast is not used: it frees a toast
 * dismissed within 200 ms of appearing while its show animation still
 * runs, and the animation's end then writes to the freed memory (fixed
 * in 1.3, 1674ebc9). Nothing here is ever freed before the window. */
#include "rndimg-viewer-notice.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#define SECONDS_SHOWN 4
#define MORE_SECONDS_PER_40_CHARACTERS 1
#define FADE_MS 150

struct _RndimgViewerNotice
{
  GtkWidget parent_instance;

  GtkWidget *label;
  GtkWidget *close;
  AdwAnimation *fade;     /* opacity, 0 to 1 when shown, back when hidden */
  char *message;
  gboolean shown;
  guint hide_id;
};

G_DEFINE_FINAL_TYPE (RndimgViewerNotice, rndimg_viewer_notice, GTK_TYPE_WIDGET)

static gboolean
on_time_up (gpointer user_data)
{
  RndimgViewerNotice *self = user_data;

  self->hide_id = 0;
  rndimg_viewer_notice_dismiss (self);
  return G_SOURCE_REMOVE;
}

static void
fade_to (RndimgViewerNotice *self, double opacity)
{
  adw_timed_animation_set_value_from (ADW_TIMED_ANIMATION (self->fade), gtk_widget_get_opacity (GTK_WIDGET (self)));
  adw_timed_animation_set_value_to (ADW_TIMED_ANIMATION (self->fade), opacity);
  adw_animation_play (self->fade);
}

static void
on_fade (double opacity, gpointer user_data)
{
  gtk_widget_set_opacity (GTK_WIDGET (user_data), opacity);
}

static void
on_faded (AdwAnimation *fade, RndimgViewerNotice *self)
{
  /* Hidden, it takes no clicks from the picture under it. */
  if (!self->shown)
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* Shows @message in place of the one shown, for a few seconds (longer
 * for a long one). */
void
rndimg_viewer_notice_show (RndimgViewerNotice *self, const char *message)
{
  guint seconds = SECONDS_SHOWN + MORE_SECONDS_PER_40_CHARACTERS * (guint) (g_utf8_strlen (message, -1) / 40);

  g_return_if_fail (RNDIMG_IS_VIEWER_NOTICE (self));

  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (GTK_LABEL (self->label), message);
  g_clear_handle_id (&self->hide_id, g_source_remove);
  self->hide_id = g_timeout_add_seconds (seconds, on_time_up, self);
  if (self->shown)
    return;
  self->shown = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  fade_to (self, 1.0);
}

void
rndimg_viewer_notice_dismiss (RndimgViewerNotice *self)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_NOTICE (self));

  g_clear_handle_id (&self->hide_id, g_source_remove);
  if (!self->shown)
    return;
  self->shown = FALSE;
  fade_to (self, 0.0);
}

/* The last message shown, even once hidden; NULL before the first. */
const char *
rndimg_viewer_notice_get_message (RndimgViewerNotice *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_NOTICE (self), NULL);

  return self->message;
}

gboolean
rndimg_viewer_notice_is_shown (RndimgViewerNotice *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_NOTICE (self), FALSE);

  return self->shown;
}

static void
rndimg_viewer_notice_dispose (GObject *object)
{
  RndimgViewerNotice *self = RNDIMG_VIEWER_NOTICE (object);

  g_clear_handle_id (&self->hide_id, g_source_remove);
  if (self->fade != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->fade, self);
      adw_animation_reset (self->fade);
    }
  g_clear_object (&self->fade);
  g_clear_pointer (&self->label, gtk_widget_unparent);
  g_clear_pointer (&self->close, gtk_widget_unparent);
  G_OBJECT_CLASS (rndimg_viewer_notice_parent_class)->dispose (object);
}

static void
rndimg_viewer_notice_finalize (GObject *object)
{
  g_free (RNDIMG_VIEWER_NOTICE (object)->message);
  G_OBJECT_CLASS (rndimg_viewer_notice_parent_class)->finalize (object);
}

static void
rndimg_viewer_notice_class_init (RndimgViewerNoticeClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = rndimg_viewer_notice_dispose;
  G_OBJECT_CLASS (klass)->finalize = rndimg_viewer_notice_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  /* Drawn as libadwaita draws a toast: its style goes by this name. */
  gtk_widget_class_set_css_name (widget_class, "toast");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
rndimg_viewer_notice_init (RndimgViewerNotice *self)
{
  self->label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->label), 50);
  gtk_label_set_xalign (GTK_LABEL (self->label), 0);
  gtk_widget_set_hexpand (self->label, TRUE);
  gtk_widget_add_css_class (self->label, "heading");
  gtk_widget_set_parent (self->label, GTK_WIDGET (self));
  self->close = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_set_valign (self->close, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->close, _("Close"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->close), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Close"), -1);
  gtk_widget_add_css_class (self->close, "circular");
  gtk_widget_add_css_class (self->close, "flat");
  g_signal_connect_swapped (self->close, "clicked", G_CALLBACK (rndimg_viewer_notice_dismiss), self);
  gtk_widget_set_parent (self->close, GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 6);
  self->fade = adw_timed_animation_new (GTK_WIDGET (self), 0, 1, FADE_MS,
                                        adw_callback_animation_target_new (on_fade, self, NULL));
  g_signal_connect (self->fade, "done", G_CALLBACK (on_faded), self);
  gtk_widget_set_opacity (GTK_WIDGET (self), 0);
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_END);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
rndimg_viewer_notice_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_NOTICE, NULL);
}
