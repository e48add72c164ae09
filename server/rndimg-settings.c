/* SPDX-License-Identifier: MIT */
/* Where each setting comes from: the command line, else the environment
 * variable RNDIMG_<NAME> (--max-upload: RNDIMG_MAX_UPLOAD), else the
 * [server] group of the key file named by --config (or RNDIMG_CONFIG),
 * else the default. One table lists every setting once; each value is
 * read as text from the first source that has it, then checked. */
#include "rndimg-settings.h"
#include "rndimg-redis-broker.h"
#include "rndimg-api-prefix.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <stddef.h>
#include <stdio.h>

/* KIND_LIST: a flag given again adds to the list; in the environment and
 * the config file the items are separated by commas. */
typedef enum { KIND_INT, KIND_INT64, KIND_DOUBLE, KIND_TEXT, KIND_PATH, KIND_SWITCH, KIND_LIST } SettingKind;

typedef struct {
  const char *name;
  char short_name;
  SettingKind kind;
  gsize offset;              /* into RndimgConfig */
  const char *fallback;      /* the default as text; NULL: none */
  double min, max;
  const char *arg_description;
  const char *description;
} Setting;

#define AT(field) offsetof (RndimgConfig, field)

static const Setting settings[] = {
  { "port", 'p', KIND_INT, AT (port), "5000", 0, 65535, "PORT",
    "TCP port to listen on; 0 picks a free one (default 5000)" },
  { "address", 'a', KIND_TEXT, AT (address), "127.0.0.1", 0, 0, "ADDRESS",
    "IP address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)" },
  { "images", 'i', KIND_PATH, AT (images_dir), NULL, 0, 0, "DIR",
    "Folder of images to serve (default: the shipped data/img)" },
  { "uploads", 'u', KIND_PATH, AT (uploads_dir), NULL, 0, 0, "DIR",
    "Folder uploads go to, served too (default: $STATE_DIRECTORY, else the --images DIR, "
    "else ~/.local/state/rndimg/uploads)" },
  { "web", 'w', KIND_PATH, AT (web_dir), NULL, 0, 0, "DIR",
    "Folder of the web page (default: the shipped web/)" },
  { "interval", 0, KIND_DOUBLE, AT (interval_seconds), "5", 0, 86400, "SECONDS",
    "Publish a random image every SECONDS; 0 turns the slideshow off (default 5)" },
  { "history", 0, KIND_INT, AT (history), "128", 1, 100000, "N",
    "Events kept for replay to late clients (default 128)" },
  { "state-file", 0, KIND_PATH, AT (state_file), NULL, 0, 0, "FILE",
    "Where the broker keeps what makes ids continue after a restart: the in-memory broker its epoch, "
    "newest id and history, a Redis node the newest id it saw, beside it "
    "(default: $STATE_DIRECTORY/history.json, else ~/.local/state/rndimg/history.json)" },
  { "broker", 0, KIND_TEXT, AT (broker), "memory", 0, 0, "URL",
    "Where events live: memory (this process) or redis://HOST:PORT[/DB], shared by every node (default memory)" },
  { "max-upload", 0, KIND_INT64, AT (max_upload_bytes), "10485760", 1, 4294967296.0, "BYTES",
    "Largest accepted upload in bytes (default 10485760, 10 MiB)" },
  { "token-file", 0, KIND_PATH, AT (token_file), NULL, 0, 0, "FILE",
    "File holding the bearer token that publish and upload need (or env RNDIMG_TOKEN)" },
  { "tokens-file", 0, KIND_PATH, AT (tokens_file), NULL, 0, 0, "FILE",
    "Key file of named tokens with scopes ([NAME] token=... or sha256=..., scopes=read publish upload "
    "manage, each maybe :ALBUM); SIGHUP reloads it" },
  { "jwt-key", 0, KIND_PATH, AT (jwt_key_file), NULL, 0, 0, "FILE",
    "Take JSON Web Tokens signed with this key: the secret (HS256) or a PEM public key (RS256, ES256); "
    "SIGHUP reloads it" },
  { "jwt-algorithm", 0, KIND_TEXT, AT (jwt_algorithm), "HS256", 0, 0, "ALG",
    "The one algorithm JWTs may be signed with: HS256, RS256 or ES256 (default HS256)" },
  { "signing-keys", 0, KIND_PATH, AT (signing_keys_file), NULL, 0, 0, "FILE",
    "Keys of private albums' signed URLs, one a line: the first signs, a second still verifies "
    "(rotation); SIGHUP reloads them (default: signing-keys in the state folder, made when missing)" },
  { "signed-url-lifetime", 0, KIND_INT, AT (signed_url_seconds), "3600", 60, 604800, "SECONDS",
    "Least time a signed URL of a private picture lives (default 3600; rounded up by at most 5 minutes)" },
  { "trash-days", 0, KIND_DOUBLE, AT (trash_days), "30", 0, 3650, "DAYS",
    "Days a deleted picture stays in the trash folder of the state folder before it is removed "
    "for good; 0 removes it at the next hourly sweep (default 30)" },
  { "write-rate", 0, KIND_DOUBLE, AT (write_rate), "2", 0, 100000, "PER_SECOND",
    "Writes (publish, upload, delete, edit) each token may make per second after its burst; "
    "beyond, 429 with Retry-After; 0: no limit (default 2)" },
  { "write-burst", 0, KIND_INT, AT (write_burst), "60", 1, 1000000, "N",
    "Writes each token may make at once (default 60)" },
  { "render-rate", 0, KIND_DOUBLE, AT (render_rate), "4", 0, 100000, "PER_SECOND",
    "Variant renders each client (its token, else its address) may queue per second after its burst "
    "when every worker is busy; beyond, 429 with Retry-After, before the shared --render-queue's 503; "
    "0: no limit (default 4)" },
  { "render-burst", 0, KIND_INT, AT (render_burst), "16", 1, 1000000, "N",
    "Variant renders each client may queue at once when every worker is busy (default 16)" },
  { "max-waiters", 0, KIND_INT, AT (max_waiters), "10000", 1, 1000000, "N",
    "Most long-polls held at once; beyond, 503 (default 10000)" },
  { "max-streams", 0, KIND_INT, AT (max_streams), "1000", 1, 100000, "N",
    "Most event streams open at once; beyond, 503 (default 1000)" },
  { "max-websockets", 0, KIND_INT, AT (max_sockets), "1000", 1, 100000, "N",
    "Most WebSockets open at once; beyond, 503 (default 1000)" },
  { "heartbeat", 0, KIND_DOUBLE, AT (heartbeat_seconds), "15", 0.05, 3600, "SECONDS",
    "Seconds between keep-alives: comments on event streams, pings on WebSockets (default 15)" },
  { "tls-certificate", 0, KIND_PATH, AT (tls_certificate), NULL, 0, 0, "FILE",
    "Serve HTTPS with this certificate (PEM, may hold the chain); needs --tls-key; SIGHUP reloads both" },
  { "tls-key", 0, KIND_PATH, AT (tls_key), NULL, 0, 0, "FILE",
    "The certificate's private key (PEM)" },
  { "public-url", 0, KIND_TEXT, AT (public_url), NULL, 0, 0, "URL",
    "The URL clients reach the server by, behind a proxy (https://pictures.example.org); "
    "absolute URLs in answers start with it, and its host and origin are accepted" },
  { "allow-origin", 0, KIND_LIST, AT (allow_origins), NULL, 0, 0, "ORIGIN",
    "Another origin whose pages may publish and upload (https://app.example.org); repeatable" },
  { "allow-host", 0, KIND_LIST, AT (allow_hosts), NULL, 0, 0, "NAME",
    "Another Host name accepted when there is no token (pictures.lan); repeatable" },
  { "header-timeout", 0, KIND_INT, AT (header_timeout_seconds), "10", 1, 3600, "SECONDS",
    "Seconds a client has to send a request's headers (default 10)" },
  { "idle-timeout", 0, KIND_INT, AT (idle_timeout_seconds), "60", 1, 86400, "SECONDS",
    "Seconds a keep-alive connection may wait for its next request (default 60)" },
  { "max-connections-per-address", 0, KIND_INT, AT (max_connections_per_address), "1024", 1, 1000000, "N",
    "Most connections open at once from one client address; beyond, 503 (default 1024)" },
  { "busy-poll", 0, KIND_INT, AT (busy_poll_usec), "0", 0, 1000, "USEC",
    "Microseconds the main loop keeps polling without sleeping after a request came: lower latency "
    "for a core kept busy meanwhile; 0 sleeps at once (default 0)" },
  { "variant-memory", 0, KIND_INT64, AT (variant_memory_bytes), "67108864", 0, 1099511627776.0, "BYTES",
    "Bytes of rendered picture variants kept in memory, least recently used out first (default 67108864, 64 MiB)" },
  { "variant-disk", 0, KIND_INT64, AT (variant_disk_bytes), "1073741824", 0, 1099511627776.0, "BYTES",
    "Bytes of rendered picture variants kept on disk across restarts; 0 keeps none (default 1073741824, 1 GiB)" },
  { "variant-dir", 0, KIND_PATH, AT (variant_dir), NULL, 0, 0, "DIR",
    "Folder of the variants kept on disk (default: variants/ beside the --state-file)" },
  { "render-workers", 0, KIND_INT, AT (render_workers), "2", 1, 64, "N",
    "Picture variants rendered at once, each on its own thread (default 2)" },
  { "render-queue", 0, KIND_INT, AT (render_queue), "32", 0, 100000, "N",
    "Variant renders that may wait for a worker; beyond, 503 with Retry-After (default 32)" },
  { "render-memory", 0, KIND_INT64, AT (render_memory_bytes), "268435456", 16777216, 1099511627776.0, "BYTES",
    "Memory the renders under way may hold together, by their estimates; a render that does not fit waits, "
    "one that could never fit is refused with 422 (default 268435456, 256 MiB)" },
  { "render-timeout", 0, KIND_DOUBLE, AT (render_timeout_seconds), "10", 0.01, 600, "SECONDS",
    "Longest a variant's render may take; beyond, it is stopped and answered 503 (default 10)" },
  { "max-input-pixels", 0, KIND_INT64, AT (max_input_pixels), "50000000", 1, 1000000000000.0, "PIXELS",
    "Largest picture (width x height) that uploads, renders and placeholders accept; larger is "
    "refused, a decompression bomb before it is stored (default 50000000)" },
  { "no-picsum", 0, KIND_SWITCH, AT (no_picsum), "false", 0, 0, NULL,
    "Do not serve Lorem Picsum's routes (/WIDTH/HEIGHT, /id/..., /seed/..., /v2/list)" },
  { "access-log", 0, KIND_SWITCH, AT (access_log), "false", 0, 0, NULL,
    "Log one info line per request (method, path, status, bytes, duration, remote, user agent)" },
  { "no-metrics", 0, KIND_SWITCH, AT (no_metrics), "false", 0, 0, NULL,
    "Do not serve GET /metrics" },
  { "no-dogceo", 0, KIND_SWITCH, AT (no_dogceo), "false", 0, 0, NULL,
    "Do not serve dog.ceo's routes (/api/breeds/..., /api/breed/..., and without /api)" },
  { "no-hot-path", 0, KIND_SWITCH, AT (no_hot_path), "false", 0, 0, NULL,
    "Read and answer every request with libsoup, none on the hot path (slower; for comparison)" },
  { "allow-new-albums", 0, KIND_SWITCH, AT (allow_new_albums), "false", 0, 0, NULL,
    "Let an upload name an album that has no folder yet (without it, only existing albums)" },
  { "verbose", 'v', KIND_SWITCH, AT (verbose), "false", 0, 0, NULL,
    "Log debug messages too" },
};

