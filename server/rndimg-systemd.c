/* SPDX-License-Identifier: MIT */
/* The two systemd protocols the server speaks, without libsystemd:
 * socket activation (a listening socket handed over as fd 3 with
 * LISTEN_FDS and LISTEN_PID set) and readiness notification (datagrams
 * like "READY=1" to the socket named by NOTIFY_SOCKET). */
#include "rndimg-systemd.h"

#include <gio/gunixsocketaddress.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FIRST_PASSED_FD 3

/* The listening socket systemd (or systemd-socket-activate) passed to
 * this process, or NULL when none was passed. The variables are removed
 * so that no child would take the socket too. */
GSocket *
rndimg_systemd_take_socket (GError **error)
{
  const char *pid_text = g_getenv ("LISTEN_PID");
  const char *count_text = g_getenv ("LISTEN_FDS");
  gboolean for_us = pid_text != NULL && g_ascii_strtoll (pid_text, NULL, 10) == getpid ();
  gint64 count = count_text != NULL ? g_ascii_strtoll (count_text, NULL, 10) : 0;
  GSocket *socket;

  g_unsetenv ("LISTEN_PID");
  g_unsetenv ("LISTEN_FDS");
  g_unsetenv ("LISTEN_FDNAMES");
  if (!for_us || count == 0)
    return NULL;
  if (count != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "systemd passed %" G_GINT64_FORMAT " sockets; give the server exactly one", count);
      return NULL;
    }
  socket = g_socket_new_from_fd (FIRST_PASSED_FD, error);
  if (socket == NULL)
    {
      g_prefix_error (error, "the socket systemd passed (fd 3) is not usable: ");
      return NULL;
    }
  if (g_socket_get_socket_type (socket) != G_SOCKET_TYPE_STREAM ||
      (g_socket_get_family (socket) != G_SOCKET_FAMILY_IPV4 && g_socket_get_family (socket) != G_SOCKET_FAMILY_IPV6))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the socket systemd passed is not a TCP socket (ListenStream=ADDRESS:PORT)");
      g_object_unref (socket);
      return NULL;
    }
  return socket;
}

/* The IP address @socket listens on, as text. */
char *
rndimg_systemd_socket_address (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  if (local == NULL)
    return g_strdup ("0.0.0.0");
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
}

static GSocketAddress *
notify_address (const char *path)
{
  /* A leading '@' names an abstract socket. */
  if (path[0] == '@')
    return g_unix_socket_address_new_with_type (path + 1, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  return g_unix_socket_address_new (path);
}

/* Tells systemd (Type=notify) about a change of state, e.g. "READY=1".
 * Does nothing when not run by systemd. */
void
rndimg_systemd_notify (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || (path[0] != '/' && path[0] != '@'))
    return;
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  address = notify_address (path);
  if (socket == NULL || g_socket_send_to (socket, address, state, strlen (state), NULL, &error) < 0)
    g_warning ("cannot tell systemd %s: %s", state, error->message);
}
