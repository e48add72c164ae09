/* SPDX-License-Identifier: MIT */
/* The window's album picker: "All pictures" and every album of the
 * server, in the header bar. Get and Live follow the album picked; the
 * choice is kept in GSettings ("album"). */
#include "rndimg-viewer-window-private.h"
#include "rndimg-api-prefix.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

/* Album names, in the order of the drop-down after "All pictures". */
static GStrv
album_names (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  JsonNode *root, *albums;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (albums = json_object_get_member (json_node_get_object (root), "albums")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (albums))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (albums)); i++)
    {
      JsonNode *album = json_array_get_element (json_node_get_array (albums), i);
      const char *name = JSON_NODE_HOLDS_OBJECT (album)
                         ? json_object_get_string_member_with_default (json_node_get_object (album), "name", NULL) : NULL;

      if (name != NULL)
        g_strv_builder_add (names, name);
    }
  return g_strv_builder_end (names);
}

static void
select_album (RndimgViewerWindow *self, const char *album)
{
  GListModel *model = gtk_drop_down_get_model (self->album_picker);

  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), album) == 0)
      {
        gtk_drop_down_set_selected (self->album_picker, i);
        return;
      }
  gtk_drop_down_set_selected (self->album_picker, 0);
}

static void
on_albums (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GBytes) body = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), result, NULL);
  g_auto(GStrv) names = body != NULL ? album_names (body) : NULL;
  g_autofree char *wanted = g_settings_get_string (self->settings, "album");
  GtkStringList *list = GTK_STRING_LIST (gtk_drop_down_get_model (self->album_picker));

  /* Shown only where there is something to choose: a server without albums
   * (or an older one) keeps the header bar as narrow as before. */
  gtk_widget_set_visible (GTK_WIDGET (self->album_picker), names != NULL && names[0] != NULL);
  if (names == NULL)
    return;
  self->filling_albums = TRUE;
  gtk_string_list_splice (list, 1, g_list_model_get_n_items (G_LIST_MODEL (list)) - 1, (const char *const *) names);
  select_album (self, wanted);
  self->filling_albums = FALSE;
}

/* Asks the server for its albums (after a change of server, say). */
void
_rndimg_viewer_window_load_albums (RndimgViewerWindow *self)
{
  g_autofree char *url = rndimg_client_url (self->client, RNDIMG_API_PREFIX "/albums");

  rndimg_client_fetch_async (self->client, url, NULL, on_albums, g_object_ref (self));
}

static void
on_album_selected (GtkDropDown *picker, GParamSpec *pspec, RndimgViewerWindow *self)
{
  guint selected = gtk_drop_down_get_selected (picker);
  const char *album = selected > 0 && selected != GTK_INVALID_LIST_POSITION
                      ? gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (picker)), selected) : "";

  if (self->filling_albums)
    return;
  g_settings_set_string (self->settings, "album", album);
  rndimg_client_set_album (self->client, album);
  if (rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF)
    rndimg_live_start (self->live);   /* starts over on the new album */
}

/* Labels that give way in a narrow window rather than widen it. */
static void
setup_label (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (GTK_STRING_OBJECT (gtk_list_item_get_item (item))));
}

void
_rndimg_viewer_window_album_picker_init (RndimgViewerWindow *self)
{
  const char *const all[] = { _("All pictures"), NULL };
  g_autofree char *album = g_settings_get_string (self->settings, "album");
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  self->album_picker = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (gtk_string_list_new (all)), NULL));
  gtk_drop_down_set_factory (self->album_picker, factory);
  g_object_unref (factory);
  gtk_widget_set_visible (GTK_WIDGET (self->album_picker), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->album_picker), _("Get and Live show only this album’s pictures"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->album_picker), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Album"), -1);
  adw_header_bar_pack_start (self->header_bar, GTK_WIDGET (self->album_picker));
  g_signal_connect (self->album_picker, "notify::selected", G_CALLBACK (on_album_selected), self);
  rndimg_client_set_album (self->client, album);
}

/* The drop-down, for tests. */
GtkWidget *
rndimg_viewer_window_get_album_picker (RndimgViewerWindow *self)
{
  return GTK_WIDGET (self->album_picker);
}
