/* SPDX-License-Identifier: MIT */
/* The access log: one record per finished request, at info level in its
 * own log domain. On a terminal it is one line in the combined log format
 * (as nginx and Apache write it) plus the duration in seconds; under
 * systemd it goes to the journal with one field per value (REMOTE_ADDR,
 * REQUEST_METHOD, HTTP_STATUS, ...); a credential or a signature in the
 * query is never written. The audit records (rndimg-audit.c) are one line
 * on a terminal too, their own message. Everything else goes through
 * GLib's default writer: warnings and errors always, debug with --verbose. */
#include "rndimg-access-log.h"
#include "rndimg-audit.h"

#include <stdio.h>

#define ACCESS_DOMAIN "rndimg-access"

/* Whether a record is written as its own message, one line: the access
 * log's and the audit's. */
static gboolean
is_one_line_record (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      return g_strcmp0 (fields[i].value, ACCESS_DOMAIN) == 0 || g_strcmp0 (fields[i].value, RNDIMG_AUDIT_DOMAIN) == 0;
  return FALSE;
}

static const char *
message_of (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      return fields[i].value;
  return "";
}

/* Where the logs go, decided once: standard error does not change. */
typedef struct {
  gboolean journald;
} LogTarget;

static GLogWriterOutput
write_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const LogTarget *target = user_data;

  if (!is_one_line_record (fields, n_fields))
    return g_log_writer_default (level, fields, n_fields, NULL);
  if (target->journald)
    return g_log_writer_journald (level, fields, n_fields, NULL);
  fprintf (stderr, "%s\n", message_of (fields, n_fields));
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

/* Logs go to standard error (standard output carries only the URL). */
void
rndimg_access_log_install_writer (void)
{
  LogTarget *target = g_new0 (LogTarget, 1);

  target->journald = g_log_writer_is_journald (fileno (stderr));
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (write_log, target, g_free);
}

static const char *
or_dash (const char *value)
{
  return value != NULL ? value : "-";
}

/* @query with the values of credentials (access_token) and signatures
 * (sig) left out: a log is read by more people than may hold them. */
static char *
redacted_query (const char *query)
{
  g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    if (g_str_has_prefix (pairs[i], "access_token=") || g_str_has_prefix (pairs[i], "sig="))
      {
        char *redacted = g_strconcat (g_str_has_prefix (pairs[i], "sig=") ? "sig" : "access_token", "=-", NULL);

        g_free (pairs[i]);
        pairs[i] = redacted;
      }
  return g_strjoinv ("&", pairs);
}

static char *
requested_target (const RndimgFinishedRequest *request)
{
  g_autofree char *query = NULL;

  if (request->path == NULL)     /* a request line that could not be parsed */
    return g_strdup ("-");
  if (request->query == NULL)
    return g_strdup (request->path);
  query = redacted_query (request->query);
  return g_strconcat (request->path, "?", query, NULL);
}

void
rndimg_access_log_record (const RndimgFinishedRequest *request)
{
  const char *remote = or_dash (request->remote_host);
  const char *method = or_dash (request->method);
  g_autofree char *target = requested_target (request);
  g_autofree char *safe_target = g_strescape (target, NULL);
  g_autofree char *agent = g_strescape (or_dash (request->user_agent), NULL);
  g_autofree char *referer = g_strescape (or_dash (request->referer), NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%d/%b/%Y:%H:%M:%S %z");
  g_autofree char *status = g_strdup_printf ("%u", request->status);
  g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, request->bytes_sent);
  g_autofree char *duration = g_strdup_printf ("%.6f", request->seconds);
  g_autofree char *line = g_strdup_printf ("%s - - [%s] \"%s %s HTTP/1.%d\" %s %s \"%s\" \"%s\" %s",
                                           remote, time, method, safe_target,
                                           request->http_version == SOUP_HTTP_1_0 ? 0 : 1,
                                           status, bytes, referer, agent, duration);
  const GLogField fields[] = {
    { "MESSAGE", line, -1 },
    { "PRIORITY", "6", -1 },
    { "GLIB_DOMAIN", ACCESS_DOMAIN, -1 },
    { "REMOTE_ADDR", remote, -1 },
    { "REQUEST_METHOD", method, -1 },
    { "REQUEST_PATH", target, -1 },
    { "HTTP_STATUS", status, -1 },
    { "RESPONSE_BYTES", bytes, -1 },
    { "DURATION_SECONDS", duration, -1 },
    { "USER_AGENT", or_dash (request->user_agent), -1 },
  };

  g_log_structured_array (G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS (fields));
}
