/* SPDX-License-Identifier: MIT */
/* Live as the window shows it, always from Live's own state, whatever Get
 * does: the Live button off, on (the accent colour and a dot) or on but
 * not connected (the warning colour and an offline icon), its tooltip
 * saying which; and over the picture a banner while Live is not
 * connected: "Connecting…" when that takes a while, "Connection lost …
 * reconnecting in 4 s" with Retry Now, then, after a few failed tries,
 * "Cannot reach the server … next try in 16 s" with Change Server… too.
 * The time left is counted down once a second. */
#include "rndimg-viewer-window-private.h"
#include "rndimg-viewer-i18n.h"

#include <glib/gi18n-lib.h>

#define TRIES_BEFORE_UNREACHABLE 3
#define CONNECTING_QUIETLY_MS 1000

/* Whole seconds until @usec (monotonic), at least 1. */
static int
seconds_until (gint64 usec)
{
  gint64 left = usec - g_get_monotonic_time ();

  return (int) MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
}

/* When the next try is, for a person ("Live tries again in 8 s."), or
 * NULL when none is waiting. */
char *
_rndimg_viewer_window_retry_text (RndimgViewerWindow *self)
{
  gint64 live_retry = rndimg_live_get_retry_time (self->live);

  if (live_retry > 0)
    /* Translators: %d is a number of seconds */
    return g_strdup_printf (_("Live tries again in %d s."), seconds_until (live_retry));
  if (rndimg_live_get_state (self->live) == RNDIMG_LIVE_RECONNECTING)
    return g_strdup (_("Live is trying again…"));
  if (self->albums_retry_usec > 0)
    return g_strdup_printf (_("Trying again in %d s."), seconds_until (self->albums_retry_usec));
  if (self->albums_unreachable && self->albums_cancellable != NULL)
    return g_strdup (_("Trying again…"));
  return NULL;
}

/* The server, isolated for a sentence. */
static char *
host_of (RndimgViewerWindow *self)
{
  g_autofree char *host = rndimg_client_display_host (rndimg_client_get_base_url (self->client));

  return rndimg_viewer_isolate (host);
}

/* What the banner says, or NULL when Live has nothing to say there. */
static char *
banner_text (RndimgViewerWindow *self, gboolean *unreachable)
{
  RndimgLiveState state = rndimg_live_get_state (self->live);
  const char *reason = rndimg_live_get_reason (self->live);
  gint64 retry = rndimg_live_get_retry_time (self->live);
  g_autofree char *host = host_of (self);

  *unreachable = state == RNDIMG_LIVE_RECONNECTING &&
                 rndimg_live_get_failed_attempts (self->live) >= TRIES_BEFORE_UNREACHABLE;
  if (state == RNDIMG_LIVE_CONNECTING)
    return self->connecting_slowly ? g_strdup_printf (_("Live: connecting to %s…"), host) : NULL;
  if (state != RNDIMG_LIVE_RECONNECTING)
    return NULL;
  if (*unreachable && retry > 0)
    /* Translators: the server, why it cannot be reached, and a number of seconds */
    return g_strdup_printf (_("Live cannot reach %s: %s Next try in %d s."), host, reason,
                            seconds_until (retry));
  if (*unreachable)
    return g_strdup_printf (_("Live cannot reach %s: %s Trying again…"), host, reason);
  if (retry > 0)
    /* Translators: why the connection was lost, and a number of seconds */
    return g_strdup_printf (_("Live lost its connection: %s Reconnecting in %d s…"), reason, seconds_until (retry));
  return g_strdup_printf (_("Live lost its connection: %s Reconnecting…"), reason);
}

