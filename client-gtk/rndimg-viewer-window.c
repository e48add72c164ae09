/* SPDX-License-Identifier: MIT */
/* The viewer's window: the picture (or a status page when there is none),
 * Get and Live in the header bar, the history strip, and what went wrong
 * said once, in the right place: a status page when there is no picture,
 * a banner while Live reconnects, a toast otherwise. All network work is
 * asynchronous; a newer request cancels an older one, and closing the
 * window cancels everything. Actions are in rndimg-viewer-window-actions.c,
 * uploads in rndimg-viewer-upload.c. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-settings.h"
#include "rndimg-blurhash-decode.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define HISTORY_LENGTH 50
#define THUMBNAIL_SIZE 48
#define PLACEHOLDER_SIDE 32   /* the longer side of a placeholder, drawn scaled */

G_DEFINE_FINAL_TYPE (RndimgViewerWindow, rndimg_viewer_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_LIVE, PROP_ORIGINAL_SIZE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
live_is_on (RndimgViewerWindow *self)
{
  return rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF;
}

static const char *
problem_title (RndimgViewerProblem kind)
{
  switch (kind)
    {
    case PROBLEM_UNREACHABLE: return _("Cannot Reach the Server");
    case PROBLEM_REFUSED: return _("Upload Refused");
    default: return _("Unexpected Answer");
    }
}

/* Chooses the page: the picture when there is one; else the error page
 * when something is wrong; else the empty page. */
static void
update_view (RndimgViewerWindow *self)
{
  gboolean has_picture = rndimg_viewer_history_get_current (self->history) != NULL || self->placeholder_shown;
  gboolean trouble = self->state == RNDIMG_VIEWER_ERROR || self->state == RNDIMG_VIEWER_RECONNECTING;

  if (has_picture)
    gtk_stack_set_visible_child_name (self->stack, "picture");
  else if (trouble && self->problem != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (self->problem, -1);   /* it is markup */
      adw_status_page_set_description (self->error_page, escaped);
      adw_status_page_set_title (self->error_page, problem_title (self->problem_kind));
      adw_status_page_set_icon_name (self->error_page, self->problem_kind == PROBLEM_UNREACHABLE
                                                       ? "network-offline-symbolic" : "dialog-warning-symbolic");
      /* A refused upload is fixed in the preferences, not by trying again. */
      gtk_button_set_label (self->error_button, self->problem_kind == PROBLEM_REFUSED ? _("Open _Preferences")
                                                                                    : _("_Retry"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->error_button),
                                      self->problem_kind == PROBLEM_REFUSED ? "app.preferences" : "win.retry");
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");

  if (has_picture && self->state == RNDIMG_VIEWER_RECONNECTING && self->problem != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Reconnecting… %s"), self->problem);
      gtk_label_set_text (self->banner_label, text);
      gtk_revealer_set_reveal_child (self->banner, TRUE);
    }
  else
    gtk_revealer_set_reveal_child (self->banner, FALSE);
}

static void
set_state (RndimgViewerWindow *self, RndimgViewerState state, const char *problem)
{
  self->state = state;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  update_view (self);
}

static void
on_toast_dismissed (AdwToast *toast, RndimgViewerWindow *self)
{
  g_signal_handlers_disconnect_by_data (toast, self);
  g_clear_object (&self->toast);
}

/* Shows @message for a few seconds in place of the previous one, which
 * it makes stale ("Uploading…" then "Uploaded"): in the toast still
 * shown, retitled, never by dismissing it for a new one. libadwaita 1.2
 * frees a toast dismissed within 200 ms of appearing while its show
 * animation still runs, and that animation's end then reads the freed
 * memory (fixed in 1.3, commit 1674ebc9). (High priority would replace
 * it too, but 1.2 asserts when the pushed-back toast comes back.) */
void
_rndimg_viewer_window_toast (RndimgViewerWindow *self, const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);   /* a toast's title is markup */

  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  if (self->toast == NULL)
    {
      self->toast = adw_toast_new (escaped);
      adw_toast_set_timeout (self->toast, 4);
      g_signal_connect (self->toast, "dismissed", G_CALLBACK (on_toast_dismissed), self);
    }
  else
    adw_toast_set_title (self->toast, escaped);
  /* Shows it, or restarts the timeout of the one shown. */
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
}

static RndimgViewerProblem
problem_kind (const GError *error)
{
  if (g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REFUSED) ||
      g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_TIMEOUT) ||
      g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_UNREACHABLE))
    return PROBLEM_UNREACHABLE;
  if (g_error_matches (error, RNDIMG_CLIENT_ERROR, RNDIMG_CLIENT_ERROR_REJECTED))
    return PROBLEM_REFUSED;
  return PROBLEM_BAD_ANSWER;
}

