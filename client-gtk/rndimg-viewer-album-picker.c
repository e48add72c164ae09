/* SPDX-License-Identifier: MIT */
/* The album picker, the header bar's title when the server has albums
 * (as GNOME Text Editor's document button): a button that names the
 * album in force ("All Pictures", "Squares / Small"; in the accent colour
 * when one is) above the server, or only an icon (the title in its
 * tooltip) when the title would not be whole;
 * its popover lists "All Pictures" and every album of the server with its
 * whole title, its count and a cover thumbnail, sub-albums indented under
 * their album, a check on the one in force. It knows nothing of the API:
 * the window hands it the albums (client/rndimg-albums.c) and follows its
 * "album" property. */
#include "rndimg-viewer-album-picker.h"
#include "rndimg-viewer-decode.h"
#include "rndimg-viewer-i18n.h"

#include <glib/gi18n-lib.h>

#define COVER_SIDE 32

struct _RndimgViewerAlbumPicker
{
  GtkWidget parent_instance;

  GtkWidget *button;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *subtitle;
  GtkWidget *list;
  RndimgClient *client;
  GPtrArray *albums;             /* RndimgAlbumInfo *; NULL: not known yet */
  char *album;                   /* in force; "" for all */
  GCancellable *covers;          /* the cover thumbnails on their way */
  gboolean covers_asked;
  gboolean compact;
};

G_DEFINE_FINAL_TYPE (RndimgViewerAlbumPicker, rndimg_viewer_album_picker, GTK_TYPE_WIDGET)

/* One row of the list: an album (its name; "" for All Pictures), its
 * cover and its check. */
#define RNDIMG_TYPE_ALBUM_ROW (rndimg_album_row_get_type ())
G_DECLARE_FINAL_TYPE (RndimgAlbumRow, rndimg_album_row, RNDIMG, ALBUM_ROW, GtkListBoxRow)

struct _RndimgAlbumRow
{
  GtkListBoxRow parent_instance;

  char *album;
  char *cover_url;     /* NULL: none */
  GtkWidget *cover;
  GtkWidget *check;
};

G_DEFINE_FINAL_TYPE (RndimgAlbumRow, rndimg_album_row, GTK_TYPE_LIST_BOX_ROW)

static void
rndimg_album_row_finalize (GObject *object)
{
  RndimgAlbumRow *self = RNDIMG_ALBUM_ROW (object);

  g_free (self->album);
  g_free (self->cover_url);
  G_OBJECT_CLASS (rndimg_album_row_parent_class)->finalize (object);
}

static void
rndimg_album_row_class_init (RndimgAlbumRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_album_row_finalize;
}

static void
rndimg_album_row_init (RndimgAlbumRow *self)
{
}

enum { PROP_0, PROP_ALBUM, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* The button in the header bar. */
GtkWidget *
rndimg_viewer_album_picker_get_button (RndimgViewerAlbumPicker *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), NULL);

  return self->button;
}

/* The album in force as a person reads it. */
char *
rndimg_viewer_album_picker_dup_title (RndimgViewerAlbumPicker *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), NULL);

  if (self->album[0] == '\0')
    return g_strdup (_("All Pictures"));
  return rndimg_album_full_title (self->albums, self->album);
}

static void
update_button (RndimgViewerAlbumPicker *self)
{
  g_autofree char *title = rndimg_viewer_album_picker_dup_title (self);
  g_autofree char *isolated = rndimg_viewer_isolate (title);
  g_autofree char *tooltip = self->album[0] == '\0'
    ? g_strdup (_("Get and Live show pictures of every album"))
    /* Translators: the album's title */
    : g_strdup_printf (_("Get and Live show only the pictures of “%s”"), isolated);

  gtk_label_set_text (GTK_LABEL (self->label), title);
  gtk_widget_set_visible (self->label, !self->compact);
  gtk_widget_set_visible (self->subtitle, !self->compact && *gtk_label_get_text (GTK_LABEL (self->subtitle)) != '\0');
  gtk_widget_set_visible (self->icon, self->compact);
  gtk_widget_set_tooltip_text (self->button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Album"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, title, -1);
  if (self->album[0] != '\0')
    gtk_widget_add_css_class (self->button, "rndimg-album-filtered");
  else
    gtk_widget_remove_css_class (self->button, "rndimg-album-filtered");
}

static void
update_checks (RndimgViewerAlbumPicker *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (self->list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      RndimgAlbumRow *row = RNDIMG_ALBUM_ROW (child);
      gboolean in_force = g_strcmp0 (row->album, self->album) == 0;

      gtk_widget_set_opacity (row->check, in_force ? 1 : 0);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_SELECTED, in_force, -1);
    }
}

