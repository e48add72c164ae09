/* SPDX-License-Identifier: MIT */
/* The strip of recent pictures under the picture: newest first (as the
 * page), one square tile each (a thumbnail cropped from the centre), the
 * shown one framed in the accent colour and kept in view. A list view:
 * one Tab stop, the arrow keys, Home and End move along it (mirrored from
 * right to left) with the focus visible, and choose the picture they
 * land on, as a click does ("activate", with its index: the window shows
 * it). */
#include "rndimg-viewer-history-strip.h"

#include <glib/gi18n-lib.h>

#define TILE_SIDE 56

struct _RndimgViewerHistoryStrip
{
  GtkWidget parent_instance;

  GtkWidget *scroller;
  GtkWidget *list;
  GtkSingleSelection *selection;
  RndimgViewerHistory *history;
  gboolean following;       /* the selection is being set from the history */
};

G_DEFINE_FINAL_TYPE (RndimgViewerHistoryStrip, rndimg_viewer_history_strip, GTK_TYPE_WIDGET)

enum { ACTIVATE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
on_setup (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *tile = gtk_image_new ();

  gtk_image_set_pixel_size (GTK_IMAGE (tile), TILE_SIDE);
  gtk_widget_add_css_class (tile, "rndimg-tile");
  gtk_list_item_set_child (item, tile);
}

static void
on_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  RndimgViewerEntry *entry = gtk_list_item_get_item (item);
  const RndimgAnswer *answer = rndimg_viewer_entry_get_answer (entry);
  GtkWidget *tile = gtk_list_item_get_child (item);
  const char *label = answer->alt != NULL ? answer->alt : answer->name;

  if (rndimg_viewer_entry_get_thumbnail (entry) != NULL)
    gtk_image_set_from_paintable (GTK_IMAGE (tile), GDK_PAINTABLE (rndimg_viewer_entry_get_thumbnail (entry)));
  else
    gtk_image_set_from_icon_name (GTK_IMAGE (tile), "image-x-generic-symbolic");
  gtk_widget_set_tooltip_text (tile, answer->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* The shown picture selected and scrolled into view. */
static void
on_history_changed (RndimgViewerHistoryStrip *self)
{
  int position = rndimg_viewer_history_get_position (self->history);

  if (position < 0)
    return;
  self->following = TRUE;
  gtk_single_selection_set_selected (self->selection, (guint) position);
  self->following = FALSE;
  gtk_widget_activate_action (self->list, "list.scroll-to-item", "u", (guint32) position);
}

/* A click or a key chose a tile: its picture is shown. */
static void
on_selected (GtkSingleSelection *selection, GParamSpec *pspec, RndimgViewerHistoryStrip *self)
{
  guint selected = gtk_single_selection_get_selected (selection);

  /* The list changing moves the selection with its entry: not a choice. */
  if (self->following || selected == GTK_INVALID_LIST_POSITION ||
      gtk_single_selection_get_selected_item (selection) == (gpointer) rndimg_viewer_history_get_current (self->history))
    return;
  g_signal_emit (self, signals[ACTIVATE], 0, selected);
}

void
rndimg_viewer_history_strip_set_history (RndimgViewerHistoryStrip *self, RndimgViewerHistory *history)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_HISTORY_STRIP (self));
  g_return_if_fail (self->history == NULL);

  self->history = g_object_ref (history);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (history)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (on_selected), self);
  g_signal_connect_swapped (history, "changed", G_CALLBACK (on_history_changed), self);
  gtk_list_view_set_model (GTK_LIST_VIEW (self->list), GTK_SELECTION_MODEL (self->selection));
}

/* The list view, for tests. */
GtkWidget *
rndimg_viewer_history_strip_get_list (RndimgViewerHistoryStrip *self)
{
  return self->list;
}

static void
rndimg_viewer_history_strip_dispose (GObject *object)
{
  RndimgViewerHistoryStrip *self = RNDIMG_VIEWER_HISTORY_STRIP (object);

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (rndimg_viewer_history_strip_parent_class)->dispose (object);
}

static void
rndimg_viewer_history_strip_class_init (RndimgViewerHistoryStripClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rndimg_viewer_history_strip_dispose;
  /* (RndimgViewerHistoryStrip *, guint index) */
  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
rndimg_viewer_history_strip_init (RndimgViewerHistoryStrip *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (on_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind), NULL);
  self->list = gtk_list_view_new (NULL, factory);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->list), GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_add_css_class (self->list, "rndimg-history");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("History"), -1);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->list);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
rndimg_viewer_history_strip_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_HISTORY_STRIP, NULL);
}
