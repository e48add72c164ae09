/* SPDX-License-Identifier: MIT */
/* The viewer's window: a picture, Get and Live in the header bar, a banner
 * for trouble and a status line. All network work is asynchronous; a newer
 * request cancels an older one, and closing the window cancels everything. */
#include "rndimg-viewer-window.h"
#include "rndimg-viewer-settings.h"

struct _RndimgViewerWindow
{
  GtkApplicationWindow parent_instance;

  GtkPicture *picture;
  GtkLabel *status_label;
  GtkRevealer *banner;
  GtkLabel *banner_label;
  GtkEntry *server_entry;
  GtkLabel *server_error;
  GtkPopover *preferences_popover;

  RndimgClient *client;
  RndimgLive *live;
  RndimgTransport transport;
  GCancellable *get_cancellable;     /* the Get in flight */
  GCancellable *image_cancellable;   /* the picture download in flight */
  RndimgViewerState state;
  char *shown_name;
};

G_DEFINE_FINAL_TYPE (RndimgViewerWindow, rndimg_viewer_window, GTK_TYPE_APPLICATION_WINDOW)

static void
set_state (RndimgViewerWindow *self, RndimgViewerState state, const char *banner)
{
  GtkWidget *banner_box = gtk_revealer_get_child (self->banner);

  self->state = state;
  gtk_label_set_text (self->banner_label, banner != NULL ? banner : "");
  gtk_revealer_set_reveal_child (self->banner, banner != NULL);
  if (state == RNDIMG_VIEWER_RECONNECTING)
    gtk_widget_add_css_class (banner_box, "reconnecting");
  else
    gtk_widget_remove_css_class (banner_box, "reconnecting");
}

static void
set_status (RndimgViewerWindow *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
set_status (RndimgViewerWindow *self, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  gtk_label_set_text (self->status_label, text);
}

static char *
local_time (const char *rfc3339)
{
  g_autoptr(GDateTime) utc = rfc3339 ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : g_date_time_new_now_local ();

  return g_date_time_format (local, "%X");
}

static void
describe_answer (RndimgViewerWindow *self, const RndimgAnswer *answer)
{
  g_autofree char *when = local_time (answer->published_at);

  if (answer->id >= 0)
    set_status (self, "#%" G_GINT64_FORMAT " · %s · %s · published %s",
                answer->id, answer->name, answer->source ? answer->source : "", when);
  else
    set_status (self, "%s · fetched %s", answer->name, when);
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

/* A picture is decoded from memory before it replaces the shown one. */
typedef struct {
  RndimgViewerWindow *self;
  RndimgAnswer *answer;
} ImageLoad;

static void
image_load_free (ImageLoad *load)
{
  g_object_unref (load->self);
  rndimg_answer_free (load->answer);
  g_free (load);
}

static void
show_error (RndimgViewerWindow *self, const char *message)
{
  g_autofree char *banner = g_strdup_printf ("Error: %s", message);

  set_state (self, RNDIMG_VIEWER_ERROR, banner);
  set_status (self, "%s", self->shown_name ? self->shown_name : "No picture yet.");
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
    goto out;
  if (bytes != NULL)
    texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Bad answer: %s is not a picture (%s)",
                                                  load->answer->name, error->message);
      show_error (self, message);
      goto out;
    }

  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_picture_set_alternative_text (self->picture, load->answer->name);
  g_free (self->shown_name);
  self->shown_name = g_strdup (load->answer->name);
  describe_answer (self, load->answer);
  if (self->state == RNDIMG_VIEWER_LOADING || self->state == RNDIMG_VIEWER_ERROR)
    set_state (self, rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF ? live_view_state (self)
                                                                           : RNDIMG_VIEWER_IDLE, NULL);
out:
  image_load_free (load);
}

/* Takes @answer. */
static void
load_picture (RndimgViewerWindow *self, RndimgAnswer *answer)
{
  ImageLoad *load = g_new0 (ImageLoad, 1);

  g_cancellable_cancel (self->image_cancellable);
  g_clear_object (&self->image_cancellable);
  self->image_cancellable = g_cancellable_new ();
  load->self = g_object_ref (self);
  load->answer = answer;
  rndimg_client_fetch_async (self->client, answer->url, self->image_cancellable, on_image_fetched, load);
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
      show_error (self, error->message);
      return;
    }
  load_picture (self, answer);
}

static void
get_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (widget);

  if (self->get_cancellable != NULL)
    return;
  self->get_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (widget, "win.get", FALSE);
  if (self->state != RNDIMG_VIEWER_LIVE)
    set_state (self, RNDIMG_VIEWER_LOADING, NULL);
  set_status (self, "Asking %s for a picture…", rndimg_client_get_base_url (self->client));
  rndimg_client_get_random_async (self->client, self->shown_name, self->get_cancellable,
                                  on_random_answer, g_object_ref (self));
}

static void
on_live_event (RndimgLive *live, RndimgAnswer *answer, gpointer user_data)
{
  RndimgAnswer *copy = g_new0 (RndimgAnswer, 1);

  copy->url = g_strdup (answer->url);
  copy->name = g_strdup (answer->name);
  copy->id = answer->id;
  copy->published_at = g_strdup (answer->published_at);
  copy->source = g_strdup (answer->source);
  load_picture (user_data, copy);
}