static GtkWidget *
row_new (const char *album, const char *title, const char *subtitle, const char *cover_url, gboolean sub_album,
         gboolean is_private)
{
  RndimgAlbumRow *row = g_object_new (RNDIMG_TYPE_ALBUM_ROW, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *cover = gtk_image_new_from_icon_name (album[0] == '\0' ? "view-grid-symbolic" : "folder-pictures-symbolic");
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");
  g_autofree char *accessible = subtitle != NULL ? g_strdup_printf ("%s, %s", title, subtitle) : g_strdup (title);

  row->album = g_strdup (album);
  row->cover_url = g_strdup (cover_url);
  row->cover = cover;
  row->check = check;
  gtk_image_set_pixel_size (GTK_IMAGE (cover), COVER_SIDE);
  gtk_widget_add_css_class (cover, "rndimg-cover");
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 30);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_box_append (GTK_BOX (texts), name);
  if (subtitle != NULL)
    {
      GtkWidget *count = gtk_label_new (subtitle);

      gtk_label_set_xalign (GTK_LABEL (count), 0);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "caption");
      gtk_box_append (GTK_BOX (texts), count);
    }
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), cover);
  gtk_box_append (GTK_BOX (box), texts);
  if (is_private)
    {
      GtkWidget *lock = gtk_image_new_from_icon_name ("changes-prevent-symbolic");

      gtk_widget_set_tooltip_text (lock, _("Private album: shown with your token"));
      gtk_widget_add_css_class (lock, "dim-label");
      gtk_box_append (GTK_BOX (box), lock);
    }
  gtk_box_append (GTK_BOX (box), check);
  gtk_widget_set_margin_start (box, sub_album ? 36 : 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return GTK_WIDGET (row);
}

static void
fill_list (RndimgViewerAlbumPicker *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  gtk_list_box_append (GTK_LIST_BOX (self->list), row_new ("", _("All Pictures"), NULL, NULL, FALSE, FALSE));
  for (guint i = 0; self->albums != NULL && i < self->albums->len; i++)
    {
      const RndimgAlbumInfo *album = g_ptr_array_index (self->albums, i);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u picture", "%u pictures", album->count),
                                                album->count);
      /* Translators: a private album's count of pictures, in the album list */
      g_autofree char *subtitle = album->is_private ? g_strdup_printf (_("Private · %s"), count) : g_strdup (count);

      gtk_list_box_append (GTK_LIST_BOX (self->list),
                           row_new (album->name, album->title, subtitle, album->cover_url, album->parent != NULL,
                                    album->is_private));
    }
  update_checks (self);
}

typedef struct {
  GtkWidget *cover;     /* a strong reference: the row may go meanwhile */
  GCancellable *cancellable;
} Cover;

static void
cover_free (Cover *cover)
{
  g_object_unref (cover->cover);
  g_object_unref (cover->cancellable);
  g_free (cover);
}

static void
on_cover_decoded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cover *cover = user_data;
  g_autoptr(GdkTexture) texture = rndimg_viewer_decode_finish (result, NULL, NULL);

  if (texture != NULL && !g_cancellable_is_cancelled (cover->cancellable))
    gtk_image_set_from_paintable (GTK_IMAGE (cover->cover), GDK_PAINTABLE (texture));
  cover_free (cover);
}