/* Something failed (@error says what kind, @message says it for a
 * person): on the error page when no picture is shown, as a toast over
 * the picture otherwise. */
void
_rndimg_viewer_window_show_problem (RndimgViewerWindow *self, const char *message, const GError *error)
{
  self->problem_kind = problem_kind (error);
  set_state (self, RNDIMG_VIEWER_ERROR, message);
  /* Over the error page, only in place of a stale toast ("Uploading…"):
   * dismissing that could be the crash above. */
  if (rndimg_viewer_history_get_current (self->history) != NULL || self->toast != NULL)
    _rndimg_viewer_window_toast (self, message);
}

/* The server answered: from now on it is the one to start with. */
void
_rndimg_viewer_window_remember_server (RndimgViewerWindow *self)
{
  const char *server = rndimg_client_get_base_url (self->client);
  g_autofree char *saved = g_settings_get_string (self->settings, "server");

  if (g_strcmp0 (saved, server) != 0)
    g_settings_set_string (self->settings, "server", server);
}

static char *
local_time (const char *rfc3339)
{
  g_autoptr(GDateTime) utc = rfc3339 ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : g_date_time_new_now_local ();

  return g_date_time_format (local, "%X");
}

static void
describe (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  g_autofree char *when = local_time (answer->published_at);
  g_autofree char *text = NULL;

  if (answer->published_at != NULL)
    /* Translators: a picture's file name and the time it was published */
    text = g_strdup_printf (_("%s · published at %s"), answer->name, when);
  else
    /* Translators: a picture's file name and the time it arrived */
    text = g_strdup_printf (_("%s · received at %s"), answer->name, when);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), answer->url);
}

static void
show_current (RndimgViewerWindow *self)
{
  const RndimgViewerEntry *entry = rndimg_viewer_history_get_current (self->history);

  if (entry == NULL)
    return;
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (entry->texture));
  /* The owner's alt text (info.json) when the server gives one. */
  gtk_picture_set_alternative_text (self->picture, entry->answer->alt != NULL ? entry->answer->alt : entry->answer->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  entry->answer->alt != NULL ? entry->answer->alt : entry->answer->name, -1);
  describe (self, entry->answer);
  update_view (self);
}

static GtkWidget *
thumbnail_button (RndimgViewerWindow *self, guint index)
{
  const RndimgViewerEntry *entry = rndimg_viewer_history_get (self->history, index);
  GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (entry->texture));
  GtkWidget *button = gtk_button_new ();

  gtk_widget_set_size_request (picture, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_button_set_child (GTK_BUTTON (button), picture);
  gtk_widget_set_tooltip_text (button, entry->answer->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  entry->answer->name, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-entry");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "i", (gint32) index);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "rndimg-thumbnail");
  if ((int) index == rndimg_viewer_history_get_position (self->history))
    gtk_widget_add_css_class (button, "rndimg-current");
  return button;
}

/* The strip is rebuilt on each change: at most HISTORY_LENGTH small buttons. */
static void
on_history_changed (RndimgViewerWindow *self)
{
  guint length = rndimg_viewer_history_get_length (self->history);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_box))) != NULL)
    gtk_box_remove (self->history_box, child);
  for (guint i = 0; i < length; i++)
    gtk_box_append (self->history_box, thumbnail_button (self, i));
  gtk_revealer_set_reveal_child (self->history_revealer, length >= 2);
  show_current (self);
  _rndimg_viewer_window_update_actions (self);
}

