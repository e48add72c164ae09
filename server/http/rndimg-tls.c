/* SPDX-License-Identifier: MIT */
/* HTTPS from the server itself: the certificate and key (PEM files) are
 * loaded and proven to belong together before the server starts, and each
 * accepted connection is wrapped in a GLib TLS server connection
 * (glib-networking) before libsoup reads from it. */
#include "rndimg-tls.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

/* A key that does not match its certificate loads without complaint
 * (glib-networking checks neither): only a handshake proves the pair.
 * One is made over a socket pair, the client side in a thread. */
static gboolean
accept_any (GTlsConnection *connection, GTlsCertificate *peer, GTlsCertificateFlags errors, gpointer user_data)
{
  return TRUE;
}

static GIOStream *
connection_on (int fd, GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, error);

  if (socket == NULL)
    {
      close (fd);
      return NULL;
    }
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static gpointer
client_handshake (gpointer data)
{
  GIOStream *base = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) client = g_tls_client_connection_new (base, NULL, &error);

  if (client == NULL)
    return GINT_TO_POINTER (FALSE);
  g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (client), NULL, &error))
    {
      /* Unblocks the server side, which waits for a reply. */
      g_io_stream_close (base, NULL, NULL);
      return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static gboolean
prove_pair (GTlsCertificate *certificate, GError **error)
{
  g_autoptr(GIOStream) server_base = NULL;
  g_autoptr(GIOStream) client_base = NULL;
  g_autoptr(GIOStream) server = NULL;
  g_autoptr(GError) handshake_error = NULL;
  GThread *client;
  gboolean server_ok, client_ok;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "socketpair: %s", g_strerror (errno));
      return FALSE;
    }
  server_base = connection_on (fds[0], error);
  client_base = connection_on (fds[1], error);
  if (server_base == NULL || client_base == NULL)
    return FALSE;
  server = g_tls_server_connection_new (server_base, certificate, error);
  if (server == NULL)
    return FALSE;
  client = g_thread_new ("rndimg-tls-check", client_handshake, client_base);
  server_ok = g_tls_connection_handshake (G_TLS_CONNECTION (server), NULL, &handshake_error);
  if (!server_ok)
    g_io_stream_close (server_base, NULL, NULL);   /* the client may wait too */
  client_ok = GPOINTER_TO_INT (g_thread_join (client));
  if (server_ok && client_ok)
    return TRUE;
  g_debug ("TLS test handshake: %s", handshake_error != NULL ? handshake_error->message : "the client side failed");
  g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
               "the key does not match the certificate (a test handshake with them failed)");
  return FALSE;
}

/* The certificate (with its chain, if the file holds one) and its private
 * key, or NULL with @error saying which file is wrong and why. */
GTlsCertificate *
rndimg_tls_load_certificate (const char *certificate_file, const char *key_file, GError **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GTlsCertificate) alone = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                   "TLS is not available: GLib found no TLS backend (install glib-networking)");
      return NULL;
    }
  /* The certificate alone first, so an error names the right file. */
  alone = g_tls_certificate_new_from_file (certificate_file, &load_error);
  if (alone == NULL)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "--tls-certificate %s: %s", certificate_file, load_error->message);
      return NULL;
    }
  certificate = g_tls_certificate_new_from_files (certificate_file, key_file, &load_error);
  if (certificate == NULL)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "--tls-key %s: %s", key_file, load_error->message);
      return NULL;
    }
  if (!prove_pair (certificate, &load_error))
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "--tls-key %s with --tls-certificate %s: %s", key_file, certificate_file, load_error->message);
      return NULL;
    }
  return g_steal_pointer (&certificate);
}

/* @connection as a TLS server connection presenting @certificate. The
 * handshake happens at libsoup's first read, under the header timeout. */
GIOStream *
rndimg_tls_wrap (GSocketConnection *connection, GTlsCertificate *certificate, GError **error)
{
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), certificate, error);

  if (tls != NULL)
    g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  return tls;
}