static void
on_cover_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cover *cover = user_data;
  g_autoptr(GBytes) bytes = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), result, NULL);

  if (bytes == NULL || g_cancellable_is_cancelled (cover->cancellable))
    {
      cover_free (cover);
      return;
    }
  rndimg_viewer_decode_async (bytes, 0, cover->cancellable, on_cover_decoded, cover);
}

/* Each row's cover, a square thumbnail variant, the first time the list
 * is shown (no requests for a picker nobody opens). */
static void
load_covers (RndimgViewerAlbumPicker *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  if (self->covers_asked || self->client == NULL)
    return;
  self->covers_asked = TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (self->list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      RndimgAlbumRow *row = RNDIMG_ALBUM_ROW (child);
      g_autofree char *url = row->cover_url != NULL ? rndimg_client_thumbnail_url (row->cover_url, NULL, COVER_SIDE,
                                                                                   scale) : NULL;
      Cover *cover;

      if (url == NULL)
        continue;
      cover = g_new0 (Cover, 1);
      cover->cover = g_object_ref (row->cover);
      cover->cancellable = g_object_ref (self->covers);
      rndimg_client_fetch_async (self->client, url, self->covers, on_cover_fetched, cover);
    }
}

static void
on_popover_shown (GtkWidget *popover, RndimgViewerAlbumPicker *self)
{
  load_covers (self);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, RndimgViewerAlbumPicker *self)
{
  const char *album = RNDIMG_ALBUM_ROW (row)->album;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->button));
  rndimg_viewer_album_picker_choose (self, album);
}

/* The server's albums (RndimgAlbumInfo *), or NULL while they are not
 * known: the album in force is still shown, by its name. */
void
rndimg_viewer_album_picker_set_albums (RndimgViewerAlbumPicker *self, GPtrArray *albums)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  g_cancellable_cancel (self->covers);
  g_clear_object (&self->covers);
  self->covers = g_cancellable_new ();
  self->covers_asked = FALSE;
  g_clear_pointer (&self->albums, g_ptr_array_unref);
  self->albums = albums != NULL ? g_ptr_array_ref (albums) : NULL;
  fill_list (self);
  update_button (self);
  if (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (self->button)))))
    load_covers (self);
}

GPtrArray *
rndimg_viewer_album_picker_get_albums (RndimgViewerAlbumPicker *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), NULL);

  return self->albums;
}

/* The album in force ("dogs", "dogs/puppies"; "" or NULL: all). Only a
 * person's choice in the list notifies "album". */
void
rndimg_viewer_album_picker_set_album (RndimgViewerAlbumPicker *self, const char *album)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  g_free (self->album);
  self->album = g_strdup (album != NULL ? album : "");
  update_button (self);
  update_checks (self);
}

/* As a person's choice in the list: sets @album and notifies "album". */
void
rndimg_viewer_album_picker_choose (RndimgViewerAlbumPicker *self, const char *album)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  if (g_strcmp0 (album != NULL ? album : "", self->album) == 0)
    return;
  rndimg_viewer_album_picker_set_album (self, album);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALBUM]);
}

const char *
rndimg_viewer_album_picker_get_album (RndimgViewerAlbumPicker *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), NULL);

  return self->album;
}

/* How many pixels the title on the button lacks to be shown whole (0 when
 * it is, or when only the icon is shown). */
int
rndimg_viewer_album_picker_get_shortfall (RndimgViewerAlbumPicker *self)
{
  int natural;

  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), 0);

  if (self->compact || !gtk_widget_get_mapped (self->label) ||
      !pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (self->label))))
    return 0;
  gtk_widget_measure (self->label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  return MAX (natural - gtk_widget_get_width (self->label), 1);
}

gboolean
rndimg_viewer_album_picker_get_compact (RndimgViewerAlbumPicker *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), FALSE);

  return self->compact;
}

/* In a narrow window, only the icon (the title in the tooltip). */
void
rndimg_viewer_album_picker_set_compact (RndimgViewerAlbumPicker *self, gboolean compact)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  if (self->compact == compact)
    return;
  self->compact = compact;
  update_button (self);
}