static RndimgViewerState
live_view_state (RndimgViewerWindow *self)
{
  switch (rndimg_live_get_state (self->live))
    {
    case RNDIMG_LIVE_CONNECTING: return RNDIMG_VIEWER_CONNECTING;
    case RNDIMG_LIVE_CONNECTED: return RNDIMG_VIEWER_LIVE;
    case RNDIMG_LIVE_RECONNECTING: return RNDIMG_VIEWER_RECONNECTING;
    default: return RNDIMG_VIEWER_IDLE;
    }
}

/* @answer's BlurHash (else its average colour) as a small texture of the
 * picture's proportions, or NULL when the answer says too little: fit to
 * the window as the picture will be, it takes the picture's place. */
static GdkTexture *
placeholder_texture (const RndimgAnswer *answer)
{
  guint width, height;
  g_autofree guint8 *rgb = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 colour[3];

  if (answer->width == 0 || answer->height == 0)
    return NULL;
  width = answer->width >= answer->height ? PLACEHOLDER_SIDE
                                          : MAX (1, PLACEHOLDER_SIDE * answer->width / answer->height);
  height = answer->height >= answer->width ? PLACEHOLDER_SIDE
                                           : MAX (1, PLACEHOLDER_SIDE * answer->height / answer->width);
  if (answer->blurhash != NULL)
    rgb = rndimg_blurhash_decode (answer->blurhash, width, height);
  if (rgb == NULL && rndimg_colour_parse (answer->colour, colour))
    {
      rgb = g_malloc ((gsize) width * height * 3);
      for (gsize i = 0; i < (gsize) width * height; i++)
        memcpy (rgb + i * 3, colour, 3);
    }
  if (rgb == NULL)
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&rgb), (gsize) width * height * 3);
  return gdk_memory_texture_new ((int) width, (int) height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

/* While @answer's picture loads, its placeholder is shown in its place
 * (fit to the window: at 100 % the picture's own size is not known to
 * the layout, so none is shown there). */
static void
show_placeholder (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  g_autoptr(GdkTexture) texture = self->original_size ? NULL : placeholder_texture (answer);
  const char *description = answer->alt != NULL ? answer->alt : answer->name;

  if (texture == NULL)
    return;
  self->placeholder_shown = TRUE;
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_picture_set_alternative_text (self->picture, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  update_view (self);
}

/* The placeholder gives way: to the picture, or back to the one shown. */
static void
end_placeholder (RndimgViewerWindow *self)
{
  if (!self->placeholder_shown)
    return;
  self->placeholder_shown = FALSE;
  if (rndimg_viewer_history_get_current (self->history) != NULL)
    show_current (self);
  else
    {
      gtk_picture_set_paintable (self->picture, NULL);
      update_view (self);
    }
}

/* A picture is downloaded and decoded from memory before it is shown. */
typedef struct {
  RndimgViewerWindow *self;
  RndimgAnswer *answer;
  char *variant_url;   /* the window-sized variant asked for; NULL: the file */
} ImageLoad;

static void
image_load_free (ImageLoad *load)
{
  g_free (load->variant_url);
  g_object_unref (load->self);
  rndimg_answer_free (load->answer);
  g_free (load);
}

/* An upload's answer and the live event of the same upload are one picture. */
static gboolean
is_newest (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  guint length = rndimg_viewer_history_get_length (self->history);
  const RndimgViewerEntry *newest = length > 0 ? rndimg_viewer_history_get (self->history, length - 1) : NULL;

  return newest != NULL && answer->id >= 0 && newest->answer->id == answer->id &&
         g_strcmp0 (newest->answer->url, answer->url) == 0;
}

/* A new picture while the window is in the background, when asked for. */
static void
notify_if_away (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;

  if (application == NULL || gtk_window_is_active (GTK_WINDOW (self)) ||
      !g_settings_get_boolean (self->settings, "notify-new-pictures"))
    return;
  notification = g_notification_new (_("New Picture"));
  g_notification_set_body (notification, answer->name);
  /* One at a time: each replaces the one before. */
  g_application_send_notification (G_APPLICATION (application), "new-picture", notification);
}

static void
on_image_fetched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImageLoad *load = user_data;
  RndimgViewerWindow *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rndimg_client_fetch_finish (RNDIMG_CLIENT (source), result, &error);
  g_autoptr(GdkTexture) texture = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;   /* a newer picture is loading, with its own placeholder */
  if (bytes == NULL && load->variant_url != NULL)
    {
      /* No variant to be had (the render queue full, an older server): the file. */
      g_clear_pointer (&load->variant_url, g_free);
      rndimg_client_fetch_async (self->client, load->answer->url, self->image_cancellable, on_image_fetched, load);
      return;
    }
  end_placeholder (self);
  if (bytes != NULL)
    texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      g_autofree char *message = bytes == NULL ? g_strdup (error->message)
        : g_strdup_printf (_("Bad answer: %s is not a picture (%s)"), load->answer->name, error->message);
      _rndimg_viewer_window_show_problem (self, message, error);
      goto out;
    }
  if (self->state == RNDIMG_VIEWER_LOADING || self->state == RNDIMG_VIEWER_ERROR)
    set_state (self, live_view_state (self), NULL);
  if (!is_newest (self, load->answer))
    {
      rndimg_viewer_history_add (self->history, load->answer, bytes, texture);
      notify_if_away (self, load->answer);
    }
out:
  image_load_free (load);
}

