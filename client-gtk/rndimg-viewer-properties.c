/* SPDX-License-Identifier: MIT */
/* The Properties pane, as Loupe's: what the owner says of the shown
 * picture (its alt text, in the user's language when given; author,
 * licence, source as a link), where it is (album, name) and what it is
 * (pixel size, what is shown of it, file size and type, dates). Each value
 * is selectable text under its name; a row without a value is hidden. */
#include "rndimg-viewer-properties.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

struct _RndimgViewerProperties
{
  GtkWidget parent_instance;

  GtkWidget *stack;
  GtkWidget *rows[RNDIMG_PROPERTY_N];
  GtkWidget *values[RNDIMG_PROPERTY_N];
};

G_DEFINE_FINAL_TYPE (RndimgViewerProperties, rndimg_viewer_properties, GTK_TYPE_WIDGET)

static void
set_value (RndimgViewerProperties *self, RndimgProperty property, const char *text)
{
  gtk_label_set_text (GTK_LABEL (self->values[property]), text != NULL ? text : "");
  gtk_widget_set_visible (self->rows[property], text != NULL && *text != '\0');
}

static void
set_link (RndimgViewerProperties *self, RndimgProperty property, const char *url)
{
  g_autofree char *escaped = url != NULL ? g_markup_escape_text (url, -1) : NULL;
  g_autofree char *markup = url != NULL ? g_strdup_printf ("<a href=\"%s\">%s</a>", escaped, escaped) : NULL;

  gtk_label_set_markup (GTK_LABEL (self->values[property]), markup != NULL ? markup : "");
  gtk_widget_set_visible (self->rows[property], url != NULL);
}

/* "14 Dec 2026, 09:12:44" in the user's locale and time zone, or NULL. */
static char *
local_date (const char *rfc3339)
{
  g_autoptr(GDateTime) utc = rfc3339 != NULL ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%x %X") : NULL;
}

static char *
file_type (const char *content_type)
{
  g_autofree char *type = content_type != NULL ? g_content_type_from_mime_type (content_type) : NULL;

  return type != NULL ? g_content_type_get_description (type) : g_strdup (content_type);
}

/* Shows @answer's properties (NULL: none shown); @album_title is its
 * album as the album picker names it. */
void
rndimg_viewer_properties_set_answer (RndimgViewerProperties *self, const RndimgAnswer *answer,
                                     const char *album_title)
{
  g_autofree char *size = NULL, *bytes = NULL, *type = NULL, *modified = NULL, *published = NULL;

  g_return_if_fail (RNDIMG_IS_VIEWER_PROPERTIES (self));

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), answer != NULL ? "properties" : "none");
  if (answer == NULL)
    return;
  if (answer->width > 0 && answer->height > 0)
    /* Translators: a picture's width and height in pixels */
    size = g_strdup_printf (_("%u × %u pixels"), answer->width, answer->height);
  bytes = answer->bytes >= 0 ? g_format_size ((guint64) answer->bytes) : NULL;
  type = file_type (answer->content_type);
  modified = local_date (answer->modified);
  published = local_date (answer->published_at);
  set_value (self, RNDIMG_PROPERTY_ALT, answer->alt);
  set_value (self, RNDIMG_PROPERTY_AUTHOR, answer->author);
  set_value (self, RNDIMG_PROPERTY_LICENSE, answer->license);
  set_link (self, RNDIMG_PROPERTY_SOURCE, answer->source_url);
  set_value (self, RNDIMG_PROPERTY_ALBUM, album_title);
  set_value (self, RNDIMG_PROPERTY_NAME, answer->name);
  set_value (self, RNDIMG_PROPERTY_SIZE, size);
  set_value (self, RNDIMG_PROPERTY_FILE_SIZE, bytes);
  set_value (self, RNDIMG_PROPERTY_TYPE, type);
  set_value (self, RNDIMG_PROPERTY_MODIFIED, modified);
  set_value (self, RNDIMG_PROPERTY_PUBLISHED, published);
}

/* What is on screen: @texture (NULL: the placeholder, while it loads),
 * the original when @original. */