/* The parsed command line: long name -> text, and the two flags that are
 * not settings. */
typedef struct {
  GHashTable *flags;
  char *config_file;
  gboolean version;
} CommandLine;

static const Setting *
find_setting (const char *option_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      const Setting *setting = &settings[i];

      if (g_str_has_prefix (option_name, "--") ? g_str_equal (option_name + 2, setting->name)
                                               : option_name[1] == setting->short_name)
        return setting;
    }
  return NULL;
}

static gboolean
on_flag (const char *option_name, const char *value, gpointer data, GError **error)
{
  CommandLine *command_line = data;
  const Setting *setting = find_setting (option_name);
  const char *earlier = g_hash_table_lookup (command_line->flags, setting->name);

  if (setting->kind == KIND_LIST && earlier != NULL)
    value = g_strconcat (earlier, ",", value, NULL);
  else
    value = g_strdup (setting->kind == KIND_SWITCH ? "true" : value);
  g_hash_table_replace (command_line->flags, (gpointer) setting->name, (char *) value);
  return TRUE;
}

/* GOptionEntry keeps the callback in a data pointer. */
static gpointer
flag_callback (void)
{
  return G_GNUC_EXTENSION (gpointer) on_flag;
}

static GOptionEntry *
option_entries (CommandLine *command_line)
{
  GOptionEntry *entries = g_new0 (GOptionEntry, G_N_ELEMENTS (settings) + 3);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      const Setting *setting = &settings[i];

      entries[i] = (GOptionEntry) {
        setting->name, setting->short_name,
        setting->kind == KIND_SWITCH ? G_OPTION_FLAG_NO_ARG
          : setting->kind == KIND_PATH ? G_OPTION_FLAG_FILENAME : G_OPTION_FLAG_NONE,
        G_OPTION_ARG_CALLBACK, flag_callback (), setting->description, setting->arg_description
      };
    }
  entries[i++] = (GOptionEntry) { "config", 'c', 0, G_OPTION_ARG_FILENAME, &command_line->config_file,
    "Key file with a [server] group of the same settings (or env RNDIMG_CONFIG)", "FILE" };
  entries[i++] = (GOptionEntry) { "version", 'V', 0, G_OPTION_ARG_NONE, &command_line->version,
    "Print the version of rndimg-server, libsoup and GLib, and exit", NULL };
  return entries;
}