/* Takes @answer. */
void
_rndimg_viewer_window_load_picture (RndimgViewerWindow *self, RndimgAnswer *answer)
{
  ImageLoad *load = g_new0 (ImageLoad, 1);

  g_cancellable_cancel (self->image_cancellable);
  g_clear_object (&self->image_cancellable);
  self->image_cancellable = g_cancellable_new ();
  load->self = g_object_ref (self);
  load->answer = answer;
  show_placeholder (self, answer);
  /* The window's size times its scale, not the whole file. */
  load->variant_url = rndimg_client_variant_url (answer->url, answer->variant_version,
                                                 gtk_widget_get_width (GTK_WIDGET (self)),
                                                 gtk_widget_get_height (GTK_WIDGET (self)),
                                                 gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  rndimg_client_fetch_async (self->client, load->variant_url != NULL ? load->variant_url : answer->url,
                             self->image_cancellable, on_image_fetched, load);
}

static void
on_random_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RndimgViewerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RndimgAnswer *answer = rndimg_client_get_random_finish (RNDIMG_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->get_cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.get", TRUE);
  if (answer == NULL)
    {
      _rndimg_viewer_window_show_problem (self, error->message, error);
      return;
    }
  _rndimg_viewer_window_remember_server (self);
  _rndimg_viewer_window_load_picture (self, answer);
}

static void
get_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);
  const RndimgViewerEntry *shown = rndimg_viewer_history_get_current (self->history);

  if (self->get_cancellable != NULL)
    return;
  self->get_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (widget, "win.get", FALSE);
  if (self->state != RNDIMG_VIEWER_LIVE)
    set_state (self, RNDIMG_VIEWER_LOADING, NULL);
  rndimg_client_get_random_async (self->client, shown ? shown->answer->name : NULL, self->get_cancellable,
                                  on_random_answer, g_object_ref (self));
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);

  if (live_is_on (self))
    rndimg_live_start (self->live);
  else
    gtk_widget_activate_action (widget, "win.get", NULL);
}

static void
on_live_event (RndimgLive *live, RndimgAnswer *answer, gpointer user_data)
{
  _rndimg_viewer_window_load_picture (user_data, rndimg_answer_copy (answer));
}