void
rndimg_viewer_properties_set_shown (RndimgViewerProperties *self, GdkTexture *texture, gboolean original)
{
  g_autofree char *shown = NULL;

  g_return_if_fail (RNDIMG_IS_VIEWER_PROPERTIES (self));

  if (texture == NULL)
    shown = g_strdup (_("Loading…"));
  else if (original)
    shown = g_strdup (_("The original file"));
  else
    /* Translators: the size in pixels of the smaller copy of the picture that is shown */
    shown = g_strdup_printf (_("A copy of %d × %d pixels"), gdk_texture_get_width (texture),
                             gdk_texture_get_height (texture));
  set_value (self, RNDIMG_PROPERTY_SHOWN, shown);
}

/* The text of one value, as shown; "" when its row is hidden. */
const char *
rndimg_viewer_properties_get_value (RndimgViewerProperties *self, RndimgProperty property)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_PROPERTIES (self), NULL);

  if (!gtk_widget_get_visible (self->rows[property]))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->values[property]));
}

static GtkWidget *
row_new (RndimgViewerProperties *self, RndimgProperty property, const char *name)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "caption");
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), value);
  gtk_widget_add_css_class (box, "rndimg-property");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL, -1);
  self->rows[property] = row;
  self->values[property] = value;
  return row;
}

static GtkWidget *
group_new (RndimgViewerProperties *self, const char *title, RndimgProperty first, RndimgProperty last,
           const char *const *names)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *list = gtk_list_box_new ();

  if (title != NULL)
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (RndimgProperty property = first; property <= last; property++)
    gtk_list_box_append (GTK_LIST_BOX (list), row_new (self, property, names[property]));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), list);
  return group;
}

static GtkWidget *
properties_page (RndimgViewerProperties *self)
{
  const char *const names[RNDIMG_PROPERTY_N] = {
    [RNDIMG_PROPERTY_ALT] = _("Description"),
    [RNDIMG_PROPERTY_AUTHOR] = _("Author"),
    [RNDIMG_PROPERTY_LICENSE] = _("Licence"),
    [RNDIMG_PROPERTY_SOURCE] = _("Source"),
    [RNDIMG_PROPERTY_ALBUM] = _("Album"),
    [RNDIMG_PROPERTY_NAME] = _("Name"),
    [RNDIMG_PROPERTY_SIZE] = _("Image Size"),
    [RNDIMG_PROPERTY_SHOWN] = _("Shown"),
    [RNDIMG_PROPERTY_FILE_SIZE] = _("File Size"),
    [RNDIMG_PROPERTY_TYPE] = _("Image Format"),
    [RNDIMG_PROPERTY_MODIFIED] = _("File Modified"),
    [RNDIMG_PROPERTY_PUBLISHED] = _("Published"),
  };
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_box_append (GTK_BOX (box), group_new (self, NULL, RNDIMG_PROPERTY_ALT, RNDIMG_PROPERTY_SOURCE, names));
  gtk_box_append (GTK_BOX (box), group_new (self, NULL, RNDIMG_PROPERTY_ALBUM, RNDIMG_PROPERTY_TYPE, names));
  gtk_box_append (GTK_BOX (box), group_new (self, NULL, RNDIMG_PROPERTY_MODIFIED, RNDIMG_PROPERTY_PUBLISHED, names));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  return scroller;
}

static void
rndimg_viewer_properties_dispose (GObject *object)
{
  g_clear_pointer (&RNDIMG_VIEWER_PROPERTIES (object)->stack, gtk_widget_unparent);
  G_OBJECT_CLASS (rndimg_viewer_properties_parent_class)->dispose (object);
}

static void
rndimg_viewer_properties_class_init (RndimgViewerPropertiesClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rndimg_viewer_properties_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "rndimg-properties");
}

static void
rndimg_viewer_properties_init (RndimgViewerProperties *self)
{
  GtkWidget *none = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (none), "image-x-generic-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (none), _("No Picture"));
  gtk_widget_add_css_class (none, "compact");
  self->stack = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), none, "none");
  gtk_stack_add_named (GTK_STACK (self->stack), properties_page (self), "properties");
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Properties"), -1);
  gtk_widget_set_size_request (GTK_WIDGET (self), 260, -1);
}

GtkWidget *
rndimg_viewer_properties_new (void)
{
  return g_object_new (RNDIMG_TYPE_VIEWER_PROPERTIES, NULL);
}
