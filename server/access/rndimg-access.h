/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a credential may do. */
typedef enum {
  RNDIMG_SCOPE_READ,      /* see private albums and their pictures */
  RNDIMG_SCOPE_PUBLISH,   /* POST /publish */
  RNDIMG_SCOPE_UPLOAD,    /* POST /images */
  RNDIMG_SCOPE_MANAGE,    /* delete, edit and move pictures; albums */
  RNDIMG_SCOPE_N,
} RndimgScope;

/* What one request's credentials allow: each scope held for every album,
 * for some albums (each with its sub-albums), or not at all. Immutable
 * once made, shared by reference (a subscriber keeps its own). */
typedef struct {
  char *who;                          /* "token:NAME", "jwt:SUB" or "anonymous" */
  gboolean anonymous;                 /* no credential was presented */
  gint64 expires;                     /* Unix seconds it stops being valid (a JWT's exp); 0: never */
  gboolean every_album[RNDIMG_SCOPE_N];
  GStrv albums[RNDIMG_SCOPE_N];       /* when not every album: these; NULL: none */
} RndimgAccess;

RndimgAccess *rndimg_access_new        (const char          *who);
RndimgAccess *rndimg_access_new_anonymous (gboolean          may_write);
RndimgAccess *rndimg_access_ref        (RndimgAccess        *access);
void          rndimg_access_unref      (RndimgAccess        *access);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgAccess, rndimg_access_unref)

gboolean      rndimg_access_grant      (RndimgAccess        *access,
                                        const char          *scope,
                                        GError             **error);
gboolean      rndimg_access_grant_list (RndimgAccess        *access,
                                        const char          *scopes,
                                        GError             **error);
gboolean      rndimg_access_may        (const RndimgAccess  *access,
                                        RndimgScope          scope,
                                        const char          *album);
gboolean      rndimg_access_may_read   (const RndimgAccess  *access,
                                        const char          *album);
gboolean      rndimg_access_holds      (const RndimgAccess  *access,
                                        RndimgScope          scope);
const char   *rndimg_scope_to_string   (RndimgScope          scope);
char         *rndimg_access_describe   (const RndimgAccess  *access);
const RndimgAccess *rndimg_access_valid_at (const RndimgAccess *access,
                                        gint64               now_seconds);

G_END_DECLS