static void
on_live_state (RndimgLive *live, GParamSpec *pspec, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;

  switch (rndimg_live_get_state (live))
    {
    case RNDIMG_LIVE_CONNECTING:
      set_state (self, RNDIMG_VIEWER_CONNECTING, NULL);
      break;
    case RNDIMG_LIVE_CONNECTED:
      set_state (self, RNDIMG_VIEWER_LIVE, NULL);
      _rndimg_viewer_window_remember_server (self);
      if (rndimg_viewer_history_get_current (self->history) == NULL)
        gtk_label_set_text (self->status_label, _("Live: waiting for the next picture…"));
      break;
    case RNDIMG_LIVE_RECONNECTING:
      self->problem_kind = PROBLEM_UNREACHABLE;
      set_state (self, RNDIMG_VIEWER_RECONNECTING, rndimg_live_get_reason (live));
      break;
    case RNDIMG_LIVE_OFF:
      set_state (self, RNDIMG_VIEWER_IDLE, NULL);
      break;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

static void
set_live (RndimgViewerWindow *self, gboolean on)
{
  if (on == live_is_on (self))
    return;
  if (on)
    rndimg_live_start (self->live);
  else
    {
      rndimg_live_stop (self->live);
      if (rndimg_viewer_history_get_current (self->history) == NULL)
        gtk_label_set_text (self->status_label, "");
    }
}

static void
set_original_size (RndimgViewerWindow *self, gboolean original)
{
  GtkPolicyType policy = original ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER;

  self->original_size = original;
  gtk_picture_set_can_shrink (self->picture, !original);
  gtk_picture_set_content_fit (self->picture, original ? GTK_CONTENT_FIT_SCALE_DOWN : GTK_CONTENT_FIT_CONTAIN);
  gtk_scrolled_window_set_policy (self->scroller, policy, policy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIGINAL_SIZE]);
}

void
rndimg_viewer_window_set_server (RndimgViewerWindow *self, const char *server)
{
  g_autofree char *host = NULL;

  g_return_if_fail (RNDIMG_IS_VIEWER_WINDOW (self));
  g_return_if_fail (server != NULL);

  rndimg_client_set_base_url (self->client, server);
  host = rndimg_client_display_host (rndimg_client_get_base_url (self->client));
  adw_window_title_set_subtitle (self->window_title, host);
  _rndimg_viewer_window_load_albums (self);
  if (live_is_on (self))
    rndimg_live_start (self->live);
}

static void
on_transport_changed (GSettings *settings, const char *key, RndimgViewerWindow *self)
{
  rndimg_live_set_transport (self->live, g_settings_get_enum (settings, "transport"));
}

static gboolean
rndimg_viewer_window_close_request (GtkWindow *window)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (rndimg_viewer_window_parent_class)->close_request (window);
}

static void
rndimg_viewer_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LIVE:
      g_value_set_boolean (value, self->live != NULL && live_is_on (self));
      break;
    case PROP_ORIGINAL_SIZE:
      g_value_set_boolean (value, self->original_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LIVE:
      set_live (self, g_value_get_boolean (value));
      break;
    case PROP_ORIGINAL_SIZE:
      set_original_size (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rndimg_viewer_window_dispose (GObject *object)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  g_cancellable_cancel (self->get_cancellable);
  g_cancellable_cancel (self->image_cancellable);
  g_cancellable_cancel (self->upload_cancellable);
  g_clear_object (&self->get_cancellable);
  g_clear_object (&self->image_cancellable);
  g_clear_object (&self->upload_cancellable);
  if (self->toast != NULL)
    g_signal_handlers_disconnect_by_data (self->toast, self);
  g_clear_object (&self->toast);
  if (self->live != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->live, self);
      rndimg_live_stop (self->live);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->live);
  g_clear_object (&self->client);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), RNDIMG_TYPE_VIEWER_WINDOW);
  G_OBJECT_CLASS (rndimg_viewer_window_parent_class)->dispose (object);
}

static void
rndimg_viewer_window_finalize (GObject *object)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  g_free (self->problem);
  g_free (self->last_toast);
  G_OBJECT_CLASS (rndimg_viewer_window_parent_class)->finalize (object);
}