static void
update_banner (RndimgViewerWindow *self)
{
  gboolean unreachable = FALSE;
  g_autofree char *text = banner_text (self, &unreachable);
  /* With no picture, the error page says it already. */
  gboolean shown = text != NULL && _rndimg_viewer_window_has_picture (self);

  if (text != NULL)
    gtk_label_set_text (self->banner_label, text);
  gtk_image_set_from_icon_name (self->banner_icon, rndimg_live_get_state (self->live) == RNDIMG_LIVE_CONNECTING
                                                   ? "network-idle-symbolic" : "network-offline-symbolic");
  gtk_widget_set_visible (self->banner_retry_button,
                          rndimg_live_get_state (self->live) == RNDIMG_LIVE_RECONNECTING);
  gtk_widget_set_visible (self->banner_server_button, unreachable);
  gtk_revealer_set_reveal_child (self->banner, shown);
}

/* The Live button: off, on, or on and not connected; a colour and an
 * icon for each, and its tooltip says it. */
static void
update_button (RndimgViewerWindow *self)
{
  RndimgLiveState state = rndimg_live_get_state (self->live);
  gboolean on = state == RNDIMG_LIVE_CONNECTED;
  gboolean trouble = state == RNDIMG_LIVE_CONNECTING || state == RNDIMG_LIVE_RECONNECTING;
  const char *tooltip = on ? _("Live: following new pictures (Ctrl+L to stop)")
                        : trouble ? _("Live: not connected to the server (Ctrl+L to stop)")
                        : _("Follow New Pictures as They Are Published (Ctrl+L)");

  if (on)
    gtk_widget_add_css_class (self->live_button, "rndimg-live-on");
  else
    gtk_widget_remove_css_class (self->live_button, "rndimg-live-on");
  if (trouble)
    gtk_widget_add_css_class (self->live_button, "rndimg-live-trouble");
  else
    gtk_widget_remove_css_class (self->live_button, "rndimg-live-trouble");
  gtk_image_set_from_icon_name (self->live_icon, on ? "media-record-symbolic" : "network-offline-symbolic");
  gtk_widget_set_visible (GTK_WIDGET (self->live_icon), on || trouble);
  gtk_widget_set_tooltip_text (self->live_button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->live_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
}

static gboolean
on_second (gpointer user_data)
{
  RndimgViewerWindow *self = user_data;

  _rndimg_viewer_window_update_view (self);
  return G_SOURCE_CONTINUE;
}

/* Once a second while a time left is shown, never otherwise. */
static void
update_countdown (RndimgViewerWindow *self)
{
  gboolean counting = rndimg_live_get_retry_time (self->live) > 0 || self->albums_retry_usec > 0;

  if (counting && self->countdown_id == 0)
    self->countdown_id = g_timeout_add_seconds (1, on_second, self);
  else if (!counting)
    g_clear_handle_id (&self->countdown_id, g_source_remove);
}

/* Called whenever the view is: the button, the banner, the countdown. */
void
_rndimg_viewer_window_update_live (RndimgViewerWindow *self)
{
  if (self->live == NULL)
    return;
  update_button (self);
  update_banner (self);
  update_countdown (self);
}

static gboolean
on_connecting_slowly (gpointer user_data)
{
  RndimgViewerWindow *self = user_data;

  self->connecting_id = 0;
  self->connecting_slowly = TRUE;
  _rndimg_viewer_window_update_view (self);
  return G_SOURCE_REMOVE;
}

static void
on_state (RndimgLive *live, GParamSpec *pspec, RndimgViewerWindow *self)
{
  g_clear_handle_id (&self->connecting_id, g_source_remove);
  self->connecting_slowly = FALSE;
  if (rndimg_live_get_state (live) == RNDIMG_LIVE_CONNECTING)
    self->connecting_id = g_timeout_add (CONNECTING_QUIETLY_MS, on_connecting_slowly, self);
  _rndimg_viewer_window_update_view (self);
}

void
_rndimg_viewer_window_live_init (RndimgViewerWindow *self)
{
  g_signal_connect (self->live, "notify::state", G_CALLBACK (on_state), self);
  g_signal_connect_swapped (self->live, "notify::retry-time", G_CALLBACK (_rndimg_viewer_window_update_view), self);
}

void
_rndimg_viewer_window_live_dispose (RndimgViewerWindow *self)
{
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_handle_id (&self->connecting_id, g_source_remove);
}