static gboolean
parse_command_line (int *argc, char ***argv, CommandLine *command_line, GError **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- serve random images over HTTP");
  g_autofree GOptionEntry *entries = option_entries (command_line);
  GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, command_line, NULL);

  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
    "Answers GET " RNDIMG_API_PREFIX "/rndimg with the absolute URL of a random image\n"
    "and serves the images under /static/img/ and a web page at /.\n"
    "The first line on standard output is the URL the server listens on.");
  g_option_context_set_description (context,
    "Every option can also be set by an environment variable (--max-upload: RNDIMG_MAX_UPLOAD)\n"
    "or in the [server] group of the --config key file (max-upload=1048576).\n"
    "A flag wins over the environment, which wins over the file.\n"
    "Exit status: 0 after a clean stop (SIGTERM, SIGINT), 1 when the server cannot start,\n"
    "2 for a bad option, variable or config file. SIGHUP re-reads the token file, the TLS certificate and key, and the folders.");
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument %s", (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

static char *
variable_name (const Setting *setting)
{
  g_autofree char *upper = g_ascii_strup (setting->name, -1);

  g_strdelimit (upper, "-", '_');
  return g_strconcat ("RNDIMG_", upper, NULL);
}

/* Loads the key file and refuses keys it does not know (a typo would
 * otherwise be silently ignored). */