/* What the button says under the album: the server. */
void
rndimg_viewer_album_picker_set_subtitle (RndimgViewerAlbumPicker *self, const char *subtitle)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  gtk_label_set_text (GTK_LABEL (self->subtitle), subtitle != NULL ? subtitle : "");
  update_button (self);
}

void
rndimg_viewer_album_picker_set_client (RndimgViewerAlbumPicker *self, RndimgClient *client)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  g_clear_object (&self->client);
  self->client = client != NULL ? g_object_ref (client) : NULL;
}

void
rndimg_viewer_album_picker_popup (RndimgViewerAlbumPicker *self)
{
  g_return_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self));

  gtk_menu_button_popup (GTK_MENU_BUTTON (self->button));
}

/* The row of @album ("" for All Pictures) in the list, or NULL. */
GtkWidget *
rndimg_viewer_album_picker_get_row (RndimgViewerAlbumPicker *self, const char *album)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (self->list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (RNDIMG_ALBUM_ROW (child)->album, album) == 0)
      return child;
  return NULL;
}

/* The list in the popover. */
GtkWidget *
rndimg_viewer_album_picker_get_list (RndimgViewerAlbumPicker *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_ALBUM_PICKER (self), NULL);

  return self->list;
}

static void
rndimg_viewer_album_picker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RndimgViewerAlbumPicker *self = RNDIMG_VIEWER_ALBUM_PICKER (object);

  switch (prop_id)
    {
    case PROP_ALBUM:
      g_value_set_string (value, self->album);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_album_picker_dispose (GObject *object)
{
  RndimgViewerAlbumPicker *self = RNDIMG_VIEWER_ALBUM_PICKER (object);

  if (self->covers != NULL)
    g_cancellable_cancel (self->covers);
  g_clear_object (&self->covers);
  g_clear_pointer (&self->button, gtk_widget_unparent);
  g_clear_pointer (&self->albums, g_ptr_array_unref);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (rndimg_viewer_album_picker_parent_class)->dispose (object);
}

static void
rndimg_viewer_album_picker_finalize (GObject *object)
{
  g_free (RNDIMG_VIEWER_ALBUM_PICKER (object)->album);
  G_OBJECT_CLASS (rndimg_viewer_album_picker_parent_class)->finalize (object);
}

static void
rndimg_viewer_album_picker_class_init (RndimgViewerAlbumPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = rndimg_viewer_album_picker_get_property;
  object_class->dispose = rndimg_viewer_album_picker_dispose;
  object_class->finalize = rndimg_viewer_album_picker_finalize;
  properties[PROP_ALBUM] = g_param_spec_string ("album", NULL, NULL, "",
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static GtkWidget *
popover_new (RndimgViewerAlbumPicker *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "rndimg-albums");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Albums"), -1);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 440);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->list);
  gtk_popover_set_child (GTK_POPOVER (popover), scroller);
  g_signal_connect (popover, "show", G_CALLBACK (on_popover_shown), self);
  return popover;
}

static void
rndimg_viewer_album_picker_init (RndimgViewerAlbumPicker *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  self->album = g_strdup ("");
  self->covers = g_cancellable_new ();
  self->icon = gtk_image_new_from_icon_name ("folder-pictures-symbolic");
  self->label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (self->label), 5);
  gtk_widget_add_css_class (self->label, "title");
  self->subtitle = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->subtitle), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (self->subtitle), 5);
  gtk_widget_add_css_class (self->subtitle, "subtitle");
  gtk_box_append (GTK_BOX (titles), self->label);
  gtk_box_append (GTK_BOX (titles), self->subtitle);
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), self->icon);
  gtk_box_append (GTK_BOX (box), titles);
  self->button = gtk_menu_button_new ();
  gtk_menu_button_set_child (GTK_MENU_BUTTON (self->button), box);
  gtk_menu_button_set_always_show_arrow (GTK_MENU_BUTTON (self->button), TRUE);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), popover_new (self));
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (self->button), FALSE);
  gtk_widget_add_css_class (self->button, "rndimg-album-button");
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));
  fill_list (self);
  update_button (self);
}

GtkWidget *
rndimg_viewer_album_picker_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_ALBUM_PICKER, NULL);
}
