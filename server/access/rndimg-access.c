/* SPDX-License-Identifier: MIT */
/* RndimgAccess: what one credential may do, as scopes. A scope is written
 * "read", "publish", "upload" or "manage" for every album, or with one
 * album after a colon ("read:dogs") for that album and its sub-albums;
 * the same words serve the tokens file and a JWT's "scope" claim. A
 * scope limited to albums never covers the pictures outside every album
 * (the catalogue's top level). "manage" implies "read". */
#include "rndimg-access.h"

#include <gio/gio.h>
#include <string.h>

static const char *const scope_names[RNDIMG_SCOPE_N] = { "read", "publish", "upload", "manage" };

/* Longest album name a scope may carry: two segments of 64 bytes. */
#define MAX_ALBUM_BYTES 129

static void
access_clear (RndimgAccess *access)
{
  g_free (access->who);
  for (guint i = 0; i < RNDIMG_SCOPE_N; i++)
    g_strfreev (access->albums[i]);
}

/* An access holding no scope yet, for @who ("token:ci", "jwt:alice"). */
RndimgAccess *
rndimg_access_new (const char *who)
{
  RndimgAccess *access = g_rc_box_new0 (RndimgAccess);

  access->who = g_strdup (who);
  return access;
}

/* The access of a request without credentials: it reads public albums
 * only, and writes everywhere when @may_write (a server on loopback that
 * has no credentials configured). */
RndimgAccess *
rndimg_access_new_anonymous (gboolean may_write)
{
  RndimgAccess *access = rndimg_access_new ("anonymous");

  access->anonymous = TRUE;
  access->every_album[RNDIMG_SCOPE_PUBLISH] = may_write;
  access->every_album[RNDIMG_SCOPE_UPLOAD] = may_write;
  access->every_album[RNDIMG_SCOPE_MANAGE] = may_write;
  return access;
}

RndimgAccess *
rndimg_access_ref (RndimgAccess *access)
{
  return g_rc_box_acquire (access);
}

void
rndimg_access_unref (RndimgAccess *access)
{
  g_rc_box_release_full (access, (GDestroyNotify) access_clear);
}

const char *
rndimg_scope_to_string (RndimgScope scope)
{
  return scope < RNDIMG_SCOPE_N ? scope_names[scope] : "?";
}

/* An album as a scope names it: one or two segments of lower-case
 * letters, digits, '-' and '_' (the catalogue's album names). */
static gboolean
album_is_valid (const char *album)
{
  guint segments = 1;
  gsize segment_length = 0;

  if (album[0] == '\0' || strlen (album) > MAX_ALBUM_BYTES)
    return FALSE;
  for (const char *p = album; *p != '\0'; p++)
    {
      if (*p == '/')
        {
          if (segment_length == 0 || ++segments > 2)
            return FALSE;
          segment_length = 0;
          continue;
        }
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
        return FALSE;
      if (++segment_length > 64)
        return FALSE;
    }
  return segment_length > 0;
}

static void
add_album (RndimgAccess *access, RndimgScope scope, const char *album)
{
  guint length = access->albums[scope] != NULL ? g_strv_length (access->albums[scope]) : 0;

  if (access->albums[scope] != NULL && g_strv_contains ((const char *const *) access->albums[scope], album))
    return;
  access->albums[scope] = g_renew (char *, access->albums[scope], length + 2);
  access->albums[scope][length] = g_strdup (album);
  access->albums[scope][length + 1] = NULL;
}

/* Adds one scope ("read", "read:dogs"); FALSE with @error naming it when
 * it is not one. Only while the access is being made. */
gboolean
rndimg_access_grant (RndimgAccess *access, const char *scope, GError **error)
{
  const char *colon = strchr (scope, ':');
  gsize name_length = colon != NULL ? (gsize) (colon - scope) : strlen (scope);

  for (guint i = 0; i < RNDIMG_SCOPE_N; i++)
    {
      if (strlen (scope_names[i]) != name_length || strncmp (scope, scope_names[i], name_length) != 0)
        continue;
      if (colon == NULL)
        access->every_album[i] = TRUE;
      else if (album_is_valid (colon + 1))
        add_album (access, i, colon + 1);
      else
        break;
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "\"%s\" is not a scope: read, publish, upload or manage, maybe with an album (read:dogs)", scope);
  return FALSE;
}

/* Adds every scope of @scopes, separated by spaces, commas or semicolons. */
gboolean
rndimg_access_grant_list (RndimgAccess *access, const char *scopes, GError **error)
{
  g_auto(GStrv) items = g_strsplit_set (scopes, " \t,;", -1);

  for (guint i = 0; items[i] != NULL; i++)
    if (items[i][0] != '\0' && !rndimg_access_grant (access, items[i], error))
      return FALSE;
  return TRUE;
}

/* Whether @album ("" for the top level) is @granted or below one of them. */
static gboolean
album_covered (const char *const *granted, const char *album)
{
  for (guint i = 0; granted != NULL && granted[i] != NULL; i++)
    {
      gsize length = strlen (granted[i]);

      if (strncmp (album, granted[i], length) == 0 && (album[length] == '\0' || album[length] == '/'))
        return TRUE;
    }
  return FALSE;
}

/* Whether @access holds @scope for @album ("": the top level, which only
 * a scope for every album covers). */
gboolean
rndimg_access_may (const RndimgAccess *access, RndimgScope scope, const char *album)
{
  g_return_val_if_fail (scope < RNDIMG_SCOPE_N, FALSE);

  if (access == NULL)
    return FALSE;
  if (access->every_album[scope])
    return TRUE;
  return album != NULL && album[0] != '\0' && album_covered ((const char *const *) access->albums[scope], album);
}

/* Whether @access may see @album's pictures when it is private: never
 * without a credential (not even the writes a loopback server without
 * credentials takes from anyone). */
gboolean
rndimg_access_may_read (const RndimgAccess *access, const char *album)
{
  if (access == NULL || access->anonymous)
    return FALSE;
  return rndimg_access_may (access, RNDIMG_SCOPE_READ, album) ||
         rndimg_access_may (access, RNDIMG_SCOPE_MANAGE, album);
}

/* Whether @access holds @scope for some album at least. */
gboolean
rndimg_access_holds (const RndimgAccess *access, RndimgScope scope)
{
  return access != NULL && (access->every_album[scope] || access->albums[scope] != NULL);
}

/* @access while it is valid (a JWT until its exp), else NULL: what a
 * stream opened with it may still see is what anyone may. */
const RndimgAccess *
rndimg_access_valid_at (const RndimgAccess *access, gint64 now_seconds)
{
  return access != NULL && (access->expires == 0 || now_seconds < access->expires) ? access : NULL;
}

/* "read:dogs manage" (for messages; never the credential itself). */
char *
rndimg_access_describe (const RndimgAccess *access)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < RNDIMG_SCOPE_N; i++)
    {
      if (access->every_album[i])
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", scope_names[i]);
      for (guint j = 0; !access->every_album[i] && access->albums[i] != NULL && access->albums[i][j] != NULL; j++)
        g_string_append_printf (text, "%s%s:%s", text->len > 0 ? " " : "", scope_names[i], access->albums[i][j]);
    }
  return g_string_free (text, FALSE);
}