static void
rndimg_viewer_window_class_init (RndimgViewerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rndimg_viewer_window_dispose;
  object_class->finalize = rndimg_viewer_window_finalize;
  object_class->get_property = rndimg_viewer_window_get_property;
  object_class->set_property = rndimg_viewer_window_set_property;
  GTK_WINDOW_CLASS (klass)->close_request = rndimg_viewer_window_close_request;

  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORIGINAL_SIZE] = g_param_spec_boolean ("original-size", NULL, NULL, FALSE,
                                                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/rndimg/Viewer/rndimg-viewer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, error_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, picture);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, forward_button);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, history_revealer);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, history_box);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, status_label);

  gtk_widget_class_install_action (widget_class, "win.get", NULL, get_activated);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_activated);
  gtk_widget_class_install_property_action (widget_class, "win.live", "live");
  gtk_widget_class_install_property_action (widget_class, "win.original-size", "original-size");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.get", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.get", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.live", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.original-size", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  _rndimg_viewer_window_class_actions_init (widget_class);
  _rndimg_viewer_window_class_upload_init (widget_class);
}

/* Once per display, whoever opens the first window (the app or a test):
 * our style sheet and our icons. */
static void
load_style (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) css = NULL;

  if (g_object_get_data (G_OBJECT (display), "rndimg-style") != NULL)
    return;
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/rndimg/Viewer/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display), "/io/github/rndimg/Viewer/icons");
  g_object_set_data (G_OBJECT (display), "rndimg-style", GINT_TO_POINTER (TRUE));
}

static void
rndimg_viewer_window_init (RndimgViewerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  load_style (gtk_widget_get_display (GTK_WIDGET (self)));
  self->history = rndimg_viewer_history_new (HISTORY_LENGTH);
  g_signal_connect_swapped (self->history, "changed", G_CALLBACK (on_history_changed), self);
  self->settings = rndimg_viewer_settings_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_signal_connect (self->settings, "changed::transport", G_CALLBACK (on_transport_changed), self);
  _rndimg_viewer_window_actions_init (self);
  _rndimg_viewer_window_upload_init (self);
}

RndimgViewerWindow *
rndimg_viewer_window_new (GtkApplication *application, const char *server, RndimgTransport transport)
{
  RndimgViewerWindow *self = g_object_new (RNDIMG_TYPE_VIEWER_WINDOW, "application", application, NULL);

  self->client = rndimg_client_new (server);
  self->live = rndimg_live_new (self->client, transport);
  _rndimg_viewer_window_album_picker_init (self);
  g_signal_connect (self->live, "event", G_CALLBACK (on_live_event), self);
  g_signal_connect (self->live, "notify::state", G_CALLBACK (on_live_state), self);
  rndimg_viewer_window_set_server (self, server);
  _rndimg_viewer_window_update_actions (self);
  return self;
}

const char *
rndimg_viewer_window_get_server (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return rndimg_client_get_base_url (self->client);
}

RndimgViewerState
rndimg_viewer_window_get_state (RndimgViewerWindow *self)
{
  return self->state;
}

const char *
rndimg_viewer_window_get_shown_name (RndimgViewerWindow *self)
{
  const RndimgViewerEntry *entry;

  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);
  entry = rndimg_viewer_history_get_current (self->history);
  return entry != NULL ? entry->answer->name : NULL;
}

GdkPaintable *
rndimg_viewer_window_get_paintable (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return gtk_picture_get_paintable (self->picture);
}

/* What went wrong, as the window says it; NULL when all is well. */
const char *
rndimg_viewer_window_get_problem (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return self->problem;
}

const char *
rndimg_viewer_window_get_status_text (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return gtk_label_get_text (self->status_label);
}

/* "empty", "error" or "picture". */
const char *
rndimg_viewer_window_get_page (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
rndimg_viewer_window_get_last_toast (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return self->last_toast;
}

RndimgViewerHistory *
rndimg_viewer_window_get_history (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return self->history;
}

GtkWidget *
rndimg_viewer_window_get_picture_widget (RndimgViewerWindow *self)
{
  g_return_val_if_fail (RNDIMG_IS_VIEWER_WINDOW (self), NULL);

  return GTK_WIDGET (self->picture);
}