static GKeyFile *
load_key_file (const char *path, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "config file %s: ", path);
      return NULL;
    }
  keys = g_key_file_get_keys (key_file, "server", NULL, NULL);
  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *flag = g_strconcat ("--", keys[i], NULL);

      if (find_setting (flag) == NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                       "config file %s: [server] has no setting called %s", path, keys[i]);
          return NULL;
        }
    }
  return g_steal_pointer (&key_file);
}

/* The text of @setting from the first source that has it, and how to name
 * it in an error message (--port 99999, RNDIMG_PORT=abc, port=abc in FILE).
 * NULL when no source sets it. */
static char *
lookup (const Setting *setting, CommandLine *command_line, GKeyFile *key_file,
        const char *config_file, char **origin)
{
  g_autofree char *variable = variable_name (setting);
  const char *text;

  if ((text = g_hash_table_lookup (command_line->flags, setting->name)) != NULL)
    {
      *origin = g_strdup_printf ("--%s %s", setting->name, text);
      return g_strdup (text);
    }
  if ((text = g_getenv (variable)) != NULL)
    {
      *origin = g_strdup_printf ("%s=%s", variable, text);
      return g_strdup (text);
    }
  if (key_file != NULL && g_key_file_has_key (key_file, "server", setting->name, NULL))
    {
      g_autofree char *value = g_key_file_get_value (key_file, "server", setting->name, NULL);

      *origin = g_strdup_printf ("%s=%s in %s", setting->name, value, config_file);
      return g_steal_pointer (&value);
    }
  *origin = g_strdup_printf ("the default --%s", setting->name);
  return g_strdup (setting->fallback);
}