static void
on_live_state (RndimgLive *live, GParamSpec *pspec, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;
  const char *transport = rndimg_transport_to_string (rndimg_live_get_active_transport (live));
  g_autofree char *banner = NULL;

  switch (rndimg_live_get_state (live))
    {
    case RNDIMG_LIVE_CONNECTING:
      set_state (self, RNDIMG_VIEWER_CONNECTING, NULL);
      set_status (self, "Connecting to %s…", rndimg_client_get_base_url (self->client));
      break;
    case RNDIMG_LIVE_CONNECTED:
      set_state (self, RNDIMG_VIEWER_LIVE, NULL);
      if (self->shown_name == NULL)
        set_status (self, "Live over %s: waiting for the next picture.", transport);
      break;
    case RNDIMG_LIVE_RECONNECTING:
      banner = g_strdup_printf ("Reconnecting (%s): %s", transport, rndimg_live_get_reason (live));
      set_state (self, RNDIMG_VIEWER_RECONNECTING, banner);
      break;
    case RNDIMG_LIVE_OFF:
      set_state (self, RNDIMG_VIEWER_IDLE, NULL);
      break;
    }
}

static void
live_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  RndimgViewerWindow *self = user_data;

  g_simple_action_set_state (action, value);
  if (g_variant_get_boolean (value))
    rndimg_live_start (self->live);
  else
    {
      rndimg_live_stop (self->live);
      set_status (self, "Live is off.");
    }
}

static gboolean
live_is_on (RndimgViewerWindow *self)
{
  return rndimg_live_get_state (self->live) != RNDIMG_LIVE_OFF;
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

void
rndimg_viewer_window_set_server (RndimgViewerWindow *self, const char *server)
{
  g_autoptr(GError) error = NULL;

  rndimg_client_set_base_url (self->client, server);
  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), rndimg_client_get_base_url (self->client));
  if (!rndimg_viewer_settings_save_server (rndimg_client_get_base_url (self->client), &error))
    g_warning ("cannot remember the server: %s", error->message);
  gtk_window_set_title (GTK_WINDOW (self), rndimg_client_get_base_url (self->client));
  if (live_is_on (self))
    rndimg_live_start (self->live);
}

static void
on_server_apply (RndimgViewerWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->server_entry));
  g_autoptr(GError) error = NULL;

  if (!rndimg_client_check_base_url (text, &error))
    {
      gtk_label_set_text (self->server_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->server_error), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->server_entry), "error");
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->server_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_entry), "error");
  rndimg_viewer_window_set_server (self, text);
  gtk_popover_popdown (self->preferences_popover);
}

static void
rndimg_viewer_window_dispose (GObject *object)
{
  RndimgViewerWindow *self = RNDIMG_VIEWER_WINDOW (object);

  g_cancellable_cancel (self->get_cancellable);
  g_cancellable_cancel (self->image_cancellable);
  g_clear_object (&self->get_cancellable);
  g_clear_object (&self->image_cancellable);
  if (self->live != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->live, self);
      rndimg_live_stop (self->live);
    }
  g_clear_object (&self->live);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), RNDIMG_TYPE_VIEWER_WINDOW);
  G_OBJECT_CLASS (rndimg_viewer_window_parent_class)->dispose (object);
}

static void
rndimg_viewer_window_finalize (GObject *object)
{
  g_free (RNDIMG_VIEWER_WINDOW (object)->shown_name);
  G_OBJECT_CLASS (rndimg_viewer_window_parent_class)->finalize (object);
}

static void
rndimg_viewer_window_class_init (RndimgViewerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rndimg_viewer_window_dispose;
  object_class->finalize = rndimg_viewer_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/rndimg/Viewer/rndimg-viewer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, picture);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, server_entry);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, server_error);
  gtk_widget_class_bind_template_child (widget_class, RndimgViewerWindow, preferences_popover);
  gtk_widget_class_bind_template_callback (widget_class, on_server_apply);

  gtk_widget_class_install_action (widget_class, "win.get", NULL, get_activated);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_activated);
}

/* Once per display, whoever opens the first window (the app or a test). */
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
  g_object_set_data (G_OBJECT (display), "rndimg-style", GINT_TO_POINTER (TRUE));
}

static void
rndimg_viewer_window_init (RndimgViewerWindow *self)
{
  const GActionEntry entries[] = {
    { .name = "live", .state = "false", .change_state = live_change_state },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  load_style (gtk_widget_get_display (GTK_WIDGET (self)));
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

RndimgViewerWindow *
rndimg_viewer_window_new (GtkApplication *application, const char *server, RndimgTransport transport)
{
  RndimgViewerWindow *self = g_object_new (RNDIMG_TYPE_VIEWER_WINDOW, "application", application, NULL);

  self->transport = transport;
  self->client = rndimg_client_new (server);
  self->live = rndimg_live_new (self->client, transport);
  g_signal_connect (self->live, "event", G_CALLBACK (on_live_event), self);
  g_signal_connect (self->live, "notify::state", G_CALLBACK (on_live_state), self);
  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), rndimg_client_get_base_url (self->client));
  gtk_window_set_title (GTK_WINDOW (self), rndimg_client_get_base_url (self->client));
  return self;
}

const char *
rndimg_viewer_window_get_server (RndimgViewerWindow *self)
{
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
  return self->shown_name;
}

GdkPaintable *
rndimg_viewer_window_get_paintable (RndimgViewerWindow *self)
{
  return gtk_picture_get_paintable (self->picture);
}

/* The banner's text, or NULL when it is hidden. */
const char *
rndimg_viewer_window_get_banner_text (RndimgViewerWindow *self)
{
  return gtk_revealer_get_reveal_child (self->banner) ? gtk_label_get_text (self->banner_label) : NULL;
}

const char *
rndimg_viewer_window_get_status_text (RndimgViewerWindow *self)
{
  return gtk_label_get_text (self->status_label);
}