static gboolean
bad_value (GError **error, const char *origin, const char *what)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s is not %s", origin, what);
  return FALSE;
}

static gboolean
parse_switch (const char *text, gboolean *value)
{
  static const char *const yes[] = { "true", "yes", "1", "on", NULL };
  static const char *const no[] = { "false", "no", "0", "off", NULL };

  for (gsize i = 0; yes[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0 || g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *value = g_ascii_strcasecmp (text, yes[i]) == 0;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_number (const Setting *setting, char *text, const char *origin, double *value, GError **error)
{
  g_autofree char *range = g_strdup_printf ("between %g and %g", setting->min, setting->max);
  char *end = NULL;

  g_strstrip (text);
  if (setting->kind == KIND_DOUBLE)
    *value = g_ascii_strtod (text, &end);
  else
    *value = (double) g_ascii_strtoll (text, &end, 10);
  if (*text == '\0' || end == NULL || *end != '\0')
    return bad_value (error, origin, setting->kind == KIND_DOUBLE ? "a number" : "a whole number");
  if (*value < setting->min || *value > setting->max)
    return bad_value (error, origin, range);
  return TRUE;
}

/* "a, b,,c" -> { "a", "b", "c" } */
static char **
split_list (const char *text)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; items[i] != NULL; i++)
    if (*g_strstrip (items[i]) != '\0')
      g_strv_builder_add (builder, items[i]);
  return g_strv_builder_end (builder);
}

static gboolean
store (const Setting *setting, char *text, const char *origin, RndimgConfig *config, GError **error)
{
  gpointer field = (char *) config + setting->offset;
  double number = 0;

  switch (setting->kind)
    {
    case KIND_TEXT:
    case KIND_PATH:
      g_free (*(char **) field);
      *(char **) field = g_strdup (text);
      return TRUE;
    case KIND_LIST:
      g_strfreev (*(char ***) field);
      *(char ***) field = split_list (text);
      return TRUE;
    case KIND_SWITCH:
      return parse_switch (text, field) || bad_value (error, origin, "true or false");
    case KIND_INT:
      if (!parse_number (setting, text, origin, &number, error))
        return FALSE;
      *(int *) field = (int) number;
      return TRUE;
    case KIND_INT64:
      if (!parse_number (setting, text, origin, &number, error))
        return FALSE;
      *(gint64 *) field = (gint64) number;
      return TRUE;
    case KIND_DOUBLE:
      if (!parse_number (setting, text, origin, &number, error))
        return FALSE;
      *(double *) field = number;
      return TRUE;
    }
  g_assert_not_reached ();
}

/* http(s)://host[:port], maybe with a "/" at the end: absolute URLs are
 * built on it by adding a path. */
static gboolean
public_url_is_valid (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && (g_str_equal (g_uri_get_scheme (uri), "http") || g_str_equal (g_uri_get_scheme (uri), "https")) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' && g_uri_get_userinfo (uri) == NULL &&
         (*g_uri_get_path (uri) == '\0' || g_str_equal (g_uri_get_path (uri), "/")) &&
         g_uri_get_query (uri) == NULL && g_uri_get_fragment (uri) == NULL;
}

/* Checks that need more than one value or more than a range. */
static gboolean
check_values (const RndimgConfig *config, GError **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (config->address);

  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "address %s is not an IPv4 or IPv6 address", config->address);
      return FALSE;
    }
  if (config->public_url != NULL && !public_url_is_valid (config->public_url))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--public-url %s is not an http:// or https:// URL with a host and no path", config->public_url);
      return FALSE;
    }
  if ((config->tls_certificate == NULL) != (config->tls_key == NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--tls-certificate and --tls-key go together: %s is missing",
                   config->tls_key == NULL ? "--tls-key" : "--tls-certificate");
      return FALSE;
    }
  if (config->broker != NULL && !g_str_equal (config->broker, "memory") &&
      !rndimg_redis_broker_parse_url (config->broker, NULL, NULL, NULL, error))
    return FALSE;
  if (config->interval_seconds > 0 && config->interval_seconds < 0.01)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--interval %g is not 0 or between 0.01 and 86400", config->interval_seconds);
      return FALSE;
    }
  return TRUE;
}

/* Reads the token from @token_file, else from RNDIMG_TOKEN; *@token is NULL
 * when neither is set. An empty token is an error rather than silently no
 * protection. */
gboolean
rndimg_settings_read_token (const char *token_file, char **token, GError **error)
{
  g_autofree char *contents = NULL;

  *token = NULL;
  if (token_file != NULL && !g_file_get_contents (token_file, &contents, NULL, error))
    return FALSE;
  if (contents == NULL && g_getenv ("RNDIMG_TOKEN") != NULL)
    contents = g_strdup (g_getenv ("RNDIMG_TOKEN"));
  if (contents == NULL)
    return TRUE;
  g_strstrip (contents);
  if (*contents == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the token (%s) is empty", token_file ? token_file : "RNDIMG_TOKEN");
      return FALSE;
    }
  *token = g_steal_pointer (&contents);
  return TRUE;
}

static void
print_version (void)
{
  printf ("rndimg-server %s\nlibsoup %u.%u.%u\nGLib %u.%u.%u\n", PACKAGE_VERSION,
          soup_get_major_version (), soup_get_minor_version (), soup_get_micro_version (),
          glib_major_version, glib_minor_version, glib_micro_version);
}

static gboolean
fill_config (CommandLine *command_line, RndimgConfig *config, GError **error)
{
  const char *config_file = command_line->config_file ? command_line->config_file : g_getenv ("RNDIMG_CONFIG");
  g_autoptr(GKeyFile) key_file = NULL;

  if (config_file != NULL && (key_file = load_key_file (config_file, error)) == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      g_autofree char *origin = NULL;
      g_autofree char *text = lookup (&settings[i], command_line, key_file, config_file, &origin);

      if (text != NULL && !store (&settings[i], text, origin, config, error))
        return FALSE;
    }
  return check_values (config, error) &&
         rndimg_settings_read_token (config->token_file, &config->token, error);
}

/* Fills @config from the command line, the environment and the config
 * file. Folders left unset stay NULL: the caller picks their defaults. */
RndimgSettingsResult
rndimg_settings_load (int *argc, char ***argv, RndimgConfig *config, GError **error)
{
  CommandLine command_line = { g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free), NULL, FALSE };
  RndimgSettingsResult result = RNDIMG_SETTINGS_BAD_USAGE;

  if (parse_command_line (argc, argv, &command_line, error))
    {
      if (command_line.version)
        {
          print_version ();
          result = RNDIMG_SETTINGS_DONE;
        }
      else if (fill_config (&command_line, config, error))
        result = RNDIMG_SETTINGS_RUN;
    }
  g_hash_table_unref (command_line.flags);
  g_free (command_line.config_file);
  return result;
}
